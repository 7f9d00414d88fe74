/** The data plane: listeners, routing, the policy pipeline and forwarding to backends. */
package io.gatehouse.gateway;
