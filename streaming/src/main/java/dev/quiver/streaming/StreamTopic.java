package dev.quiver.streaming;

import dev.quiver.offline.io.OfflineLog;
import dev.quiver.online.OnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one topic feeds: its source, the decoder of its messages, the online writes of the views
 * ingested, and its offline log (a folder and the columns of its files) when it logs.
 *
 * @param logDirectory null when the source does not log to its batch source
 */
record StreamTopic(
    KafkaSource source,
    EventDecoder decoder,
    List<OnlineApplier> appliers,
    Path logDirectory,
    ParquetSource batchSource,
    Map<String, ValueType> logColumns) {

  static StreamTopic of(
      KafkaSource source,
      List<FeatureView> views,
      Definitions definitions,
      OnlineStore store,
      Path repoRoot) {
    // Every view on the stream decides what a valid message is, whichever are ingested here, so
    // that the dead letters and the offline log do not depend on --views.
    List<FeatureView> onStream =
        definitions.featureViews().stream().filter(v -> v.source().equals(source.name())).toList();
    EventDecoder decoder = new EventDecoder(source, onStream, definitions);
    List<OnlineApplier> appliers = new ArrayList<>();
    for (FeatureView view : views) {
      if (view.online()) {
        appliers.add(OnlineApplier.of(view, definitions, store));
      }
    }
    ParquetSource batch = definitions.source(source.batchSource()).orElseThrow();
    if (!source.logToOffline()) {
      return new StreamTopic(source, decoder, appliers, null, batch, Map.of());
    }
    return new StreamTopic(
        source,
        decoder,
        appliers,
        OfflineLog.directoryOf(batch, repoRoot),
        batch,
        OfflineLog.columnsOf(definitions, batch));
  }

  boolean logs() {
    return logDirectory != null;
  }
}
