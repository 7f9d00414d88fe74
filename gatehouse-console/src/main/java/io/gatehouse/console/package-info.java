/**
 * The admin console: static pages whose scripts call only the documented management API, served by
 * {@link io.gatehouse.console.Console} under {@code /console/} on the management listener.
 */
package io.gatehouse.console;
