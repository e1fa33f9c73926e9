package hitcounter.infra.consul;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What this node asks of Consul, measured once, where the request is sent: a timer per kind of
 * call ({@code read}, {@code blocking_read}, {@code txn}, {@code put}, {@code delete},
 * {@code agent}) and outcome ({@code ok}, {@code conflict}, {@code denied} (403: the ACL token does not allow it), {@code error}, {@code failed}), the
 * request bytes per kind, and the KV operations inside transactions.
 */
public final class ConsulMetrics {
  public enum Kind {
    READ("read"),
    BLOCKING_READ("blocking_read"),
    TXN("txn"),
    PUT("put"),
    DELETE("delete"),
    AGENT("agent");

    final String tag;

    Kind(String tag) {
      this.tag = tag;
    }
  }

  public enum Outcome {
    OK("ok"),
    CONFLICT("conflict"),
    /** 403: the node's ACL token does not allow the call (or there is none). */
    DENIED("denied"),
    ERROR("error"),
    FAILED("failed");

    final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Kind, Counter> bytes = new ConcurrentHashMap<>();
  private final Counter txnOps;

  public ConsulMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.txnOps =
        Counter.builder("hitcounter.consul.txn.operations")
            .description("KV operations inside the Consul transactions this node sent")
            .register(registry);
  }

  void record(Kind kind, Outcome outcome, long nanos, long requestBytes) {
    timers
        .computeIfAbsent(kind.tag + '/' + outcome.tag, k -> Timer.builder("hitcounter.consul.requests")
            .description("Consul HTTP API calls of this node, by kind and outcome")
            .tags("kind", kind.tag, "outcome", outcome.tag)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
    if (requestBytes > 0) {
      bytes
          .computeIfAbsent(kind, k -> Counter.builder("hitcounter.consul.request.bytes")
              .description("Bytes of request (line, headers and body) this node sent to Consul, by kind of call")
              .baseUnit("bytes")
              .tag("kind", k.tag)
              .register(registry))
          .increment(requestBytes);
    }
  }

  void txnOperations(int n) {
    txnOps.increment(n);
  }
}
