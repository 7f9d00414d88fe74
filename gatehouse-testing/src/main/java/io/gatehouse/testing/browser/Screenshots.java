package io.gatehouse.testing.browser;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/** Writes what a driver's window shows as a PNG file. */
public final class Screenshots {
  private Screenshots() {}

  /**
   * Writes the visible part of the current page to {@code file} (parent directories created,
   * an existing file replaced) and returns the file.
   */
  public static Path save(WebDriver driver, Path file) {
    requireNonNull(driver, "driver");
    requireNonNull(file, "file");
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Files.write(file, png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
