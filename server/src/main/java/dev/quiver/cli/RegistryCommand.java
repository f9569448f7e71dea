package dev.quiver.cli;

import dev.quiver.registry.GitCommit;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.DefinitionYaml;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.WindowText;
import dev.quiver.registry.ondemand.OnDemandCompiler;
import dev.quiver.registry.ondemand.Variable;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistryException;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "registry",
    mixinStandardHelpOptions = true,
    description = {
      "Read what is registered, or roll it back to an earlier version.",
      "",
      "list, show and history print only what the registry holds: the same registry prints the",
      "same bytes."
    })
final class RegistryCommand implements Runnable {

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a command: list, show, history or rollback");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List every registered object by kind and name.")
  int list(@Mixin RepoOption repo) {
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = open(repo)) {
      RegistrySnapshot snapshot = store.load();
      out.println(
          "Project " + snapshot.project() + ", registry version " + snapshot.version() + ".");
      if (snapshot.definitions().isEmpty()) {
        out.println("Nothing is registered yet: run 'quiver apply'.");
        return 0;
      }
      TextTable table = new TextTable("KIND", "NAME", "SUMMARY");
      Definitions d = snapshot.definitions();
      for (Entity e : d.entities()) {
        table.add("entity", e.name(), "join key " + e.joinKey() + " (" + e.type().yamlName() + ")");
      }
      for (ParquetSource s : d.sources()) {
        table.add("source", s.name(), "parquet " + s.path());
      }
      for (KafkaSource s : d.streamSources()) {
        table.add(
            "source", s.name(), "kafka topic " + s.topic() + "; offline from " + s.batchSource());
      }
      for (FeatureView v : d.featureViews()) {
        table.add("feature view", v.name(), viewSummary(v));
      }
      for (OnDemandFeatureView v : d.onDemandFeatureViews()) {
        table.add("on-demand feature view", v.name(), onDemandSummary(v));
      }
      for (FeatureService s : d.featureServices()) {
        table.add("feature service", s.name(), plural(s.features().size(), "reference"));
      }
      table.print(out, false);
    }
    return 0;
  }

  private static String viewSummary(FeatureView view) {
    return plural(view.features().size(), "feature")
        + (view.isAggregation()
            ? " aggregated from events"
            : "; ttl " + (view.hasTtl() ? DurationText.format(view.ttl()) : "none"))
        + "; entities "
        + String.join(", ", view.entities())
        + (view.online() ? "; online" : "; offline only");
  }

  private static String onDemandSummary(OnDemandFeatureView view) {
    return plural(view.features().size(), "computed feature")
        + "; inputs "
        + (view.inputs().isEmpty() ? "none" : String.join(", ", view.inputs()))
        + "; request "
        + (view.request().isEmpty()
            ? "none"
            : String.join(
                ", ", view.request().stream().map(f -> f.name() + " (" + f.type() + ")").toList()));
  }

  /** For an aggregation view, comment lines naming the features it produces, with their types. */
  private static String producedFeatures(RegistrySnapshot snapshot, ObjectKind kind, String name) {
    if (kind == ObjectKind.ON_DEMAND_FEATURE_VIEW) {
      return readVariables(snapshot, name);
    }
    if (kind != ObjectKind.FEATURE_VIEW) {
      return "";
    }
    FeatureView view = snapshot.definitions().featureView(name).orElseThrow();
    StringBuilder comment = new StringBuilder();
    for (AggregateFeature feature : view.aggregateFeatures()) {
      comment
          .append("# produces ")
          .append(feature.name())
          .append(" (")
          .append(feature.outputType().yamlName())
          .append(", hop ")
          .append(WindowText.name(feature.hop()))
          .append(")\n");
    }
    return comment.toString();
  }

  /** For an on-demand view, comment lines naming what each feature's expression reads. */
  private static String readVariables(RegistrySnapshot snapshot, String name) {
    OnDemandFeatureView view = snapshot.definitions().onDemandFeatureView(name).orElseThrow();
    OnDemandCompiler.CompiledView compiled = OnDemandCompiler.compile(view, snapshot.definitions());
    StringBuilder comment = new StringBuilder();
    for (OnDemandCompiler.CompiledFeature feature : compiled.features().values()) {
      List<String> reads = feature.reads().stream().map(Variable::name).toList();
      comment
          .append("# ")
          .append(feature.feature().name())
          .append(" reads ")
          .append(reads.isEmpty() ? "nothing" : String.join(", ", reads))
          .append("\n");
    }
    return comment.toString();
  }

  private static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print every registered object named NAME, as YAML.")
  int show(
      @Parameters(paramLabel = "NAME", description = "An entity, source, view or service name.")
          String name,
      @Mixin RepoOption repo) {
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = open(repo)) {
      RegistrySnapshot snapshot = store.load();
      List<String> documents = new ArrayList<>();
      TreeSet<String> allNames = new TreeSet<>();
      for (ObjectKind kind : ObjectKind.values()) {
        Map<String, Map<String, Object>> objects =
            CanonicalForm.objects(snapshot.definitions(), kind);
        allNames.addAll(objects.keySet());
        if (objects.containsKey(name)) {
          documents.add(
              "# "
                  + kind.displayName()
                  + " '"
                  + name
                  + "' at registry version "
                  + snapshot.version()
                  + "\n"
                  + producedFeatures(snapshot, kind, name)
                  + DefinitionYaml.write(objects.get(name)));
        }
      }
      if (documents.isEmpty()) {
        throw new NoSuchObjectException(
            "Cannot show '"
                + name
                + "': nothing of that name is registered in project '"
                + snapshot.project()
                + "'"
                + Suggestions.hint(name, allNames));
      }
      out.print(String.join("---\n", documents));
    }
    return 0;
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = {
        "List the registry's versions, newest first.",
        "",
        "Each version shows when it was committed, by whom, from which Git commit, and what",
        "changed."
      })
  int history(@Mixin RepoOption repo) {
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = open(repo)) {
      List<HistoryEntry> history = new ArrayList<>(store.history());
      if (history.isEmpty()) {
        out.println("No versions yet: run 'quiver apply'.");
        return 0;
      }
      java.util.Collections.reverse(history);
      TextTable table = new TextTable("VERSION", "COMMITTED", "USER", "GIT COMMIT", "CHANGES");
      for (HistoryEntry entry : history) {
        List<String> changes = new ArrayList<>(entry.describedChanges());
        if (changes.isEmpty()) {
          changes.add("");
        }
        for (int i = 0; i < changes.size(); i++) {
          boolean first = i == 0;
          table.add(
              first ? String.valueOf(entry.version()) : "",
              first ? entry.committedAt().toString() : "",
              first ? entry.user() : "",
              first ? GitCommit.shortForm(entry.gitCommit()) : "",
              changes.get(i));
        }
      }
      table.print(out, false);
    }
    return 0;
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = {
        "Commit a new registry version equal to an earlier one.",
        "",
        "Prints the plan from the latest version to VERSION, then commits it as apply does:",
        "nothing is written when someone else committed since the plan was made, and feature",
        "views VERSION does not have lose their online rows. The new version's history entry",
        "names VERSION and the Git commit VERSION was applied from. The repo's files are not",
        "read or changed: check out that commit too, or the next apply undoes the rollback."
      })
  int rollback(
      @Parameters(paramLabel = "VERSION", description = "The version to restore.") long version,
      @Option(names = "--dry-run", description = "Print the plan without committing it.")
          boolean dryRun,
      @Mixin RepoOption repo) {
    PrintWriter out = spec.commandLine().getOut();
    ProjectConfig config = FeatureRepo.loadConfig(repo.root(), System.getenv());
    try (RegistryStore store = RegistryStores.open(config)) {
      RegistrySnapshot latest = store.load();
      HistoryEntry restored = versionToRestore(store, latest, version);
      Definitions definitions =
          store
              .definitionsAt(version)
              .orElseThrow(
                  () ->
                      new RegistryException(
                          "Cannot roll back to version "
                              + version
                              + ": it was committed by a Quiver that kept only the latest"
                              + " definitions, so its own are not in the "
                              + store.description()
                              + (restored.gitCommit() == null
                                  ? ""
                                  : "; apply its Git commit, "
                                      + GitCommit.shortForm(restored.gitCommit())
                                      + ", instead")));
      RegistryPlan plan = RegistryPlan.of(latest, definitions);
      String desired = "version " + version;
      PlanPrinter.print(plan, store.description(), desired, out, Terminal.colour());
      if (!plan.hasChanges() || dryRun) {
        return 0;
      }
      String user = System.getProperty("user.name", "unknown");
      HistoryEntry entry =
          ApplyCommand.commit(
              config,
              store,
              plan,
              () -> plan.restore(store, user, restored.gitCommit(), version),
              "roll back",
              desired);
      out.println(
          "Rolled back: the registry is now at version "
              + entry.version()
              + ", equal to version "
              + version
              + ".");
      ApplyCommand.printDeletedViews(plan, out);
    }
    return 0;
  }

  /** The history entry of {@code version}, an earlier version of the registry. */
  private static HistoryEntry versionToRestore(
      RegistryStore store, RegistrySnapshot latest, long version) {
    if (latest.version() == 0) {
      throw new NoSuchObjectException(
          "Cannot roll back: nothing was ever applied to the " + store.description());
    }
    if (version == latest.version()) {
      throw new InvalidRequestException(
          "Cannot roll back to version "
              + version
              + ": it is the latest version; 'quiver registry history' lists the earlier ones");
    }
    return store.history().stream()
        .filter(entry -> entry.version() == version)
        .findFirst()
        .orElseThrow(
            () ->
                new NoSuchObjectException(
                    "Cannot roll back to version "
                        + version
                        + ": the "
                        + store.description()
                        + " has versions 1 to "
                        + latest.version()));
  }

  private static RegistryStore open(RepoOption repo) {
    ProjectConfig config = FeatureRepo.loadConfig(repo.root(), System.getenv());
    return RegistryStores.open(config);
  }
}
