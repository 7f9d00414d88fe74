/** The JSON-lines access log: a traffic-event consumer with stdout and rotating-file sinks. */
package io.gatehouse.gateway.accesslog;
