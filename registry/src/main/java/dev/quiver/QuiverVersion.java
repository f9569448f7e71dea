package dev.quiver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Quiver this code was built as. */
public final class QuiverVersion {

  private static final String VERSION = load();

  private QuiverVersion() {}

  public static String current() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = QuiverVersion.class.getResourceAsStream("/quiver-version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
