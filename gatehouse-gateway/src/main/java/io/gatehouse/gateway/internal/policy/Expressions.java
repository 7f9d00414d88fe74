package io.gatehouse.gateway.internal.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

/**
 * Compiles CEL expressions over the gateway's request context, once per snapshot.
 *
 * <p>The context: {@code request.method}, {@code request.path}, {@code request.headers} (lower-case
 * name to first value), {@code request.query} (name to first value), {@code request.ip},
 * {@code api.name}, {@code operation}, {@code subscription.name}, {@code product.name},
 * {@code jwt.claims}, {@code variables}, {@code response.status} and {@code response.headers}.
 * Absent names are the empty string; {@code response} is empty before there is a response.
 */
public final class Expressions {
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("request", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("api", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("operation", SimpleType.STRING)
      .addVar("subscription", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("product", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("jwt", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("variables", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("response", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private Expressions() {}

  /**
   * Compiles {@code text}.
   *
   * @throws IllegalArgumentException with CEL's message when it does not compile
   */
  public static Expression compile(String text) {
    return compile(text, false);
  }

  /**
   * Compiles {@code text}, which must yield a boolean.
   *
   * @throws IllegalArgumentException when it does not compile or cannot yield a boolean
   */
  public static Expression condition(String text) {
    return compile(text, true);
  }

  private static Expression compile(String text, boolean bool) {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(text).getAst();
      CelKind kind = ast.getResultType().kind();
      if (bool && kind != CelKind.BOOL && kind != CelKind.DYN) {
        throw new IllegalArgumentException(
            "expected an expression yielding a boolean but '" + text + "' yields " + ast.getResultType().name());
      }
      return new Expression(text, RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      throw new IllegalArgumentException("invalid expression '" + text + "': " + e.getMessage(), e);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("invalid expression '" + text + "': " + e.getMessage(), e);
    }
  }
}
