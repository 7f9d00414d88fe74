package io.gatehouse.control.security;

import io.gatehouse.control.TestStores;

/** Every test of {@link IdentityTest}, on PostgreSQL. */
class PostgresIdentityTest extends IdentityTest {
  @Override
  TestStores.Kind kind() {
    return TestStores.Kind.POSTGRESQL;
  }
}
