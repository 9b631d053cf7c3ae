package io.credence.protocol.chain;

import io.credence.contracts.InferenceHub;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Decodes the hub's two most frequent events, InferenceRequested and InferenceSettled, straight
 * from a log's hex into web3j's generated event types, with the values {@code
 * InferenceHub.get…EventFromLog} gives (HubEventsTest compares the two on random events). web3j's
 * generic decoder resolves its type references by reflection and regular expressions for every log,
 * which made decoding the largest Java cost of an indexer backfill; other, rarer events are decoded
 * by the generated methods.
 */
public final class HubEvents {
  public static final String REQUESTED_TOPIC =
      EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
  public static final String SETTLED_TOPIC =
      EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
  private static final HexFormat HEX = HexFormat.of();
  private static final int WORD = 32;

  private HubEvents() {}

  /** An InferenceRequested log, decoded. */
  public static InferenceHub.InferenceRequestedEventResponse requested(Log log) {
    List<String> topics = topics(log, REQUESTED_TOPIC, 4);
    byte[] data = data(log, 8);
    var e = new InferenceHub.InferenceRequestedEventResponse();
    e.log = log;
    e.requestId = uint(topics.get(1));
    e.modelId = uint(topics.get(2));
    e.requester = address(HEX.parseHex(topics.get(3), 2, topics.get(3).length()), 0);
    e.inputHash = Arrays.copyOfRange(data, 0, WORD);
    e.fee = uint(data, 1);
    e.deadline = uint(data, 2);
    e.callback = address(data, 3 * WORD);
    e.callbackGas = uint(data, 4);
    e.gasAllowance = uint(data, 5);
    e.maxFeePerGas = uint(data, 6);
    e.input = bytes(log, data, 7);
    return e;
  }

  /** An InferenceSettled log, decoded. */
  public static InferenceHub.InferenceSettledEventResponse settled(Log log) {
    List<String> topics = topics(log, SETTLED_TOPIC, 2);
    byte[] data = data(log, 2);
    var e = new InferenceHub.InferenceSettledEventResponse();
    e.log = log;
    e.requestId = uint(topics.get(1));
    e.proofs = bytes(log, data, 0);
    e.output = bytes(log, data, 1);
    return e;
  }

  private static List<String> topics(Log log, String topic0, int count) {
    List<String> topics = log.getTopics();
    if (topics == null || topics.size() != count || !topic0.equals(topics.get(0))) {
      throw malformed(log, "expected " + count + " topics starting with " + topic0);
    }
    for (int i = 1; i < count; i++) {
      if (topics.get(i).length() != 2 + 2 * WORD) {
        throw malformed(log, "topic " + i + " is not 32 bytes");
      }
    }
    return topics;
  }

  private static byte[] data(Log log, int headWords) {
    String hex = log.getData();
    if (hex == null || !hex.startsWith("0x") || hex.length() % 2 != 0) {
      throw malformed(log, "data is not 0x-prefixed hex");
    }
    byte[] data;
    try {
      data = HEX.parseHex(hex, 2, hex.length());
    } catch (IllegalArgumentException e) {
      throw malformed(log, "data is not hex");
    }
    if (data.length < headWords * WORD) {
      throw malformed(log, "data shorter than its " + headWords + " head words");
    }
    return data;
  }

  private static BigInteger uint(String topic) {
    return new BigInteger(topic.substring(2), 16);
  }

  private static BigInteger uint(byte[] data, int word) {
    return new BigInteger(1, data, word * WORD, WORD);
  }

  private static String address(byte[] data, int at) {
    return "0x" + HEX.formatHex(data, at + 12, at + WORD);
  }

  /** The dynamic {@code bytes} whose offset is head word {@code word}. */
  private static byte[] bytes(Log log, byte[] data, int word) {
    long offset = small(log, data, word * WORD);
    if (offset + WORD > data.length) {
      throw malformed(log, "bytes at word " + word + " point past the data");
    }
    long length = small(log, data, (int) offset);
    long start = offset + WORD;
    if (start + length > data.length) {
      throw malformed(log, "bytes at word " + word + " run past the data");
    }
    return Arrays.copyOfRange(data, (int) start, (int) (start + length));
  }

  /** A word that must be a small unsigned number (an offset or a length). */
  private static long small(Log log, byte[] data, int at) {
    for (int i = at; i < at + WORD - 4; i++) {
      if (data[i] != 0) {
        throw malformed(log, "offset or length out of range");
      }
    }
    return ((data[at + 28] & 0xffL) << 24)
        | ((data[at + 29] & 0xffL) << 16)
        | ((data[at + 30] & 0xffL) << 8)
        | (data[at + 31] & 0xffL);
  }

  private static IllegalArgumentException malformed(Log log, String why) {
    return new IllegalArgumentException(
        "malformed hub log (tx "
            + log.getTransactionHash()
            + ", index "
            + log.getLogIndexRaw()
            + "): "
            + why);
  }
}
