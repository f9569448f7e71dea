package dev.quiver.monitoring.consistency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.OutputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The newest consistency report of a feature service, kept beside its logs so that the server (its
 * API and console) shows what {@code quiver consistency} found last. One file a service, {@value
 * #FILE_NAME} in the service's log folder, {@code {"checked_at": "...", "report": {...}}} (the
 * report as {@link ConsistencyReport#toSavedMap}); a new report replaces it whole (written beside
 * it, then moved over it atomically), so a reader sees the old report or the new one, never half a
 * file. The log readers ({@link dev.quiver.monitoring.logging.FeatureLogs}) list only {@code
 * log-*.parquet} files, so they never take it for a log.
 */
public final class ConsistencyReports {

  /** The report's file name in a service's log folder. */
  public static final String FILE_NAME = "consistency-report.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ConsistencyReports() {}

  /**
   * A saved report.
   *
   * @param checkedAt when the check ran
   * @param file where it is saved
   */
  public record SavedConsistency(Instant checkedAt, ConsistencyReport report, Path file) {

    public SavedConsistency {
      Objects.requireNonNull(checkedAt, "checkedAt");
      Objects.requireNonNull(report, "report");
      Objects.requireNonNull(file, "file");
    }
  }

  /**
   * Saves {@code report} as the newest of the service whose log folder is {@code logFolder},
   * replacing the one saved before.
   *
   * @return the file written
   * @throws OutputException when the file cannot be written (the folder is created when missing)
   */
  public static Path save(Path logFolder, ConsistencyReport report, Instant checkedAt) {
    Path file = logFolder.resolve(FILE_NAME);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("checked_at", checkedAt.toString());
    root.put("report", report.toSavedMap());
    byte[] bytes;
    try {
      bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new OutputException("Cannot write the consistency report " + file + ": " + e, e);
    }
    Path temporary = null;
    try {
      Files.createDirectories(logFolder);
      // A hidden name in the same folder: the move below stays on one file system.
      temporary = Files.createTempFile(logFolder, "." + FILE_NAME + "-", ".tmp");
      Files.write(temporary, bytes);
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new OutputException("Cannot write the consistency report " + file + ": " + e, e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException e) {
          // Left behind with a hidden name: the next save writes another, nothing reads it.
        }
      }
    }
  }

  /**
   * The report saved last for the service whose log folder is {@code logFolder}.
   *
   * @return empty when none was saved
   * @throws OutputException naming the file when it cannot be read or is not a saved report
   */
  public static Optional<SavedConsistency> newest(Path logFolder) {
    Path file = logFolder.resolve(FILE_NAME);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new OutputException("Cannot read the consistency report " + file + ": " + e, e);
    }
    try {
      Map<String, Object> root = JSON.readValue(text, new TypeReference<Map<String, Object>>() {});
      if (!(root.get("checked_at") instanceof String checkedAt)) {
        throw new IllegalArgumentException("'checked_at' is missing or not a string");
      }
      if (!(root.get("report") instanceof Map<?, ?>)) {
        throw new IllegalArgumentException("'report' is missing or not an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> report = (Map<String, Object>) root.get("report");
      return Optional.of(
          new SavedConsistency(Instant.parse(checkedAt), ConsistencyReport.fromMap(report), file));
    } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
      throw new OutputException(
          "Cannot read the consistency report "
              + file
              + ": it is damaged ("
              + firstLine(e)
              + "); run 'quiver consistency' for the service again to replace it",
          e);
    }
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
