/**
 * The developer portal: its own listener serving the portal pages and the portal data API under
 * {@code /portal/api/v1}, over the control plane's public API (developer accounts, configuration,
 * analytics, audit); never over gateway internals.
 */
package io.gatehouse.portal;
