package dev.quiver.server;

import dev.quiver.Excerpt;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.WindowText;
import dev.quiver.registry.store.RegistrySnapshot;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry, read-only: {@code GET /api/v1/projects/{project}/entities|feature-views|
 * on-demand-feature-views|feature-services[/{name}]}, as the registered definitions' canonical
 * JSON.
 */
@Controller("/api/v1/projects/{project}")
@Tag(name = "registry")
public class RegistryController {

  private final FeatureService features;

  RegistryController(FeatureService features) {
    this.features = features;
  }

  @Get(uri = "/entities", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Every registered entity")
  public String entities(@PathVariable String project) {
    return list(project, ObjectKind.ENTITY);
  }

  @Get(uri = "/entities/{name}", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "One registered entity")
  public String entity(@PathVariable String project, @PathVariable String name) {
    return one(project, ObjectKind.ENTITY, name);
  }

  @Get(uri = "/feature-views", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Every registered feature view")
  public String featureViews(@PathVariable String project) {
    return list(project, ObjectKind.FEATURE_VIEW);
  }

  @Get(uri = "/feature-views/{name}", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "One registered feature view")
  public String featureView(@PathVariable String project, @PathVariable String name) {
    return one(project, ObjectKind.FEATURE_VIEW, name);
  }

  @Get(uri = "/on-demand-feature-views", produces = MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Every registered on-demand feature view",
      description =
          "Each view's inputs, request fields and features, with each feature's declared type"
              + " and CEL expression.")
  public String onDemandFeatureViews(@PathVariable String project) {
    return list(project, ObjectKind.ON_DEMAND_FEATURE_VIEW);
  }

  @Get(uri = "/on-demand-feature-views/{name}", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "One registered on-demand feature view")
  public String onDemandFeatureView(@PathVariable String project, @PathVariable String name) {
    return one(project, ObjectKind.ON_DEMAND_FEATURE_VIEW, name);
  }

  @Get(uri = "/feature-services", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Every registered feature service")
  public String featureServices(@PathVariable String project) {
    return list(project, ObjectKind.FEATURE_SERVICE);
  }

  @Get(uri = "/feature-services/{name}", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "One registered feature service")
  public String featureService(@PathVariable String project, @PathVariable String name) {
    return one(project, ObjectKind.FEATURE_SERVICE, name);
  }

  private String list(String project, ObjectKind kind) {
    RegistrySnapshot snapshot = snapshot(project);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("registry_version", snapshot.version());
    body.put(
        kind.sectionKey(),
        CanonicalForm.objects(snapshot.definitions(), kind).entrySet().stream()
            .map(object -> withProducedFeatures(snapshot, kind, object.getKey(), object.getValue()))
            .toList());
    return JsonBodies.write(body);
  }

  private String one(String project, ObjectKind kind, String name) {
    RegistrySnapshot snapshot = snapshot(project);
    Map<String, Object> object = CanonicalForm.objects(snapshot.definitions(), kind).get(name);
    if (object == null) {
      throw new NoSuchObjectException(
          "There is no "
              + kind.displayName()
              + " '"
              + Excerpt.of(name)
              + "' in project '"
              + Excerpt.of(project)
              + "' (registry version "
              + snapshot.version()
              + ")");
    }
    return JsonBodies.write(withProducedFeatures(snapshot, kind, name, object));
  }

  /**
   * An aggregation view's definition with the features its aggregations produce ({@code
   * "produced_features"}: name, type, function, column, window, hop), which clients would otherwise
   * have to derive.
   */
  private static Map<String, Object> withProducedFeatures(
      RegistrySnapshot snapshot, ObjectKind kind, String name, Map<String, Object> object) {
    if (kind != ObjectKind.FEATURE_VIEW) {
      return object;
    }
    FeatureView view = snapshot.definitions().featureView(name).orElseThrow();
    if (!view.isAggregation()) {
      return object;
    }
    Map<String, Object> described = new LinkedHashMap<>(object);
    described.put(
        "produced_features",
        view.aggregateFeatures().stream()
            .map(
                feature -> {
                  Map<String, Object> produced = new LinkedHashMap<>();
                  produced.put("name", feature.name());
                  produced.put("type", feature.outputType().yamlName());
                  produced.put("function", feature.function().yamlName());
                  produced.put("column", feature.column());
                  produced.put("window", WindowText.name(feature.window()));
                  produced.put("hop", WindowText.name(feature.hop()));
                  return produced;
                })
            .toList());
    return described;
  }

  private RegistrySnapshot snapshot(String project) {
    return features.registryOf(project);
  }
}
