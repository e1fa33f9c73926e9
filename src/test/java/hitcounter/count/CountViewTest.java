package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BlockingQueryWatch;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CountViewTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  @Test
  void sumsQueuesAndBucketsPerDatacenterAndFollowsChanges() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("us-west", Keys.bucketKey("us-west", "q0", 1), CountCodec.counts(Map.of("home", 3L)));
    consul.put("us-west", Keys.bucketKey("us-west", "q1", 2), CountCodec.counts(Map.of("home", 4L, "x", 1L)));
    consul.put("us-west", Keys.bucketKey("eu-west", "q0", 1), CountCodec.counts(Map.of("home", 5L)));
    CountSnapshot snapshot = new CountSnapshot();
    var view = testKit.spawn(
        CountView.create(consul, snapshot, new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50)), Duration.ofSeconds(1)));
    TestProbe<Totals> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      assertEquals(Map.of("us-west", 7L, "eu-west", 5L), snapshot.get().of("home"));
      return null;
    });
    consul.put("us-west", Keys.bucketKey("eu-west", "q0", 1), CountCodec.counts(Map.of("home", 6L)));
    probe.awaitAssert(() -> {
      view.tell(new CountView.GetTotals(probe.getRef()));
      assertEquals(13L, Totals.sum(probe.receiveMessage().of("home")));
      return null;
    });
  }
}
