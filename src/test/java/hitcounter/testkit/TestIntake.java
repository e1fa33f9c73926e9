package hitcounter.testkit;

import com.typesafe.config.ConfigFactory;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.config.Sites;
import hitcounter.config.SitesSettings;
import hitcounter.ingest.HitGate;
import hitcounter.ingest.HitIntake;
import hitcounter.ingest.HitQueue;
import hitcounter.ingest.PageCaps;
import hitcounter.ingest.RateLimits;
import hitcounter.store.CountTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.function.Supplier;

/** The intake of route tests: the sites of application.conf (the default site, open), no trusted proxy. */
public final class TestIntake {
  private TestIntake() {}

  public static Supplier<Sites> defaultSites() {
    return () -> Sites.of(new LiveSettings(ConfigFactory.load()).get(Setting.SITES), SitesSettings.create(ConfigFactory.load()));
  }

  public static HitIntake of(HitQueue queue, CountTable table) {
    return of(queue, table, defaultSites());
  }

  public static HitIntake of(HitQueue queue, CountTable table, Supplier<Sites> sites) {
    return new HitIntake(new HitGate(sites, new RateLimits(1000), new PageCaps(table), new SimpleMeterRegistry()), queue, List.of());
  }
}
