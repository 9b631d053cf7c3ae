package io.credence.relayer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;

/** The relayer's configuration. Every key is documented in docs/relayer.md. */
@ConfigMapping(prefix = "credence.relayer")
public interface RelayerConfig {
  /** The InferenceHub followed and settled to (deployments/&lt;chainId&gt;.json). */
  String hub();

  /** The WorkerRegistry result signers must be active in. */
  String workerRegistry();

  /** The ModelRegistry that says where each model's file is. */
  String modelRegistry();

  /**
   * The DisputeCourt. With it the relayer draws the audits of every settlement batch it sees, draws
   * challenges' juries, sends jury jobs, submits the jurors' verdicts and resolves disputes whose
   * verdict window closed; without it, none of that (logged at start).
   */
  Optional<String> court();

  /** How the relayer works the DisputeCourt. */
  Accountability accountability();

  /** Topic the jobs go to. */
  @WithDefault("credence.jobs.v1")
  String jobsTopic();

  /** Consumer group of the workers (read to send quorum copies to different workers). */
  @WithDefault("credence-workers")
  String workerGroup();

  /** The relayer's PostgreSQL schema (Flyway creates it). */
  @WithDefault("relayer")
  String dbSchema();

  /** The signing key of this relayer instance (it pays the gas). */
  Key key();

  Chain chain();

  Dispatch dispatch();

  Settlement settlement();

  /** The relayer's loop ({@link Engine}). */
  Loop engine();

  /** Secret for the admin endpoints (Authorization: Bearer); without one they answer 403. */
  Optional<String> adminToken();

  interface Accountability {
    /** Topic jury jobs go to; every worker reads every one (a jury is particular keys). */
    @WithDefault("credence.juries.v1")
    String juriesTopic();

    /** A court transaction whose effect is not seen this long after it was sent is sent again. */
    @WithDefault("20s")
    Duration resendAfter();

    /** Most verdicts in one submitVerdicts transaction. */
    @WithDefault("32")
    int maxVerdicts();
  }

  interface Key {
    /**
     * Private key as hex, from the environment (CREDENCE_RELAYER_KEY_HEX); ignored with a keystore.
     */
    Optional<String> hex();

    /** An encrypted JSON keystore (web3 secret storage). */
    Optional<String> keystore();

    /** The keystore's password, from the environment (CREDENCE_RELAYER_KEY_PASSWORD). */
    Optional<String> password();
  }

  interface Chain {
    /** First block to read when there is no cursor yet (the deployment block). */
    @WithDefault("0")
    long startBlock();

    /** How many blocks behind the head the listener stays. */
    @WithDefault("1")
    int confirmations();

    /** Blocks per eth_getLogs to begin with; grows on success, halves on provider errors. */
    @WithDefault("100")
    int initialRange();

    @WithDefault("5000")
    int maxRange();

    /** How often the relayer looks at the chain, its queues and its transactions. */
    @WithDefault("100ms")
    Duration pollInterval();
  }

  interface Dispatch {
    /** Dispatch paused at start (admin endpoints pause and resume it at run time). */
    @WithDefault("false")
    boolean paused();

    /** How long a dispatched request waits for its quorum before it is dispatched again. */
    @WithDefault("30s")
    Duration resultTimeout();

    /** Most dispatches of one request; after that it waits for its deadline and is expired. */
    @WithDefault("3")
    int maxAttempts();

    /** Expire requests past their deadline on-chain, refunding the requester. */
    @WithDefault("true")
    boolean expire();
  }

  /** Requests signed off-chain, posted to {@code POST /v1/requests}. */
  Signed signed();

  interface Signed {
    /** Signed requests accepted per requester per second (a token bucket). */
    @WithDefault("5")
    double ratePerSecond();

    /** Most signed requests of one requester accepted at once. */
    @WithDefault("20")
    double burst();

    /**
     * How long {@code POST /v1/requests} waits for the request to be mined before answering 202.
     */
    @WithDefault("30s")
    Duration waitForMined();
  }

  interface Settlement {
    /** Most receipts in one transaction. */
    @WithDefault("32")
    int maxBatch();

    /** How long the oldest ready receipt waits for a fuller batch. */
    @WithDefault("200ms")
    Duration maxWait();

    /** Cap on the fee per gas (EIP-1559 maxFeePerGas), in wei. */
    @WithDefault("200000000000")
    BigInteger maxFeePerGas();

    /** Tip per gas (maxPriorityFeePerGas), in wei. */
    @WithDefault("1000000000")
    BigInteger priorityFeePerGas();

    /** A transaction unmined this long is replaced with the same nonce and higher fees. */
    @WithDefault("30s")
    Duration stuckAfter();

    /** Fee increase of a replacement, in percent (nodes require at least 10). */
    @WithDefault("20")
    int feeBumpPercent();

    /** Most submissions of one receipt the hub refuses before it is given up (then expired). */
    @WithDefault("3")
    int maxSubmissions();

    /**
     * Sends only receipts and failures whose gas allowance pays back their gas at the fees of the
     * moment (latest base fee plus the tip); the others wait, and expire at their deadline if fees
     * never fall to them. Off: the relayer pays what allowances do not (a subsidy).
     */
    @WithDefault("true")
    boolean requireReimbursement();

    /** The wallet claims what the hub paid it back once that is at least this much, in wei. */
    @WithDefault("10000000000000000")
    BigInteger claimAbove();

    /** Below this balance, in wei, the relayer warns (log and readiness data). */
    @WithDefault("100000000000000000")
    BigInteger lowBalance();

    /**
     * After the node said the wallet cannot pay, nothing is sent for this long (then it is tried
     * again).
     */
    @WithDefault("10s")
    Duration dryPause();
  }

  interface Loop {
    /**
     * Most listener steps (one eth_getLogs range each) per round, so that a long backfill does not
     * hold up dispatch and settlement.
     */
    @WithDefault("8")
    int listenSteps();

    /** How often the wallet's balance is read and the queue-depth metrics are refreshed. */
    @WithDefault("2s")
    Duration housekeepingInterval();

    /** Readiness is DOWN when no round went through for this long. */
    @WithDefault("30s")
    Duration readyWithin();
  }
}
