package dev.quiver.offline.join;

/** Told how far a join is, from any thread. */
public interface JoinProgress {

  JoinProgress NONE = new JoinProgress() {};

  /** The source rows all requested views will read, known once the footers are read. */
  default void totalSourceRows(long rows) {}

  /** {@code rows} more source rows were read. */
  default void sourceRowsRead(long rows) {}
}
