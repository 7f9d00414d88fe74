/** Traffic analytics: per-minute aggregates with hour and day rollups, their store and queries. */
package io.gatehouse.control.analytics;
