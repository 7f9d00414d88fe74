/** Where the server keeps its data: the file-mode rule of the data directory. */
package io.gatehouse.model.storage;
