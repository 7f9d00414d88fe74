package io.gatehouse.control.security;

import io.gatehouse.control.TestStores;

/** Every test of {@link AuditTest}, on PostgreSQL. */
class PostgresAuditTest extends AuditTest {
  @Override
  TestStores.Kind kind() {
    return TestStores.Kind.POSTGRESQL;
  }
}
