/** The gatehouse command line and the wiring of control plane and gateway. */
package io.gatehouse.server;
