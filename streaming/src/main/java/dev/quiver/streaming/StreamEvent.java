package dev.quiver.streaming;

import java.util.Map;

/**
 * One decoded message: its place in the stream, its event time and the values of the fields the
 * views read, by definition name (join keys, features, aggregated columns), as Java values of their
 * declared types (Long, Integer, Double, Float, Boolean, String, byte[], Instant, List); a null
 * value is a JSON null.
 */
public record StreamEvent(
    int partition, long offset, long eventNanos, Map<String, Object> values) {}
