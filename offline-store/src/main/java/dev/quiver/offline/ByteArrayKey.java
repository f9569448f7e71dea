package dev.quiver.offline;

import java.util.Arrays;

/** A byte array as a hash-map key: content equality, its hash computed once. */
public final class ByteArrayKey {

  private final byte[] bytes;
  private final int hash;

  public ByteArrayKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** The bytes themselves (not a copy). */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ByteArrayKey k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
