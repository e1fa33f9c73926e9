package hitcounter.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static List<String> names(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  @Test
  void everyNodeComputesTheSameAssignmentWhateverTheOrder() {
    List<String> nodes = new ArrayList<>(names("node-", 5));
    Map<String, List<String>> a = Rendezvous.assign(names("q", 20), nodes, 2);
    Collections.reverse(nodes);
    assertEquals(a, Rendezvous.assign(names("q", 20), nodes, 2));
    a.values().forEach(owners -> assertEquals(2, owners.stream().distinct().count()));
  }

  @Test
  void spreadsQueuesEvenly() {
    Map<String, Integer> load = new HashMap<>();
    Rendezvous.assign(names("queue-", 1000), names("n", 4), 1)
        .values()
        .forEach(o -> load.merge(o.get(0), 1, Integer::sum));
    load.values().forEach(l -> assertEquals(250, l, "load " + load));
  }

  @Test
  void twoQueuesOnTwoNodesAreOneEach() {
    for (int i = 0; i < 50; i++) {
      List<String> nodes = List.of("a" + i, "b" + i);
      Map<String, List<String>> a = Rendezvous.assign(List.of("q" + i, "r" + i), nodes, 1);
      assertEquals(2, a.values().stream().map(o -> o.get(0)).distinct().count(), a.toString());
    }
  }

  @Test
  void aJoiningOrLeavingNodeMovesOnlyItsOwnShare() {
    List<String> queues = names("queue-", 400);
    Map<String, List<String>> before = Rendezvous.assign(queues, names("n", 4), 1);
    Map<String, List<String>> joined = Rendezvous.assign(queues, names("n", 5), 1);
    long moved = queues.stream().filter(q -> !before.get(q).equals(joined.get(q))).count();
    long toNewNode = queues.stream().filter(q -> joined.get(q).get(0).equals("n4")).count();
    assertEquals(80, toNewNode, "the new node takes its fair share");
    assertTrue(moved < 2 * 80, "moved " + moved + ": about the new node's share, not everything");
    Map<String, List<String>> left = Rendezvous.assign(queues, List.of("n0", "n1", "n3"), 1);
    long movedOnLeave = queues.stream().filter(q -> !before.get(q).equals(left.get(q))).count();
    assertTrue(queues.stream().filter(q -> before.get(q).get(0).equals("n2")).allMatch(q -> !left.get(q).get(0).equals("n2")));
    assertTrue(movedOnLeave < 2 * 100, "moved " + movedOnLeave + " when a node of 4 left");
  }

  @Test
  void fewerNodesThanWantedGivesEveryNode() {
    assertEquals(List.of("only"), Rendezvous.assign(List.of("q"), List.of("only"), 3).get("q"));
    assertTrue(Rendezvous.assign(List.of("q"), List.of(), 1).get("q").isEmpty());
  }
}
