package dev.quiver;

import java.util.Arrays;
import java.util.Optional;

/**
 * What kind of failure a {@link QuiverException} is: whether the request or the server is at fault,
 * the HTTP status a server answers it with, and the label that names it in problem details and
 * metrics. The server maps exceptions to answers by their kind, and the remote client maps answers
 * back to exceptions by the same kinds, so both sides agree by construction.
 */
public enum ErrorKind {
  /** A body or command that is not what the endpoint takes (malformed JSON, a missing field). */
  BAD_REQUEST("bad_request", 400, Fault.REQUEST),
  /** A request that cannot be answered as asked (a repeated feature, clashing output names). */
  INVALID_REQUEST("invalid_request", 400, Fault.REQUEST),
  /** More entity rows than one online request may ask for. */
  TOO_MANY_ROWS("too_many_rows", 400, Fault.REQUEST),
  /** Definitions that are not valid (the repo's YAML, a manifest's recorded definitions). */
  INVALID_DEFINITION("invalid_definition", 400, Fault.REQUEST),
  /** A missing or wrong bearer token. */
  UNAUTHORIZED("unauthorized", 401, Fault.REQUEST),
  /** An unknown feature view, feature, feature service or project. */
  NOT_FOUND("not_found", 404, Fault.REQUEST),
  /** A commit that another got in before (apply again), or inputs that changed (reproduce). */
  CONFLICT("conflict", 409, Fault.REQUEST),
  /** A missing join key, or an entity value of the wrong type. */
  INVALID_ENTITY("invalid_entity", 422, Fault.REQUEST),
  /** Rows that break a rule of a {@code validation: reject} view: nothing of them was written. */
  VALIDATION_REJECTED("validation_rejected", 422, Fault.REQUEST),
  /** The online store cannot be opened, read or written. */
  ONLINE_STORE("online_store", 503, Fault.SERVER),
  /** The work needs more memory than the process's limit lets it have. */
  MEMORY_LIMIT("memory_limit", 503, Fault.SERVER),
  /** The registry cannot be read or written. */
  REGISTRY("registry", 500, Fault.SERVER),
  /** A source file the server reads is missing, unreadable, or lacks a column. */
  SOURCE_DATA("source_data", 500, Fault.SERVER),
  /** A setting of the server or process is not valid (feature_store.yaml, a flag, a variable). */
  CONFIGURATION("configuration", 500, Fault.SERVER),
  /** Any other failure of the server's own data, state or environment. */
  SERVER_FAILED("server_failed", 500, Fault.SERVER);

  /** Who has to act: the caller (fix the request) or the operator (fix the server's data). */
  public enum Fault {
    REQUEST,
    SERVER
  }

  private final String label;
  private final int httpStatus;
  private final Fault fault;

  ErrorKind(String label, int httpStatus, Fault fault) {
    this.label = label;
    this.httpStatus = httpStatus;
    this.fault = fault;
  }

  /** The name in problem details ({@code "kind"}) and in the {@code quiver_errors_total} label. */
  public String label() {
    return label;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public Fault fault() {
    return fault;
  }

  /** The kind a problem detail's label names, if any. */
  public static Optional<ErrorKind> ofLabel(String label) {
    return Arrays.stream(values()).filter(kind -> kind.label.equals(label)).findFirst();
  }
}
