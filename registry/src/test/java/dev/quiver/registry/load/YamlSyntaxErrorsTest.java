package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.RepoFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** YAML syntax errors are told in words, and do not set off problems in other files. */
class YamlSyntaxErrorsTest {

  @TempDir Path root;

  private static List<String> problems(RepoFixture repo) {
    return repo.loadProblems();
  }

  private static final String TRIPS =
      """
      sources:
        - name: trip_source
          path: data/trips.parquet
          timestamp_field: event_timestamp
      feature_views:
        - name: trips
          entities: [driver]
          source: trip_source
          features:
            - name: trip_count
              type: int64
                description: trips in the hour
      """;

  @Test
  void aKeyIndentedTooFarIsSaidInWordsAndReferencesToTheFileAreNotReported() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write("trips.yaml", TRIPS)
            .write(
                "services.yaml",
                """
                feature_services:
                  - name: trip_model
                    features: [trips, driver_hourly_stats, tripz]
                """);

    assertThat(problems(repo))
        .containsExactly(
            "services.yaml:3: feature service 'trip_model' references unknown feature view 'tripz'",
            "trips.yaml:12: invalid YAML: this key is indented more than the keys above it (column"
                + " 11, they start at column 9); keys of one mapping start in the same column");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "entities:\\n  - name: driver\\n    join_key: driver_id\\n   type: int64\\n"
            + " | 4 | this key is indented less than the keys above it (column 4, they start at"
            + " column 5); keys of one mapping start in the same column",
        "entities:\\n  - name: a\\n    tags:\\n      - x\\n     - y\\n"
            + " | 5 | this list item is indented less than the items above it (column 6, they"
            + " start at column 7); items of one list start in the same column",
        "entities:\\n  - name: driver\\n  join_key: driver_id\\n"
            + " | 3 | this key lines up with the '-' of the list items above it: indent it as far"
            + " as the keys of its item, or start a new item with '- '",
        "entities:\\n  - name: x\\n  -name: y\\n"
            + " | 3 | '-name: y' is not a list item: put a space after the '-'",
        "entities:\\n  - name: driver\\n    description: a: b\\n"
            + " | 3 | a value holds ': '; put it in quotes",
        "entities:\\n  - name: driver\\n    join_key driver_id\\n    type: int64\\n"
            + " | 3 | 'join_key driver_id' has no ':' after its key; write 'key: value'",
        "entities:\\n\\t- name: driver\\n | 2 | a tab indents this line; YAML indents with spaces"
            + " only",
        "entities:\\n  - name: 'driver\\n | 2 | the quoted value that starts here is never closed",
        "entities:\\n  - name: d\\n    tags: [a, b\\n | 3 | the '[' opened here is never closed",
        "entities: *base\\n | 1 | alias '*base' names no anchor '&base' defined before it",
        "entities:\\n  - name: @d\\n | 2 | a value cannot start with '@'; put the value in quotes",
      })
  void commonMistakesAreSaidInWordsAtTheLineToChange(String yaml, int line, String message) {
    RepoFixture repo =
        RepoFixture.valid(root).write("bad.yaml", yaml.replace("\\n", "\n").replace("\\t", "\t"));

    assertThat(problems(repo)).containsExactly("bad.yaml:" + line + ": invalid YAML: " + message);
  }

  @Test
  void aFileThatCannotBeReadAtAllSilencesEveryUnknownReference() {
    StringBuilder big = new StringBuilder("feature_views:\n");
    big.append("# ").append("x".repeat(1024 * 1024)).append("\n");
    RepoFixture repo =
        RepoFixture.valid(root)
            .write("big.yaml", big.toString())
            .write(
                "services.yaml",
                "feature_services:\n  - name: s\n    features: [anything_at_all]\n");

    assertThat(problems(repo))
        .containsExactly(
            "big.yaml: is 1.0 MB, more than the 1.0 MB a YAML file of a feature repo may have;"
                + " split it into several files");
  }
}
