package dev.quiver.online;

import java.util.HashMap;
import java.util.Map;

class InMemoryOnlineStoreTest extends OnlineStoreContract {

  /** One map per project, shared by the stores a test opens, as a real backend would be. */
  private final Map<String, InMemoryOnlineStore> backends = new HashMap<>();

  @Override
  protected OnlineStore newStore(String project) {
    InMemoryOnlineStore shared = backends.computeIfAbsent(project, InMemoryOnlineStore::new);
    return new DelegatingStore(shared);
  }

  /** A handle whose close does not clear the shared map. */
  private record DelegatingStore(InMemoryOnlineStore delegate) implements SupportsRowCount {
    @Override
    public String project() {
      return delegate.project();
    }

    @Override
    public long write(String view, java.util.List<Record> records) {
      return delegate.write(view, records);
    }

    @Override
    public java.util.List<byte[]> read(java.util.List<Key> keys) {
      return delegate.read(keys);
    }

    @Override
    public void deleteView(String view) {
      delegate.deleteView(view);
    }

    @Override
    public long rowCount(String view) {
      return delegate.rowCount(view);
    }

    @Override
    public void close() {}
  }
}
