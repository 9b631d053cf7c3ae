package io.credence.indexer.ingest;

import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.core.methods.response.Log;

/** Logs as a node returns them, encoded with web3j's ABI encoder. */
final class Logs {
  private Logs() {}

  @SuppressWarnings("rawtypes")
  static Log log(
      String address, long block, int index, Event event, List<Type> indexed, List<Type> data) {
    List<String> topics = new ArrayList<>();
    topics.add(EventEncoder.encode(event));
    for (Type t : indexed) {
      topics.add("0x" + TypeEncoder.encode(t));
    }
    Log log = new Log();
    log.setAddress(address);
    log.setTopics(topics);
    log.setData("0x" + FunctionEncoder.encodeConstructor(data));
    log.setBlockNumber("0x" + Long.toHexString(block));
    log.setLogIndex("0x" + Integer.toHexString(index));
    log.setTransactionHash(String.format("0x%064x", block * 1000 + index));
    return log;
  }
}
