package io.gatehouse.control.certificates;

import io.gatehouse.control.TestStores;

/** Every test of {@link CertificateApiTest}, on PostgreSQL. */
class PostgresCertificateApiTest extends CertificateApiTest {
  @Override
  TestStores.Kind kind() {
    return TestStores.Kind.POSTGRESQL;
  }
}
