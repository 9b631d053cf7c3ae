package io.credence.protocol.tensor;

import io.credence.protocol.Hashes;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The canonical tensor encoding of Credence: {@code abi.encode(Tensor[])} with {@code Tensor {
 * string name; uint8 dtype; uint32[] shape; bytes data; }}, data little-endian and row-major. A
 * Solidity consumer decodes it with {@code abi.decode(b, (Tensor[]))}; the payload hash is its
 * keccak256.
 *
 * <p>Decoding is strict: anything that is not exactly what {@link #encode} would produce (other
 * offsets, dirty padding, trailing bytes, malformed UTF-8, data not matching the shape) is rejected
 * with a {@link TensorFormatException}, so one list of tensors has one encoding and one hash.
 */
public final class TensorCodec {
  private static final int WORD = 32;

  /** Refuses absurd counts before allocating anything. */
  public static final int MAX_TENSORS = 1024;

  private TensorCodec() {}

  public static byte[] encode(List<Tensor> tensors) {
    if (tensors.size() > MAX_TENSORS) {
      throw new TensorFormatException("at most " + MAX_TENSORS + " tensors, got " + tensors.size());
    }
    int n = tensors.size();
    byte[][] names = new byte[n][];
    long[] tupleSizes = new long[n];
    long total = 2L * WORD + (long) WORD * n;
    for (int i = 0; i < n; i++) {
      Tensor t = tensors.get(i);
      names[i] = t.name().getBytes(StandardCharsets.UTF_8);
      tupleSizes[i] =
          4L * WORD
              + WORD
              + padded((long) names[i].length)
              + WORD
              + (long) WORD * t.shapeView().length
              + WORD
              + padded((long) t.dataView().length);
      total += tupleSizes[i];
    }
    if (total > Integer.MAX_VALUE - 64) {
      throw new TensorFormatException(
          "the encoding would be " + total + " bytes, more than an array holds");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total); // zeroed: padding is left as it is
    word(out, WORD); // offset of the array
    word(out, n);
    long offset = (long) WORD * n;
    for (long size : tupleSizes) {
      word(out, offset);
      offset += size;
    }
    for (int i = 0; i < n; i++) {
      Tensor t = tensors.get(i);
      long[] shape = t.shapeView();
      long nameBytes = WORD + padded((long) names[i].length);
      long shapeBytes = WORD + (long) WORD * shape.length;
      word(out, 4 * WORD);
      word(out, t.dtype().code());
      word(out, 4L * WORD + nameBytes);
      word(out, 4L * WORD + nameBytes + shapeBytes);
      dynamicBytes(out, names[i]);
      word(out, shape.length);
      for (long d : shape) {
        word(out, d);
      }
      dynamicBytes(out, t.dataView());
    }
    return out.array();
  }

  public static byte[] encode(Tensor... tensors) {
    return encode(List.of(tensors));
  }

  /** keccak256 of the canonical encoding: the input or output hash of a request. */
  public static byte[] hash(List<Tensor> tensors) {
    return Hashes.keccak256(encode(tensors));
  }

  /**
   * @throws TensorFormatException with what is wrong, when {@code encoded} is not canonical
   */
  public static List<Tensor> decode(byte[] encoded) {
    Reader r = new Reader(encoded);
    if (r.uint(0, () -> "array offset") != WORD) {
      throw new TensorFormatException("array offset must be 32");
    }
    long n = r.uint(WORD, () -> "tensor count");
    if (n > MAX_TENSORS) {
      throw new TensorFormatException("at most " + MAX_TENSORS + " tensors, got " + n);
    }
    int base = 2 * WORD;
    List<Tensor> tensors = new ArrayList<>((int) Math.min(n, encoded.length / WORD));
    // every offset must be the canonical one before anything is copied: no two tensors can
    // share bytes, so decoding never copies more than the input's size
    long expectedTuple = n * WORD;
    for (int i = 0; i < n; i++) {
      int index = i; // for the error messages, built only on error
      r.expect(base + i * WORD, expectedTuple, () -> "offset of tensor " + index);
      int tuple = base + (int) expectedTuple;
      r.expect(tuple, 4L * WORD, () -> "name offset of tensor " + index);
      long nameLength = r.uint(tuple + 4 * WORD, () -> "name length of tensor " + index);
      long shapeOffset = 4L * WORD + WORD + padded(nameLength);
      r.expect(tuple + 2 * WORD, shapeOffset, () -> "shape offset of tensor " + index);
      long rank = r.uint(tuple + (int) shapeOffset, () -> "rank of tensor " + index);
      if (rank > 64) {
        throw new TensorFormatException("tensor " + i + ": rank " + rank + " is more than 64");
      }
      long dataOffset = shapeOffset + WORD + rank * WORD;
      r.expect(tuple + 3 * WORD, dataOffset, () -> "data offset of tensor " + index);
      String name = r.string(tuple + 4 * WORD, () -> "name of tensor " + index);
      long dtypeCode = r.uint(tuple + WORD, () -> "dtype of tensor " + index);
      int shapeAt = tuple + (int) shapeOffset;
      long[] shape = new long[(int) rank];
      for (int d = 0; d < rank; d++) {
        int dim = d;
        shape[d] =
            r.uint(shapeAt + WORD + d * WORD, () -> "dimension " + dim + " of tensor " + index);
      }
      byte[] data = r.bytes(tuple + (int) dataOffset, () -> "data of tensor " + index);
      tensors.add(Tensor.owning(name, DType.ofCode((int) Math.min(dtypeCode, 255)), shape, data));
      expectedTuple += dataOffset + WORD + padded(data.length);
    }
    if (!Arrays.equals(encode(tensors), encoded)) {
      throw new TensorFormatException(
          "not the canonical encoding of its tensors (offsets, padding or trailing bytes differ)");
    }
    return List.copyOf(tensors);
  }

  private static void dynamicBytes(ByteBuffer out, byte[] b) {
    word(out, b.length);
    out.put(b);
    out.position(out.position() + (int) padded((long) b.length) - b.length);
  }

  private static int padded(int length) {
    return (length + WORD - 1) / WORD * WORD;
  }

  private static long padded(long length) {
    return (length + WORD - 1) / WORD * WORD;
  }

  private static void word(ByteBuffer out, long value) {
    out.position(out.position() + WORD - 8); // big-endian: the high bytes stay zero
    out.putLong(value);
  }

  /** Bounds-checked reads of ABI words. */
  private record Reader(byte[] b) {
    long uint(int at, Supplier<String> what) {
      if (at < 0 || at + WORD > b.length) {
        throw new TensorFormatException(
            what.get() + ": truncated at byte " + at + " of " + b.length);
      }
      // values here are lengths, offsets, dimensions and type codes: at most 40 bits
      for (int i = at; i < at + WORD - 5; i++) {
        if (b[i] != 0) {
          throw new TensorFormatException(
              what.get()
                  + ": value "
                  + new BigInteger(1, Arrays.copyOfRange(b, at, at + WORD))
                  + " is out of range");
        }
      }
      long v = 0;
      for (int i = at + WORD - 5; i < at + WORD; i++) {
        v = (v << 8) | (b[i] & 0xFF);
      }
      return v;
    }

    void expect(int at, long value, Supplier<String> what) {
      long v = uint(at, what);
      if (v != value) {
        throw new TensorFormatException(
            what.get() + ": " + v + " is not the canonical offset " + value);
      }
    }

    int offset(int at, Supplier<String> what) {
      long v = uint(at, what);
      if (v > b.length) {
        throw new TensorFormatException(
            what.get() + ": offset " + v + " points past the end (" + b.length + " bytes)");
      }
      return (int) v;
    }

    byte[] bytes(int at, Supplier<String> what) {
      long len = uint(at, () -> what.get() + " length");
      if (at + WORD + len > b.length) {
        throw new TensorFormatException(
            what.get() + ": " + len + " bytes do not fit in " + b.length);
      }
      return Arrays.copyOfRange(b, at + WORD, at + WORD + (int) len);
    }

    String string(int at, Supplier<String> what) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes(at, what)))
            .toString();
      } catch (CharacterCodingException e) {
        throw new TensorFormatException(what.get() + ": not valid UTF-8");
      }
    }
  }
}
