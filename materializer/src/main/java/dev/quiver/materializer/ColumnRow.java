package dev.quiver.materializer;

import dev.quiver.online.ValueCodec;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * One row of a chunk's feature columns as the online codec reads it: typed, unboxed, text as its
 * UTF-8 bytes (the profile showed boxing and decoding text per row were most of the encoding cost).
 */
final class ColumnRow implements ValueCodec.ValueSource {

  private final FieldVector[] vectors;
  private int row;

  ColumnRow(FieldVector[] vectors) {
    this.vectors = vectors;
  }

  ColumnRow at(int index) {
    this.row = index;
    return this;
  }

  @Override
  public boolean isNull(int feature) {
    return vectors[feature].isNull(row);
  }

  @Override
  public boolean getBool(int feature) {
    return ((BitVector) vectors[feature]).get(row) != 0;
  }

  @Override
  public int getInt(int feature) {
    return ((IntVector) vectors[feature]).get(row);
  }

  @Override
  public long getLong(int feature) {
    FieldVector vector = vectors[feature];
    return vector instanceof BigIntVector v
        ? v.get(row)
        : ((TimeStampNanoTZVector) vector).get(row);
  }

  @Override
  public float getFloat(int feature) {
    return ((Float4Vector) vectors[feature]).get(row);
  }

  @Override
  public double getDouble(int feature) {
    return ((Float8Vector) vectors[feature]).get(row);
  }

  @Override
  public byte[] getBytes(int feature) {
    FieldVector vector = vectors[feature];
    return vector instanceof VarCharVector v ? v.get(row) : ((VarBinaryVector) vector).get(row);
  }

  @Override
  public List<?> getList(int feature) {
    return (List<?>) OnlineValues.of(vectors[feature], row);
  }
}
