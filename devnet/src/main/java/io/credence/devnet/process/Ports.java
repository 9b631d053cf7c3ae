package io.credence.devnet.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports for test services, and a check whether something listens on one. */
public final class Ports {
  private Ports() {}

  /**
   * Ports below Linux's ephemeral range (32768 and up), where the system never puts the local end
   * of an outgoing connection: a port chosen here stays free until the service that gets it binds
   * it, however many connections the test opens meanwhile.
   */
  private static final int FIRST = 20_000;

  private static final int COUNT = 12_000;

  /** Ports this JVM has handed out: never twice, even before their services bind them. */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  /**
   * A port free on 127.0.0.1 now, not handed out before by this JVM, and outside the range the
   * system gives to outgoing connections.
   */
  public static int free() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = FIRST + ThreadLocalRandom.current().nextInt(COUNT);
      if (GIVEN.add(port) && bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free port on 127.0.0.1 between " + FIRST + " and " + (FIRST + COUNT));
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** True when a TCP connection to 127.0.0.1:{@code port} succeeds. */
  public static boolean listening(int port) {
    return listening("127.0.0.1", port);
  }

  public static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
