package io.credence.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.Hashes;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint8;

class TensorCodecTest {

  /** The encoding of Solidity's abi.encode(Tensor[]) computed by web3j's ABI encoder. */
  private static byte[] web3jEncoding(List<Tensor> tensors) {
    List<DynamicStruct> structs =
        tensors.stream()
            .map(t ->
                new DynamicStruct(
                    new Utf8String(t.name()),
                    new Uint8(t.dtype().code()),
                    new DynamicArray<>(
                        Uint32.class,
                        Arrays.stream(t.shape())
                            .mapToObj(d -> new Uint32(BigInteger.valueOf(d)))
                            .toList()),
                    new DynamicBytes(t.data())))
            .toList();
    DynamicArray<DynamicStruct> array = new DynamicArray<>(DynamicStruct.class, structs);
    // abi.encode of one dynamic argument: its offset (0x20), then the array
    String hex =
        "0000000000000000000000000000000000000000000000000000000000000020"
            + TypeEncoder.encode(array);
    return Hashes.fromHex(hex);
  }

  private static final Tensor FEATURES =
      Tensor.ofFloat32("features", new long[] {1, 4}, 5.1f, 3.5f, 1.4f, 0.2f);
  private static final Tensor MASK = Tensor.ofBool("mask", new long[] {3}, true, false, true);

  @Test
  void encodesLikeTheAbiEncoder() {
    List<Tensor> tensors = List.of(FEATURES, MASK);
    assertThat(TensorCodec.encode(tensors)).isEqualTo(web3jEncoding(tensors));
  }

  @Test
  void fixedVector() {
    byte[] encoded = TensorCodec.encode(Tensor.ofFloat32("p", new long[] {1, 3}, 0.1f, 0.7f, 0.2f));
    assertThat(Hashes.hex(encoded))
        .isEqualTo(
            "0x0000000000000000000000000000000000000000000000000000000000000020"
                + "0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000020"
                + "0000000000000000000000000000000000000000000000000000000000000080"
                + "0000000000000000000000000000000000000000000000000000000000000001"
                + "00000000000000000000000000000000000000000000000000000000000000c0"
                + "0000000000000000000000000000000000000000000000000000000000000120"
                + "0000000000000000000000000000000000000000000000000000000000000001"
                + "7000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000002"
                + "0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000003"
                + "000000000000000000000000000000000000000000000000000000000000000c"
                + "cdcccc3d3333333fcdcc4c3e0000000000000000000000000000000000000000");
    assertThat(TensorCodec.hash(TensorCodec.decode(encoded))).isEqualTo(Hashes.keccak256(encoded));
  }

  @Test
  void roundTripsEveryType() {
    List<Tensor> all =
        List.of(
            FEATURES,
            Tensor.ofFloat64("d", new long[] {2}, Math.PI, -0.0),
            Tensor.ofInt32("i", new long[] {2, 1}, Integer.MIN_VALUE, 7),
            Tensor.ofInt64("l", new long[] {1}, Long.MAX_VALUE),
            Tensor.ofUint8("u", new long[] {4}, (byte) 0, (byte) 255, (byte) 1, (byte) 128),
            MASK,
            Tensor.ofFloat32("scalar", new long[] {}, 42f),
            Tensor.ofFloat32("empty", new long[] {0, 3}));
    List<Tensor> back = TensorCodec.decode(TensorCodec.encode(all));
    assertThat(back).isEqualTo(all);
    assertThat(back.get(0).toFloatArray()).containsExactly(5.1f, 3.5f, 1.4f, 0.2f);
    assertThat(back.get(1).toDoubleArray()).containsExactly(Math.PI, -0.0);
    assertThat(back.get(2).toIntArray()).containsExactly(Integer.MIN_VALUE, 7);
    assertThat(back.get(3).toLongArray()).containsExactly(Long.MAX_VALUE);
    assertThat(back.get(5).toBooleanArray()).containsExactly(true, false, true);
    assertThat(TensorCodec.decode(TensorCodec.encode(List.of()))).isEmpty();
  }

  @Test
  void rejectsWhatIsNotCanonical() {
    byte[] good = TensorCodec.encode(FEATURES);
    assertThatThrownBy(() -> TensorCodec.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(TensorFormatException.class);
    assertThatThrownBy(() -> TensorCodec.decode(Arrays.copyOf(good, good.length + 32)))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("canonical");
    byte[] dirtyPadding = good.clone();
    dirtyPadding[dirtyPadding.length - 1] = 1;
    assertThatThrownBy(() -> TensorCodec.decode(dirtyPadding)).hasMessageContaining("canonical");
    byte[] badOffset = good.clone();
    badOffset[31] = 0x40;
    assertThatThrownBy(() -> TensorCodec.decode(badOffset)).hasMessageContaining("array offset");
    byte[] badDtype = good.clone();
    badDtype[32 * 4 + 31] = 9; // tuple word 1: dtype
    assertThatThrownBy(() -> TensorCodec.decode(badDtype))
        .hasMessageContaining("unknown dtype code 9");
    assertThatThrownBy(() -> TensorCodec.decode(new byte[0]))
        .isInstanceOf(TensorFormatException.class);
    assertThatThrownBy(() -> TensorCodec.decode("hello".getBytes()))
        .isInstanceOf(TensorFormatException.class);
  }

  @Test
  void tensorsMayNotShareBytes() {
    // two tensors whose offsets both point at the first tensor's encoding: rejected before copying
    byte[] one = TensorCodec.encode(FEATURES);
    byte[] aliased = new byte[one.length + 32];
    System.arraycopy(one, 0, aliased, 0, 64); // array offset and count (patched to 2 below)
    aliased[63] = 2;
    aliased[95] = 0x40; // offset of tensor 0: 64 (canonical for two tensors)
    aliased[127] = 0x40; // offset of tensor 1: also 64
    System.arraycopy(one, 96, aliased, 128, one.length - 96);
    assertThatThrownBy(() -> TensorCodec.decode(aliased))
        .hasMessageContaining("is not the canonical offset");
  }

  @Test
  void absurdShapesAreRejected() {
    assertThatThrownBy(
            () -> new Tensor("x", DType.FLOAT32, new long[] {1L << 31, 1L << 31}, new byte[0]))
        .isInstanceOf(TensorFormatException.class);
    assertThatThrownBy(() ->
            new Tensor(
                "x",
                DType.FLOAT32,
                new long[] {Tensor.MAX_DIM, Tensor.MAX_DIM, Tensor.MAX_DIM},
                new byte[0]))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void tensorsMustMatchTheirShape() {
    assertThatThrownBy(() -> Tensor.ofFloat32("x", new long[] {2, 2}, 1f, 2f, 3f))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("needs 16 bytes, data has 12");
    assertThatThrownBy(() -> Tensor.ofFloat32("x", new long[] {-1}))
        .hasMessageContaining("dimension -1");
    assertThatThrownBy(() -> FEATURES.toIntArray()).hasMessageContaining("is FLOAT32, not INT32");
  }

  @Property(tries = 200)
  void anyTensorListRoundTripsAndMatchesTheAbiEncoder(@ForAll("tensorLists") List<Tensor> tensors) {
    byte[] encoded = TensorCodec.encode(tensors);
    assertThat(TensorCodec.decode(encoded)).isEqualTo(tensors);
    assertThat(encoded).isEqualTo(web3jEncoding(tensors));
  }

  @Provide
  Arbitrary<List<Tensor>> tensorLists() {
    Arbitrary<Tensor> tensor =
        Combinators.combine(
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of(DType.values()),
                Arbitraries.longs().between(0, 5).array(long[].class).ofMaxSize(3))
            .flatAs((name, dtype, shape) -> {
              int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b) * dtype.size();
              return Arbitraries.bytes()
                  .array(byte[].class)
                  .ofSize(n)
                  .map(data -> new Tensor(name, dtype, shape, data));
            });
    return tensor.list().ofMaxSize(4);
  }
}
