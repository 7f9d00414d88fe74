/** Connection admission of the gateway listeners: counts and limits applied at accept. */
package io.gatehouse.gateway.internal.conn;
