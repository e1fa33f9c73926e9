package hitcounter.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one day's visits to a site came from, in one datacenter: per dimension (referring host,
 * campaign source, medium, campaign) the top {@value #TOP} values with their visits, and the
 * visits of every other value in one "other" figure. Merging sums and keeps the top again (ties
 * by value, so every node keeps the same ones); a value pushed out once stays in "other". Bounded
 * whatever the traffic: at most 4 × {@value #TOP} values a site, day and datacenter. Not
 * thread-safe.
 */
public final class Referrals {
  public static final int TOP = 100;
  public static final String[] DIMENSIONS = {"referrer", "source", "medium", "campaign"};

  /** Per dimension: value → visits. */
  final List<TreeMap<String, Long>> values = List.of(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
  final long[] other = new long[4];

  public boolean isEmpty() {
    for (int d = 0; d < 4; d++) {
      if (!values.get(d).isEmpty() || other[d] != 0) {
        return false;
      }
    }
    return true;
  }

  /** One visit with {@code value} in dimension {@code d} (null: none). */
  void count(int d, String value) {
    if (value != null) {
      values.get(d).merge(value, 1L, Long::sum);
      trim(d);
    }
  }

  void add(Referrals o) {
    for (int d = 0; d < 4; d++) {
      TreeMap<String, Long> mine = values.get(d);
      o.values.get(d).forEach((v, n) -> mine.merge(v, n, Long::sum));
      other[d] += o.other[d];
      trim(d);
    }
  }

  Referrals copy() {
    Referrals c = new Referrals();
    c.add(this);
    return c;
  }

  private void trim(int d) {
    TreeMap<String, Long> m = values.get(d);
    if (m.size() <= TOP) {
      return;
    }
    List<Map.Entry<String, Long>> order = new ArrayList<>(m.entrySet());
    order.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : Long.compare(b.getValue(), a.getValue()));
    for (Map.Entry<String, Long> e : order.subList(TOP, order.size())) {
      other[d] += e.getValue();
    }
    TreeMap<String, Long> kept = new TreeMap<>();
    for (Map.Entry<String, Long> e : order.subList(0, TOP)) {
      kept.put(e.getKey(), e.getValue());
    }
    m.clear();
    m.putAll(kept);
  }

  /** Value → visits of dimension {@code d}. */
  public Map<String, Long> of(int d) {
    return java.util.Collections.unmodifiableMap(values.get(d));
  }

  public long other(int d) {
    return other[d];
  }

  long bytes() {
    long b = 64;
    for (TreeMap<String, Long> m : values) {
      for (String v : m.keySet()) {
        b += 64 + v.length();
      }
    }
    return b;
  }

  void write(CountsCodec.Sink out) {
    for (int d = 0; d < 4; d++) {
      out.varint(values.get(d).size());
      for (var e : values.get(d).entrySet()) {
        byte[] v = e.getKey().getBytes(StandardCharsets.UTF_8);
        out.varint(v.length);
        out.write(v, 0, v.length);
        out.varint(e.getValue());
      }
      out.varint(other[d]);
    }
  }

  static Referrals read(CountsCodec.Source in) {
    Referrals r = new Referrals();
    for (int d = 0; d < 4; d++) {
      long n = in.count(TOP);
      for (long i = 0; i < n; i++) {
        String v = new String(in.bytes((int) in.count(4 * hitcounter.page.Referral.MAX_LENGTH)), StandardCharsets.UTF_8);
        r.values.get(d).put(v, in.count(Long.MAX_VALUE));
      }
      r.other[d] = in.count(Long.MAX_VALUE);
    }
    return r;
  }
}
