/** Request debugging: short-lived tokens whose requests record each stage with timing. */
package io.gatehouse.gateway.debug;
