package dev.quiver.sdk;

import dev.quiver.offline.io.EntityColumns;
import dev.quiver.offline.join.JoinOptions;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.registry.model.ScalarType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A request for a point-in-time-correct training set: entity rows (a Parquet or CSV file, or an
 * Arrow table), and features by reference list or by feature service.
 */
public final class HistoricalRequest {

  private final Path entityFile;
  private final VectorSchemaRoot entityRows;
  private final List<String> features;
  private final String featureService;
  private final boolean fullFeatureNames;
  private final EntityColumns entityColumns;
  private final JoinOptions joinOptions;
  private final JoinProgress progress;

  private HistoricalRequest(Builder builder) {
    if ((builder.entityFile == null) == (builder.entityRows == null)) {
      throw new IllegalArgumentException("Give the entity rows as a file or as an Arrow table");
    }
    if ((builder.features == null) == (builder.featureService == null)) {
      throw new IllegalArgumentException("Ask for a list of features or for a feature service");
    }
    this.entityFile = builder.entityFile;
    this.entityRows = builder.entityRows;
    this.features = builder.features == null ? null : List.copyOf(builder.features);
    this.featureService = builder.featureService;
    this.fullFeatureNames = builder.fullFeatureNames;
    this.entityColumns =
        new EntityColumns(builder.timestampColumn, builder.columnTypes, builder.untypedColumns);
    this.joinOptions = builder.joinOptions;
    this.progress = builder.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The entity file, or null when the rows come as an Arrow table. */
  public Path entityFile() {
    return entityFile;
  }

  /** The entity rows as an Arrow table (not modified), or null when they come from a file. */
  public VectorSchemaRoot entityRows() {
    return entityRows;
  }

  /** {@code view:feature} references, or null when a feature service is asked for. */
  public List<String> features() {
    return features;
  }

  public String featureService() {
    return featureService;
  }

  public boolean fullFeatureNames() {
    return fullFeatureNames;
  }

  /** The entity rows' timestamp column, if named, and the types given to CSV columns. */
  public EntityColumns entityColumns() {
    return entityColumns;
  }

  public JoinOptions joinOptions() {
    return joinOptions;
  }

  public JoinProgress progress() {
    return progress;
  }

  /** Builds a request; entities and features are required. */
  public static final class Builder {
    private Path entityFile;
    private VectorSchemaRoot entityRows;
    private List<String> features;
    private String featureService;
    private boolean fullFeatureNames;
    private String timestampColumn;
    private final Map<String, ScalarType> columnTypes = new LinkedHashMap<>();
    private ScalarType untypedColumns;
    private JoinOptions joinOptions = JoinOptions.defaults();
    private JoinProgress progress = JoinProgress.NONE;

    private Builder() {}

    /** Entity rows from a .parquet or .csv file. */
    public Builder entities(Path file) {
      this.entityFile = Objects.requireNonNull(file);
      return this;
    }

    /** Entity rows from an Arrow table, which the retrieval reads but does not change. */
    public Builder entities(VectorSchemaRoot rows) {
      this.entityRows = Objects.requireNonNull(rows);
      return this;
    }

    /** Features as {@code view:feature} (or {@code view} for all of a view), in output order. */
    public Builder features(List<String> references) {
      this.features = Objects.requireNonNull(references);
      return this;
    }

    public Builder featureService(String name) {
      this.featureService = Objects.requireNonNull(name);
      return this;
    }

    /** Name output columns {@code view__feature} instead of {@code feature}. */
    public Builder fullFeatureNames(boolean value) {
      this.fullFeatureNames = value;
      return this;
    }

    /**
     * The entity column holding each row's time; by default {@code event_timestamp} (or, in a
     * Parquet file or an Arrow table, the only timestamp column).
     */
    public Builder timestampColumn(String column) {
      this.timestampColumn = Objects.requireNonNull(column);
      return this;
    }

    /**
     * Reads a column of a CSV entity file as {@code type} instead of the type its values show
     * ({@code trips} as float64, say, where later files will hold decimals). Parquet files and
     * Arrow tables keep their own types. Reading a CSV file that lacks the column fails with {@link
     * dev.quiver.registry.InvalidRequestException}.
     */
    public Builder columnType(String column, ScalarType type) {
      this.columnTypes.put(Objects.requireNonNull(column), Objects.requireNonNull(type));
      return this;
    }

    /** {@link #columnType} for each entry. */
    public Builder columnTypes(Map<String, ScalarType> types) {
      types.forEach(this::columnType);
      return this;
    }

    /** For reproduce: reads the CSV columns neither typed nor join keys as {@code type}. */
    Builder untypedColumns(ScalarType type) {
      this.untypedColumns = Objects.requireNonNull(type);
      return this;
    }

    public Builder joinOptions(JoinOptions options) {
      this.joinOptions = Objects.requireNonNull(options);
      return this;
    }

    public Builder progress(JoinProgress listener) {
      this.progress = Objects.requireNonNull(listener);
      return this;
    }

    public HistoricalRequest build() {
      return new HistoricalRequest(this);
    }
  }
}
