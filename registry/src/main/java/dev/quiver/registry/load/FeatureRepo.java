package dev.quiver.registry.load;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.SourceLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A feature repo read from disk: its {@code feature_store.yaml} and its validated definitions.
 *
 * @param files the definition files read, relative to the root
 * @param locations where each key of the definitions was written, for later checks' messages
 */
public record FeatureRepo(
    ProjectConfig config,
    Definitions definitions,
    List<String> files,
    DefinitionLocations locations) {

  /**
   * Reads and validates the repo at {@code root}, with {@code ${VAR}} taken from the process
   * environment.
   *
   * @throws DefinitionException with every problem found, when anything is wrong
   */
  public static FeatureRepo load(Path root) {
    return load(root, System.getenv());
  }

  /**
   * Reads and validates the repo at {@code root}.
   *
   * @param environment the values {@code ${VAR}} in {@code feature_store.yaml} resolve to
   * @throws DefinitionException with every problem found, when anything is wrong
   */
  public static FeatureRepo load(Path root, Map<String, String> environment) {
    Path absoluteRoot = root.toAbsolutePath().normalize();
    Problems problems = new Problems();
    Optional<ProjectConfig> config = readConfig(absoluteRoot, environment, problems);
    if (config.isEmpty()
        && !Files.isRegularFile(absoluteRoot.resolve(ProjectConfigParser.FILE_NAME))) {
      problems.throwIfAny();
    }
    List<String> files = RepoFiles.definitionFiles(absoluteRoot, problems);
    DefinitionParser parser = new DefinitionParser(problems);
    for (String file : files) {
      NodeTrees.YamlFile yaml = NodeTrees.readYaml(absoluteRoot.resolve(file), file, problems);
      if (yaml.unreadable()) {
        parser.unparsedFile(yaml.text());
      }
      yaml.document().ifPresent(parser::parseDocument);
    }
    DefinitionLocations locations = new DefinitionLocations(parser.nodes());
    new DefinitionValidator(parser, locations, problems).validate();
    problems.throwIfAny();
    return new FeatureRepo(config.orElseThrow(), parser.definitions(), files, locations);
  }

  /**
   * Reads only {@code feature_store.yaml}: enough to open the repo's stores even while its
   * definition files have problems.
   *
   * @throws DefinitionException when {@code feature_store.yaml} is missing or invalid
   */
  public static ProjectConfig loadConfig(Path root, Map<String, String> environment) {
    Path absoluteRoot = root.toAbsolutePath().normalize();
    Problems problems = new Problems();
    Optional<ProjectConfig> config = readConfig(absoluteRoot, environment, problems);
    problems.throwIfAny();
    return config.orElseThrow();
  }

  private static Optional<ProjectConfig> readConfig(
      Path root, Map<String, String> environment, Problems problems) {
    Path configFile = root.resolve(ProjectConfigParser.FILE_NAME);
    if (!Files.isRegularFile(configFile)) {
      problems.add(
          SourceLocation.ofFile(root.toString()),
          "not a feature repo: there is no "
              + ProjectConfigParser.FILE_NAME
              + " here (run from a repo, or pass --repo DIR)");
      return Optional.empty();
    }
    Optional<ProjectConfig> config =
        NodeTrees.readYaml(configFile, ProjectConfigParser.FILE_NAME, problems)
            .document()
            .flatMap(node -> new ProjectConfigParser(problems, environment).parse(node, root));
    if (config.isEmpty() && problems.isEmpty()) {
      problems.add(
          SourceLocation.ofFile(ProjectConfigParser.FILE_NAME),
          "is empty; it needs at least 'project: <name>'");
    }
    return config;
  }

  /**
   * Reads definitions stored as plain data (the registry's form). Only their shape is checked, not
   * the rules between objects: a registry written under older, looser rules stays readable, so that
   * it can be listed and replaced by the next apply.
   *
   * @param origin names the data in messages, e.g. the registry file
   * @throws DefinitionException when the data is not shaped like definitions
   */
  public static Definitions definitionsFromData(Object data, String origin) {
    Problems problems = new Problems();
    DefinitionParser parser = new DefinitionParser(problems);
    parser.parseDocument(NodeTrees.fromData(data, origin));
    problems.throwIfAny();
    return parser.definitions();
  }
}
