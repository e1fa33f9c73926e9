package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.Manifest;
import hitcounter.store.PageHash;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.StoreProbe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The benchmark of a fold at a million pages (not part of the suite: its name does not end in
 * Test; ops/fold-bench.sh runs it): the keeper's table holds 1M pages of its own datacenter and
 * 1M of another, as in production; the folder folds a journal of 1,000 entries that touch every
 * page, then one of 1,000 entries over 100,000 pages (a fold under uniform load over 1M pages:
 * due at max-entries, and its pages fall in every shard, so every shard is rewritten; a fold
 * that touches few shards costs less, a smaller journal is not due). Per fold: wall time, the keeper's heap at its peak over the
 * table's own, and what the fold read from and wrote to Consul (a fake that counts). Writes the
 * figures to target/fold-cost.txt. Production store settings.
 */
class FoldCost {
  private static final int PAGES = 1_000_000;
  private static final StoreSettings PRODUCTION = new StoreSettings(192 * 1024, 256 * 1024, 1.0, 1000, 64L << 20, Duration.ofSeconds(2), 25,
      Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(30));

  private static String page(int i) {
    return "p-" + Long.toHexString(PageHash.of("fold" + i)) + "-" + i;
  }

  /** {@code entries} entries of queue q0 of {@code dc} from {@code from}, spreading {@code pages} pages over them (one hit each), and the head. */
  private static void journal(FakeConsul consul, String dc, long from, int entries, int pages, int firstPage) {
    int perEntry = pages / entries;
    for (int e = 0; e < entries; e++) {
      TreeMap<String, Long> counts = new TreeMap<>();
      for (int p = 0; p < perEntry; p++) {
        counts.put(page(firstPage + e * perEntry + p), 1L);
      }
      consul.put("us-west", StoreKeys.entry(dc, "q0", from + e), CountsCodec.encode(CountsCodec.ENTRY, counts));
    }
    long to = from + entries - 1;
    long counted = from > 1 ? PAGES + pages : pages;
    consul.put("us-west", StoreKeys.head(dc, "q0"), new QueueHead(to, counted, 0, Map.of(), 0).toBytes());
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  void aFoldAtAMillionPages() throws Exception {
    ActorTestKit kit = ActorTestKit.create();
    try {
      FakeConsul consul = new FakeConsul("us-west");
      journal(consul, "us-west", 1, 1000, PAGES, 0);
      journal(consul, "eu-west", 1, 1000, PAGES, PAGES); // another datacenter's copy, as the keeper's view holds it
      CountTable table = new CountTable();
      StoreStatus status = new StoreStatus();
      BlockingQueryWatch.Settings watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
      ActorRef<CountView.Command> view = kit.spawn(CountView.create(consul, table, status, new BadValues(new SimpleMeterRegistry()), watch, Duration.ofSeconds(1)));
      await(() -> table.listings().sums().getOrDefault("us-west", 0L) == PAGES && table.listings().sums().getOrDefault("eu-west", 0L) == PAGES, 600);
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      List<String> report = new ArrayList<>();
      report.add("table: " + table.size() + " pages, " + table.bytes() / 1_000_000 + " MB of arrays; heap after GC with the table loaded: "
          + usedAfterGc(memory) / 1_000_000 + " MB");

      report.add(fold(kit, consul, view, table, memory, 1, "first fold: 1,000 entries touching all 1,000,000 pages (every shard written)"));
      journal(consul, "us-west", 1001, 1000, 100_000, 0);
      report.add(fold(kit, consul, view, table, memory, 2, "next fold, due at 1,000 entries: 100,000 hits over as many pages, which fall in every shard"));
      assertEquals(PAGES + 100_000L, StoreProbe.counts(consul, null, "us-west").values().stream().mapToLong(Long::longValue).sum());
      report.forEach(System.out::println);
      Files.write(Path.of("target", "fold-cost.txt"), report);
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static String fold(ActorTestKit kit, FakeConsul consul, ActorRef<CountView.Command> view, CountTable table, MemoryMXBean memory, long gen, String what)
      throws InterruptedException, IOException {
    long base = usedAfterGc(memory);
    consul.reads.set(0);
    consul.readBytes.set(0);
    consul.writeOps.set(0);
    int txnsBefore = consul.txns.get();
    AtomicLong peak = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    long started = System.nanoTime();
    var folder = kit.spawn(Folder.create(consul, view, PRODUCTION));
    try {
      await(() -> consul.entry("us-west", StoreKeys.snapshotPointer("us-west"))
          .flatMap(x -> hitcounter.store.SnapshotPointer.parse(x.value())).map(x -> x.gen() >= gen).orElse(false), 180);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; shards written " + consul.kvKeys(null, StoreKeys.storePrefix("us-west") + "s/").toCompletableFuture().join().size()
          + ", manifests " + consul.kvKeys(null, StoreKeys.storePrefix("us-west") + "m/").toCompletableFuture().join()
          + ", pointer " + consul.entry("us-west", StoreKeys.snapshotPointer("us-west")).map(x -> new String(x.value())).orElse("none"), e);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    Thread.sleep(8_000); // the views load the new snapshot, the garbage is collected after its grace
    sampling.set(false);
    sampler.join();
    kit.stop(folder);
    Manifest m = StoreProbe.manifest(consul, null, "us-west");
    return String.format("%s: %d ms to the flip; in the 8 s from the start on: heap peak %d MB over the %d MB before it (young garbage included); Consul reads %d (%.1f MB of values),"
        + " write ops %d in %d transactions; snapshot %d shards, %.1f MB", what, millis, (peak.get() - base) / 1_000_000, base / 1_000_000, consul.reads.get(),
        consul.readBytes.get() / 1e6, consul.writeOps.get(), consul.txns.get() - txnsBefore, m.shards().size(), m.snapshotBytes() / 1e6);
  }

  private static void await(java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, st) -> {
          dump.append(t.getName()).append(' ').append(t.getState()).append('\n');
          for (StackTraceElement e : st) {
            dump.append("    ").append(e).append('\n');
          }
        });
        try {
          Files.writeString(Path.of("target", "fold-cost-threads.txt"), dump);
        } catch (IOException e) {
          // the assertion says enough
        }
        throw new AssertionError("not within " + seconds + " s (threads in target/fold-cost-threads.txt)");
      }
      Thread.sleep(50);
    }
  }
}
