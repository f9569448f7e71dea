package dev.quiver.cli;

import dev.quiver.offline.join.JoinProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr (rows, rows/s, ETA) when stderr is a terminal; nothing in a pipe, so
 * scripts and logs stay clean.
 */
final class Progress implements JoinProgress, AutoCloseable {

  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  static Progress of(String task) {
    if (!Terminal.interactive()) {
      return new Progress(null);
    }
    return new Progress(
        new ProgressBarBuilder()
            .setTaskName(task)
            .setUnit(" rows", 1)
            .showSpeed()
            .setStyle(ProgressBarStyle.ASCII)
            .setInitialMax(-1)
            .build());
  }

  @Override
  public void totalSourceRows(long rows) {
    if (bar != null) {
      bar.maxHint(rows);
    }
  }

  @Override
  public void sourceRowsRead(long rows) {
    if (bar != null) {
      bar.stepBy(rows);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
