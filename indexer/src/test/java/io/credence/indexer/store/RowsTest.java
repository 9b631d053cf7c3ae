package io.credence.indexer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Values in COPY's text format, as UTF-8 bytes. */
class RowsTest {
  private static String text(Object v) {
    Rows.Bytes b = new Rows.Bytes();
    Rows.text(b, v);
    return b.toString();
  }

  @Test
  void valuesAreWrittenInCopysTextFormat() {
    assertThat(text(null)).isEqualTo("\\N");
    assertThat(text(new byte[] {0, (byte) 0xab, 0x7f, (byte) 0xff})).isEqualTo("\\\\x00ab7fff");
    assertThat(text(new byte[0])).isEqualTo("\\\\x");
    assertThat(text(42L)).isEqualTo("42");
    assertThat(text(-7)).isEqualTo("-7");
    assertThat(
            text(
                new BigInteger(
                    "115792089237316195423570985008687907853269984665640564039457584007913129639935")))
        .isEqualTo(
            "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    assertThat(text(true)).isEqualTo("t");
    assertThat(text("0xAbC")).isEqualTo("0xAbC");
  }

  @Test
  void textIsEscapedAndEncodedAsUtf8() {
    assertThat(text("a\tb\nc\rd\\e")).isEqualTo("a\\tb\\nc\\rd\\\\e");
    String mixed = "file:données/模型 v1.onnx\t✓";
    Rows.Bytes b = new Rows.Bytes();
    Rows.text(b, mixed);
    assertThat(java.util.Arrays.copyOf(b.a, b.n))
        .isEqualTo("file:données/模型 v1.onnx\\t✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theBufferGrowsPastItsFirstSize() {
    Rows.Bytes b = new Rows.Bytes();
    byte[] big = new byte[50_000];
    big[49_999] = 1;
    Rows.text(b, big);
    assertThat(b.n).isEqualTo(3 + 100_000);
    assertThat(b.toString()).endsWith("0001");
  }
}
