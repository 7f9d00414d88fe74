/** The control plane: configuration store, revisions and the management API. */
package io.gatehouse.control;
