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
   * boolean {@code exclusiveMinimum}/{@code exclusiveMaximum} and {@code discriminator}. Read as a
   * superset: every draft-4 keyword ({@code patternProperties}, {@code dependencies},
   * {@code additionalItems}, ...) is enforced too, since a document that writes one means it.
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
        return OpenApi30Superset.DIALECT;
      case OPENAPI_3_1:
        return Dialects.getOpenApi31();
      default:
        throw new IllegalStateException("unknown dialect " + this);
    }
  }

  /** Draft 4 plus the OpenAPI 3.0 keywords, under the OpenAPI 3.0 dialect's id. */
  private static final class OpenApi30Superset {
    static final Dialect DIALECT = Dialect.builder(Dialects.getOpenApi30().getId(), Dialects.getDraft4())
        .keywords(map -> Dialects.getOpenApi30().getKeywords().forEach(map::putIfAbsent))
        .build();
  }
}
