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
    if (handlers.put(EventEncoder.encode(event), handler) != null) {
      throw new IllegalStateException("two handlers of " + event.getName());
    }
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
