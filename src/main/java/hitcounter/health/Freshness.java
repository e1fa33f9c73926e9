package hitcounter.health;

import hitcounter.count.ViewHealth;
import hitcounter.replicate.DatacenterStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * How fresh the figures of an answer are: a datacenter not heard of for longer than
 * {@code stale-after}, and every stall reported by this datacenter's nodes or by another
 * datacenter's heartbeat, make the answer stale, each with its reason and age; so does this
 * node's table not holding what a datacenter's heads said {@code stale-after} ago (another
 * node's table being behind does not). Counting lag is the longest wait of a job not yet counted
 * (or of commits failing, or of this node's table) among them.
 */
public final class Freshness {
  /** The freshness part of an answer. */
  public record Report(boolean stale, double ageSeconds, double countingLagSeconds, List<Stall> late) {}

  private final String datacenter;
  private final String node;
  private final DatacenterStates datacenters;
  private final LocalStalls local;
  private final ViewHealth view;
  private final double staleAfterSeconds;

  public Freshness(String datacenter, DatacenterStates datacenters, LocalStalls local, Duration staleAfter) {
    this(datacenter, "", datacenters, local, new ViewHealth(), staleAfter);
  }

  public Freshness(String datacenter, String node, DatacenterStates datacenters, LocalStalls local, ViewHealth view, Duration staleAfter) {
    this.datacenter = datacenter;
    this.node = node;
    this.datacenters = datacenters;
    this.local = local;
    this.view = view;
    this.staleAfterSeconds = staleAfter.toMillis() / 1000.0;
  }

  /** The report for figures of {@code shown} datacenters (this one is always among them). */
  public Report of(Collection<String> shown) {
    Map<String, Double> ages = datacenters.agesSeconds();
    Map<String, DatacenterStates.State> states = datacenters.all();
    List<Stall> late = new ArrayList<>();
    double oldest = 0;
    for (String dc : shown) {
      double age = round(ages.getOrDefault(dc, datacenters.sinceStartSeconds()));
      oldest = Math.max(oldest, age);
      if (age > staleAfterSeconds) {
        late.add(new Stall(dc, Stall.NOT_HEARD, "", "no heartbeat from " + dc + " for " + Math.round(age) + " s", age));
      } else if (!dc.equals(datacenter) && states.containsKey(dc)) {
        // Another datacenter's tables are never this node's: its view-behind stalls stay there.
        Stall.fromJson(states.get(dc).stalls()).stream().filter(s -> !s.why().equals(Stall.VIEW_BEHIND)).forEach(late::add);
      }
    }
    // This node's own table is judged below; the view-behind stalls other nodes report are theirs.
    local.current().stream().filter(s -> !s.why().equals(Stall.VIEW_BEHIND)).forEach(late::add);
    viewStalls(view, node, staleAfterSeconds, System.currentTimeMillis()).stream().filter(st -> shown.contains(st.datacenter())).forEach(late::add);
    double lag = 0;
    for (Stall s : late) {
      oldest = Math.max(oldest, s.ageSeconds());
      if (s.why().equals(Stall.COUNTING) || s.why().equals(Stall.COMMIT_FAILING) || s.why().equals(Stall.VIEW_BEHIND)) {
        lag = Math.max(lag, s.ageSeconds());
      }
    }
    return new Report(!late.isEmpty(), round(oldest), round(lag), List.copyOf(late));
  }

  /** The stalls of {@code node}'s table not holding what a datacenter's heads said more than {@code afterSeconds} ago. */
  static List<Stall> viewStalls(ViewHealth view, String node, double afterSeconds, long now) {
    List<Stall> out = new ArrayList<>();
    view.behind().forEach((dc, b) -> {
      double age = (now - b.sinceMillis()) / 1000.0;
      if (age > afterSeconds) {
        out.add(new Stall(dc, Stall.VIEW_BEHIND, node, "the table of " + node + " lacks what the heads of " + dc + " said " + Math.round(age) + " s ago: "
            + b.reason(), age));
      }
    });
    return out;
  }

  /** Changes whenever a heartbeat or a stall report is heard (both counters only grow). */
  public long version() {
    return datacenters.version() + local.version();
  }

  /** The stalls of this datacenter, for its heartbeat. */
  public List<Stall> local() {
    // A node's view-behind stalls are about its own table: they stay out of the heartbeat.
    return local.current().stream().filter(s -> !s.why().equals(Stall.VIEW_BEHIND)).toList();
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
