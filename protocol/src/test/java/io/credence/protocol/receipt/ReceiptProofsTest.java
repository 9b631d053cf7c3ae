package io.credence.protocol.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ReceiptProofsTest {

  @Property
  void decodingGivesBackWhatWasEncoded(
      @ForAll @Size(max = 8) List<@LongRange(min = 0) Long> times, @ForAll byte seed) {
    List<ReceiptProofs.Proof> proofs = new ArrayList<>();
    for (int k = 0; k < times.size(); k++) {
      byte[] signature = new byte[65];
      Arrays.fill(signature, (byte) (seed + k));
      proofs.add(new ReceiptProofs.Proof(signature, times.get(k)));
    }
    byte[] encoded = ReceiptProofs.encode(proofs);
    assertThat(encoded).hasSize(73 * times.size());
    List<ReceiptProofs.Proof> decoded = ReceiptProofs.decode(encoded);
    assertThat(decoded).hasSize(proofs.size());
    for (int k = 0; k < proofs.size(); k++) {
      assertThat(decoded.get(k).signature()).isEqualTo(proofs.get(k).signature());
      assertThat(decoded.get(k).executedAt()).isEqualTo(times.get(k));
    }
  }

  @Test
  void aProofIsTheSignatureThenExecutedAtBigEndian() {
    byte[] signature = new byte[65];
    signature[0] = 1;
    signature[64] = 27;
    byte[] proof = ReceiptProofs.encode(0x0102030405060708L, signature);
    assertThat(Arrays.copyOfRange(proof, 0, 65)).isEqualTo(signature);
    assertThat(Arrays.copyOfRange(proof, 65, 73)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(ReceiptProofs.executedAt(proof, 0)).isEqualTo(0x0102030405060708L);
  }

  @Test
  void malformedProofsAreRefusedWithTheirLength() {
    assertThatThrownBy(() -> ReceiptProofs.decode(new byte[74])).hasMessageContaining("74 bytes");
    assertThatThrownBy(() -> ReceiptProofs.encode(1, new byte[64]))
        .hasMessageContaining("65 bytes, got 64");
    byte[] late = new byte[73];
    late[65] = (byte) 0x80;
    assertThatThrownBy(() -> ReceiptProofs.decode(late)).hasMessageContaining("2^63");
  }
}
