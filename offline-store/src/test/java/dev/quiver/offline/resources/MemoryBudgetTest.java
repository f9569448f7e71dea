package dev.quiver.offline.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.OutOfMemoryException;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

  private static final long MB = 1 << 20;

  @Test
  void grantsWhatIsWantedWhenFreeElseWhatIsFree() {
    try (MemoryBudget budget = new MemoryBudget(100 * MB);
        Reservation first = budget.reserve("first", 70 * MB, 10 * MB);
        Reservation second = budget.reserve("second", 70 * MB, 10 * MB)) {
      assertThat(first.bytes()).isEqualTo(70 * MB);
      assertThat(second.bytes()).as("what was left").isEqualTo(30 * MB);
      assertThat(budget.reserved()).isEqualTo(100 * MB);
      assertThat(first.name()).startsWith("first-");
    }
  }

  @Test
  void anOperationWaitsUntilOthersReleaseTheLeastItNeeds() {
    MemoryBudget budget = new MemoryBudget(100 * MB);
    Reservation holder = budget.reserve("holder", 100 * MB, 1);
    ExecutorService threads = Executors.newFixedThreadPool(1);
    CompletableFuture<Reservation> waiting =
        CompletableFuture.supplyAsync(() -> budget.reserve("waiting", 50 * MB, 40 * MB), threads);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !waiting.isDone());
    holder.shrinkTo(70 * MB);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !waiting.isDone());
    holder.shrinkTo(55 * MB);
    Reservation granted = waiting.join();
    assertThat(granted.bytes()).isEqualTo(45 * MB);
    assertThat(budget.reserved()).isEqualTo(100 * MB);
    threads.submit(granted::close);
    holder.close();
    threads.shutdown();
    await().atMost(Duration.ofSeconds(5)).until(() -> budget.reserved() == 0);
    budget.close();
  }

  @Test
  void waitingOperationsStartInTheOrderTheyAsked() {
    MemoryBudget budget = new MemoryBudget(10 * MB);
    Reservation holder = budget.reserve("holder", 10 * MB, 1);
    List<String> order = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Reservation>> waiting = new ArrayList<>();
    // A thread each: the common pool may have fewer threads than there are waiters.
    ExecutorService threads = Executors.newFixedThreadPool(3);
    for (String name : List.of("a", "b", "c")) {
      waiting.add(
          CompletableFuture.supplyAsync(
              () -> {
                Reservation r = budget.reserve(name, 10 * MB, 10 * MB);
                order.add(name);
                return r;
              },
              threads));
      // Each asks only once the one before is queued.
      await().atMost(Duration.ofSeconds(5)).until(() -> queued(budget) == waiting.size());
    }
    holder.close();
    for (CompletableFuture<Reservation> next : waiting) {
      next.join().close();
    }
    threads.shutdown();
    assertThat(order).containsExactly("a", "b", "c");
    assertThat(budget.waits()).as("every one of them waited").isEqualTo(3);
    budget.close();
  }

  private static int queued(MemoryBudget budget) {
    return budget.waitingOperations();
  }

  @Test
  void anAllocationPastTheReservationGrowsItFromWhatIsFreeAndFailsOnlyPastTheBudget() {
    try (MemoryBudget budget = new MemoryBudget(100 * MB);
        Reservation small = budget.reserve("small", 2 * MB, 1);
        Reservation other = budget.reserve("other", 80 * MB, 1)) {
      try (ArrowBuf grown = small.allocator().buffer(4 * MB)) {
        assertThat(small.bytes()).as("grown from the 18 MB free").isGreaterThanOrEqualTo(4 * MB);
        assertThat(budget.reserved()).isLessThanOrEqualTo(100 * MB);
      }
      long free = budget.limit() - budget.reserved();
      assertThatThrownBy(() -> small.allocator().buffer(free + small.bytes() + MB))
          .isInstanceOf(OutOfMemoryException.class)
          .hasMessageStartingWith("Unable to allocate buffer of size");
      assertThat(budget.reserved()).isLessThanOrEqualTo(100 * MB);
    }
  }

  @Test
  void anOperationStartedInsideAnotherOnTheSameThreadFailsInsteadOfWaitingForItself() {
    try (MemoryBudget budget = new MemoryBudget(100 * MB);
        Reservation outer = budget.reserve("historical", 100 * MB, 1)) {
      assertThatThrownBy(() -> budget.reserve("materialize", 10 * MB, 10 * MB))
          .isInstanceOf(MemoryLimitException.class)
          .hasMessageStartingWith(
              "Cannot start materialize: this thread already holds memory for another operation");
      outer.shrinkTo(50 * MB);
      try (Reservation inner = budget.reserve("materialize", 10 * MB, 10 * MB)) {
        assertThat(inner.bytes()).as("free now: no wait, so no refusal").isEqualTo(10 * MB);
      }
    }
  }

  @Test
  void aLeakNamesTheOperation() {
    MemoryBudget budget = new MemoryBudget(100 * MB);
    Reservation leaky = budget.reserve("historical", 10 * MB, 1);
    // Left allocated on purpose: the budget's root is never closed in this test.
    leaky.allocator().buffer(1024);
    assertThatThrownBy(leaky::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Memory was leaked")
        .hasMessageContaining("historical-");
    assertThat(budget.reserved()).as("released even so").isZero();
  }

  @Test
  void needingMoreThanTheWholeBudgetFailsAtOnceWithAHint() {
    try (MemoryBudget budget = new MemoryBudget(64 * MB)) {
      assertThatThrownBy(() -> budget.reserve("historical", 200 * MB, 100 * MB))
          .isInstanceOf(MemoryLimitException.class)
          .hasMessage(
              "Cannot start historical: it needs at least 100 MB of memory and the process's"
                  + " memory limit is 64 MB; raise it with QUIVER_MEMORY_LIMIT (for example"
                  + " QUIVER_MEMORY_LIMIT=2g) or the JVM's -Xmx");
    }
  }

  @Test
  void theLimitComesFromThePropertyThenTheEnvironmentThenHalfTheHeap() {
    assertThat(MemoryBudget.limit(null, Map.of(), 1000 * MB)).isEqualTo(500 * MB);
    assertThat(MemoryBudget.limit(null, Map.of("QUIVER_MEMORY_LIMIT", "512m"), 1000 * MB))
        .isEqualTo(512 * MB);
    assertThat(MemoryBudget.limit("2G", Map.of("QUIVER_MEMORY_LIMIT", "512m"), 1000 * MB))
        .isEqualTo(2048 * MB);
    assertThat(MemoryBudget.limit(null, Map.of("QUIVER_MEMORY_LIMIT", "65536"), 1))
        .isEqualTo(65536);
    assertThat(MemoryBudget.limit(null, Map.of("QUIVER_MEMORY_LIMIT", "64k"), 1)).isEqualTo(65536);
    assertThatThrownBy(() -> MemoryBudget.limit(null, Map.of("QUIVER_MEMORY_LIMIT", "lots"), 1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Cannot read the memory limit: QUIVER_MEMORY_LIMIT must be a positive size such as"
                + " 512m or 2g, got 'lots'");
    assertThatThrownBy(() -> MemoryBudget.limit("-1g", Map.of(), 1))
        .hasMessageStartingWith("Cannot read the memory limit: -Dquiver.memory.limit must be");
  }
}
