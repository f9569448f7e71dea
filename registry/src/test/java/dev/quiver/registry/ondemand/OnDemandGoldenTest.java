package dev.quiver.registry.ondemand;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs {@code ondemand/golden.txt}: every type and null rule of DESIGN.md's "On-demand features",
 * each case compiled by {@link OnDemandCompiler} and evaluated by {@link OnDemandEvaluator} over a
 * feature view holding an input of every type.
 */
class OnDemandGoldenTest {

  /** View {@code s}: one feature of each type the golden cases read. */
  static final FeatureView STORED =
      FeatureView.builder("s")
          .entities("driver")
          .source("src")
          .features(
              Feature.of("i32", ValueType.scalar(ScalarType.INT32)),
              Feature.of("i64", ValueType.scalar(ScalarType.INT64)),
              Feature.of("f32", ValueType.scalar(ScalarType.FLOAT32)),
              Feature.of("f64", ValueType.scalar(ScalarType.FLOAT64)),
              Feature.of("str", ValueType.scalar(ScalarType.STRING)),
              Feature.of("b", ValueType.scalar(ScalarType.BYTES)),
              Feature.of("ok", ValueType.scalar(ScalarType.BOOL)),
              Feature.of("ts", ValueType.scalar(ScalarType.TIMESTAMP)),
              Feature.of("li64", ValueType.listOf(ScalarType.INT64)),
              Feature.of("lf64", ValueType.listOf(ScalarType.FLOAT64)),
              Feature.of("lstr", ValueType.listOf(ScalarType.STRING)))
          .build();

  static final Feature AMOUNT = Feature.of("amount", ValueType.scalar(ScalarType.FLOAT64));

  record Case(
      String title,
      int line,
      Map<String, String> given,
      ValueType type,
      String expression,
      String expected) {}

  @TestFactory
  Stream<DynamicTest> goldenCases() throws IOException {
    return parse().stream()
        .map(c -> DynamicTest.dynamicTest("line " + c.line() + ": " + c.title(), () -> run(c)));
  }

  private static void run(Case c) {
    String featureName = "case_" + c.line();
    OnDemandFeatureView view =
        new OnDemandFeatureView(
            "golden",
            List.of("s"),
            List.of(AMOUNT),
            List.of(OnDemandFeature.of(featureName, c.type(), c.expression())));
    Definitions definitions =
        new Definitions(List.of(), List.of(), List.of(STORED), List.of(), List.of(), List.of(view));
    OnDemandCompiler.CompiledView compiled = OnDemandCompiler.compile(view, definitions);
    assertThat(compiled.problems()).as("compile problems").isEmpty();

    FeatureSelection selection = FeatureSelection.of(definitions, List.of("golden:" + featureName));
    OnDemandEvaluator evaluator = OnDemandEvaluator.of(selection, definitions);
    OnDemandEvaluator.Bindings bindings = evaluator.bindings();
    List<Variable> variables = evaluator.variables();
    assertThat(variables)
        .extracting(Variable::name)
        .as("every given input is read")
        .containsAll(c.given().keySet());
    for (int v = 0; v < variables.size(); v++) {
      Variable variable = variables.get(v);
      String text = c.given().get(variable.name());
      bindings.set(v, text == null ? null : parseValue(text, variable.type()));
    }
    long errorsBefore = errors("golden:" + featureName);
    Object value = evaluator.evaluate(0, bindings);
    long errors = errors("golden:" + featureName) - errorsBefore;

    switch (c.expected()) {
      case "error" -> {
        assertThat(value).isNull();
        assertThat(errors).as("errors counted").isEqualTo(1);
      }
      case "null" -> {
        assertThat(value).isNull();
        assertThat(errors).as("errors counted").isZero();
      }
      default -> {
        assertThat(errors).as("errors counted").isZero();
        assertThat(value).isNotNull();
        assertThat(format(value, c.type())).isEqualTo(c.expected());
      }
    }
  }

  private static long errors(String reference) {
    return OnDemandErrors.counts().getOrDefault(reference, 0L);
  }

  /** A value as the SDK and training sets hold it, from the golden file's text. */
  static Object parseValue(String text, ValueType type) {
    if (type.list()) {
      String inner = text.substring(1, text.length() - 1).trim();
      List<Object> values = new ArrayList<>();
      if (!inner.isEmpty()) {
        for (String element : inner.split(",\\s*")) {
          values.add(parseScalar(element, type.element()));
        }
      }
      return values;
    }
    return parseScalar(text, type.element());
  }

  private static Object parseScalar(String text, ScalarType type) {
    return switch (type) {
      case BOOL -> Boolean.parseBoolean(text);
      case INT32 -> Integer.parseInt(text);
      case INT64 -> Long.parseLong(text);
      case FLOAT32 -> Float.parseFloat(text);
      case FLOAT64 -> Double.parseDouble(text);
      case STRING -> text;
      case BYTES -> HexFormat.of().parseHex(text);
      case TIMESTAMP -> Instant.parse(text);
    };
  }

  /** A result as the golden file writes it, after checking its Java class fits the type. */
  private static String format(Object value, ValueType type) {
    if (type.list()) {
      assertThat(value).isInstanceOf(List.class);
      return ((List<?>) value)
          .stream().map(e -> format(e, ValueType.scalar(type.element()))).toList().toString();
    }
    Class<?> expected =
        switch (type.element()) {
          case BOOL -> Boolean.class;
          case INT32 -> Integer.class;
          case INT64 -> Long.class;
          case FLOAT32 -> Float.class;
          case FLOAT64 -> Double.class;
          case STRING -> String.class;
          case BYTES -> byte[].class;
          case TIMESTAMP -> Instant.class;
        };
    assertThat(value).isInstanceOf(expected);
    return value instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : value.toString();
  }

  private static List<Case> parse() throws IOException {
    List<String> lines;
    try (InputStream in = OnDemandGoldenTest.class.getResourceAsStream("/ondemand/golden.txt")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    List<Case> cases = new ArrayList<>();
    String title = null;
    int start = 0;
    Map<String, String> given = new LinkedHashMap<>();
    ValueType type = null;
    String expression = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("case ")) {
        title = line.substring(5);
        start = i + 1;
        given = new LinkedHashMap<>();
        type = null;
        expression = null;
      } else if (line.startsWith("given ")) {
        String[] parts = line.substring(6).split(" = ", 2);
        given.put(parts[0].trim(), parts[1].trim());
      } else if (line.startsWith("eval ")) {
        int colon = line.indexOf(": ");
        type = ValueType.parse(line.substring(5, colon).trim()).orElseThrow();
        expression = line.substring(colon + 2);
      } else if (line.startsWith("expect ")) {
        cases.add(new Case(title, start, given, type, expression, line.substring(7).trim()));
      } else {
        throw new IllegalStateException("golden.txt:" + (i + 1) + ": cannot read '" + line + "'");
      }
    }
    return cases;
  }
}
