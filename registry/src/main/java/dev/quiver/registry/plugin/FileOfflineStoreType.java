package dev.quiver.registry.plugin;

import java.util.List;

/**
 * {@code offline_store: {type: file}}, the default: sources are the repo's Parquet files, read in
 * process. It takes no options. Declared here, beside the loader, because no module opens offline
 * stores by type yet; an offline engine selected by type (Spark) declares its own in its artifact.
 */
public final class FileOfflineStoreType implements StoreType {

  @Override
  public StoreKind kind() {
    return StoreKind.OFFLINE_STORE;
  }

  @Override
  public String type() {
    return "file";
  }

  @Override
  public List<String> requiredOptions() {
    return List.of();
  }

  @Override
  public List<String> optionalOptions() {
    return List.of();
  }
}
