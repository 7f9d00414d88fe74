package io.gatehouse.gateway.internal.outbound;

/**
 * The gateway refused to connect to an address ({@link OutboundGuard}); the client sees 502
 * {@code backend-address-refused}. The message names the kind of address, never the address.
 */
public final class RefusedDestinationException extends RuntimeException {
  RefusedDestinationException(String reason) {
    super("the gateway does not connect to this address: " + reason, null, false, false);
  }
}
