package dev.quiver.cli;

import dev.quiver.materializer.MaterializationProgress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** One progress bar per view on stderr, on a terminal only. */
final class ViewProgress implements MaterializationProgress {

  private final boolean shown = Terminal.interactive();
  private final Map<String, ProgressBar> bars = new ConcurrentHashMap<>();

  @Override
  public void viewStarted(String view, long rows) {
    if (shown) {
      bars.put(
          view,
          new ProgressBarBuilder()
              .setTaskName(view)
              .setInitialMax(rows)
              .setUnit(" rows", 1)
              .showSpeed()
              .setStyle(ProgressBarStyle.ASCII)
              .build());
    }
  }

  @Override
  public void rowsRead(String view, long rows) {
    ProgressBar bar = bars.get(view);
    if (bar != null) {
      bar.stepBy(rows);
    }
  }

  @Override
  public void viewFinished(String view) {
    ProgressBar bar = bars.remove(view);
    if (bar != null) {
      bar.close();
    }
  }
}
