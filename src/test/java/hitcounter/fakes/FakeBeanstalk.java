package hitcounter.fakes;

import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.Job;
import hitcounter.page.JobCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;

/**
 * An in-memory beanstalkd queue for unit tests: ready jobs in id order, reserved ones held until
 * deleted or released; a closed client gives its reserved jobs back, as beanstalkd does when a
 * connection drops. reserve() answers at once (empty when nothing is ready). Jobs can be marked
 * reserved "by another connection" (delete answers NOT_FOUND for them, as beanstalkd does), and
 * the server can "restart without its binlog" (ids from 1 again, a new session).
 */
public class FakeBeanstalk implements Beanstalk {
  private final TreeMap<Long, byte[]> ready = new TreeMap<>();
  private final TreeMap<Long, byte[]> reserved = new TreeMap<>();
  private final TreeMap<Long, byte[]> buried = new TreeMap<>();
  private final Set<Long> reservedElsewhere = new HashSet<>();
  private final Map<Long, Long> createdAt = new HashMap<>();
  private long nextId = 1;
  private long session = 7;
  public volatile boolean down;
  /** Puts are written but never answered (a connection that broke after the put went out). */
  public volatile boolean silent;
  private final List<Runnable> beforeNextTouch = new ArrayList<>();

  /** Runs {@code r} just before the next touch (a reservation lapsing at the worst moment). */
  public synchronized void beforeNextTouch(Runnable r) {
    beforeNextTouch.add(r);
  }

  /** Takes a reserved job away as if another connection got it (its reservation here lapsed). */
  public synchronized void takeAway(long id) {
    byte[] body = reserved.remove(id);
    if (body != null) {
      ready.put(id, body);
    }
    reservedElsewhere.add(id);
  }

  /** Deletes a job as another connection would. */
  public synchronized void deleteElsewhere(long id) {
    reservedElsewhere.remove(id);
    ready.remove(id);
    reserved.remove(id);
  }

  /** Puts a format-2 job holding {@code pages} (one per line), as the hit queue does. */
  public synchronized long put(String pages) {
    return putRaw(JobCodec.encode(2, session, List.of(pages.split("\n", -1))));
  }

  /** Puts a job with exactly this body (format 1, poison, ...). */
  public synchronized long putRaw(String body) {
    return putRaw(body.getBytes(StandardCharsets.UTF_8));
  }

  public synchronized long putRaw(byte[] body) {
    long id = nextId++;
    ready.put(id, body);
    createdAt.put(id, System.currentTimeMillis());
    return id;
  }

  public synchronized String session() {
    return JobCodec.sessionName(session);
  }

  /** Starts "again without the binlog": every job is gone, ids start from 1, a new session. */
  public synchronized void restartWithoutBinlog() {
    ready.clear();
    reserved.clear();
    buried.clear();
    nextId = 1;
    session++;
    run++;
  }

  /** The run of this beanstalkd: a new one after each restart without the binlog. */
  private int run = 1;
  /** Runs named so far (each naming is a marker read on a connection of its own). */
  public volatile int namings;

  @Override
  public synchronized CompletionStage<String> incarnation(long connection) {
    if (down) {
      return CompletableFuture.failedFuture(new hitcounter.infra.beanstalk.NotQueued("beanstalkd down"));
    }
    if (!mine(connection)) {
      return CompletableFuture.failedFuture(new hitcounter.infra.beanstalk.NotQueued("connection " + connection + " is gone"));
    }
    namings++;
    return CompletableFuture.completedFuture("r" + run);
  }

  /** From now on, {@code id} is reserved by some other connection (delete answers NOT_FOUND). */
  public synchronized void reserveElsewhere(long id) {
    reservedElsewhere.add(id);
  }

  public synchronized void releaseElsewhere(long id) {
    reservedElsewhere.remove(id);
  }

  public synchronized int readyCount() {
    return (int) ready.keySet().stream().filter(id -> !reservedElsewhere.contains(id)).count();
  }

  public synchronized int reservedCount() {
    return reserved.size();
  }

  public synchronized int buriedCount() {
    return buried.size();
  }

  public synchronized boolean exists(long id) {
    return ready.containsKey(id) || reserved.containsKey(id) || buried.containsKey(id);
  }

  @Override
  public synchronized CompletionStage<Long> put(LongFunction<byte[]> body, long priority, Duration delay, Duration ttr) {
    if (down) {
      return CompletableFuture.failedFuture(new hitcounter.infra.beanstalk.NotQueued("beanstalkd down"));
    }
    if (silent) {
      putRaw(body.apply(session)); // it did arrive: only the answer is lost
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(putRaw(body.apply(session)));
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

  private boolean mine(long connection) {
    return connection == ANY_CONNECTION || connection == session;
  }

  @Override
  public synchronized CompletionStage<List<Long>> delete(long connection, List<Long> ids) {
    if (!mine(connection)) {
      return CompletableFuture.completedFuture(List.of());
    }
    if (down) {
      return CompletableFuture.failedFuture(new RuntimeException("beanstalkd down"));
    }
    List<Long> deleted = new ArrayList<>();
    for (long id : ids) {
      if (reservedElsewhere.contains(id)) {
        continue; // NOT_FOUND: reserved by another connection
      }
      if (reserved.remove(id) != null | ready.remove(id) != null | buried.remove(id) != null) {
        deleted.add(id);
        deletes++;
      }
    }
    return CompletableFuture.completedFuture(deleted);
  }

  @Override
  public synchronized CompletionStage<Void> release(long connection, List<Long> ids, long priority, Duration delay) {
    if (!mine(connection)) {
      return CompletableFuture.completedFuture(null);
    }
    for (long id : ids) {
      byte[] body = reserved.remove(id);
      if (body != null) {
        ready.put(id, body);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<Long>> touch(long connection, List<Long> ids) {
    List<Runnable> hooks;
    synchronized (this) {
      hooks = new ArrayList<>(beforeNextTouch);
      beforeNextTouch.clear();
    }
    hooks.forEach(Runnable::run);
    return touchNow(connection, ids);
  }

  private synchronized CompletionStage<List<Long>> touchNow(long connection, List<Long> ids) {
    if (!mine(connection)) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.completedFuture(ids.stream().filter(id -> reserved.containsKey(id) && !reservedElsewhere.contains(id)).toList());
  }

  @Override
  public synchronized CompletionStage<Boolean> bury(long connection, long id, long priority) {
    if (!mine(connection)) {
      return CompletableFuture.completedFuture(false);
    }
    byte[] body = reserved.remove(id);
    if (body != null) {
      buried.put(id, body);
    }
    return CompletableFuture.completedFuture(body != null);
  }

  @Override
  public synchronized CompletionStage<Map<Long, byte[]>> peek(List<Long> ids) {
    if (down) {
      return CompletableFuture.failedFuture(new RuntimeException("beanstalkd down"));
    }
    Map<Long, byte[]> out = new HashMap<>();
    for (long id : ids) {
      byte[] body = ready.containsKey(id) ? ready.get(id) : reserved.containsKey(id) ? reserved.get(id) : buried.get(id);
      if (body != null) {
        out.put(id, body);
      }
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public synchronized CompletionStage<Optional<Duration>> oldestReadyAge() {
    if (ready.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long oldest = ready.keySet().stream().mapToLong(id -> createdAt.getOrDefault(id, System.currentTimeMillis())).min().orElse(System.currentTimeMillis());
    return CompletableFuture.completedFuture(Optional.of(Duration.ofMillis(System.currentTimeMillis() - oldest)));
  }

  /** Jobs deleted so far (beanstalkd's {@code cmd-delete}). */
  private long deletes;

  @Override
  public synchronized CompletionStage<Map<String, String>> stats() {
    return CompletableFuture.completedFuture(Map.of(
        "current-jobs-ready", String.valueOf(ready.size()),
        "current-jobs-reserved", String.valueOf(reserved.size()),
        "current-jobs-buried", String.valueOf(buried.size()),
        "cmd-delete", String.valueOf(deletes)));
  }

  /** Gives every reserved job back, as beanstalkd does when the reserving connection drops. */
  @Override
  public synchronized void close() {
    ready.putAll(reserved);
    reserved.clear();
    session++; // the next call opens a new connection
  }

  private Optional<Job> take() {
    if (down) {
      return Optional.empty();
    }
    for (var e : ready.entrySet()) {
      if (!reservedElsewhere.contains(e.getKey())) {
        ready.remove(e.getKey());
        reserved.put(e.getKey(), e.getValue());
        return Optional.of(new Job(e.getKey(), e.getValue(), session));
      }
    }
    return Optional.empty();
  }
}
