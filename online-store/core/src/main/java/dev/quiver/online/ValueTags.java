package dev.quiver.online;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;

/** The one-byte type tags of the online codecs; a list is its element's tag with the high bit. */
final class ValueTags {

  static final int NULL = 0;
  static final int LIST = 0x80;

  private ValueTags() {}

  static int of(ScalarType type) {
    return switch (type) {
      case BOOL -> 1;
      case INT32 -> 2;
      case INT64 -> 3;
      case FLOAT32 -> 4;
      case FLOAT64 -> 5;
      case STRING -> 6;
      case BYTES -> 7;
      case TIMESTAMP -> 8;
    };
  }

  static int of(ValueType type) {
    return type.list() ? LIST | of(type.element()) : of(type.element());
  }
}
