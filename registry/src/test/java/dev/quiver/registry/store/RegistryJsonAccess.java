package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;

/** Lets tests outside the package write definitions as the registry stores them and read back. */
public final class RegistryJsonAccess {

  private RegistryJsonAccess() {}

  public static Definitions roundTrip(Definitions definitions) {
    return RegistryJson.definitions(RegistryJson.definitionsData(definitions), "(test)");
  }
}
