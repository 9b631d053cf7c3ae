package io.credence.cli;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.protocol.chain.CheckedTransactionManager;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.Callable;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.gas.DefaultGasProvider;
import picocli.CommandLine.Command;

/**
 * A hidden command, for scripts/credence only: does offline what a chain command does (parses a
 * JSON-RPC answer holding a log, decodes the hub's events and the tensors in them), so that the
 * class-data archive the launcher records with it after each build holds the classes a real command
 * loads (about 800 more than a failed connection loads, ~0.1 s of every later start).
 */
@Command(
    name = "warm-up",
    hidden = true,
    description =
        "Loads the classes a chain command needs, without a chain (scripts/credence uses it).")
final class WarmUp implements Callable<Integer> {
  private static final String ZERO_WORD = "0x" + "0".repeat(64);
  private static final String NOBODY = "0x0000000000000000000000000000000000000000";

  @Override
  public Integer call() throws Exception {
    byte[] tensors =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f)));
    List<Type> requested =
        List.of(
            new Bytes32(new byte[32]),
            new Uint256(1),
            new Uint64(2),
            new Address(NOBODY),
            new Uint32(0),
            new DynamicBytes(tensors));
    decode(
        EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT),
        List.of(ZERO_WORD, ZERO_WORD, ZERO_WORD),
        FunctionEncoder.encodeConstructor(requested),
        true);
    List<Type> settled =
        List.of(new DynamicBytes(new byte[ReceiptProofs.PROOF_BYTES]), new DynamicBytes(tensors));
    decode(
        EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT),
        List.of(ZERO_WORD),
        FunctionEncoder.encodeConstructor(settled),
        false);
    // the HTTP client's and the registry binding's classes: calls to a port nothing listens on
    Web3j web3j = Web3j.build(new HttpService("http://127.0.0.1:9"));
    try {
      refused(() -> web3j.ethChainId().send());
      refused(() ->
          ModelRegistry.load(
                  NOBODY,
                  web3j,
                  CheckedTransactionManager.readonly(web3j, null),
                  new DefaultGasProvider())
              .model(BigInteger.ONE)
              .send());
    } finally {
      web3j.shutdown();
    }
    return 0;
  }

  private static void refused(Callable<?> call) {
    try {
      call.call();
    } catch (Exception expected) {
      // no node is the point: the classes are loaded by then
    }
  }

  /** A log as eth_getLogs answers it, parsed by web3j's mapper and decoded by the binding. */
  private static void decode(String signature, List<String> topics, String data, boolean requested)
      throws Exception {
    StringBuilder t = new StringBuilder("\"" + signature + "\"");
    topics.forEach(topic -> t.append(",\"").append(topic).append('"'));
    String json =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"address\":\"0x0000000000000000000000000000000000000001\",\"topics\":["
            + t
            + "],\"data\":\"0x"
            + data
            + "\",\"blockNumber\":\"0x1\",\"transactionHash\":\""
            + ZERO_WORD
            + "\",\"transactionIndex\":\"0x0\","
            + "\"blockHash\":\""
            + ZERO_WORD
            + "\",\"logIndex\":\"0x0\",\"removed\":false}]}";
    EthLog logs = ObjectMapperFactory.getObjectMapper().readValue(json, EthLog.class);
    Log log = (Log) logs.getLogs().get(0).get();
    if (requested) {
      TensorCodec.decode(InferenceHub.getInferenceRequestedEventFromLog(log).input);
    } else {
      TensorCodec.decode(InferenceHub.getInferenceSettledEventFromLog(log).output);
    }
  }
}
