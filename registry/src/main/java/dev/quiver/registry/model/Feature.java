package dev.quiver.registry.model;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * One typed column of a feature view.
 *
 * @param expect the feature's validation rules ({@code expect:}), or null when it has none
 */
public record Feature(
    String name, ValueType type, String description, Map<String, String> tags, Expectation expect)
    implements java.io.Serializable {

  public Feature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    expect = expect == null || expect.isEmpty() ? null : expect;
  }

  /** A feature without validation rules. */
  public Feature(String name, ValueType type, String description, Map<String, String> tags) {
    this(name, type, description, tags, null);
  }

  public static Feature of(String name, ValueType type) {
    return new Feature(name, type, null, Map.of());
  }

  /**
   * The 32-bit id of a feature name in encoded online rows (CRC32C of its UTF-8 bytes): values are
   * stored under it, so two features of one view must not share it, which validation checks.
   */
  public static int nameHash(String name) {
    CRC32C crc = new CRC32C();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue();
  }
}
