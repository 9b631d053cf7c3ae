package io.credence.indexer.ingest;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.protocol.core.methods.response.Log;

/** The events of one contract, each turned into rows in the step's context. */
abstract class ContractIngest {
  @FunctionalInterface
  interface Handler {
    void handle(Step step, Log log) throws SQLException;
  }

  private final Map<String, Handler> handlers = new HashMap<>();
  private final String address;

  ContractIngest(String address) {
    this.address = lower(address);
  }

  /** The contract's address, lower-case. */
  final String address() {
    return address;
  }

  final void on(Event event, Handler handler) {
    on(EventEncoder.encode(event), event.getName(), handler);
  }

  /**
   * A handler by the event's Solidity signature, for events with a struct parameter: web3j finds a
   * struct's type by reflection on the binding's generic types, which fails under Quarkus' class
   * loader (the court's ModelTermsSet went unmatched there, and the court's dispute view does not
   * decode), so such events are matched by their ABI signature and their words read directly.
   */
  final void on(String signature, Handler handler) {
    on(org.web3j.crypto.Hash.sha3String(signature), signature, handler);
  }

  private void on(String topic, String name, Handler handler) {
    if (handlers.put(topic, handler) != null) {
      throw new IllegalStateException("two handlers of " + name);
    }
  }

  /** Word {@code i} (32 bytes) of a log's data, as an unsigned integer. */
  static java.math.BigInteger word(Log log, int i) {
    String data = log.getData();
    int from = 2 + i * 64;
    return new java.math.BigInteger(data.substring(from, from + 64), 16);
  }

  /** The events this contract's logs are read for. */
  final int events() {
    return handlers.size();
  }

  /** Applies {@code log} (of this contract); a topic it does not follow is ignored. */
  final void apply(Step step, Log log) throws SQLException {
    Handler h = handlers.get(log.getTopics().get(0));
    if (h != null) {
      step.begin(log);
      h.handle(step, log);
    }
  }

  static String lower(String address) {
    return address.toLowerCase(Locale.ROOT);
  }
}
