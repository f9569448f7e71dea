package dev.quiver.sdk;

import dev.quiver.online.OnlineStores;
import java.time.Clock;
import java.util.Objects;

/**
 * How an embedded store is opened.
 *
 * @param clock "now" for online reads (statuses past a view's ttl) and manifests
 * @param onlineAccess read-only lets a process read an online store another process writes
 */
public record FeatureStoreOptions(Clock clock, OnlineStores.Access onlineAccess) {

  public FeatureStoreOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(onlineAccess, "onlineAccess");
  }

  public static FeatureStoreOptions defaults() {
    return new FeatureStoreOptions(Clock.systemUTC(), OnlineStores.Access.READ_WRITE);
  }

  public FeatureStoreOptions withClock(Clock value) {
    return new FeatureStoreOptions(value, onlineAccess);
  }

  public FeatureStoreOptions readOnly() {
    return new FeatureStoreOptions(clock, OnlineStores.Access.READ_ONLY);
  }
}
