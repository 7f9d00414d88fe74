/**
 * The policy SPI: what a custom policy implements and what it may see of a request.
 *
 * <p>This package depends on the JDK alone. Custom policies ship a {@link
 * io.gatehouse.policy.PolicyFactory} registered for {@link java.util.ServiceLoader}.
 */
package io.gatehouse.policy;
