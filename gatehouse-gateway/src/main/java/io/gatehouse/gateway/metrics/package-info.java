/** Prometheus metrics of the gateway, fed by traffic events. */
package io.gatehouse.gateway.metrics;
