package hitcounter.fakes;

import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.Job;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-memory beanstalkd queue for unit tests: ready jobs in id order, reserved ones held until
 * deleted or released; a closed client gives its reserved jobs back, as beanstalkd does when a
 * connection drops. reserve() answers at once (empty when nothing is ready).
 */
public class FakeBeanstalk implements Beanstalk {
  private final TreeMap<Long, byte[]> ready = new TreeMap<>();
  private final TreeMap<Long, byte[]> reserved = new TreeMap<>();
  private final TreeMap<Long, byte[]> buried = new TreeMap<>();
  private long nextId = 1;
  public volatile boolean down;

  public synchronized long put(String body) {
    long id = nextId++;
    ready.put(id, body.getBytes(StandardCharsets.UTF_8));
    return id;
  }

  public synchronized int readyCount() {
    return ready.size();
  }

  public synchronized int reservedCount() {
    return reserved.size();
  }

  public synchronized int buriedCount() {
    return buried.size();
  }

  @Override
  public synchronized CompletionStage<Long> put(byte[] body, long priority, Duration delay, Duration ttr) {
    if (down) {
      return CompletableFuture.failedFuture(new RuntimeException("beanstalkd down"));
    }
    long id = nextId++;
    ready.put(id, body);
    return CompletableFuture.completedFuture(id);
  }

  @Override
  public synchronized CompletionStage<Optional<Job>> reserve(Duration timeout) {
    Optional<Job> job = take();
    if (job.isPresent()) {
      return CompletableFuture.completedFuture(job);
    }
    // An empty queue answers after a short wait, as reserve-with-timeout would.
    return CompletableFuture.supplyAsync(
        Optional::<Job>empty, CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  @Override
  public synchronized CompletionStage<List<Job>> reserveReady(int max) {
    List<Job> out = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      Optional<Job> j = take();
      if (j.isEmpty()) {
        break;
      }
      out.add(j.get());
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public synchronized CompletionStage<List<Long>> delete(List<Long> ids) {
    List<Long> gone = new ArrayList<>();
    for (long id : ids) {
      reserved.remove(id);
      ready.remove(id);
      gone.add(id);
    }
    return CompletableFuture.completedFuture(gone);
  }

  @Override
  public synchronized CompletionStage<Void> release(List<Long> ids, long priority, Duration delay) {
    for (long id : ids) {
      byte[] body = reserved.remove(id);
      if (body != null) {
        ready.put(id, body);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<Boolean> bury(long id, long priority) {
    byte[] body = reserved.remove(id);
    if (body != null) {
      buried.put(id, body);
    }
    return CompletableFuture.completedFuture(body != null);
  }

  @Override
  public synchronized CompletionStage<List<Long>> existing(List<Long> ids) {
    List<Long> out = new ArrayList<>();
    for (long id : ids) {
      if (ready.containsKey(id) || reserved.containsKey(id) || buried.containsKey(id)) {
        out.add(id);
      }
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public synchronized CompletionStage<Map<String, String>> stats() {
    return CompletableFuture.completedFuture(Map.of("current-jobs-ready", String.valueOf(ready.size())));
  }

  /** Gives every reserved job back, as beanstalkd does when the reserving connection drops. */
  @Override
  public synchronized void close() {
    ready.putAll(reserved);
    reserved.clear();
  }

  private Optional<Job> take() {
    if (down || ready.isEmpty()) {
      return Optional.empty();
    }
    var e = ready.pollFirstEntry();
    reserved.put(e.getKey(), e.getValue());
    return Optional.of(new Job(e.getKey(), e.getValue()));
  }
}
