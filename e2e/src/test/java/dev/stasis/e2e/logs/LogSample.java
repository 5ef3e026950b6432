package dev.stasis.e2e.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Logs what a reconcile logs: a line with the resource in the MDC, and a warning with a cause. */
public final class LogSample {
  private LogSample() {}

  public static void main(String[] args) {
    Logger log = LoggerFactory.getLogger("dev.stasis.sample");
    MDC.put("resource.namespace", "shop");
    MDC.put("resource.name", "counter-1");
    log.info("checkpointing pod counter");
    log.warn("upload failed, retrying", new java.io.IOException("connection reset"));
    MDC.clear();
  }
}
