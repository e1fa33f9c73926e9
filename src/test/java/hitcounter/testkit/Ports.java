package hitcounter.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for test servers, taken below the kernel's ephemeral range (32768-60999
 * here). A port the kernel handed out as free (port 0) is an ephemeral one: between the test
 * asking and the server binding it, an outgoing connection could take it, which once failed a
 * node's bind in CI ("Address already in use"). Ports below that range are never given to
 * outgoing connections; each is checked free and handed out once per JVM.
 */
public final class Ports {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final AtomicInteger NEXT = new AtomicInteger(LOW + ThreadLocalRandom.current().nextInt(HIGH - LOW));

  private Ports() {}

  public static int free() {
    for (int tries = 0; tries < HIGH - LOW; tries++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement() - LOW, HIGH - LOW);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new IllegalStateException("no free port from " + LOW + " to " + HIGH);
  }
}
