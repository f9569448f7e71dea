package dev.quiver.server.console;

import dev.quiver.monitoring.consistency.ConsistencyReport;
import dev.quiver.monitoring.consistency.ConsistencyReports;
import dev.quiver.monitoring.drift.Drift;
import dev.quiver.monitoring.drift.DriftHtml;
import dev.quiver.monitoring.drift.DriftReport;
import dev.quiver.monitoring.drift.FeatureDrift;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.server.DriftMonitor;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /ui/monitoring}: per feature of the newest training set (the server's drift baseline), its
 * statistics and histogram from the manifest, and its drift against what each logged feature
 * service served (PSI, and KS for numbers, with both histograms), from the server's drift monitor;
 * then the newest consistency report of each logged service.
 */
final class MonitoringPage {

  private MonitoringPage() {}

  static String render(
      ConsoleState state,
      Optional<DriftMonitor.DriftState> drift,
      List<ConsistencyReports.SavedConsistency> consistency) {
    Page page = state.page("Monitoring", "/ui/monitoring");
    page.heading("monitoring", "Training vs serving");
    page.raw("<p class=\"sub\">Statistics of the newest training set, drift of served values")
        .raw(" from it, and the newest consistency check of served values against the")
        .raw(
            " point-in-time join. The same figures as <code>GET /api/v1/projects/{p}/drift</code>,")
        .raw(" <code>/consistency</code> and the <code>quiver_feature_psi</code> gauges.</p>");
    consistency(page, consistency);
    if (drift.isEmpty()) {
      page.raw("<section class=\"panel\"><h2>Statistics and drift</h2>")
          .note(
              "No training set to compare with yet: start the server with --drift-baseline PATH"
                  + " (a training set, its manifest, or a folder of training sets) and build a"
                  + " training set with quiver historical.")
          .raw("</section>");
      return page.finish();
    }
    DriftMonitor.DriftState computed = drift.get();
    DatasetManifest manifest = computed.manifest();
    page.raw("<section class=\"panel\"><h2>Baseline</h2><dl class=\"meta\"><dt>training set</dt>")
        .raw("<dd><code>")
        .text(computed.manifestFile().toString())
        .raw("</code></dd><dt>built</dt><dd>")
        .text(Page.instant(manifest.createdAt()))
        .raw("</dd><dt>rows</dt><dd>")
        .text(String.format(Locale.ROOT, "%,d", manifest.outputRows()))
        .raw("</dd><dt>feature service</dt><dd>")
        .text(manifest.featureService() == null ? "\u2013" : manifest.featureService())
        .raw("</dd><dt>drift computed</dt><dd>")
        .text(Page.instant(computed.computedAt()))
        .raw("</dd><dt>compared with</dt><dd>");
    if (computed.reportsByService().isEmpty()) {
      page.text("nothing yet: no logged service served rows in the drift window");
    } else {
      for (Map.Entry<String, DriftReport> report : computed.reportsByService().entrySet()) {
        page.raw("<div>").text(report.getValue().current()).raw("</div>");
      }
    }
    page.raw("</dd></dl></section>");
    summary(page, computed.reportsByService());
    page.raw("<div class=\"cols features\">");
    for (FeatureStatistics statistics : manifest.statistics()) {
      feature(page, statistics, computed.reportsByService());
    }
    page.raw("</div>");
    return page.finish();
  }

  private static void feature(
      Page page, FeatureStatistics s, Map<String, DriftReport> reportsByService) {
    page.raw("<section class=\"panel\" id=\"")
        .text("f-" + s.column())
        .raw("\" data-feature=\"")
        .text(s.column())
        .raw("\"><h2><code>")
        .text(s.column())
        .raw("</code> <span class=\"note\">")
        .text(s.type())
        .raw("</span></h2><div class=\"stat-row\">");
    stat(page, "rows", String.format(Locale.ROOT, "%,d", s.count()));
    stat(page, "null", percent(s.nullFraction()));
    if (s.mean() != null) {
      stat(page, "mean", Drift.format(s.mean()));
      stat(page, "stddev", Drift.format(s.stddev()));
      stat(page, "min", Drift.format(s.min()));
      stat(page, "max", Drift.format(s.max()));
      for (String q : List.of("p50", "p90", "p99")) {
        Double value = s.quantiles().get(q);
        if (value != null) {
          stat(page, q, Drift.format(value));
        }
      }
    }
    if (s.distinct() >= 0) {
      stat(page, "distinct \u2248", String.format(Locale.ROOT, "%,d", s.distinct()));
    }
    page.raw("</div>");
    boolean compared = false;
    for (Map.Entry<String, DriftReport> report : reportsByService.entrySet()) {
      for (FeatureDrift f : report.getValue().features()) {
        if (f.baseline() == null || !f.baseline().column().equals(s.column())) {
          continue;
        }
        compared = true;
        page.raw("<h3>Served by <a href=\"/ui/services/")
            .raw(Page.escape(Page.segment(report.getKey())))
            .raw("\">")
            .text(report.getKey())
            .raw("</a> ")
            .raw(badge(f, report.getValue()))
            .raw("</h3>");
        if (f.note() != null) {
          page.note("Not compared: " + f.note() + ".");
        }
        page.raw(DriftHtml.charts(f));
      }
    }
    if (!compared) {
      page.raw(DriftHtml.histogram(s.column(), s));
      page.note("No served values of this feature to compare with in the drift window.");
    }
    page.raw("</section>");
  }

  /** Every compared feature's verdict in one table, drifted first, each linking to its panel. */
  private static void summary(Page page, Map<String, DriftReport> reportsByService) {
    if (reportsByService.isEmpty()) {
      return;
    }
    page.raw("<section class=\"panel\"><h2>Drift</h2><table><tr><th>service</th>")
        .raw("<th>feature</th><th class=\"num\">PSI</th><th class=\"num\">KS</th><th></th></tr>");
    for (Map.Entry<String, DriftReport> report : reportsByService.entrySet()) {
      List<FeatureDrift> features =
          report.getValue().features().stream()
              .sorted(
                  Comparator.comparing((FeatureDrift f) -> f.status() != FeatureDrift.Status.DRIFT)
                      .thenComparing(FeatureDrift::feature))
              .toList();
      for (FeatureDrift f : features) {
        String anchor = f.baseline() == null ? null : "#f-" + f.baseline().column();
        page.raw("<tr data-drift=\"").text(f.feature()).raw("\"><td>").text(report.getKey());
        page.raw("</td><td>");
        if (anchor == null) {
          page.raw("<code>").text(f.feature()).raw("</code>");
        } else {
          page.codeLink(anchor, f.feature());
        }
        page.raw("</td><td class=\"num\">")
            .text(f.psi() == null ? "\u2013" : Drift.format(f.psi()))
            .raw("</td><td class=\"num\">")
            .text(f.ks() == null ? "\u2013" : Drift.format(f.ks()))
            .raw("</td><td>")
            .raw(badge(f, report.getValue()))
            .raw("</td></tr>");
      }
    }
    page.raw("</table></section>");
  }

  private static String badge(FeatureDrift f, DriftReport report) {
    String css = f.status().jsonName();
    StringBuilder text = new StringBuilder();
    if (f.psi() != null) {
      text.append("PSI ").append(Drift.format(f.psi()));
      if (f.ks() != null) {
        text.append(" \u00b7 KS ").append(Drift.format(f.ks()));
      }
      text.append(f.status() == FeatureDrift.Status.DRIFT ? " \u00b7 drifted" : " \u00b7 ok");
    } else {
      text.append("not compared");
    }
    return "<span class=\"badge "
        + css
        + "\" data-psi=\""
        + (f.psi() == null ? "" : Drift.format(f.psi()))
        + "\" title=\"PSI threshold "
        + Drift.format(report.thresholds().psi())
        + "\">"
        + Page.escape(text.toString())
        + "</span>";
  }

  private static void consistency(Page page, List<ConsistencyReports.SavedConsistency> reports) {
    page.raw("<section class=\"panel\"><h2>Consistency: served vs point-in-time</h2>");
    if (reports.isEmpty()) {
      page.note(
          "No consistency report yet: run quiver consistency --service NAME on a service with"
              + " logging: (its newest report shows here).");
      page.raw("</section>");
      return;
    }
    for (ConsistencyReports.SavedConsistency saved : reports) {
      ConsistencyReport report = saved.report();
      page.raw("<h3 data-consistency=\"")
          .text(report.service())
          .raw("\">")
          .link("/ui/services/" + Page.segment(report.service()), report.service())
          .raw(" <span class=\"note\">checked ")
          .text(Page.instant(saved.checkedAt()))
          .raw(", ")
          .text(
              String.format(
                  Locale.ROOT,
                  "%,d logged rows from %d file%s",
                  report.rows(),
                  report.files(),
                  report.files() == 1 ? "" : "s"))
          .raw("</span></h3><table><tr><th>feature</th><th class=\"num\">rows</th>")
          .raw("<th class=\"num\">mismatches</th><th class=\"num\">rate</th>")
          .raw("<th class=\"num\">served missing</th><th class=\"num\">SMAPE</th><th></th></tr>");
      for (ConsistencyReport.FeatureConsistency f : report.features()) {
        boolean bad = f.mismatches() > 0;
        page.raw("<tr><td><code>")
            .text(f.feature())
            .raw("</code></td><td class=\"num\">")
            .text(String.format(Locale.ROOT, "%,d", f.rows()))
            .raw("</td><td class=\"num\">")
            .text(String.format(Locale.ROOT, "%,d", f.mismatches()))
            .raw("</td><td class=\"num\">")
            .text(percent(f.mismatchRate()))
            .raw("</td><td class=\"num\">")
            .text(String.format(Locale.ROOT, "%,d", f.servedMissing()))
            .raw("</td><td class=\"num\">")
            .text(f.smape() == null ? "\u2013" : Drift.format(f.smape()))
            .raw("</td><td>")
            .raw(
                bad
                    ? "<span class=\"badge mismatch\">differs</span>"
                    : "<span class=\"badge pass\">equal</span>")
            .raw("</td></tr>");
      }
      page.raw("</table>");
      for (ConsistencyReport.Lag lag : report.lag()) {
        page.note(lag.describe());
      }
      for (String note : report.notes()) {
        page.note(note);
      }
    }
    page.raw("</section>");
  }

  private static void stat(Page page, String name, String value) {
    page.raw("<span>").text(name).raw(" <b>").text(value).raw("</b></span>");
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }
}
