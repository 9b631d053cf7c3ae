package io.credence.protocol.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void theFirstFailureWaitsTheFirstDelayAndEachFurtherOneTwiceAsLongUpToTheCap() {
    Backoff b = Backoff.DEFAULT;
    long wait = 0;
    StringBuilder waits = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      wait = b.nextMillis(wait);
      waits.append(wait).append(' ');
    }
    assertThat(waits.toString().trim()).isEqualTo("250 500 1000 2000 4000 8000 10000 10000");
  }

  @Test
  void aRoundThatWentThroughStartsOver() {
    assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).nextMillis(0))
        .isEqualTo(100);
  }

  @Test
  void aCapBelowTheFirstDelayIsRefusedWithBothValues() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT2S")
        .hasMessageContaining("PT1S");
  }
}
