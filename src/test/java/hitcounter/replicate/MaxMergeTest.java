package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.audit.FiguresCodec;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaxMergeTest {
  private static KvEntry e(String key, Map<String, Long> counts, long index) {
    return new KvEntry(key, FiguresCodec.write(counts), index);
  }

  @Test
  void copiesWhatIsMissingOrBehindWithCas() {
    List<TxnOp> ops =
        MaxMerge.plan(
            List.of(e("k1", Map.of("a", 5L), 10), e("k2", Map.of("b", 1L), 11)),
            List.of(e("k1", Map.of("a", 3L), 70)));
    assertEquals(2, ops.size());
    assertEquals(70, ops.get(0).index());
    assertEquals(Map.of("a", 5L), FiguresCodec.read(ops.get(0).value()));
    assertEquals(0, ops.get(1).index(), "a missing copy is created only if still missing");
  }

  @Test
  void neverLowersACopyAndWritesNothingWhenEqual() {
    assertTrue(MaxMerge.plan(List.of(e("k", Map.of("a", 5L), 1)), List.of(e("k", Map.of("a", 5L), 2))).isEmpty());
    assertTrue(MaxMerge.plan(List.of(e("k", Map.of("a", 4L), 1)), List.of(e("k", Map.of("a", 5L), 2))).isEmpty());
    List<TxnOp> ops = MaxMerge.plan(List.of(e("k", Map.of("a", 4L, "b", 1L), 1)), List.of(e("k", Map.of("a", 5L), 2)));
    assertEquals(Map.of("a", 5L, "b", 1L), FiguresCodec.read(ops.get(0).value()), "pointwise max");
  }

  @Test
  void mergeIsOrderFreeAndIdempotent() {
    Map<String, Long> x = Map.of("a", 1L, "b", 7L);
    Map<String, Long> y = Map.of("a", 4L, "c", 2L);
    assertEquals(MaxMerge.merge(x, y), MaxMerge.merge(y, x));
    assertEquals(MaxMerge.merge(x, y), MaxMerge.merge(MaxMerge.merge(x, y), y));
  }

  @Test
  void aValueThatDoesNotParseIsNotCopiedAndTheRestIs() {
    var bad = new hitcounter.infra.consul.BadValues();
    List<TxnOp> ops = MaxMerge.plan(
        List.of(new KvEntry("k0", "not json {{{".getBytes(java.nio.charset.StandardCharsets.UTF_8), 3), e("k1", Map.of("a", 5L), 10)),
        List.of(e("k2", Map.of("b", 1L), 7)), MaxMerge.COUNTERS, bad);
    assertEquals(1, ops.size());
    assertEquals("k1", ops.get(0).key());
  }
}
