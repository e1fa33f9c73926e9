package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BinlogWatchTest {
  private static Map<String, String> stats(long pid, long jobs, long records) {
    return Map.of("pid", "" + pid, "total-jobs", "" + jobs, "binlog-records-written", "" + records, "binlog-max-size", "10485760", "binlog-current-index", "1");
  }

  @Test
  void jobsPutWithoutRecordsWrittenMeanTheBinlogStopped() {
    BinlogWatch w = new BinlogWatch();
    assertTrue(w.observe(stats(7, 10, 12)).isEmpty());
    assertTrue(w.observe(stats(7, 20, 25)).isEmpty(), "puts and deletes both write records");
    assertTrue(w.observe(stats(7, 20, 25)).isEmpty(), "nothing put: nothing to say");
    assertTrue(w.observe(stats(7, 30, 25)).isPresent(), "ten jobs, no record: the binlog is off");
    assertTrue(w.observe(stats(7, 31, 40)).isPresent(), "and stays off until beanstalkd restarts");
    assertTrue(w.observe(stats(8, 0, 0)).isEmpty(), "a new beanstalkd (pid) starts over");
  }

  @Test
  void aBeanstalkdWithoutBinlogIsNotAFailure() {
    BinlogWatch w = new BinlogWatch();
    w.observe(Map.of("pid", "1", "total-jobs", "5", "binlog-records-written", "0", "binlog-max-size", "10485760", "binlog-current-index", "0"));
    assertTrue(w.observe(Map.of("pid", "1", "total-jobs", "9", "binlog-records-written", "0", "binlog-max-size", "10485760", "binlog-current-index", "0")).isEmpty());
  }
}
