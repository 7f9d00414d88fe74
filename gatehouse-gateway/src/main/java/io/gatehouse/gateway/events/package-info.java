/** Traffic events: one immutable record per gateway request and the consumers that receive them. */
package io.gatehouse.gateway.events;
