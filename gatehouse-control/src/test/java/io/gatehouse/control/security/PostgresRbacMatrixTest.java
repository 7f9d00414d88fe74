package io.gatehouse.control.security;

import io.gatehouse.control.TestStores;

/** Every test of {@link RbacMatrixTest}, on PostgreSQL. */
class PostgresRbacMatrixTest extends RbacMatrixTest {
  @Override
  TestStores.Kind kind() {
    return TestStores.Kind.POSTGRESQL;
  }
}
