package hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JVM settings of the local nodes (ops/start-node.sh) and of production (deploy/) are the same (issue 28). */
class HeapSettingsTest {
  private static List<String> flags(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    assertTrue(m.find(), "no JVM settings matched " + regex);
    return Arrays.stream(m.group(1).trim().split("\\s+")).toList();
  }

  @Test
  void opsAndDeploySetTheSameHeap() throws Exception {
    List<String> ops = flags(Files.readString(Path.of("ops/start-node.sh")), "HC_JAVA_OPTS:-\"([^\"]+)\"");
    List<String> deploy = flags(Files.readString(Path.of("deploy/etc/hitcounter.env")), "^JAVA_OPTS=(.+)$");
    assertTrue(ops.stream().anyMatch(f -> f.startsWith("-Xmx")), "ops sets a heap limit");
    assertEquals(ops, deploy.stream().filter(f -> !f.equals("-XX:+ExitOnOutOfMemoryError")).toList(), "deploy/etc/hitcounter.env and ops/start-node.sh");
  }
}
