/**
 * Browser tests against real Chromium: {@link io.gatehouse.testing.browser.Browser} starts a headless
 * Chromium through its ChromeDriver, {@link io.gatehouse.testing.browser.BrowserExtension} hands one to a
 * JUnit 5 test (skipped, or failed under {@code GATEHOUSE_REQUIRE_SERVERS=1}, when Chromium is absent),
 * {@link io.gatehouse.testing.browser.Axe} runs axe-core in the page and
 * {@link io.gatehouse.testing.browser.Screenshots} writes PNG files.
 */
package io.gatehouse.testing.browser;
