package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.registry.model.Definitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegistryStoreTest extends RegistryStoreContract {

  @TempDir Path registryDir;

  private Path file() {
    return registryDir.resolve("data/registry.json");
  }

  @Override
  protected RegistryStore newStore(Clock clock) {
    return new FileRegistryStore(file(), "rides", clock);
  }

  @Test
  void readersNeverSeeATornDocumentWhileCommitsReplaceIt() throws Exception {
    Definitions definitions = exampleDefinitions();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<Throwable> readFailure = new AtomicReference<>();
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, definitions, new CommitInfo("w", null, List.of("v1")));
      Thread reader =
          new Thread(
              () -> {
                try (RegistryStore readerStore = newStore(CLOCK)) {
                  while (!done.get()) {
                    assertThat(readerStore.load().definitions().entities()).hasSize(2);
                    reads.incrementAndGet();
                  }
                } catch (Throwable t) {
                  readFailure.set(t);
                }
              });
      reader.start();
      for (long version = 1; version < 40; version++) {
        store.commit(version, definitions, new CommitInfo("w", null, List.of("again")));
      }
      done.set(true);
      reader.join();
    }
    assertThat(readFailure.get()).isNull();
    assertThat(reads.get()).isPositive();
    try (Stream<Path> files = Files.list(file().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("registry.json", "registry.json.lock");
    }
  }

  @Test
  void aLeftoverTemporaryFileFromACrashIsIgnored() throws Exception {
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, exampleDefinitions(), new CommitInfo("w", null, List.of("v1")));
    }
    // What a crash between writing and renaming leaves: a half-written temporary file.
    Files.writeString(file().resolveSibling("registry.json.12345.tmp"), "{\"format\": 1, \"proj");
    try (RegistryStore store = newStore(CLOCK)) {
      assertThat(store.load().version()).isEqualTo(1);
      store.commit(1, exampleDefinitions(), new CommitInfo("w", null, List.of("v2")));
      assertThat(store.load().version()).isEqualTo(2);
    }
  }

  @Test
  void refusesARegistryOfAnotherProject() {
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, exampleDefinitions(), new CommitInfo("w", null, List.of("v1")));
    }
    try (RegistryStore other = new FileRegistryStore(file(), "payments", CLOCK)) {
      assertThatThrownBy(other::load)
          .isInstanceOf(RegistryException.class)
          .hasMessage(
              "Cannot use the file registry "
                  + file()
                  + ": it belongs to project 'rides', but this repo is project 'payments'");
    }
  }

  @Test
  void refusesACorruptRegistryWithAClearMessage() throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "{not json");
    try (RegistryStore store = newStore(CLOCK)) {
      assertThatThrownBy(store::load)
          .isInstanceOf(RegistryException.class)
          .hasMessageStartingWith("Cannot read the registry " + file() + ": it is not valid JSON");
    }
  }
}
