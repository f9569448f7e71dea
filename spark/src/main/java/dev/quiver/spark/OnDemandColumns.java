package dev.quiver.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.ondemand.OnDemandEvaluator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Appends the requested on-demand features to each row, evaluated per partition by the evaluator
 * the embedded engine and the online path use ({@link OnDemandEvaluator#forTraining}), made on the
 * executor from the definitions' canonical form. Each variable reads a column of the row: a request
 * field its entity column (already cast to the field's type), an input feature its stored feature's
 * column.
 */
final class OnDemandColumns implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final String definitionsJson;
  private final String featureService;
  private final List<String> features;
  private final int[] variableColumns;

  /**
   * @param variableColumns per variable of the evaluator, the row position it reads
   */
  OnDemandColumns(
      String definitionsJson, String featureService, List<String> features, int[] columns) {
    this.definitionsJson = definitionsJson;
    this.featureService = featureService;
    this.features = features == null ? null : new ArrayList<>(features);
    this.variableColumns = columns;
  }

  static String json(Map<String, Object> canonical) {
    try {
      return new ObjectMapper().writeValueAsString(canonical);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) throws IOException {
    Definitions definitions =
        FeatureRepo.definitionsFromData(
            new ObjectMapper().readValue(definitionsJson, Map.class), "the Spark job");
    FeatureSelection selection = FeatureSelection.of(definitions, featureService, features);
    OnDemandEvaluator evaluator = OnDemandEvaluator.forTraining(selection, definitions);
    OnDemandEvaluator.Bindings bindings = evaluator.bindings();
    int computed = evaluator.features().size();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        for (int v = 0; v < variableColumns.length; v++) {
          int at = variableColumns[v];
          bindings.set(v, SparkRows.value(row, at));
        }
        Object[] out = new Object[row.size() + computed];
        for (int i = 0; i < row.size(); i++) {
          out[i] = row.get(i);
        }
        for (int f = 0; f < computed; f++) {
          out[row.size() + f] = evaluator.evaluate(f, bindings);
        }
        return RowFactory.create(out);
      }
    };
  }
}
