package dev.quiver.offline.testing;

import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.Reservation;

/** Memory for tests that set their own limits through the options they pass. */
public final class TestMemory {

  private static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE);

  private TestMemory() {}

  /**
   * A reservation as large as any test needs (a terabyte), from a budget of its own: closing it
   * fails when the test or a task it started left a buffer allocated.
   */
  public static Reservation reserve(String test) {
    return UNLIMITED.reserve(test, 1L << 40, 0);
  }
}
