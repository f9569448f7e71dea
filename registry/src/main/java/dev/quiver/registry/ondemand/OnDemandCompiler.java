package dev.quiver.registry.ondemand;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles and type-checks an on-demand view's expressions with CEL: its request fields and its
 * inputs' features are the variables, each declared nullable with its feature's type; a feature's
 * result type must be its declared type. {@code apply} reports the problems; the evaluator runs the
 * checked programs.
 *
 * <p>CEL's standard library and macros ({@code has}, {@code all}, {@code exists}, {@code map},
 * {@code filter}) are available, and numbers of different types compare as numbers ({@code
 * card_spend.count_1h > 2.5}), as CEL's specification has it.
 */
public final class OnDemandCompiler {

  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'");

  private OnDemandCompiler() {}

  /**
   * One feature's checked program, the variables it reads, and, when the expression is within what
   * {@link CompiledExpression} compiles, that (else null: CEL's interpreter runs it).
   */
  public record CompiledFeature(
      OnDemandFeature feature,
      CelRuntime.Program program,
      List<Variable> reads,
      CompiledExpression compiled) {}

  /**
   * A view's compiled features, and the problem of each feature that did not compile, in words
   * without a location ({@code apply} adds the expression's line).
   */
  public record CompiledView(
      OnDemandFeatureView view,
      Map<String, CompiledFeature> features,
      Map<String, String> problems) {

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Every variable the view's expressions may read: its request fields, then its inputs' features
   * in input order. Inputs that are not feature views are left out (validation reports them).
   */
  public static List<Variable> variables(OnDemandFeatureView view, Definitions definitions) {
    List<Variable> variables = new ArrayList<>();
    for (Feature field : view.request()) {
      variables.add(Variable.requestField(field.name(), field.type()));
    }
    for (String input : view.inputs()) {
      Optional<FeatureView> inputView = definitions.featureView(input);
      if (inputView.isEmpty()) {
        continue;
      }
      for (Feature feature : inputView.get().features()) {
        variables.add(Variable.inputFeature(input, feature.name(), feature.type()));
      }
    }
    return variables;
  }

  /** Compiles every feature of the view against {@code definitions}. */
  public static CompiledView compile(OnDemandFeatureView view, Definitions definitions) {
    List<Variable> variables = variables(view, definitions);
    Map<String, Variable> byName = new LinkedHashMap<>();
    CelCompilerBuilder builder =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
    for (Variable variable : variables) {
      if (byName.putIfAbsent(variable.name(), variable) == null) {
        builder.addVar(variable.name(), CelValues.variableType(variable.type()));
      }
    }
    CelCompiler compiler = builder.build();
    Map<String, CompiledFeature> compiled = new LinkedHashMap<>();
    Map<String, String> problems = new LinkedHashMap<>();
    for (OnDemandFeature feature : view.features()) {
      CelAbstractSyntaxTree parsed;
      try {
        parsed = compiler.parse(feature.expression()).getAst();
      } catch (CelValidationException e) {
        problems.put(feature.name(), describeSyntax(e));
        continue;
      }
      try {
        CelAbstractSyntaxTree ast = compiler.check(parsed).getAst();
        CelType expected = CelValues.resultType(feature.type());
        CelType actual = resultType(ast);
        if (!expected.equals(actual) && !NullableType.create(expected).equals(actual)) {
          problems.put(
              feature.name(),
              typeName(actual).equals("null_type")
                  ? "its expression is always null, but the feature is declared "
                      + feature.type()
                      + "; give a value of that type"
                  : "its expression gives "
                      + typeName(actual)
                      + ", but the feature is declared "
                      + feature.type()
                      + resultHint(actual, feature.type()));
          continue;
        }
        List<Variable> reads = reads(ast, byName);
        compiled.put(
            feature.name(),
            new CompiledFeature(
                feature,
                RUNTIME.createProgram(ast),
                reads,
                CompiledExpression.of(ast, reads).orElse(null)));
      } catch (CelValidationException e) {
        problems.put(feature.name(), describe(e, feature.expression(), view, byName.keySet()));
      } catch (CelEvaluationException e) {
        problems.put(feature.name(), "its expression cannot be planned: " + e.getMessage());
      }
    }
    return new CompiledView(view, compiled, problems);
  }

  /**
   * The expression's type; for {@code c ? null : x} (or {@code c ? x : null}), which CEL types as
   * null, the type of the other branch, which it gives when it is not null.
   */
  static CelType resultType(CelAbstractSyntaxTree ast) {
    CelType type = ast.getResultType();
    CelExpr root = ast.getExpr();
    if (type.kind() == CelKind.NULL_TYPE
        && root.getKind() == CelExpr.ExprKind.Kind.CALL
        && root.call().function().equals("_?_:_")) {
      for (int branch = 1; branch <= 2; branch++) {
        CelType other = ast.getType(root.call().args().get(branch).id()).orElse(type);
        if (other.kind() != CelKind.NULL_TYPE) {
          return other;
        }
      }
    }
    return type;
  }

  /** The variables an expression reads, in the order the view declares them. */
  private static List<Variable> reads(CelAbstractSyntaxTree ast, Map<String, Variable> variables) {
    Set<String> referenced = new LinkedHashSet<>();
    collectReads(ast, ast.getExpr(), Set.of(), referenced);
    return variables.values().stream().filter(v -> referenced.contains(v.name())).toList();
  }

  /**
   * The names of the variables {@code expr} reads, but not those a macro's loop binds ({@code
   * n.exists(amount, amount > 1)} does not read a request field {@code amount}).
   */
  private static void collectReads(
      CelAbstractSyntaxTree ast, CelExpr expr, Set<String> bound, Set<String> out) {
    switch (expr.getKind()) {
      case IDENT, SELECT -> {
        Optional<CelReference> reference = ast.getReference(expr.id());
        if (reference.isPresent() && reference.get().value().isEmpty()) {
          if (!bound.contains(reference.get().name())) {
            out.add(reference.get().name());
          }
        } else if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT) {
          collectReads(ast, expr.select().operand(), bound, out);
        }
      }
      case CALL -> {
        expr.call().target().ifPresent(target -> collectReads(ast, target, bound, out));
        expr.call().args().forEach(arg -> collectReads(ast, arg, bound, out));
      }
      case LIST -> expr.list().elements().forEach(e -> collectReads(ast, e, bound, out));
      case MAP ->
          expr.map()
              .entries()
              .forEach(
                  e -> {
                    collectReads(ast, e.key(), bound, out);
                    collectReads(ast, e.value(), bound, out);
                  });
      case STRUCT -> expr.struct().entries().forEach(e -> collectReads(ast, e.value(), bound, out));
      case COMPREHENSION -> {
        CelExpr.CelComprehension loop = expr.comprehension();
        collectReads(ast, loop.iterRange(), bound, out);
        collectReads(ast, loop.accuInit(), bound, out);
        Set<String> inner = new HashSet<>(bound);
        inner.add(loop.iterVar());
        if (!loop.iterVar2().isEmpty()) {
          inner.add(loop.iterVar2());
        }
        inner.add(loop.accuVar());
        collectReads(ast, loop.loopCondition(), inner, out);
        collectReads(ast, loop.loopStep(), inner, out);
        collectReads(ast, loop.result(), inner, out);
      }
      default -> {}
    }
  }

  private static String typeName(CelType type) {
    if (type instanceof NullableType nullable) {
      return typeName(nullable.targetType());
    }
    String name =
        switch (type.name()) {
          case "google.protobuf.Timestamp" -> "timestamp";
          case "google.protobuf.Duration" -> "duration";
          default -> type.name();
        };
    if ((name.equals("list") || name.equals("map")) && !type.parameters().isEmpty()) {
      return name
          + "<"
          + String.join(", ", type.parameters().stream().map(OnDemandCompiler::typeName).toList())
          + ">";
    }
    return name;
  }

  /** How to turn what the expression gives into the declared type, where CEL has a way. */
  private static String resultHint(CelType actual, ValueType declared) {
    if (declared.list()) {
      return "";
    }
    ScalarType want = declared.element();
    boolean wantsDouble = want == ScalarType.FLOAT32 || want == ScalarType.FLOAT64;
    boolean wantsInt = want == ScalarType.INT32 || want == ScalarType.INT64;
    return switch (typeName(actual)) {
      case "int" -> wantsDouble ? " (double(x) turns an int into a double)" : "";
      case "double" -> wantsInt ? " (int(x) truncates a double to an int)" : "";
      case "string" ->
          want == ScalarType.TIMESTAMP
              ? " (timestamp(x) reads an RFC 3339 string)"
              : wantsDouble || wantsInt
                  ? " (" + (wantsDouble ? "double" : "int") + "(x) parses a string)"
                  : "";
      case "dyn" -> " (its type is only known at run time; convert it, e.g. double(x))";
      default -> "";
    };
  }

  /** The first syntax error CEL's parser found, without its list of expected tokens. */
  private static String describeSyntax(CelValidationException e) {
    CelIssue issue = e.getErrors().isEmpty() ? null : e.getErrors().get(0);
    if (issue == null) {
      return "its expression is not valid CEL: " + e.getMessage();
    }
    String message = issue.getMessage().replaceAll(" expecting \\{.*\\}$", "");
    message = message.replace("mismatched input '<EOF>'", "the expression ends too early");
    message = message.replace("extraneous input '<EOF>'", "the expression ends too early");
    return "its expression is not valid CEL" + at(issue) + ": " + message;
  }

  /**
   * " (column N)", 1-based, with the expression's line when it has several (a YAML block scalar),
   * or nothing when CEL gave no position.
   */
  private static String at(CelIssue issue) {
    int line = issue.getSourceLocation().getLine();
    int column = issue.getSourceLocation().getColumn();
    if (column < 0) {
      return "";
    }
    return line > 1
        ? " (line " + line + " of the expression, column " + (column + 1) + ")"
        : " (column " + (column + 1) + ")";
  }

  /** The offset in {@code expression} of CEL's line (1-based) and column (0-based). */
  private static int offset(String expression, int line, int column) {
    int offset = 0;
    for (int l = 1; l < line; l++) {
      int newline = expression.indexOf('\n', offset);
      if (newline < 0) {
        return -1;
      }
      offset = newline + 1;
    }
    return offset + column;
  }

  /** The first problem CEL found, in Quiver's words where CEL's would puzzle. */
  private static String describe(
      CelValidationException e,
      String expression,
      OnDemandFeatureView view,
      Set<String> variables) {
    CelIssue issue = e.getErrors().isEmpty() ? null : e.getErrors().get(0);
    if (issue == null) {
      return "its expression does not compile: " + e.getMessage();
    }
    int column =
        offset(
            expression,
            Math.max(1, issue.getSourceLocation().getLine()),
            issue.getSourceLocation().getColumn());
    String at = at(issue);
    Matcher undeclared = UNDECLARED.matcher(issue.getMessage());
    if (undeclared.find()) {
      if (column >= 0 && column < expression.length() && expression.charAt(column) == '(') {
        // CEL places an unknown function at its parenthesis.
        return "its expression calls '"
            + undeclared.group(1)
            + "'"
            + at
            + ", which is not a CEL function (CEL's standard functions include size, int,"
            + " double, string, timestamp, duration, matches, startsWith, contains)";
      }
      String name = dottedNameAt(expression, column).orElse(undeclared.group(1));
      return "its expression reads '"
          + name
          + "'"
          + at
          + ", which is neither a request field nor a feature of an input"
          + unknownHint(name, view, variables);
    }
    String message = issue.getMessage();
    int candidates = message.indexOf(" (candidates:");
    if (candidates > 0) {
      message = message.substring(0, candidates);
    }
    message = message.replaceAll("wrapper\\(([a-z_.A-Z]+)\\)", "$1");
    message = message.replace("google.protobuf.Timestamp", "timestamp");
    message = message.replace("google.protobuf.Duration", "duration");
    Matcher overload = NO_OVERLOAD.matcher(message);
    Matcher method = NO_METHOD_OVERLOAD.matcher(message);
    if (overload.matches()) {
      message = noOverload(overload.group(1), overload.group(2));
    } else if (method.matches()) {
      message =
          "'"
              + method.group(1)
              + "' cannot be called on a "
              + method.group(2)
              + (method.group(3).isEmpty()
                  ? ""
                  : " with " + method.group(3).replace(", ", " and "));
    }
    return "its expression does not type-check" + at + ": " + message;
  }

  private static final Pattern NO_METHOD_OVERLOAD =
      Pattern.compile(
          "found no matching overload for '([^']*)' applied to '([^'(]+)\\.\\((.*)\\)'");

  private static final Pattern NO_OVERLOAD =
      Pattern.compile("found no matching overload for '([^']*)' applied to '\\((.*)\\)'");

  private static final Map<String, String> OPERATORS =
      Map.ofEntries(
          Map.entry("_+_", "+"),
          Map.entry("_-_", "-"),
          Map.entry("_*_", "*"),
          Map.entry("_/_", "/"),
          Map.entry("_%_", "%"),
          Map.entry("_<_", "<"),
          Map.entry("_<=_", "<="),
          Map.entry("_>_", ">"),
          Map.entry("_>=_", ">="),
          Map.entry("_==_", "=="),
          Map.entry("_!=_", "!="),
          Map.entry("_&&_", "&&"),
          Map.entry("_||_", "||"),
          Map.entry("!_", "!"),
          Map.entry("-_", "-"),
          Map.entry("_?_:_", "?:"),
          Map.entry("_[_]", "[]"),
          Map.entry("@in", "in"));

  /** CEL's "no matching overload" as what the operator or function cannot take, and a fix. */
  private static String noOverload(String function, String arguments) {
    String operator = OPERATORS.get(function);
    String what = operator != null ? "'" + operator + "'" : "function '" + function + "'";
    String types = arguments.replace(", ", " and ");
    String hint = "";
    if (function.equals("_?_:_") && arguments.contains("null")) {
      hint =
          "; a branch may be null only when the other is an input read as it is (x == null ?"
              + " null : x); otherwise leave the null out: an expression over a null input gives"
              + " null anyway";
    } else if (arguments.contains("int") && arguments.contains("double")) {
      hint = "; CEL does not mix int and double in arithmetic: convert one, e.g. double(x)";
    } else if (arguments.contains("null_type")) {
      hint = "; compare with null (x == null) instead";
    }
    return what + " cannot be applied to " + types + hint;
  }

  private static String unknownHint(String name, OnDemandFeatureView view, Set<String> variables) {
    if (view.inputs().contains(name)) {
      return "; '"
          + name
          + "' is an input view: read one of its features, as "
          + name
          + ".<feature>";
    }
    int dot = name.indexOf('.');
    if (dot < 0) {
      return Suggestions.hint(name, variables);
    }
    String viewName = name.substring(0, dot);
    if (!view.inputs().contains(viewName)) {
      String typo = Suggestions.hint(viewName, view.inputs());
      if (!typo.isEmpty()) {
        return "; '" + viewName + "' is not among the view's inputs" + typo;
      }
      String inputs = String.join(", ", view.inputs());
      return "; '"
          + viewName
          + "' is not among the view's inputs"
          + (inputs.isEmpty() ? "" : " (" + inputs + ")")
          + "; to read its features, add it to 'inputs'";
    }
    String typo = Suggestions.hint(name, variables);
    if (!typo.isEmpty()) {
      return typo;
    }
    List<String> features =
        variables.stream()
            .filter(v -> v.startsWith(viewName + "."))
            .map(v -> v.substring(dot + 1))
            .toList();
    return "; input '" + viewName + "' has " + String.join(", ", features);
  }

  /** The dotted identifier that starts at {@code offset} of the expression, if one does. */
  private static Optional<String> dottedNameAt(String expression, int column) {
    if (column < 0 || column >= expression.length()) {
      return Optional.empty();
    }
    Matcher m =
        Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*").matcher(expression);
    return m.find(column) && m.start() == column ? Optional.of(m.group()) : Optional.empty();
  }
}
