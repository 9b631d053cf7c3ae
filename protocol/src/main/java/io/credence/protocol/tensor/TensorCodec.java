package io.credence.protocol.tensor;

import io.credence.protocol.Hashes;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical tensor encoding of Credence: {@code abi.encode(Tensor[])} with {@code Tensor {
 * string name; uint8 dtype; uint32[] shape; bytes data; }}, data little-endian and row-major. A
 * Solidity consumer decodes it with {@code abi.decode(b, (Tensor[]))}; the payload hash is its
 * keccak256.
 *
 * <p>Decoding is strict: anything that is not exactly what {@link #encode} would produce (other
 * offsets, dirty padding, trailing bytes, malformed UTF-8, data not matching the shape) is
 * rejected with a {@link TensorFormatException}, so one list of tensors has one encoding and one
 * hash.
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
    List<byte[]> tuples = tensors.stream().map(TensorCodec::encodeTuple).toList();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    word(out, WORD); // offset of the array
    word(out, tuples.size());
    long offset = (long) WORD * tuples.size();
    for (byte[] t : tuples) {
      word(out, offset);
      offset += t.length;
    }
    tuples.forEach(out::writeBytes);
    return out.toByteArray();
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
    if (r.uint(0, "array offset") != WORD) {
      throw new TensorFormatException("array offset must be 32");
    }
    long n = r.uint(WORD, "tensor count");
    if (n > MAX_TENSORS) {
      throw new TensorFormatException("at most " + MAX_TENSORS + " tensors, got " + n);
    }
    int base = 2 * WORD;
    List<Tensor> tensors = new ArrayList<>((int) Math.min(n, encoded.length / WORD));
    // every offset must be the canonical one before anything is copied: no two tensors can
    // share bytes, so decoding never copies more than the input's size
    long expectedTuple = n * WORD;
    for (int i = 0; i < n; i++) {
      r.expect(base + i * WORD, expectedTuple, "offset of tensor " + i);
      int tuple = base + (int) expectedTuple;
      r.expect(tuple, 4L * WORD, "name offset of tensor " + i);
      long nameLength = r.uint(tuple + 4 * WORD, "name length of tensor " + i);
      long shapeOffset = 4L * WORD + WORD + padded(nameLength);
      r.expect(tuple + 2 * WORD, shapeOffset, "shape offset of tensor " + i);
      long rank = r.uint(tuple + (int) shapeOffset, "rank of tensor " + i);
      if (rank > 64) {
        throw new TensorFormatException("tensor " + i + ": rank " + rank + " is more than 64");
      }
      long dataOffset = shapeOffset + WORD + rank * WORD;
      r.expect(tuple + 3 * WORD, dataOffset, "data offset of tensor " + i);
      String name = r.string(tuple + 4 * WORD, "name of tensor " + i);
      long dtypeCode = r.uint(tuple + WORD, "dtype of tensor " + i);
      int shapeAt = tuple + (int) shapeOffset;
      long[] shape = new long[(int) rank];
      for (int d = 0; d < rank; d++) {
        shape[d] = r.uint(shapeAt + WORD + d * WORD, "dimension " + d + " of tensor " + i);
      }
      byte[] data = r.bytes(tuple + (int) dataOffset, "data of tensor " + i);
      tensors.add(new Tensor(name, DType.ofCode((int) Math.min(dtypeCode, 255)), shape, data));
      expectedTuple += dataOffset + WORD + padded(data.length);
    }
    if (!Arrays.equals(encode(tensors), encoded)) {
      throw new TensorFormatException(
          "not the canonical encoding of its tensors (offsets, padding or trailing bytes differ)");
    }
    return List.copyOf(tensors);
  }

  private static byte[] encodeTuple(Tensor t) {
    byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
    long[] shape = t.shape();
    byte[] data = t.data();
    int nameBytes = WORD + padded(name.length);
    int shapeBytes = WORD + WORD * shape.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    word(out, 4 * WORD);
    word(out, t.dtype().code());
    word(out, 4L * WORD + nameBytes);
    word(out, 4L * WORD + nameBytes + shapeBytes);
    dynamicBytes(out, name);
    word(out, shape.length);
    for (long d : shape) {
      word(out, d);
    }
    dynamicBytes(out, data);
    return out.toByteArray();
  }

  private static void dynamicBytes(ByteArrayOutputStream out, byte[] b) {
    word(out, b.length);
    out.writeBytes(b);
    out.writeBytes(new byte[padded(b.length) - b.length]);
  }

  private static int padded(int length) {
    return (length + WORD - 1) / WORD * WORD;
  }

  private static long padded(long length) {
    return (length + WORD - 1) / WORD * WORD;
  }

  private static void word(ByteArrayOutputStream out, long value) {
    byte[] w = new byte[WORD];
    ByteBuffer.wrap(w, WORD - 8, 8).putLong(value);
    out.writeBytes(w);
  }

  /** Bounds-checked reads of ABI words. */
  private record Reader(byte[] b) {
    long uint(int at, String what) {
      if (at < 0 || at + WORD > b.length) {
        throw new TensorFormatException(what + ": truncated at byte " + at + " of " + b.length);
      }
      // values here are lengths, offsets, dimensions and type codes: at most 40 bits
      for (int i = at; i < at + WORD - 5; i++) {
        if (b[i] != 0) {
          throw new TensorFormatException(
              what + ": value " + new BigInteger(1, Arrays.copyOfRange(b, at, at + WORD)) + " is out of range");
        }
      }
      long v = 0;
      for (int i = at + WORD - 5; i < at + WORD; i++) {
        v = (v << 8) | (b[i] & 0xFF);
      }
      return v;
    }

    void expect(int at, long value, String what) {
      long v = uint(at, what);
      if (v != value) {
        throw new TensorFormatException(what + ": " + v + " is not the canonical offset " + value);
      }
    }

    int offset(int at, String what) {
      long v = uint(at, what);
      if (v > b.length) {
        throw new TensorFormatException(what + ": offset " + v + " points past the end (" + b.length + " bytes)");
      }
      return (int) v;
    }

    byte[] bytes(int at, String what) {
      long len = uint(at, what + " length");
      if (at + WORD + len > b.length) {
        throw new TensorFormatException(what + ": " + len + " bytes do not fit in " + b.length);
      }
      return Arrays.copyOfRange(b, at + WORD, at + WORD + (int) len);
    }

    String string(int at, String what) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes(at, what)))
            .toString();
      } catch (CharacterCodingException e) {
        throw new TensorFormatException(what + ": not valid UTF-8");
      }
    }
  }
}
