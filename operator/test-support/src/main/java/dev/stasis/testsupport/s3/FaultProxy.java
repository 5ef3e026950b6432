package dev.stasis.testsupport.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP/1.1 proxy on loopback, in front of a server such as {@link S3Server}.
 * Requests are relayed unchanged (signatures stay valid) unless a rule matches; a rule answers with
 * an error status, or cuts the connection (TCP reset) after part of the request body was forwarded.
 * Every request is logged for assertions.
 *
 * <p>It reads each request's head and body (by Content-Length) from the client and relays responses
 * byte for byte; clients do not pipeline, so a response always belongs to the request before it.
 * {@code Expect: 100-continue} is answered by the proxy itself.
 */
public final class FaultProxy implements AutoCloseable {
  /** A request as the proxy saw it. */
  public record Request(String method, String target, long contentLength) {
    /** The query parameter {@code name}, or null. */
    public String query(String name) {
      int q = target.indexOf('?');
      if (q < 0) {
        return null;
      }
      for (String p : target.substring(q + 1).split("&")) {
        int eq = p.indexOf('=');
        String k = eq < 0 ? p : p.substring(0, eq);
        if (k.equals(name)) {
          return eq < 0 ? "" : p.substring(eq + 1);
        }
      }
      return null;
    }

    /** An S3 UploadPart request. */
    public boolean isUploadPart() {
      return method.equals("PUT") && query("partNumber") != null;
    }

    /** A ranged or whole GET of an object. */
    public boolean isGet() {
      return method.equals("GET") && target.indexOf('/', 1) > 0;
    }
  }

  /** What to do with a matching request. */
  public sealed interface Fault permits Status, Reset {}

  /** Answer with this status and an S3-style error body, without forwarding the request. */
  public record Status(int code, String errorCode) implements Fault {}

  /**
   * Forward the head and {@code afterBodyBytes} of the body, then reset both connections. For a
   * GET, forward the request and reset after {@code afterBodyBytes} of the response.
   */
  public record Reset(long afterBodyBytes) implements Fault {}

  private record Rule(Predicate<Request> match, Fault fault, AtomicInteger remaining) {}

  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Request> log = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger injected = new AtomicInteger();
  private volatile boolean closed;

  public FaultProxy(URI upstream) throws IOException {
    this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "fault-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  /** {@code http://127.0.0.1:<port>} */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Applies {@code fault} to the next {@code times} requests that match. */
  public FaultProxy inject(Predicate<Request> match, Fault fault, int times) {
    rules.add(new Rule(match, fault, new AtomicInteger(times)));
    return this;
  }

  /** Removes all rules. */
  public void clearFaults() {
    rules.clear();
  }

  /** Faults injected so far. */
  public int injected() {
    return injected.get();
  }

  public List<Request> requests() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  private Fault faultFor(Request r) {
    for (Rule rule : rules) {
      if (rule.match().test(r)) {
        int left = rule.remaining().getAndDecrement();
        if (left > 0) {
          injected.incrementAndGet();
          return rule.fault();
        }
      }
    }
    return null;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      b.write(c);
    }
    if (c < 0 && b.size() == 0) {
      return null;
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private void serve(Socket client) {
    try (client;
        Socket up = new Socket()) {
      up.connect(upstream, 5_000);
      open.add(up);
      InputStream cin = client.getInputStream();
      OutputStream cout = client.getOutputStream();
      InputStream uin = up.getInputStream();
      OutputStream uout = up.getOutputStream();
      ResponsePump pump = new ResponsePump(uin, cout);
      Thread pt = new Thread(pump, "fault-proxy-resp");
      pt.setDaemon(true);
      pt.start();
      while (true) {
        String requestLine = readLine(cin);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        List<String> headers = new ArrayList<>();
        long length = 0;
        boolean expectContinue = false;
        String line;
        while ((line = readLine(cin)) != null && !line.isEmpty()) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(line.substring(15).trim());
          }
          if (lower.startsWith("expect:") && lower.contains("100-continue")) {
            expectContinue = true;
            continue;
          }
          if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            throw new IOException("chunked request bodies are not supported by FaultProxy");
          }
          headers.add(line);
        }
        String[] parts = requestLine.split(" ");
        Request req = new Request(parts[0], parts.length > 1 ? parts[1] : "", length);
        log.add(req);
        Fault fault = faultFor(req);
        if (expectContinue) {
          synchronized (cout) {
            cout.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            cout.flush();
          }
        }
        if (fault instanceof Status s) {
          cin.skipNBytes(length);
          byte[] body =
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                      + s.errorCode()
                      + "</Code><Message>injected by FaultProxy</Message></Error>")
                  .getBytes(StandardCharsets.UTF_8);
          String head =
              "HTTP/1.1 "
                  + s.code()
                  + " Injected\r\nContent-Type: application/xml\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n";
          synchronized (cout) {
            cout.write(head.getBytes(StandardCharsets.ISO_8859_1));
            cout.write(body);
            cout.flush();
          }
          continue;
        }
        StringBuilder head = new StringBuilder(requestLine).append("\r\n");
        for (String h : headers) {
          head.append(h).append("\r\n");
        }
        head.append("\r\n");
        uout.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (fault instanceof Reset r && length > 0) {
          copy(cin, uout, Math.min(r.afterBodyBytes(), length));
          uout.flush();
          reset(client);
          reset(up);
          return;
        }
        if (fault instanceof Reset r) {
          pump.resetAfter(r.afterBodyBytes(), client, up);
        }
        copy(cin, uout, length);
        uout.flush();
      }
    } catch (IOException e) {
      // connection ended
    }
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new IOException("client closed mid-body");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  /** Relays the upstream's responses to the client; can cut a response short. */
  private static final class ResponsePump implements Runnable {
    private final InputStream in;
    private final OutputStream out;
    private volatile long resetAfter = -1;
    private volatile Socket a;
    private volatile Socket b;

    ResponsePump(InputStream in, OutputStream out) {
      this.in = in;
      this.out = out;
    }

    void resetAfter(long bytes, Socket a, Socket b) {
      this.a = a;
      this.b = b;
      this.resetAfter = bytes;
    }

    @Override
    public void run() {
      byte[] buf = new byte[64 * 1024];
      long sent = 0;
      try {
        while (true) {
          int r = in.read(buf);
          if (r < 0) {
            break;
          }
          long limit = resetAfter;
          if (limit >= 0) {
            // Count from the first response bytes after the rule was armed (headers included).
            int n = (int) Math.min(r, Math.max(0, limit - sent));
            synchronized (out) {
              out.write(buf, 0, n);
              out.flush();
            }
            sent += n;
            if (sent >= limit) {
              reset(a);
              reset(b);
              return;
            }
            continue;
          }
          synchronized (out) {
            out.write(buf, 0, r);
            out.flush();
          }
        }
      } catch (IOException e) {
        // connection ended
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // ignore
    }
    synchronized (open) {
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // ignore
        }
      }
    }
  }
}
