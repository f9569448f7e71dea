package dev.quiver.offline.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WorkerPoolTest {

  @Test
  void runsEveryTaskOnTheCallerAndAtMostTheParallelismAtOnce() {
    WorkerPool pool = new WorkerPool(4, "test-pool");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<WorkerPool.Task> tasks = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 200; i++) {
      tasks.add(
          () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            threads.add(Thread.currentThread().getName());
            busyWait();
            running.decrementAndGet();
            done.incrementAndGet();
          });
    }
    pool.runAll(tasks, 3);
    assertThat(done).hasValue(200);
    assertThat(most.get()).isBetween(1, 3);
    assertThat(threads).contains(Thread.currentThread().getName());
    assertThat(threads)
        .allMatch(
            name -> name.equals(Thread.currentThread().getName()) || name.startsWith("test-pool-"));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void tasksThatRunTasksOfTheirOwnFinishWhenEveryWorkerIsBusy() {
    // One worker, and every task waits on a batch of its own: workers blocked on work queued
    // behind them would never finish; the callers run their own batches instead.
    WorkerPool pool = new WorkerPool(1, "nested");
    AtomicInteger leaves = new AtomicInteger();
    List<WorkerPool.Task> outer = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      outer.add(
          () -> {
            List<WorkerPool.Task> inner = new ArrayList<>();
            for (int j = 0; j < 8; j++) {
              inner.add(leaves::incrementAndGet);
            }
            pool.runAll(inner, 4);
          });
    }
    pool.runAll(outer, 4);
    assertThat(leaves).hasValue(64);
  }

  @Test
  void aFailureSkipsTasksNotStartedAndWaitsForRunningOnes() {
    WorkerPool pool = new WorkerPool(2, "failing");
    CountDownLatch slowStarted = new CountDownLatch(1);
    AtomicBoolean failed = new AtomicBoolean();
    AtomicInteger slowFinished = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    List<WorkerPool.Task> tasks = new ArrayList<>();
    tasks.add(
        () -> {
          started.incrementAndGet();
          slowStarted.countDown();
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(1))
              .untilTrue(failed);
          // Still working well after the failure was raised: runAll must wait for this.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
          slowFinished.incrementAndGet();
        });
    tasks.add(
        () -> {
          started.incrementAndGet();
          awaitQuietly(slowStarted);
          failed.set(true);
          throw new IOException("disk gone");
        });
    for (int i = 0; i < 100; i++) {
      tasks.add(started::incrementAndGet);
    }
    assertThatThrownBy(() -> pool.runAll(tasks, 2))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("disk gone");
    assertThat(slowFinished).as("the running task ended before runAll returned").hasValue(1);
    assertThat(started.get()).as("tasks after the failure were skipped").isLessThan(102);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aClaimableTaskRunsOnItsOwnerWhenNoWorkerIsFree() throws Exception {
    WorkerPool pool = new WorkerPool(1, "claim");
    CountDownLatch release = new CountDownLatch(1);
    WorkerPool.Claimable<String> blocker =
        pool.submit(
            () -> {
              release.await();
              return "blocker";
            });
    WorkerPool.Claimable<String> queued = pool.submit(() -> Thread.currentThread().getName());
    assertThat(queued.join()).isEqualTo(Thread.currentThread().getName());
    release.countDown();
    assertThat(blocker.join()).isEqualTo("blocker");
  }

  @Test
  void sizeComesFromThePropertyThenTheEnvironmentThenTheCores() {
    assertThat(WorkerPool.threads(null, Map.of(), 6)).isEqualTo(6);
    assertThat(WorkerPool.threads(null, Map.of("QUIVER_WORKER_THREADS", "3"), 6)).isEqualTo(3);
    assertThat(WorkerPool.threads("5", Map.of("QUIVER_WORKER_THREADS", "3"), 6)).isEqualTo(5);
    assertThatThrownBy(() -> WorkerPool.threads(null, Map.of("QUIVER_WORKER_THREADS", "many"), 2))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Cannot size the worker pool: QUIVER_WORKER_THREADS must be a number of threads from 1"
                + " to 1024, got 'many'");
    assertThatThrownBy(() -> WorkerPool.threads("0", Map.of(), 2))
        .hasMessageStartingWith("Cannot size the worker pool: -Dquiver.worker.threads must be");
  }

  /** Work, not a wait: keeps a task running long enough for others to start beside it. */
  private static void busyWait() {
    long until = System.nanoTime() + 200_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
