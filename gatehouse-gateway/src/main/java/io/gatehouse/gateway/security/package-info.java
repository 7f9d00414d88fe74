/** Runtime protection signals raised by the gateway's security policies. */
package io.gatehouse.gateway.security;
