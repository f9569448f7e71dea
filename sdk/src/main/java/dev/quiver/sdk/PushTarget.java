package dev.quiver.sdk;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Where pushed rows go: Feast's {@code to} of a push. */
public enum PushTarget {
  /** The online store only (the default). */
  ONLINE("online"),
  /**
   * The view's source folder, then the online store: a failure between the two leaves the rows
   * offline only, where a retried push adds them again as a second file (online, a retry is
   * harmless: newer-wins).
   */
  ONLINE_AND_OFFLINE("online_and_offline"),
  /** The view's source folder only, as one new Parquet file a push. */
  OFFLINE("offline");

  private final String wireName;

  PushTarget(String wireName) {
    this.wireName = wireName;
  }

  /** The name in a push request's {@code to}. */
  public String wireName() {
    return wireName;
  }

  public boolean online() {
    return this != OFFLINE;
  }

  public boolean offline() {
    return this != ONLINE;
  }

  /** The target of a request's {@code to}, or empty when it names none. */
  public static Optional<PushTarget> fromWireName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }

  /** Every accepted {@code to}, for messages. */
  public static List<String> wireNames() {
    return Arrays.stream(values()).map(PushTarget::wireName).toList();
  }
}
