package dev.quiver.streaming;

/**
 * Why a message went to the dead-letter topic: the value of its {@code quiver.dlq.reason} header.
 */
public enum DeadLetterReason {
  /** Not a JSON object. */
  UNPARSEABLE("unparseable"),
  /** A field a view reads (or the timestamp field) is absent. */
  MISSING_FIELD("missing_field"),
  /** A field's value is not of its declared type, or the timestamp is not a time. */
  WRONG_TYPE("wrong_type"),
  /** A join key is null. */
  NULL_KEY("null_key"),
  /** Dated more than the tolerance after the message was produced. */
  FUTURE_EVENT("future_event"),
  /**
   * Decoded, but in a batch a {@code validation: reject} view of the topic refused: not written to
   * that view, and left out of the offline log.
   */
  VALIDATION_REJECTED("validation_rejected");

  private final String code;

  DeadLetterReason(String code) {
    this.code = code;
  }

  /** The reason as headers and metrics name it. */
  public String code() {
    return code;
  }
}
