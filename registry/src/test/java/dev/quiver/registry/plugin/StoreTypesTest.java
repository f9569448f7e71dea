package dev.quiver.registry.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.ConfigurationException;
import dev.quiver.registry.store.RegistryStoreFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreTypesTest {

  @Test
  void findsTheDeclarationsOnTheClassPathByKind() {
    assertThat(StoreTypes.declared(StoreKind.REGISTRY)).containsOnlyKeys("file", "postgres");
    assertThat(StoreTypes.declared(StoreKind.REGISTRY, RegistryStoreFactory.class))
        .containsOnlyKeys("file", "postgres");
    assertThat(StoreTypes.declared(StoreKind.OFFLINE_STORE)).containsOnlyKeys("file", "spark");
    // Declared by this module's test service file only.
    assertThat(StoreTypes.declared(StoreKind.ONLINE_STORE)).containsOnlyKeys("test-kv");
  }

  @Test
  void aDeclarationThatIsNotTheKindsFactoryIsRefused() {
    assertThatThrownBy(
            () -> StoreTypes.declared(StoreKind.ONLINE_STORE, RegistryStoreFactory.class))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Cannot load the online_store types: dev.quiver.registry.plugin.TestOnlineStoreType"
                + " declares type 'test-kv' but is not a RegistryStoreFactory");
  }

  @Test
  void twoDeclarationsOfOneTypeAreRefused() {
    assertThatThrownBy(
            () ->
                StoreTypes.byKind(
                    List.of(
                        new TestOnlineStoreType(),
                        new FileOfflineStoreType(),
                        new TestOnlineStoreType())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Cannot load the online_store types: both"
                + " dev.quiver.registry.plugin.TestOnlineStoreType and"
                + " dev.quiver.registry.plugin.TestOnlineStoreType declare type 'test-kv'; remove"
                + " one of their artifacts from the class path");
  }

  @Test
  void aRefusalListsTheKnownTypesAndNamesTheArtifactOfATypeNotOnTheClassPath() {
    assertThat(StoreTypes.knownTypesNote(StoreKind.ONLINE_STORE, "test-remote"))
        .isEqualTo(
            "; known types: test-kv (type 'test-remote' comes with dev.quiver:quiver-test-remote,"
                + " which is not on the class path)");
    assertThat(StoreTypes.knownTypesNote(StoreKind.ONLINE_STORE, "test-kb"))
        .as("a type no catalogue knows")
        .isEqualTo("; known types: test-kv");
    assertThat(StoreTypes.knownTypesNote(StoreKind.REGISTRY, "test-remote"))
        .as("the catalogue names it for another kind")
        .isEqualTo("; known types: file, postgres");
  }
}
