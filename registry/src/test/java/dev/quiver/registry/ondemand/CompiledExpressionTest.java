package dev.quiver.registry.ondemand;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled expressions give what CEL's interpreter gives, on random expressions over ints,
 * doubles, bools and strings and random values with nulls, extremes, NaN, infinities and -0.0: the
 * same value (doubles bit for bit), the same null, the same error. The seed is printed; {@code
 * -Dseed=N} replays a run, {@code -Dquiver.rounds=N} runs more expressions.
 */
class CompiledExpressionTest {

  private static final Map<String, ValueType> INPUTS = new java.util.LinkedHashMap<>();

  static {
    INPUTS.put("i1", ValueType.scalar(ScalarType.INT64));
    INPUTS.put("i2", ValueType.scalar(ScalarType.INT64));
    INPUTS.put("j", ValueType.scalar(ScalarType.INT32));
    INPUTS.put("x1", ValueType.scalar(ScalarType.FLOAT64));
    INPUTS.put("x2", ValueType.scalar(ScalarType.FLOAT64));
    INPUTS.put("y", ValueType.scalar(ScalarType.FLOAT32));
    INPUTS.put("b", ValueType.scalar(ScalarType.BOOL));
    INPUTS.put("s", ValueType.scalar(ScalarType.STRING));
  }

  private enum Kind {
    INT,
    DOUBLE,
    BOOL,
    STRING
  }

  @Test
  void compiledExpressionsGiveWhatCelsInterpreterGives() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    int rounds = Integer.getInteger("quiver.rounds", 1_500);
    System.out.println("CompiledExpressionTest seed=" + seed);
    Random random = new Random(seed);
    FeatureView view =
        FeatureView.builder("v")
            .entities("e")
            .source("src")
            .features(
                INPUTS.entrySet().stream().map(e -> Feature.of(e.getKey(), e.getValue())).toList())
            .build();
    int compiled = 0;
    int compared = 0;
    int errors = 0;
    int nulls = 0;
    for (int round = 0; round < rounds; round++) {
      Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
      String expression = expression(random, kind, 4);
      if (random.nextInt(10) == 0) {
        // A null branch beside a variable: CEL types it null, its value is the variable's.
        String variable =
            switch (kind) {
              case INT -> "v.i1";
              case DOUBLE -> "v.x1";
              case BOOL -> "v.b";
              case STRING -> "v.s";
            };
        expression =
            "("
                + expression(random, Kind.BOOL, 2)
                + (random.nextBoolean() ? " ? null : " + variable : " ? " + variable + " : null")
                + ")";
      }
      ValueType type =
          ValueType.scalar(
              switch (kind) {
                case INT -> ScalarType.INT64;
                case DOUBLE -> ScalarType.FLOAT64;
                case BOOL -> ScalarType.BOOL;
                case STRING -> ScalarType.STRING;
              });
      OnDemandFeatureView onDemand =
          new OnDemandFeatureView(
              "od", List.of("v"), List.of(), List.of(OnDemandFeature.of("f", type, expression)));
      Definitions definitions =
          new Definitions(
              List.of(), List.of(), List.of(view), List.of(), List.of(), List.of(onDemand));
      OnDemandCompiler.CompiledView view1 = OnDemandCompiler.compile(onDemand, definitions);
      assertThat(view1.problems()).as(expression).isEmpty();
      OnDemandCompiler.CompiledFeature feature = view1.features().get("f");
      if (feature.compiled() == null) {
        continue;
      }
      compiled++;
      List<Variable> reads = feature.reads();
      for (int values = 0; values < 12; values++) {
        Object[] row = new Object[reads.size()];
        Map<String, Object> cel = new HashMap<>();
        for (int r = 0; r < reads.size(); r++) {
          row[r] = value(random, reads.get(r).type().element());
          cel.put(reads.get(r).name(), CelValues.toCel(row[r]));
        }
        Object expected;
        try {
          expected = feature.program().eval(cel);
          if (expected instanceof NullValue) {
            expected = CompiledExpression.NULL_RESULT;
          }
        } catch (CelEvaluationException e) {
          expected = CompiledExpression.ERROR_RESULT;
        }
        CompiledExpression.Frame frame = new CompiledExpression.Frame();
        frame.values = row;
        frame.slots = new int[reads.size()];
        for (int r = 0; r < reads.size(); r++) {
          frame.slots[r] = r;
        }
        Object actual = feature.compiled().evaluate(frame);
        assertThat(Objects.equals(actual, expected))
            .as(
                "%s with %s: CEL gives %s, compiled %s (seed %d)",
                expression, cel, describe(expected), describe(actual), seed)
            .isTrue();
        errors += actual == CompiledExpression.ERROR_RESULT ? 1 : 0;
        nulls += actual == CompiledExpression.NULL_RESULT ? 1 : 0;
        compared++;
      }
    }
    System.out.printf(
        "CompiledExpressionTest: %d of %d expressions compiled, %d evaluations compared (%d errors,"
            + " %d nulls)%n",
        compiled, rounds, compared, errors, nulls);
    assertThat(compiled)
        .as("every generated expression is in the compiled subset")
        .isEqualTo(rounds);
    assertThat(errors).isPositive();
    assertThat(nulls).isPositive();
  }

  @Test
  void whatTheSubsetDoesNotCoverRunsOnCelsInterpreter() {
    FeatureView view =
        FeatureView.builder("v")
            .entities("e")
            .source("src")
            .features(Feature.of("t", ValueType.scalar(ScalarType.TIMESTAMP)))
            .build();
    OnDemandFeatureView onDemand =
        new OnDemandFeatureView(
            "od",
            List.of("v"),
            List.of(Feature.of("n", ValueType.listOf(ScalarType.INT64))),
            List.of(
                OnDemandFeature.of("a", ValueType.scalar(ScalarType.INT64), "size(n)"),
                OnDemandFeature.of(
                    "b",
                    ValueType.scalar(ScalarType.BOOL),
                    "v.t > timestamp('2020-01-01T00:00:00Z')"),
                OnDemandFeature.of("c", ValueType.scalar(ScalarType.INT64), "1 + 2")));
    Definitions definitions =
        new Definitions(
            List.of(), List.of(), List.of(view), List.of(), List.of(), List.of(onDemand));
    OnDemandCompiler.CompiledView compiled = OnDemandCompiler.compile(onDemand, definitions);
    assertThat(compiled.features().get("a").compiled()).isNull();
    assertThat(compiled.features().get("b").compiled()).isNull();
    assertThat(compiled.features().get("c").compiled()).isNotNull();
  }

  private static String describe(Object result) {
    if (result == CompiledExpression.ERROR_RESULT) {
      return "an error";
    }
    if (result == CompiledExpression.NULL_RESULT) {
      return "null";
    }
    return result + (result == null ? "" : " (" + result.getClass().getSimpleName() + ")");
  }

  private static Object value(Random random, ScalarType type) {
    if (random.nextInt(6) == 0) {
      return null;
    }
    return switch (type) {
      case INT64 ->
          switch (random.nextInt(8)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Long.MIN_VALUE;
            case 2 -> 0L;
            case 3 -> -1L;
            case 4 -> (long) random.nextInt(5);
            case 5 -> 1L << 53;
            default -> random.nextLong() >> random.nextInt(64);
          };
      case INT32 -> random.nextInt(4) == 0 ? Integer.MIN_VALUE : random.nextInt(20) - 10;
      case FLOAT64 ->
          switch (random.nextInt(12)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> -0.0;
            case 4 -> 0.0;
            case 5 -> 0x1p63;
            case 6 -> -0x1p63;
            case 7 -> 9.2233720368547748E18; // just below 2^63
            case 8 -> (double) (random.nextInt(7) - 3);
            default -> random.nextGaussian() * Math.pow(10, random.nextInt(10));
          };
      case FLOAT32 ->
          switch (random.nextInt(5)) {
            case 0 -> 0.1f;
            case 1 -> Float.NaN;
            default -> random.nextFloat() * 100 - 50;
          };
      case BOOL -> random.nextBoolean();
      case STRING -> List.of("", "a", "ab", "b", "é").get(random.nextInt(5));
      default -> throw new IllegalArgumentException(type.toString());
    };
  }

  /** A random expression of {@code kind}, parenthesized throughout. */
  private static String expression(Random random, Kind kind, int depth) {
    if (depth == 0 || random.nextInt(4) == 0) {
      return leaf(random, kind);
    }
    int d = depth - 1;
    if (random.nextInt(8) == 0) {
      return "("
          + expression(random, Kind.BOOL, d)
          + " ? "
          + expression(random, kind, d)
          + " : "
          + expression(random, kind, d)
          + ")";
    }
    return switch (kind) {
      case INT ->
          switch (random.nextInt(7)) {
            case 0 -> "(-" + expression(random, Kind.INT, d) + ")";
            case 1 -> "int(" + expression(random, Kind.DOUBLE, d) + ")";
            default ->
                "("
                    + expression(random, Kind.INT, d)
                    + List.of(" + ", " - ", " * ", " / ", " % ").get(random.nextInt(5))
                    + expression(random, Kind.INT, d)
                    + ")";
          };
      case DOUBLE ->
          switch (random.nextInt(7)) {
            case 0 -> "(-" + expression(random, Kind.DOUBLE, d) + ")";
            case 1 -> "double(" + expression(random, Kind.INT, d) + ")";
            case 2 -> "(v.x1 == null ? " + expression(random, Kind.DOUBLE, d) + " : v.x1)";
            default ->
                "("
                    + expression(random, Kind.DOUBLE, d)
                    + List.of(" + ", " - ", " * ", " / ").get(random.nextInt(4))
                    + expression(random, Kind.DOUBLE, d)
                    + ")";
          };
      case BOOL ->
          switch (random.nextInt(8)) {
            case 0 -> "(!" + expression(random, Kind.BOOL, d) + ")";
            case 1, 2 ->
                "("
                    + expression(random, Kind.BOOL, d)
                    + (random.nextBoolean() ? " && " : " || ")
                    + expression(random, Kind.BOOL, d)
                    + ")";
            case 3 -> {
              Kind compared = Kind.values()[random.nextInt(4)];
              yield "("
                  + expression(random, compared, d)
                  + (random.nextBoolean() ? " == " : " != ")
                  + expression(random, compared, d)
                  + ")";
            }
            case 4 -> {
              String variable = List.of("v.i1", "v.x2", "v.b", "v.s", "v.y").get(random.nextInt(5));
              yield "(" + variable + (random.nextBoolean() ? " == null)" : " != null)");
            }
            default -> {
              Kind left = random.nextBoolean() ? Kind.INT : Kind.DOUBLE;
              Kind right = random.nextBoolean() ? Kind.INT : Kind.DOUBLE;
              yield "("
                  + expression(random, left, d)
                  + List.of(" < ", " <= ", " > ", " >= ").get(random.nextInt(4))
                  + expression(random, right, d)
                  + ")";
            }
          };
      case STRING -> "(" + expression(random, Kind.STRING, d) + " + " + leaf(random, kind) + ")";
    };
  }

  private static String leaf(Random random, Kind kind) {
    boolean variable = random.nextInt(3) > 0;
    return switch (kind) {
      case INT ->
          variable
              ? List.of("v.i1", "v.i2", "v.j").get(random.nextInt(3))
              : List.of("0", "1", "2", "-1", "7", "9223372036854775807", "-9223372036854775807")
                  .get(random.nextInt(7));
      case DOUBLE ->
          variable
              ? List.of("v.x1", "v.x2", "v.y").get(random.nextInt(3))
              : List.of("0.0", "1.5", "0.1", "2.0", "1e308", "-2.5").get(random.nextInt(6));
      case BOOL -> variable ? "v.b" : random.nextBoolean() ? "true" : "false";
      case STRING -> variable ? "v.s" : List.of("'a'", "''", "'b'").get(random.nextInt(3));
    };
  }
}
