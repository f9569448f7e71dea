package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The schemas as the CLI prints them, with every store type of the CLI on the class path. */
class SchemaCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);

  @TempDir Path dir;

  @Test
  void theExampleRepoIsValidAgainstThePrintedSchemas() throws IOException {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    CliRun definitions = quiver("schema");
    CliRun config = quiver("schema", "feature_store");
    assertThat(definitions.exitCode()).as(definitions.err()).isZero();
    assertThat(config.exitCode()).as(config.err()).isZero();
    Schema definitionSchema = SCHEMAS.getSchema(definitions.out());
    Schema configSchema = SCHEMAS.getSchema(config.out());

    List<Path> files;
    try (Stream<Path> listed = Files.list(repo)) {
      files = listed.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(3);
    for (Path file : files) {
      boolean isConfig = file.getFileName().toString().equals("feature_store.yaml");
      assertThat(errors(isConfig ? configSchema : definitionSchema, Files.readString(file)))
          .as(file.toString())
          .isEmpty();
    }
    assertThat(
            errors(
                configSchema,
                "project: p\nonline_store: {type: redis, url: \"redis://:${PW}@cache:6379/0\","
                    + " command_timeout_ms: 500}\n"))
        .isEmpty();
    assertThat(
            errors(
                configSchema,
                "project: p\nonline_store: {type: redis-cluster, urls: [redis://a:7000]}\n"))
        .isEmpty();
    assertThat(errors(configSchema, "project: p\nonline_store: {type: redis, path: x}\n"))
        .isNotEmpty();
  }

  @Test
  void theConfigSchemaOffersEveryStoreTypeOfTheCli() {
    assertThat(quiver("schema", "feature_store").out())
        .contains("\"const\" : \"rocksdb\"")
        .contains("\"const\" : \"redis\"")
        .contains("\"const\" : \"redis-cluster\"")
        .contains("\"const\" : \"memory\"")
        .contains("\"const\" : \"postgres\"");
  }

  private static List<Error> errors(Schema schema, String yaml) {
    Object data = new Load(LoadSettings.builder().build()).loadFromString(yaml);
    return schema.validate(JSON.valueToTree(data));
  }
}
