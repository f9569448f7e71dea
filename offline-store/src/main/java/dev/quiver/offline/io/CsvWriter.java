package dev.quiver.offline.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV as the entity reader reads it back: a header, null as an empty cell, timestamps as ISO-8601
 * UTC instants at full precision, bytes as base64, lists as JSON-style arrays.
 */
final class CsvWriter {

  private CsvWriter() {}

  static void write(VectorSchemaRoot table, Path file) throws IOException {
    List<String> header = new ArrayList<>();
    table.getSchema().getFields().forEach(f -> header.add(f.getName()));
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CSVPrinter printer =
            CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get().print(out)) {
      List<FieldVector> vectors = table.getFieldVectors();
      List<String> record = new ArrayList<>(vectors.size());
      for (int row = 0; row < table.getRowCount(); row++) {
        record.clear();
        for (FieldVector vector : vectors) {
          record.add(vector.isNull(row) ? "" : ValueText.format(vector, row));
        }
        printer.printRecord(record);
      }
    }
  }
}
