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
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV as the entity reader reads it back: a header, null as an empty cell, timestamps as ISO-8601
 * UTC instants at full precision, bytes as base64, lists as JSON-style arrays.
 */
final class CsvWriter implements TrainingSetWriter {

  private final BufferedWriter out;
  private final CSVPrinter printer;
  private final List<String> record = new ArrayList<>();

  CsvWriter(Path file, Schema schema) throws IOException {
    List<String> header = new ArrayList<>();
    schema.getFields().forEach(f -> header.add(f.getName()));
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    try {
      printer =
          CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get().print(out);
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  @Override
  public void write(VectorSchemaRoot table) throws IOException {
    List<FieldVector> vectors = table.getFieldVectors();
    for (int row = 0; row < table.getRowCount(); row++) {
      record.clear();
      for (FieldVector vector : vectors) {
        record.add(vector.isNull(row) ? "" : ValueText.format(vector, row));
      }
      printer.printRecord(record);
    }
  }

  @Override
  public void finish() throws IOException {
    printer.flush();
  }

  @Override
  public void close() {
    try {
      printer.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot close a CSV file", e);
    }
  }
}
