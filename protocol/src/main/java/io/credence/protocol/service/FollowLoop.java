package io.credence.protocol.service;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A service's one worker thread: runs {@link Round rounds} back to back while there is more to do,
 * waits {@code pollInterval} (or until {@link #wake()}) when there is not, and backs off (see
 * {@link Backoff}) when a round throws, so a node or database outage slows the loop down instead of
 * failing the service. One thread does all the rounds, so rounds never race each other.
 *
 * <p>Readiness comes from here: {@link #lastError()} is the last failed round's message (null once
 * a round goes through) and {@link #isFresh(Duration)} says whether a round finished recently. The
 * relayer's engine and the indexer's follower are both one of these.
 */
public final class FollowLoop {
  private static final System.Logger LOG = System.getLogger(FollowLoop.class.getName());

  /** One round of a service's work. */
  @FunctionalInterface
  public interface Round {
    /**
     * Does one round.
     *
     * @return true when there is more to do right away (no wait before the next round)
     */
    boolean run() throws Exception;
  }

  /** Waiting, for tests that must not depend on the clock. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final String name;
  private final Round round;
  private final Duration pollInterval;
  private final Backoff backoff;
  private final Sleeper sleeper;
  private final Semaphore wake = new Semaphore(0);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private Runnable onFailure = () -> {};
  private volatile boolean running;
  private volatile Thread thread;
  private volatile String lastError;
  private volatile long lastRoundNanos;

  /**
   * @param name what a round is, in log lines ("relayer round", "indexing step") and the thread's
   *     name
   * @param pollInterval the wait after a round with nothing more to do
   */
  public FollowLoop(String name, Round round, Duration pollInterval, Backoff backoff) {
    this(name, round, pollInterval, backoff, null);
  }

  /** As above, waiting out back-offs with {@code sleeper} (tests). */
  public FollowLoop(
      String name, Round round, Duration pollInterval, Backoff backoff, Sleeper sleeper) {
    this.name = Objects.requireNonNull(name);
    this.round = Objects.requireNonNull(round);
    this.pollInterval = Objects.requireNonNull(pollInterval);
    this.backoff = Objects.requireNonNull(backoff);
    // by default a back-off ends early only when the loop is stopped (a wake() must not cut it
    // short)
    this.sleeper =
        sleeper != null ? sleeper : millis -> stopped.await(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code action} after every failed round, before the back-off (to forget half-read state).
   */
  public FollowLoop onFailure(Runnable action) {
    this.onFailure = Objects.requireNonNull(action);
    return this;
  }

  /** Starts the thread (a daemon: it never keeps the JVM alive). */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException(name + " loop already started");
    }
    running = true;
    thread =
        Thread.ofPlatform().name("credence-" + name.replace(' ', '-')).daemon().start(this::run);
  }

  /**
   * Stops the loop: the round in progress may finish (each commits what it did) for up to {@code
   * grace}; a round still running then (stuck in a call to the node) is interrupted.
   */
  public void stop(Duration grace) throws InterruptedException {
    running = false;
    stopped.countDown();
    wake.release();
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      t.join(Math.max(1, grace.toMillis()));
      if (t.isAlive()) {
        t.interrupt();
        t.join(1_000);
      }
    }
  }

  /** Runs the next round now instead of after the poll interval. */
  public void wake() {
    wake.release();
  }

  /** The last failed round's message, or null when the last round went through. */
  public String lastError() {
    return lastError;
  }

  /** When the last round went through (System.nanoTime), 0 before the first. */
  public long lastRoundNanos() {
    return lastRoundNanos;
  }

  /**
   * Whether a round went through within {@code within} and none failed since: the readiness rule.
   */
  public boolean isFresh(Duration within) {
    long last = lastRoundNanos;
    return last != 0 && System.nanoTime() - last < within.toNanos() && lastError == null;
  }

  /**
   * The loop itself; runs on the caller's thread until {@link #stop} or an interrupt (tests call it
   * directly).
   */
  void run() {
    long wait = 0;
    while (running) {
      try {
        boolean more = round.run();
        lastError = null;
        lastRoundNanos = System.nanoTime();
        wait = 0;
        if (!more) {
          wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        onFailure.run();
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        wait = backoff.nextMillis(wait);
        // formatted here: the bridge behind System.Logger (JBoss LogManager in the services) need
        // not know MessageFormat
        LOG.log(
            System.Logger.Level.WARNING,
            String.format("%s failed (%s); again in %d ms", name, lastError, wait));
        LOG.log(System.Logger.Level.DEBUG, name + " failure", e);
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** For {@link #run()} called directly: lets the loop go round until {@link #stop}. */
  void arm() {
    running = true;
  }
}
