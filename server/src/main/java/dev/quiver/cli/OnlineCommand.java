package dev.quiver.cli;

import dev.quiver.offline.io.EntityFiles;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.sdk.FeatureStatus;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import dev.quiver.sdk.OnlineResponseJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "online",
    mixinStandardHelpOptions = true,
    description = {
      "Read the latest materialized feature values for some entity rows.",
      "",
      "Give --entity once per join key; row i takes the i-th value of every key. Each value",
      "comes with a status: PRESENT, NULL_VALUE, NOT_FOUND or OUTSIDE_MAX_AGE (older than the",
      "view's ttl). The online store is opened read-only, so this works while a server writes.",
      "Aggregation features are computed over windows that end at --as-of (default now).",
      "On-demand features are computed from their inputs and the request fields given with",
      "--request, one value per entity row (an empty value for none, as in CSV entity rows:",
      "--request fare_quote=12.5,,30)."
    })
final class OnlineCommand implements Callable<Integer> {

  @ArgGroup(multiplicity = "1")
  FeatureChoice features;

  @Option(
      names = "--entity",
      required = true,
      paramLabel = "KEY=V1,V2,...",
      description = "A join key and its values, one per entity row.")
  List<String> entities;

  @Option(
      names = "--request",
      paramLabel = "NAME=V1,V2,...",
      description = "A request field of an on-demand view and its values, one per entity row.")
  List<String> requestFields = List.of();

  @Option(
      names = "--as-of",
      paramLabel = "INSTANT",
      description = {
        "Where aggregation windows end, and the now that a ttl is measured from: ISO-8601",
        "(2026-05-10T23:59:58.713979Z), a date (its midnight, UTC) or now (the default)."
      })
  String asOf;

  @Option(names = "--json", description = "Print Feast's JSON response body, and nothing else.")
  boolean json;

  @Option(names = "--full-feature-names", description = "Name features view__feature.")
  boolean fullFeatureNames;

  @Mixin RepoOption repo;

  @Mixin ServerOption server;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (server.server == null) {
      repo.requireDurableOnlineStore(
          "read online features", "read through the server that serves it (--server URL)");
    }
    try (FeatureStore store = server.open(repo, FeatureStoreOptions.defaults().readOnly())) {
      Map<String, List<Object>> rows = parseEntities(store);
      parseRequestFields(store, rows);
      OnlineRequest request =
          (features.references() != null
                  ? OnlineRequest.ofFeatures(features.references(), rows)
                  : OnlineRequest.ofService(features.featureService, rows))
              .withFullFeatureNames(fullFeatureNames)
              .withAsOf(asOf == null ? null : MaterializeCommand.instant(spec, asOf, "--as-of"));
      OnlineResponse response = store.onlineFeatures(request);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(OnlineResponseJson.write(response));
      } else {
        printTable(response, out);
      }
    }
    return 0;
  }

  /** {@code KEY=V1,V2} options as typed values, by the registered type of each join key. */
  private Map<String, List<Object>> parseEntities(FeatureStore store) {
    Map<String, List<Object>> rows = new LinkedHashMap<>();
    for (String option : entities) {
      int equals = option.indexOf('=');
      if (equals <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--entity '" + option + "' is not KEY=V1,V2,...");
      }
      String key = option.substring(0, equals).strip();
      if (rows.containsKey(key)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--entity " + key + " is given twice; give each join key once");
      }
      Optional<ScalarType> type =
          store.registry().definitions().entities().stream()
              .filter(e -> e.joinKey().equals(key))
              .map(Entity::type)
              .findFirst();
      List<Object> values = new ArrayList<>();
      for (String text : option.substring(equals + 1).split(",", -1)) {
        values.add(type.map(t -> parse(key, t, text.strip())).orElse(text.strip()));
      }
      rows.put(key, values);
    }
    return rows;
  }

  /**
   * {@code NAME=V1,V2} request fields, typed by the declaration of the field of that name, added to
   * {@code rows} beside the join keys.
   */
  private void parseRequestFields(FeatureStore store, Map<String, List<Object>> rows) {
    for (String option : requestFields) {
      int equals = option.indexOf('=');
      if (equals <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--request '" + option + "' is not NAME=V1,V2,...");
      }
      String name = option.substring(0, equals).strip();
      if (rows.containsKey(name)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--request " + name + " is given twice, or is also a join key; give each once");
      }
      List<Feature> declared =
          store.registry().definitions().onDemandFeatureViews().stream()
              .flatMap(v -> v.request().stream())
              .filter(f -> f.name().equals(name))
              .toList();
      if (declared.isEmpty()) {
        List<String> known =
            store.registry().definitions().onDemandFeatureViews().stream()
                .flatMap(v -> v.request().stream())
                .map(Feature::name)
                .distinct()
                .toList();
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--request "
                + name
                + ": no on-demand view has a request field of that name"
                + (known.isEmpty() ? "" : " (request fields: " + String.join(", ", known) + ")")
                + Suggestions.hint(name, known));
      }
      ValueType type = declared.get(0).type();
      if (type.list()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--request "
                + name
                + ": a "
                + type
                + " field takes a list per row; send it through the SDK or over HTTP");
      }
      List<Object> values = new ArrayList<>();
      for (String text : option.substring(equals + 1).split(",", -1)) {
        String value = text.strip();
        // As in CSV entity rows: an empty value is null; "null" too, but for text it is text.
        values.add(
            value.isEmpty() || value.equals("null") && type.element() != ScalarType.STRING
                ? null
                : parseValue("--request", name, type.element(), value));
      }
      rows.put(name, values);
    }
  }

  private Object parse(String key, ScalarType type, String text) {
    return parseValue("--entity", key, type, text);
  }

  private Object parseValue(String option, String key, ScalarType type, String text) {
    try {
      return switch (type) {
        case INT64 -> Long.parseLong(text);
        case INT32 -> Integer.parseInt(text);
        case BOOL -> {
          if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException(text);
          }
          yield Boolean.parseBoolean(text);
        }
        case BYTES -> Base64.getDecoder().decode(text);
        case TIMESTAMP -> EntityFiles.parseInstant(text);
        case FLOAT64 -> Double.parseDouble(text);
        case FLOAT32 -> Float.parseFloat(text);
        default -> text;
      };
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          option + " " + key + ": '" + text + "' is not a valid " + type.yamlName());
    }
  }

  private static void printTable(OnlineResponse response, PrintWriter out) {
    TextTable table = new TextTable(response.featureNames().toArray(String[]::new));
    int rows = response.results().isEmpty() ? 0 : response.results().get(0).values().size();
    for (int row = 0; row < rows; row++) {
      String[] cells = new String[response.featureNames().size()];
      for (int c = 0; c < cells.length; c++) {
        OnlineResponse.Column column = response.results().get(c);
        Object value = column.values().get(row);
        FeatureStatus status = column.statuses().get(row);
        // An aggregation's count or sum of an empty window is NOT_FOUND with the value 0, as in
        // training sets: the value shows.
        cells[c] =
            status == FeatureStatus.PRESENT || value != null
                ? text(value)
                : status == FeatureStatus.NULL_VALUE ? "null" : status.name();
      }
      table.add(cells);
    }
    table.print(out, false);
  }

  private static String text(Object value) {
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    return String.valueOf(value);
  }
}
