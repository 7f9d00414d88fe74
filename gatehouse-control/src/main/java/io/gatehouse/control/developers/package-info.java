/** Developer portal accounts: sign-up, password checks, single-use links and the subscriptions they own. */
package io.gatehouse.control.developers;
