package hitcounter.replicate;

import java.util.Set;

/** The datacenters Consul's WAN pool lists, as the {@link Replicator} last read them. */
public final class KnownDatacenters {
  private volatile Set<String> names = Set.of();

  public Set<String> get() {
    return names;
  }

  void set(Set<String> names) {
    this.names = Set.copyOf(names);
  }
}
