package hitcounter.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import hitcounter.infra.Json;
import java.io.IOException;
import java.util.Optional;

/**
 * One write (version) of an import: what it holds and how it was read. {@code digest} is the
 * SHA-256 of its chunks' pages and counts, so two versions of one import with the same digest hold
 * the same counts (a view applies one of them); versions that differ (the site's path rules
 * changed between two writes) merge by max per page.
 *
 * @param id the import's id ({@link ImportKeys})
 * @param version {@code <dc>-<nonce>} of this write
 * @param site the site whose pages it counts
 * @param generation the site's generation then
 * @param format {@code csv} or {@code goatcounter-2} (or {@code goatcounter-1})
 * @param pages pages with a count
 * @param hits the sum of the counts
 * @param chunks how many chunks (0 .. chunks-1)
 * @param rows rows read; {@code events} and {@code bots}: GoatCounter rows skipped as such
 * @param firstDay the first day a row named (ISO date, or null)
 * @param lastDay the last one
 * @param at when it was written (ms)
 */
public record ImportManifest(
    String id, String version, String site, long generation, String format, long pages, long hits, int chunks, String digest,
    long rows, long events, long bots, String firstDay, String lastDay, long at) {

  public byte[] bytes() {
    try {
      return Json.mapper().writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The datacenter that wrote this version. */
  public String datacenter() {
    int dash = version.lastIndexOf('-');
    return dash > 0 ? version.substring(0, dash) : version;
  }

  /** The manifest stored under {@code key}, if it is one and its names agree with the key. */
  public static Optional<ImportManifest> parse(String key, byte[] value) {
    try {
      ImportManifest m = Json.mapper().readValue(value, ImportManifest.class);
      boolean ok = m.id() != null && m.version() != null && ImportKeys.isName(m.id()) && ImportKeys.isName(m.version())
          && key.equals(ImportKeys.manifest(m.id(), m.version())) && m.chunks() >= 0 && m.chunks() <= 100_000 && m.digest() != null
          && m.site() != null && m.hits() >= 0;
      return ok ? Optional.of(m) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
