package io.gatehouse.testing.browser;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * A JUnit 5 extension that passes each test method (or lifecycle method) asking for a {@link Browser}
 * a browser started for that test's scope and closed after it; when Chromium or ChromeDriver is
 * missing the test is skipped with the reason, or fails when the environment variable
 * {@code GATEHOUSE_REQUIRE_SERVERS} is {@code 1}.
 *
 * <p>A {@code @BeforeAll}/{@code @AfterAll} parameter gets a browser shared by the class; a test
 * method parameter gets a browser of its own.
 */
public final class BrowserExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BrowserExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Browser.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    requireAvailable();
    ExtensionContext.Store store = context.getStore(NS);
    return store.getOrComputeIfAbsent("browser", k -> new Closing(Browser.start()), Closing.class).browser();
  }

  /**
   * Returns when a browser can be started; otherwise aborts the current test (JUnit assumption), or
   * throws a {@link ParameterResolutionException} when {@code GATEHOUSE_REQUIRE_SERVERS=1}.
   */
  public static void requireAvailable() {
    Optional<String> reason = Browser.unavailableReason();
    if (reason.isEmpty()) {
      return;
    }
    if ("1".equals(System.getenv("GATEHOUSE_REQUIRE_SERVERS"))) {
      throw new ParameterResolutionException("GATEHOUSE_REQUIRE_SERVERS=1 but " + reason.get());
    }
    throw new TestAbortedException("browser test skipped: " + reason.get());
  }

  private record Closing(Browser browser) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      browser.close();
    }
  }
}
