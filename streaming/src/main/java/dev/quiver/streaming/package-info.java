/**
 * Streaming ingestion: feature rows that arrive on Kafka topics, applied to the online store and
 * appended to the offline log.
 *
 * <p>The module decodes each record against its feature view's schema from the registry, validates
 * it, sends a record it cannot apply to a dead-letter topic with the reason instead of stopping the
 * stream, and applies the rest exactly once: a record's write to the online store and to the
 * offline log commits with its consumer offsets, so a restart neither loses nor repeats a row.
 *
 * <p>Tests start a real single-node Kafka broker with {@code
 * dev.quiver.streaming.testing.KafkaBroker}, shipped in this module's test jar.
 */
package dev.quiver.streaming;
