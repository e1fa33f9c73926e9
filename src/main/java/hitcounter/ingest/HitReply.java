package hitcounter.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import hitcounter.health.Stall;
import java.util.List;
import java.util.Map;

/**
 * The JSON answer of the hit routes. {@code stale}: some figure here is late: a datacenter not
 * heard of for longer than `hitcounter.replication.stale-after` (WAN or Consul trouble), a
 * queue whose jobs wait or whose commits keep failing, copies that keep failing; {@code late}
 * says which, why and how old. {@code ageSeconds}: the age of the oldest figure;
 * {@code counting.lagSeconds}: how long the oldest hit not yet counted has waited (0 when
 * counting keeps up); {@code imported}: what of the total was imported (left out when 0).
 */
public record HitReply(
    String page,
    @JsonInclude(JsonInclude.Include.NON_NULL) String site,
    String datacenter,
    long total,
    Map<String, Long> datacenters,
    boolean stale,
    double ageSeconds,
    Counting counting,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Late> late,
    @JsonInclude(JsonInclude.Include.NON_NULL) Reset reset,
    @JsonInclude(JsonInclude.Include.NON_NULL) Uniques uniques,
    long bots,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long imported) {

  public HitReply(String page, String site, String datacenter, long total, Map<String, Long> datacenters, boolean stale, double ageSeconds,
      Counting counting, List<Late> late, Reset reset) {
    this(page, site, datacenter, total, datacenters, stale, ageSeconds, counting, late, reset, null, 0, 0);
  }

  /**
   * Today's (UTC) unique visitors: {@code total} across datacenters (their sketches united),
   * per datacenter; {@code united} false when the datacenters did not all use the same visitor
   * salt today (one was cut off when it was decided): a visitor seen in two may then count twice.
   */
  public record Uniques(String day, long total, Map<String, Long> datacenters, boolean united, @JsonInclude(JsonInclude.Include.NON_NULL) String note) {}

  /** The page's latest reset or delete (the counts shown are what was counted after it). */
  public record Reset(boolean deleted, long at) {}

  public record Counting(double lagSeconds) {}

  public record Late(String datacenter, String why, String subject, String detail, double ageSeconds) {
    static Late of(Stall s) {
      return new Late(s.datacenter(), s.why(), s.subject(), s.detail(), Math.round(s.ageSeconds() * 10) / 10.0);
    }
  }
}
