package io.credence.protocol.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FollowLoopTest {
  @Test
  void failedRoundsBackOffDoublingAndARoundThatGoesThroughClearsTheErrorAndTheBackOff()
      throws Exception {
    List<Long> slept = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger forgotten = new AtomicInteger();
    List<String> errorsSeen = new ArrayList<>();
    FollowLoop[] loop = new FollowLoop[1];
    // fails three times, goes through once, fails once more, then stops the loop
    FollowLoop.Round round =
        () -> {
          int n = calls.incrementAndGet();
          errorsSeen.add(loop[0].lastError());
          if (n <= 3 || n == 5) {
            throw new IOException("node down " + n);
          }
          if (n == 6) {
            loop[0].stop(Duration.ZERO);
          }
          return true;
        };
    loop[0] =
        new FollowLoop("test round", round, Duration.ofSeconds(1), Backoff.DEFAULT, slept::add)
            .onFailure(forgotten::incrementAndGet);
    loop[0].arm();
    loop[0].run();

    assertThat(slept)
        .as("waits after failures 1, 2, 3 and then 5")
        .containsExactly(250L, 500L, 1000L, 250L);
    assertThat(forgotten).hasValue(4);
    assertThat(errorsSeen)
        .containsExactly(null, "node down 1", "node down 2", "node down 3", null, "node down 5");
    assertThat(loop[0].lastError()).isNull();
    assertThat(loop[0].isFresh(Duration.ofMinutes(1))).isTrue();
  }

  @Test
  void aFailedRoundMakesTheLoopUnreadyWithItsReason() throws Exception {
    FollowLoop[] loop = new FollowLoop[1];
    loop[0] =
        new FollowLoop(
            "test round",
            () -> {
              throw new IOException("connection refused: http://127.0.0.1:8545");
            },
            Duration.ofSeconds(1),
            Backoff.DEFAULT,
            millis -> loop[0].stop(Duration.ZERO));
    loop[0].arm();
    loop[0].run();
    assertThat(loop[0].lastError()).isEqualTo("connection refused: http://127.0.0.1:8545");
    assertThat(loop[0].isFresh(Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void wakeRunsTheNextRoundBeforeThePollIntervalEnds() throws Exception {
    CountDownLatch second = new CountDownLatch(2);
    CountDownLatch first = new CountDownLatch(1);
    FollowLoop loop =
        new FollowLoop(
            "test round",
            () -> {
              first.countDown();
              second.countDown();
              return false;
            },
            Duration.ofDays(1),
            Backoff.DEFAULT);
    loop.start();
    try {
      assertThat(first.await(1, TimeUnit.MINUTES)).isTrue();
      loop.wake();
      // the poll interval is a day: only the wake can bring the second round
      assertThat(second.await(1, TimeUnit.MINUTES)).isTrue();
    } finally {
      loop.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void stoppingEndsABackOffAtOnceWhileAWakeDoesNot() throws Exception {
    CountDownLatch failed = new CountDownLatch(1);
    AtomicInteger rounds = new AtomicInteger();
    FollowLoop loop =
        new FollowLoop(
            "test round",
            () -> {
              rounds.incrementAndGet();
              failed.countDown();
              throw new IOException("down");
            },
            Duration.ofMillis(1),
            new Backoff(Duration.ofDays(1), Duration.ofDays(1)));
    loop.start();
    assertThat(failed.await(1, TimeUnit.MINUTES)).isTrue();
    loop.wake();
    // a day-long back-off: only stop() can end it, and does without waiting for the grace
    assertTimeoutPreemptively(Duration.ofMinutes(1), () -> loop.stop(Duration.ofDays(1)));
    assertThat(rounds).as("the wake did not cut the back-off short").hasValue(1);
  }
}
