/** Real Redis servers for tests (Debian's {@code redis-server}), started and stopped by the test. */
package io.gatehouse.testing.redis;
