package dev.quiver.online;

import dev.quiver.registry.model.StoreConfig;
import java.util.Map;

/** The contract on {@code type: memory}: every opening is a new, empty store. */
class InMemoryOnlineStoreTest extends OnlineStoreContract {

  @Override
  protected OnlineStoreFactory factory() {
    return new InMemoryOnlineStoreFactory();
  }

  @Override
  protected StoreConfig config() {
    return new StoreConfig("memory", Map.of(), null);
  }

  @Override
  protected boolean supportsBulkWrite() {
    return false;
  }
}
