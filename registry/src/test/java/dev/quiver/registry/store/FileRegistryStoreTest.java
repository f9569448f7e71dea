package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.TimeInterval;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegistryStoreTest extends RegistryStoreContract {

  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** version() answers from the file's identity while it is unchanged: commits must show. */
  @Test
  void aPollingStoreSeesEveryCommitOfAnotherAtOnce() {
    Definitions definitions = exampleDefinitions();
    try (RegistryStore poller = newStore(CLOCK);
        RegistryStore writer = newStore(CLOCK)) {
      assertThat(poller.version()).isZero();
      for (long version = 0; version < 30; version++) {
        writer.commit(version, definitions, new CommitInfo("w", null, List.of("same size")));
        assertThat(poller.version()).isEqualTo(version + 1);
        assertThat(poller.version()).isEqualTo(version + 1);
      }
    }
  }

  /** Registries written before rollback existed kept only the latest version's definitions. */
  @Test
  void ofVersionsAnOlderQuiverCommittedTheLatestStaysRestorable() throws Exception {
    Definitions definitions = exampleDefinitions();
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, definitions, new CommitInfo("w", null, List.of("v1")));
      store.commit(1, definitions, new CommitInfo("w", null, List.of("v2")));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> document = JSON.readValue(file().toFile(), Map.class);
    for (Object entry : (List<?>) document.get("history")) {
      ((Map<?, ?>) entry).remove("definitions");
    }
    JSON.writeValue(file().toFile(), document);

    try (RegistryStore store = newStore(CLOCK)) {
      assertThat(store.definitionsAt(1)).isEmpty();
      assertThat(store.definitionsAt(2).map(CanonicalForm::of))
          .contains(CanonicalForm.of(definitions));
      store.commit(2, definitions, new CommitInfo("w", null, List.of("v3")));
      assertThat(store.definitionsAt(1)).isEmpty();
      // The version the registry was at when this Quiver first wrote to it stays restorable.
      assertThat(store.definitionsAt(2).map(CanonicalForm::of))
          .contains(CanonicalForm.of(definitions));
      assertThat(store.definitionsAt(3)).isPresent();
      assertThat(store.history()).extracting(HistoryEntry::version).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void theNextWriteRemovesTemporaryFilesLeftByAKilledWriterAndNothingElse() throws Exception {
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, exampleDefinitions(), new CommitInfo("w", null, List.of("v1")));
    }
    // What kill -9 between creating the temporary file and renaming it leaves behind.
    Path leftover = file().resolveSibling("registry.json.4242.tmp");
    Files.writeString(leftover, "{\"format\": 1, \"proj");
    Path otherRegistrys = file().resolveSibling("other.json.4242.tmp");
    Files.writeString(otherRegistrys, "{}");
    Path notOurs = file().resolveSibling("registry.json.backup.tmp");
    Files.writeString(notOurs, "{}");
    try (RegistryStore store = newStore(CLOCK)) {
      store.load();
      assertThat(leftover).as("reading takes no lock and removes nothing").exists();
      store.commit(1, exampleDefinitions(), new CommitInfo("w", null, List.of("v2")));
    }
    assertThat(leftover).doesNotExist();
    assertThat(otherRegistrys).exists();
    assertThat(notOurs).exists();
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

  /** The log contract on the same file, and what only the file registry's log does. */
  @Nested
  class Log extends MaterializationLogContract {

    @Override
    protected RegistryStore newStore(Clock clock) {
      return FileRegistryStoreTest.this.newStore(clock);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> document() throws Exception {
      return JSON.readValue(Files.readString(file()), Map.class);
    }

    /**
     * A registry written before logs were kept per online store holds one log for the project at
     * the top level. It tells nothing of which store the rows went to, so no online store's log
     * includes it (incremental runs re-materialize); the first record drops it, and definitions and
     * history are untouched.
     */
    @Test
    void theProjectWideLogOfAnOlderRegistryBelongsToNoOnlineStore() throws Exception {
      Definitions definitions = exampleDefinitions();
      try (RegistryStore store = newStore(CLOCK)) {
        store.commit(0, definitions, RegistryStoreContract.info("create all"));
      }
      Map<String, Object> old = document();
      old.put(
          "materialized",
          Map.of(
              "driver_hourly_stats",
              List.of(Map.of("start", "2026-03-01T00:00:00Z", "end", "2026-03-08T00:00:00Z"))));
      old.put("newest_materialized_events", Map.of("driver_hourly_stats", "2026-03-07T23:00:00Z"));
      Files.writeString(file(), JSON.writeValueAsString(old));

      Instant end = Instant.parse("2026-03-09T00:00:00Z");
      try (RegistryStore store = newStore(CLOCK)) {
        MaterializationLog log = store.materializationLog(ROCKSDB);
        assertThat(log.states()).isEmpty();
        assertThat(store.version()).isEqualTo(1);
        // A commit keeps the old log as it keeps any run-time state it does not read.
        store.commit(1, definitions, RegistryStoreContract.info("again"));
        assertThat(document()).containsKeys("materialized", "newest_materialized_events");

        log.record("driver_hourly_stats", new TimeInterval(null, end), end.minusSeconds(1));
        assertThat(log.states())
            .isEqualTo(
                Map.of(
                    "driver_hourly_stats",
                    MaterializationState.of(new TimeInterval(null, end), end.minusSeconds(1))));
        assertThat(document()).doesNotContainKeys("materialized", "newest_materialized_events");
        assertThat(CanonicalForm.of(store.load().definitions()))
            .isEqualTo(CanonicalForm.of(definitions));
        assertThat(store.history()).hasSize(2);
      }
    }

    @Test
    void logsAreKeptUnderTheirOnlineStoreInTheRegistryDocument() throws Exception {
      Instant end = Instant.parse("2026-03-09T00:00:00Z");
      try (RegistryStore store = newStore(CLOCK)) {
        store.materializationLog(REDIS).record("stats", new TimeInterval(null, end), null);
        store.materializationLog(ROCKSDB).record("stats", new TimeInterval(null, end), end);
      }
      assertThat(JSON.writeValueAsString(document().get("materialization_logs")))
          .isEqualTo(
              ("{'redis:redis://127.0.0.1:6379':{'stats':{'intervals':[{'start':null,"
                      + "'end':'2026-03-09T00:00:00Z'}],'newest_event':null}},"
                      + "'rocksdb:/srv/repo/data/online':{'stats':{'intervals':[{'start':null,"
                      + "'end':'2026-03-09T00:00:00Z'}],'newest_event':'2026-03-09T00:00:00Z'}}}")
                  .replace('\'', '"'));
    }
  }
}
