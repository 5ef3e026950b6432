package dev.stasis.e2e.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Plays the pod network for one agent pod: its pod IP (a loopback address of its own, 127.0.0.x)
 * and the agent port the operator dials, leading to wherever that agent's gRPC server listens now.
 * The real agent binds its port on every interface, so several agents in one JVM cannot all listen
 * on 127.0.0.x:9443 themselves; each listens on a free port and this relays the bytes (TLS is end
 * to end between the operator and the agent). An agent that is replaced (a restart) is reached on
 * its new port by the next connection.
 */
final class LoopbackForward implements AutoCloseable {
  private final ServerSocket server;
  private final IntSupplier targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "pod-network");
            t.setDaemon(true);
            return t;
          });

  LoopbackForward(String address, int port, IntSupplier targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ":" + port, e);
    }
    threads.execute(this::accept);
  }

  /** A port free on the loopback address, for the agent port all pods of a cluster share. */
  static int freePort(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return;
      }
      Socket out;
      try {
        out = new Socket(InetAddress.getLoopbackAddress(), targetPort.getAsInt());
      } catch (IOException | RuntimeException e) {
        close(in);
        continue;
      }
      open.add(in);
      open.add(out);
      AtomicInteger running = new AtomicInteger(2);
      threads.execute(() -> pump(in, out, running));
      threads.execute(() -> pump(out, in, running));
    }
  }

  /** Copies one direction; the connection closes when both have ended or one failed. */
  private void pump(Socket from, Socket to, AtomicInteger running) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
      if (running.decrementAndGet() == 0) {
        close(from);
        close(to);
      }
    } catch (IOException e) {
      close(from);
      close(to);
    }
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(this::close);
    threads.shutdownNow();
  }
}
