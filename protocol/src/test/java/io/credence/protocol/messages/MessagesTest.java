package io.credence.protocol.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {
  private final ObjectMapper json = ProtocolJson.mapper();

  @Test
  void jobRoundTripsWithTheFieldsOfTheProtocol() throws Exception {
    JobMessage job =
        new JobMessage(
            7, 31337, "0xhub", 1, "0xmodel", "file:m.onnx", "AAAA", "0xin", 2, 1_790_000_000L, 1);
    String text = json.writeValueAsString(job);
    assertThat(json.readTree(text).fieldNames())
        .toIterable()
        .containsExactly(
            "requestId",
            "chainId",
            "hub",
            "modelId",
            "modelHash",
            "modelUri",
            "input",
            "inputHash",
            "quorum",
            "deadline",
            "attempt");
    assertThat(json.readValue(text, JobMessage.class)).isEqualTo(job);
  }

  @Test
  void resultsLeaveOutWhatDoesNotApply() throws Exception {
    ResultMessage failed =
        new ResultMessage(
            7,
            "0xw",
            ResultMessage.Status.FAILED,
            null,
            null,
            null,
            "0xsig",
            2,
            "bad shape",
            Map.of("totalMs", 3L));
    String text = json.writeValueAsString(failed);
    assertThat(text).doesNotContain("output").contains("\"status\":\"FAILED\"");
    assertThat(json.readValue(text, ResultMessage.class)).isEqualTo(failed);
  }

  @Test
  void unknownFieldsAreRejected() throws Exception {
    JobMessage job =
        new JobMessage(
            7, 31337, "0xhub", 1, "0xmodel", "file:m.onnx", "AAAA", "0xin", 2, 1_790_000_000L, 1);
    String withExtra = json.writeValueAsString(job).replaceFirst("\\{", "{\"surprise\":true,");
    assertThatThrownBy(() -> json.readValue(withExtra, JobMessage.class))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("surprise");
    assertThat(Topics.deadLetter(Topics.JOBS)).isEqualTo("credence.jobs.v1.dlq");
  }
}
