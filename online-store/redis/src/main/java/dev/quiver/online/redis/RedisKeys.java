package dev.quiver.online.redis;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Redis keys of a project's entity hashes: {@code quiver:<project>:{<tag>}<entity key bytes>}. The
 * hash tag is eight hex digits of the entity key's CRC-32C, so a cluster places an entity by its
 * whole key, however its bytes happen to contain braces, and spreads entities evenly over slots.
 */
final class RedisKeys {

  private final byte[] prefix;
  private final byte[] pattern;

  RedisKeys(String project) {
    String start = "quiver:" + project + ":{";
    this.prefix = start.getBytes(StandardCharsets.UTF_8);
    // Project names are identifiers: nothing in them is special to Redis' glob patterns.
    this.pattern = (start + "*").getBytes(StandardCharsets.UTF_8);
  }

  byte[] entity(byte[] entityKey) {
    CRC32C crc = new CRC32C();
    crc.update(entityKey);
    int tag = (int) crc.getValue();
    byte[] key = new byte[prefix.length + 9 + entityKey.length];
    System.arraycopy(prefix, 0, key, 0, prefix.length);
    for (int i = 0; i < 8; i++) {
      key[prefix.length + i] = (byte) Character.forDigit((tag >>> (28 - 4 * i)) & 0xF, 16);
    }
    key[prefix.length + 8] = '}';
    System.arraycopy(entityKey, 0, key, prefix.length + 9, entityKey.length);
    return key;
  }

  /** A SCAN pattern matching every entity hash of the project. */
  byte[] pattern() {
    return pattern.clone();
  }
}
