package dev.quiver.materializer;

/** Told how a materialization goes, view by view; called from several threads. */
public interface MaterializationProgress {

  MaterializationProgress NONE = new MaterializationProgress() {};

  /** A view starts; {@code rows} source rows will be read for it. */
  default void viewStarted(String view, long rows) {}

  default void rowsRead(String view, long rows) {}

  default void viewFinished(String view) {}
}
