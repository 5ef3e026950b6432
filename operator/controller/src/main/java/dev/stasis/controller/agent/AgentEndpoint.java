package dev.stasis.controller.agent;

/** One agent pod: where to call it. */
public record AgentEndpoint(String podName, String nodeName, String host, int port) {
  public String target() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
