package dev.quiver.registry.plugin;

/** The stores of {@code feature_store.yaml}, each selected by the {@code type} under its key. */
public enum StoreKind {
  REGISTRY("registry"),
  ONLINE_STORE("online_store"),
  OFFLINE_STORE("offline_store");

  private final String key;

  StoreKind(String key) {
    this.key = key;
  }

  /** The key of {@code feature_store.yaml} that configures this kind of store. */
  public String key() {
    return key;
  }
}
