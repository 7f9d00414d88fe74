package io.gatehouse.control;

/** Every test of {@link ManagementServerTest}, on PostgreSQL. */
class PostgresManagementServerTest extends ManagementServerTest {
  @Override
  TestStores.Kind kind() {
    return TestStores.Kind.POSTGRESQL;
  }
}
