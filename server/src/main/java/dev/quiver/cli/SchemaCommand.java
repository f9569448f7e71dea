package dev.quiver.cli;

import dev.quiver.registry.load.JsonSchemas;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Print the JSON Schema of definition files or of feature_store.yaml.",
      "",
      "Editors with a YAML language server check and complete a file against it: save it, e.g.",
      "'quiver schema > schemas/definitions.json', and start each definition file with",
      "'# yaml-language-server: $schema=schemas/definitions.json' (a path relative to the file).",
      "The schema is generated from the rules 'quiver plan' applies, with the store types this",
      "Quiver can open; plan also checks what a schema cannot, such as names that must exist."
    })
final class SchemaCommand implements Callable<Integer> {

  enum Document {
    definitions(JsonSchemas::definitionFiles),
    feature_store(JsonSchemas::projectConfig);

    private final Supplier<Map<String, Object>> schema;

    Document(Supplier<Map<String, Object>> schema) {
      this.schema = schema;
    }
  }

  @Parameters(
      paramLabel = "FILE",
      arity = "0..1",
      defaultValue = "definitions",
      description = "definitions (the default) or feature_store.")
  Document document;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(JsonSchemas.write(document.schema.get()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
