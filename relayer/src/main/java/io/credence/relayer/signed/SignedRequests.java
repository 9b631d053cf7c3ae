package io.credence.relayer.signed;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ContractErrors;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.settlement.GasCharges;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.model.TxKind;
import io.credence.relayer.settle.Settler;
import io.credence.relayer.settle.Wallet;
import io.credence.relayer.store.SignedRequestStore;
import io.credence.relayer.store.SignedRequestStore.Signed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Requests signed off-chain ({@code POST /v1/requests}): each is checked before any gas is spent on
 * it (shape, input, size, rate, signature, model terms, deadline, nonce, balance, whether its
 * allowance pays back its submission and settlement at today's fees, and finally a simulation of
 * the hub's {@code requestInferenceFor}), each refusal a {@link Refused} with its HTTP status; then
 * stored and submitted by the relayer's loop ({@link #submit}), which pays the gas and is paid back
 * from the request's allowance.
 */
@ApplicationScoped
public class SignedRequests {
  private static final Logger LOG = Logger.getLogger(SignedRequests.class);
  private static final String REQUESTED =
      EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
  private static final byte[] ERC1271_MAGIC = Numeric.hexStringToByteArray("0x1626ba7e");
  private static final long MAX_DEADLINE_WINDOW = 30L * 24 * 3600;
  private static final int PER_ROUND = 32;

  private final Contracts contracts;
  private final Wallet wallet;
  private final SignedRequestStore store;
  private final RelayerConfig config;
  private final Map<String, RateLimit.Bucket> buckets = new ConcurrentHashMap<>();

  @Inject
  public SignedRequests(
      Contracts contracts, Wallet wallet, SignedRequestStore store, RelayerConfig config) {
    this.contracts = contracts;
    this.wallet = wallet;
    this.store = store;
    this.config = config;
  }

  /**
   * Checks {@code body} and stores it for the loop to submit; the same signed request posted again
   * is the same row. Returns its digest.
   *
   * @throws Refused with the status and reason when it would not be accepted
   */
  public byte[] accept(SignedRequestBody body) throws IOException {
    InferenceRequest request = SignedRequestBody.parse(body);
    byte[] input = SignedRequestBody.hex(body.input(), "input");
    byte[] signature = SignedRequestBody.hex(body.signature(), "signature");
    if (!java.util.Arrays.equals(Hashes.keccak256(input), request.inputHash())) {
      throw new Refused(400, "input does not match request.inputHash (keccak256 of the input)");
    }
    InferenceHub hub = contracts.hubView();
    long maxInput = call(() -> hub.config().send().component3()).longValueExact();
    if (input.length == 0 || input.length > maxInput) {
      throw new Refused(
          413, "input is " + input.length + " bytes; the hub takes 1 to " + maxInput + " bytes");
    }
    byte[] digest = request.digest(contracts.domain());
    if (store.find(digest).isPresent()) {
      return digest; // posted before: the same request, whatever became of it
    }
    if (!bucket(request.requester()).take()) {
      throw new Refused(
          429,
          "too many signed requests from "
              + request.requester()
              + " (at most "
              + config.signed().ratePerSecond()
              + " a second); try again shortly");
    }
    checkSignature(request, digest, signature);
    var terms = call(() -> hub.modelTerms(request.modelId()).send());
    int quorum = terms.component3().intValueExact();
    if (quorum == 0) {
      throw new Refused(404, "model " + request.modelId() + " is not registered");
    }
    if (terms.component4()) {
      throw new Refused(422, "model " + request.modelId() + " is retired");
    }
    if (request.fee().compareTo(terms.component2()) < 0) {
      throw new Refused(
          422,
          "fee "
              + request.fee()
              + " wei is below model "
              + request.modelId()
              + "'s fee of "
              + terms.component2()
              + " wei");
    }
    long now = contracts.chainTime();
    if (request.deadline() <= now || request.deadline() > now + MAX_DEADLINE_WINDOW) {
      throw new Refused(
          422,
          "deadline "
              + request.deadline()
              + " must be after the next block's time ("
              + now
              + ") and at most 30 days ahead");
    }
    BigInteger key = request.nonce().shiftRight(64);
    BigInteger next = call(() -> hub.nonces(request.requester(), key).send());
    if (!next.equals(request.nonce())) {
      throw new Refused(
          409,
          "nonce "
              + request.nonce()
              + " is not the next of key "
              + key
              + " (that is "
              + next
              + "): replayed, or sent out of order");
    }
    BigInteger balance = call(() -> hub.balanceOf(request.requester()).send());
    BigInteger needed = request.fee().add(request.gasAllowance());
    if (balance.compareTo(needed) < 0) {
      throw new Refused(
          402,
          "the requester's vault balance is "
              + balance
              + " wei; fee + gasAllowance is "
              + needed
              + " wei: deposit() the difference first");
    }
    BigInteger price = wallet.price();
    if (request.maxFeePerGas().compareTo(price) < 0) {
      throw new Refused(
          422,
          "maxFeePerGas "
              + request.maxFeePerGas()
              + " is below what gas costs now ("
              + price
              + " wei)");
    }
    BigInteger covers = GasCharges.allowance(quorum, request.callbackGas(), price, input.length);
    if (request.gasAllowance().compareTo(covers) < 0) {
      throw new Refused(
          422,
          "gasAllowance "
              + request.gasAllowance()
              + " wei does not pay back submitting and"
              + " settling this request at "
              + price
              + " wei per gas; at least "
              + covers
              + " wei (the hub's quoteSigned gives it)");
    }
    String data = encode(request, input, signature);
    Wallet.Estimate simulated = wallet.estimate(data);
    if (simulated.revert() != null) {
      throw new Refused(
          422, "the hub would refuse it: " + ContractErrors.describe(simulated.revert()));
    }
    store.queue(digest, request.requester(), Numeric.hexStringToByteArray(data));
    return digest;
  }

  /** The stored row of a posted request. */
  public Optional<Signed> find(byte[] digest) {
    return store.find(digest);
  }

  /**
   * The loop's step: records what mined, then sends what is queued (each simulated first; one the
   * hub now refuses fails with why).
   *
   * @return transactions sent
   */
  public int submit() throws IOException {
    for (SignedRequestStore.Landed l : store.landed(PER_ROUND)) {
      if ("REVERTED".equals(l.txState())) {
        store.reverted(l.txId(), "transaction " + l.minedHash() + " reverted");
        continue;
      }
      var receipt =
          contracts.web3j().ethGetTransactionReceipt(l.minedHash()).send().getTransactionReceipt();
      if (receipt.isEmpty()) {
        continue;
      }
      for (Log log : receipt.get().getLogs()) {
        if (!log.getTopics().isEmpty()
            && REQUESTED.equals(log.getTopics().get(0))
            && log.getAddress().equalsIgnoreCase(contracts.hub())) {
          store.mined(l.txId(), Numeric.toBigInt(log.getTopics().get(1)).longValueExact());
        }
      }
    }
    if (!wallet.canSend()) {
      return 0;
    }
    int sent = 0;
    for (Signed s : store.toSend(PER_ROUND)) {
      String data = Numeric.toHexString(s.call());
      Wallet.Estimate e = wallet.estimate(data);
      if (e.revert() != null) {
        String why = ContractErrors.describe(e.revert());
        LOG.infof("signed request of %s is refused by the hub now: %s", s.requester(), why);
        store.failed(s.digest(), "the hub refuses it: " + why);
        continue;
      }
      try {
        wallet.send(
            TxKind.SIGNED_REQUEST,
            contracts.hub(),
            data,
            Settler.gasLimit(e.gas()),
            List.of(),
            SignedRequestStore.sentIn(s.digest()));
        sent++;
      } catch (RuntimeException failure) {
        // one request that cannot be stored as a transaction must not hold up the loop's round
        // (and every other request with it); a chain that cannot be reached (IOException) does
        LOG.errorf(
            "signed request of %s could not be sent (%s); it is marked failed",
            s.requester(), failure.getMessage());
        store.failed(s.digest(), "the relayer could not send it: " + failure.getMessage());
      }
    }
    return sent;
  }

  /** The signature recovers the requester, or the requester's contract (ERC-1271) accepts it. */
  private void checkSignature(InferenceRequest request, byte[] digest, byte[] signature)
      throws IOException {
    if (signature.length == 65) {
      try {
        if (ReceiptSigner.recover(digest, signature).equalsIgnoreCase(request.requester())) {
          return;
        }
      } catch (SignatureException e) {
        // not an EOA's signature of this digest: perhaps a contract wallet's
      }
    }
    String code =
        contracts
            .web3j()
            .ethGetCode(request.requester(), DefaultBlockParameterName.LATEST)
            .send()
            .getCode();
    if (code != null && code.length() > 2) {
      String call =
          FunctionEncoder.encode(
              new Function(
                  "isValidSignature",
                  List.<Type>of(new Bytes32(digest), new DynamicBytes(signature)),
                  List.of()));
      var out =
          contracts
              .web3j()
              .ethCall(
                  Transaction.createEthCallTransaction(null, request.requester(), call),
                  DefaultBlockParameterName.LATEST)
              .send();
      if (!out.hasError()
          && !out.isReverted()
          && out.getValue() != null
          && out.getValue().length() >= 10
          && java.util.Arrays.equals(
              java.util.Arrays.copyOf(Numeric.hexStringToByteArray(out.getValue()), 4),
              ERC1271_MAGIC)) {
        return;
      }
    }
    throw new Refused(
        401,
        "the signature is not "
            + request.requester()
            + "'s over this InferenceRequest (EIP-712, domain Credence 1, chain "
            + contracts.chainId()
            + ", hub "
            + contracts.hub()
            + ")");
  }

  private static String encode(InferenceRequest r, byte[] input, byte[] signature) {
    return FunctionEncoder.encode(
        new Function(
            InferenceHub.FUNC_REQUESTINFERENCEFOR,
            List.<Type>of(r.toHub(), new DynamicBytes(input), new DynamicBytes(signature)),
            List.of()));
  }

  /** A chain read, its failure an IOException. */
  private interface Read<T> {
    T get() throws Exception;
  }

  private static <T> T call(Read<T> read) throws IOException {
    try {
      return read.get();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("reading the hub failed: " + e.getMessage(), e);
    }
  }

  private RateLimit.Bucket bucket(String requester) {
    return buckets.computeIfAbsent(
        requester.toLowerCase(Locale.ROOT),
        k -> new RateLimit.Bucket(config.signed().ratePerSecond(), config.signed().burst()));
  }

  /** How long {@code POST /v1/requests} waits for the request to be mined. */
  public Duration waitForMined() {
    return config.signed().waitForMined();
  }
}
