package io.credence.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.protocol.messages.ResultMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultStoreTest {
  @TempDir Path dir;

  private static ResultMessage result(long id) {
    return new ResultMessage(
        id, "0xw", ResultMessage.Status.OK, "AA==", "0xh", 1L, "0xs", null, null, Map.of());
  }

  @Test
  void survivesARestartAndCutsATornLastLine() throws Exception {
    try (ResultStore store = new ResultStore(dir, true)) {
      store.put("0xHub", result(1));
      store.put("0xhub", result(2));
    }
    // a crash in the middle of writing the third result
    Files.writeString(
        dir.resolve("results.jsonl"), "0xhub/3\t{\"requestId\":3,\"wor", StandardOpenOption.APPEND);
    try (ResultStore store = new ResultStore(dir)) {
      assertThat(store.get("0xhub", 1)).contains(result(1));
      assertThat(store.get("0xHUB", 2)).contains(result(2));
      assertThat(store.get("0xhub", 3)).isEmpty();
      store.put("0xhub", result(3));
    }
    try (ResultStore store = new ResultStore(dir)) {
      assertThat(store.get("0xhub", 3))
          .as("appended after the torn line was cut")
          .contains(result(3));
      assertThat(Files.readAllLines(dir.resolve("results.jsonl"))).hasSize(3);
    }
  }
}
