package dev.quiver.registry.ondemand;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import java.util.List;
import java.util.Optional;

/**
 * The common part of CEL compiled to a tree of Java nodes that evaluate without allocating: int,
 * double, bool and string values and variables (null included), arithmetic, comparisons, equality,
 * {@code !}, {@code &&}, {@code ||}, {@code ? :}, {@code int()} and {@code double()}. A checked
 * expression using anything else (timestamps, bytes, lists, other functions, macros) is not
 * compiled and runs on CEL's interpreter instead; see {@link OnDemandEvaluator}.
 *
 * <p>Each node follows CEL's rules exactly, as CEL's runtime applies them (a randomized test
 * compares the two on random expressions and values): int arithmetic that overflows, an integer
 * division or modulo by zero and {@code int()} of a double out of range are errors; double
 * arithmetic is IEEE; an operand that is null where a value is needed is an error; {@code ==} and
 * {@code !=} compare null with anything; {@code &&} and {@code ||} give their deciding value even
 * when the other side is an error; ints and doubles compare as numbers, exactly.
 *
 * <p>The CEL interpreter took about 1 microsecond per evaluation of a small expression here, and
 * much more when it ended in an error (it throws); the nodes take a few nanoseconds each.
 */
final class CompiledExpression {

  /** How a node's evaluation ended: with a value in the frame, with null, or with an error. */
  static final int VALUE = 0;

  static final int NULL = 1;
  static final int ERROR = 2;

  /** Where nodes leave their value, and the row's variables. */
  static final class Frame {
    Object[] values;
    int[] slots;
    long l;
    double d;
    boolean b;
    String s;

    /**
     * The slot a double came straight from, else -1: CEL's runtime finds a value equal to itself by
     * identity before comparing numbers, so a NaN variable equals itself and a computed NaN equals
     * nothing.
     */
    int source;
  }

  /** The kinds of value a node gives. */
  private enum Kind {
    INT,
    DOUBLE,
    BOOL,
    STRING,
    NULL
  }

  private abstract static class Node {
    final Kind kind;

    Node(Kind kind) {
      this.kind = kind;
    }

    /** Evaluates into {@code f}; returns {@link #VALUE}, {@link #NULL} or {@link #ERROR}. */
    abstract int eval(Frame f);
  }

  private final Node root;

  private CompiledExpression(Node root) {
    this.root = root;
  }

  /**
   * The checked expression compiled, or empty when it uses something only CEL's interpreter runs.
   *
   * @param reads the variables the expression reads: a variable's node reads slot {@code
   *     f.slots[i]} of the row's values, {@code i} its index here
   */
  static Optional<CompiledExpression> of(CelAbstractSyntaxTree ast, List<Variable> reads) {
    try {
      return Optional.of(new CompiledExpression(new Builder(ast, reads).build(ast.getExpr())));
    } catch (Unsupported e) {
      return Optional.empty();
    }
  }

  /**
   * The expression's value for the row in {@code f}: a Long, Double, Boolean or String; {@link
   * #NULL_RESULT} for CEL's null; {@link #ERROR_RESULT} for an evaluation error.
   */
  Object evaluate(Frame f) {
    int state = root.eval(f);
    if (state == ERROR) {
      return ERROR_RESULT;
    }
    if (state == NULL) {
      return NULL_RESULT;
    }
    return switch (root.kind) {
      case INT -> f.l;
      case DOUBLE -> f.d;
      case BOOL -> f.b;
      case STRING -> f.s;
      case NULL -> NULL_RESULT;
    };
  }

  /** What {@link #evaluate} gives for CEL's null. */
  static final Object NULL_RESULT = new Object();

  /** What {@link #evaluate} gives for an evaluation error. */
  static final Object ERROR_RESULT = new Object();

  /** Thrown while building when a part of the expression is not compiled. */
  private static final class Unsupported extends RuntimeException {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  private static final class Builder {
    private final CelAbstractSyntaxTree ast;
    private final List<Variable> reads;

    Builder(CelAbstractSyntaxTree ast, List<Variable> reads) {
      this.ast = ast;
      this.reads = reads;
    }

    Node build(CelExpr expr) {
      return switch (expr.getKind()) {
        case CONSTANT -> constant(expr.constant());
        case IDENT, SELECT -> variable(expr);
        case CALL -> call(expr);
        default -> throw new Unsupported();
      };
    }

    private Node constant(CelConstant constant) {
      return switch (constant.getKind()) {
        case INT64_VALUE -> {
          long value = constant.int64Value();
          yield new Node(Kind.INT) {
            @Override
            int eval(Frame f) {
              f.l = value;
              return VALUE;
            }
          };
        }
        case DOUBLE_VALUE -> {
          double value = constant.doubleValue();
          yield new Node(Kind.DOUBLE) {
            @Override
            int eval(Frame f) {
              f.d = value;
              f.source = -1;
              return VALUE;
            }
          };
        }
        case BOOLEAN_VALUE -> {
          boolean value = constant.booleanValue();
          yield new Node(Kind.BOOL) {
            @Override
            int eval(Frame f) {
              f.b = value;
              return VALUE;
            }
          };
        }
        case STRING_VALUE -> {
          String value = constant.stringValue();
          yield new Node(Kind.STRING) {
            @Override
            int eval(Frame f) {
              f.s = value;
              return VALUE;
            }
          };
        }
        case NULL_VALUE ->
            new Node(Kind.NULL) {
              @Override
              int eval(Frame f) {
                return NULL;
              }
            };
        default -> throw new Unsupported();
      };
    }

    private Node variable(CelExpr expr) {
      CelReference reference = ast.getReference(expr.id()).orElseThrow(Unsupported::new);
      if (reference.value().isPresent()) {
        throw new Unsupported();
      }
      int index = -1;
      for (int i = 0; i < reads.size(); i++) {
        if (reads.get(i).name().equals(reference.name())) {
          index = i;
        }
      }
      if (index < 0 || reads.get(index).type().list()) {
        throw new Unsupported();
      }
      int read = index;
      return switch (reads.get(index).type().element()) {
        case INT32, INT64 ->
            new Node(Kind.INT) {
              @Override
              int eval(Frame f) {
                Object value = f.values[f.slots[read]];
                if (value instanceof Long l) {
                  f.l = l;
                } else if (value instanceof Integer i) {
                  f.l = i;
                } else {
                  return value == null ? NULL : ERROR;
                }
                return VALUE;
              }
            };
        case FLOAT32, FLOAT64 ->
            new Node(Kind.DOUBLE) {
              @Override
              int eval(Frame f) {
                Object value = f.values[f.slots[read]];
                if (value instanceof Double d) {
                  f.d = d;
                } else if (value instanceof Float x) {
                  f.d = x; // Java's widening: exact
                } else {
                  return value == null ? NULL : ERROR;
                }
                f.source = f.slots[read];
                return VALUE;
              }
            };
        case BOOL ->
            new Node(Kind.BOOL) {
              @Override
              int eval(Frame f) {
                Object value = f.values[f.slots[read]];
                if (value instanceof Boolean b) {
                  f.b = b;
                  return VALUE;
                }
                return value == null ? NULL : ERROR;
              }
            };
        case STRING ->
            new Node(Kind.STRING) {
              @Override
              int eval(Frame f) {
                Object value = f.values[f.slots[read]];
                if (value instanceof String s) {
                  f.s = s;
                  return VALUE;
                }
                return value == null ? NULL : ERROR;
              }
            };
        default -> throw new Unsupported();
      };
    }

    private Node call(CelExpr expr) {
      CelExpr.CelCall call = expr.call();
      if (call.target().isPresent()) {
        throw new Unsupported();
      }
      CelReference reference = ast.getReference(expr.id()).orElseThrow(Unsupported::new);
      if (reference.overloadIds().size() != 1) {
        throw new Unsupported();
      }
      String overload = reference.overloadIds().get(0);
      List<CelExpr> args = call.args();
      Kind kind = kindOf(expr);
      if (args.size() == 1) {
        return unary(overload, build(args.get(0)));
      }
      if (args.size() == 3 && overload.equals("conditional")) {
        Node then = build(args.get(1));
        Node otherwise = build(args.get(2));
        // c ? null : x is typed null by CEL; its value is x's when not null.
        Kind branches =
            kind != Kind.NULL ? kind : then.kind != Kind.NULL ? then.kind : otherwise.kind;
        return conditional(build(args.get(0)), then, otherwise, branches);
      }
      if (args.size() != 2) {
        throw new Unsupported();
      }
      Node left = build(args.get(0));
      Node right = build(args.get(1));
      return switch (overload) {
        case "logical_and" -> logical(left, right, false);
        case "logical_or" -> logical(left, right, true);
        case "equals" -> equality(left, right, false);
        case "not_equals" -> equality(left, right, true);
        default -> arithmeticOrComparison(overload, left, right);
      };
    }

    /** The kind of value the checker says the expression has. */
    private Kind kindOf(CelExpr expr) {
      CelType type = ast.getType(expr.id()).orElseThrow(Unsupported::new);
      if (type instanceof NullableType nullable) {
        type = nullable.targetType();
      }
      CelKind kind = type.kind();
      return switch (kind) {
        case INT -> Kind.INT;
        case DOUBLE -> Kind.DOUBLE;
        case BOOL -> Kind.BOOL;
        case STRING -> Kind.STRING;
        case NULL_TYPE -> Kind.NULL;
        default -> throw new Unsupported();
      };
    }
  }

  private static Node unary(String overload, Node operand) {
    return switch (overload) {
      case "logical_not" ->
          new Node(Kind.BOOL) {
            @Override
            int eval(Frame f) {
              if (operand.eval(f) != VALUE) {
                return ERROR;
              }
              f.b = !f.b;
              return VALUE;
            }
          };
      case "negate_int64" ->
          new Node(Kind.INT) {
            @Override
            int eval(Frame f) {
              if (operand.eval(f) != VALUE || f.l == Long.MIN_VALUE) {
                return ERROR;
              }
              f.l = -f.l;
              return VALUE;
            }
          };
      case "negate_double" ->
          new Node(Kind.DOUBLE) {
            @Override
            int eval(Frame f) {
              if (operand.eval(f) != VALUE) {
                return ERROR;
              }
              f.d = -f.d;
              f.source = -1;
              return VALUE;
            }
          };
      case "int64_to_double" ->
          new Node(Kind.DOUBLE) {
            @Override
            int eval(Frame f) {
              if (operand.eval(f) != VALUE) {
                return ERROR;
              }
              f.d = (double) f.l;
              f.source = -1;
              return VALUE;
            }
          };
      case "double_to_int64" ->
          new Node(Kind.INT) {
            @Override
            int eval(Frame f) {
              if (operand.eval(f) != VALUE) {
                return ERROR;
              }
              double d = f.d;
              // CEL's range: an exponent under 63, so (-2^63, 2^63); not NaN or infinite.
              if (Math.getExponent(d) >= 63) {
                return ERROR;
              }
              f.l = (long) d;
              return VALUE;
            }
          };
      default -> throw new Unsupported();
    };
  }

  private static Node conditional(Node condition, Node then, Node otherwise, Kind kind) {
    return new Node(kind) {
      @Override
      int eval(Frame f) {
        if (condition.eval(f) != VALUE) {
          return ERROR;
        }
        return f.b ? then.eval(f) : otherwise.eval(f);
      }
    };
  }

  /**
   * CEL's {@code &&} and {@code ||}, as its runtime evaluates them: a side that decides the result
   * (false for {@code &&}, true for {@code ||}) does so even if the other side is an error; a side
   * that is null, not a bool, is an error at once; the left side is evaluated first.
   */
  private static Node logical(Node left, Node right, boolean decides) {
    return new Node(Kind.BOOL) {
      @Override
      int eval(Frame f) {
        int a = left.eval(f);
        if (a == NULL) {
          return ERROR;
        }
        if (a == VALUE && f.b == decides) {
          return VALUE;
        }
        int c = right.eval(f);
        if (c == NULL) {
          return ERROR;
        }
        if (c == VALUE && f.b == decides) {
          return VALUE;
        }
        if (a == VALUE && c == VALUE) {
          f.b = !decides;
          return VALUE;
        }
        return ERROR;
      }
    };
  }

  /** {@code ==} or {@code !=}: a null equals only a null; values of one kind compare. */
  private static Node equality(Node left, Node right, boolean negate) {
    // Not "kind": inside the node that would be the node's own field.
    Kind operands = left.kind == Kind.NULL ? right.kind : left.kind;
    if (left.kind != Kind.NULL && right.kind != Kind.NULL && left.kind != right.kind) {
      throw new Unsupported();
    }
    return new Node(Kind.BOOL) {
      @Override
      int eval(Frame f) {
        int a = left.eval(f);
        if (a == ERROR) {
          return ERROR;
        }
        long l = f.l;
        double d = f.d;
        int source = f.source;
        boolean b = f.b;
        String s = f.s;
        int c = right.eval(f);
        if (c == ERROR) {
          return ERROR;
        }
        boolean equal;
        if (a == NULL || c == NULL) {
          equal = a == c;
        } else {
          equal =
              switch (operands) {
                case INT -> l == f.l;
                // As CEL's runtime: the same variable, or equal numbers (a NaN equals none).
                case DOUBLE -> source >= 0 && source == f.source || d == f.d;
                case BOOL -> b == f.b;
                case STRING -> s.equals(f.s);
                case NULL -> true;
              };
        }
        f.b = equal != negate;
        return VALUE;
      }
    };
  }

  private static Node arithmeticOrComparison(String overload, Node left, Node right) {
    return switch (overload) {
      case "add_int64" -> intOp(left, right, Op.ADD);
      case "subtract_int64" -> intOp(left, right, Op.SUBTRACT);
      case "multiply_int64" -> intOp(left, right, Op.MULTIPLY);
      case "divide_int64" -> intOp(left, right, Op.DIVIDE);
      case "modulo_int64" -> intOp(left, right, Op.MODULO);
      case "add_double" -> doubleOp(left, right, Op.ADD);
      case "subtract_double" -> doubleOp(left, right, Op.SUBTRACT);
      case "multiply_double" -> doubleOp(left, right, Op.MULTIPLY);
      case "divide_double" -> doubleOp(left, right, Op.DIVIDE);
      case "add_string" ->
          new Node(Kind.STRING) {
            @Override
            int eval(Frame f) {
              if (left.eval(f) != VALUE) {
                return ERROR;
              }
              String a = f.s;
              if (right.eval(f) != VALUE) {
                return ERROR;
              }
              f.s = a.concat(f.s);
              return VALUE;
            }
          };
      default -> comparison(overload, left, right);
    };
  }

  private enum Op {
    ADD,
    SUBTRACT,
    MULTIPLY,
    DIVIDE,
    MODULO
  }

  private static Node intOp(Node left, Node right, Op op) {
    return new Node(Kind.INT) {
      @Override
      int eval(Frame f) {
        if (left.eval(f) != VALUE) {
          return ERROR;
        }
        long a = f.l;
        if (right.eval(f) != VALUE) {
          return ERROR;
        }
        long b = f.l;
        try {
          f.l =
              switch (op) {
                case ADD -> Math.addExact(a, b);
                case SUBTRACT -> Math.subtractExact(a, b);
                case MULTIPLY -> Math.multiplyExact(a, b);
                case DIVIDE -> {
                  if (a == Long.MIN_VALUE && b == -1) {
                    throw new ArithmeticException("most negative number wraps");
                  }
                  yield a / b; // by zero: ArithmeticException
                }
                case MODULO -> a % b; // by zero: ArithmeticException; MIN % -1 is 0
              };
        } catch (ArithmeticException e) {
          return ERROR;
        }
        return VALUE;
      }
    };
  }

  private static Node doubleOp(Node left, Node right, Op op) {
    return new Node(Kind.DOUBLE) {
      @Override
      int eval(Frame f) {
        if (left.eval(f) != VALUE) {
          return ERROR;
        }
        double a = f.d;
        if (right.eval(f) != VALUE) {
          return ERROR;
        }
        double b = f.d;
        f.d =
            switch (op) {
              case ADD -> a + b;
              case SUBTRACT -> a - b;
              case MULTIPLY -> a * b;
              case DIVIDE -> a / b;
              case MODULO -> throw new IllegalStateException("CEL has no double modulo");
            };
        f.source = -1;
        return VALUE;
      }
    };
  }

  /** {@code <}, {@code <=}, {@code >}, {@code >=} of ints and doubles, mixed or not. */
  private static Node comparison(String overload, Node left, Node right) {
    String name;
    String types;
    if (overload.startsWith("less_equals_")) {
      name = "less_equals";
      types = overload.substring("less_equals_".length());
    } else if (overload.startsWith("greater_equals_")) {
      name = "greater_equals";
      types = overload.substring("greater_equals_".length());
    } else if (overload.startsWith("less_")) {
      name = "less";
      types = overload.substring("less_".length());
    } else if (overload.startsWith("greater_")) {
      name = "greater";
      types = overload.substring("greater_".length());
    } else {
      throw new Unsupported();
    }
    if (!List.of("int64", "double", "int64_double", "double_int64").contains(types)
        || left.kind != Kind.INT && left.kind != Kind.DOUBLE
        || right.kind != Kind.INT && right.kind != Kind.DOUBLE) {
      throw new Unsupported();
    }
    return new Node(Kind.BOOL) {
      @Override
      int eval(Frame f) {
        if (left.eval(f) != VALUE) {
          return ERROR;
        }
        long al = f.l;
        double ad = f.d;
        if (right.eval(f) != VALUE) {
          return ERROR;
        }
        // -1, 0 or 1 for less, equal, greater; 2 when a NaN makes two doubles unordered.
        int order;
        if (left.kind == Kind.INT && right.kind == Kind.INT) {
          order = Long.compare(al, f.l);
        } else if (left.kind == Kind.DOUBLE && right.kind == Kind.DOUBLE) {
          order = ad < f.d ? -1 : ad > f.d ? 1 : ad == f.d ? 0 : 2;
        } else if (left.kind == Kind.INT) {
          order = -compareDoubleInt(f.d, al);
        } else {
          order = compareDoubleInt(ad, f.l);
        }
        f.b =
            order != 2
                && switch (name) {
                  case "less" -> order < 0;
                  case "less_equals" -> order <= 0;
                  case "greater" -> order > 0;
                  default -> order >= 0;
                };
        return VALUE;
      }
    };
  }

  /**
   * How a double compares with a long, as CEL's runtime compares them: beyond the longs' range by
   * sign, else as {@link Double#compare} of the double and the long made a double (so NaN is above
   * every long, and -0.0 below 0).
   */
  static int compareDoubleInt(double d, long l) {
    if (d < -0x1p63) {
      return -1;
    }
    if (d > 0x1p63) {
      return 1;
    }
    return Double.compare(d, (double) l);
  }
}
