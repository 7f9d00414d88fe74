package io.gatehouse.gateway.internal.validation;

import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;

/**
 * The JSON Schema dialect a schema is read in when it does not name one with {@code $schema}.
 */
public enum SchemaDialect {
  /** JSON Schema draft 4. */
  JSON_SCHEMA_DRAFT_4,
  /** JSON Schema draft 2020-12. */
  JSON_SCHEMA_2020_12,
  /**
   * The OpenAPI 3.0 Schema Object: a draft-4 (wright-00) variant with {@code nullable},
   * boolean {@code exclusiveMinimum}/{@code exclusiveMaximum} and {@code discriminator}.
   */
  OPENAPI_3_0,
  /** The OpenAPI 3.1 Schema Object: JSON Schema draft 2020-12 plus the OAS vocabulary. */
  OPENAPI_3_1;

  Dialect dialect() {
    switch (this) {
      case JSON_SCHEMA_DRAFT_4:
        return Dialects.getDraft4();
      case JSON_SCHEMA_2020_12:
        return Dialects.getDraft202012();
      case OPENAPI_3_0:
        return Dialects.getOpenApi30();
      case OPENAPI_3_1:
        return Dialects.getOpenApi31();
      default:
        throw new IllegalStateException("unknown dialect " + this);
    }
  }
}
