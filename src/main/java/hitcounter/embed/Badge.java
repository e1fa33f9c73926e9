package hitcounter.embed;

import java.text.NumberFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A "label | value" SVG badge in shields.io's look: styles {@code flat} (rounded, a light
 * gradient), {@code flat-square} and {@code for-the-badge} (taller, upper case, bold), and
 * shields.io's named colours or a hex colour. Text widths are estimated per character (Verdana
 * 11 px averages about 7 px), close enough that nothing overlaps.
 */
public final class Badge {
  public static final String DEFAULT_LABEL = "hits";
  public static final String DEFAULT_COLOR = "blue";
  /** shields.io's named colours. */
  static final Map<String, String> COLOURS = Map.ofEntries(
      Map.entry("brightgreen", "#4c1"), Map.entry("green", "#97ca00"), Map.entry("yellowgreen", "#a4a61d"), Map.entry("yellow", "#dfb317"),
      Map.entry("orange", "#fe7d37"), Map.entry("red", "#e05d44"), Map.entry("blue", "#007ec6"), Map.entry("grey", "#555"), Map.entry("gray", "#555"),
      Map.entry("lightgrey", "#9f9f9f"), Map.entry("lightgray", "#9f9f9f"), Map.entry("success", "#4c1"), Map.entry("important", "#fe7d37"),
      Map.entry("critical", "#e05d44"), Map.entry("informational", "#007ec6"), Map.entry("inactive", "#9f9f9f"));

  public enum Style {
    FLAT, FLAT_SQUARE, FOR_THE_BADGE;

    /** The style named {@code name} ({@code flat}, {@code flat-square}, {@code for-the-badge}), or empty. */
    public static Optional<Style> named(String name) {
      return switch (name) {
        case "flat" -> Optional.of(FLAT);
        case "flat-square" -> Optional.of(FLAT_SQUARE);
        case "for-the-badge" -> Optional.of(FOR_THE_BADGE);
        default -> Optional.empty();
      };
    }
  }

  private Badge() {}

  /** The flat "hits | 1,234" badge of {@code /badge/{page}.svg}. */
  public static String svg(long total) {
    return svg(DEFAULT_LABEL, total, COLOURS.get(DEFAULT_COLOR), Style.FLAT);
  }

  /** The colour {@code name} means (a shields.io name, or hex with or without {@code #}), or empty. */
  public static Optional<String> colour(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (COLOURS.containsKey(n)) {
      return Optional.of(COLOURS.get(n));
    }
    String hex = n.startsWith("#") ? n.substring(1) : n;
    return hex.matches("[0-9a-f]{3}|[0-9a-f]{6}") ? Optional.of("#" + hex) : Optional.empty();
  }

  /** {@code name} as shields.io reads it: a named colour in lower case, a hex colour without {@code #} (null when neither). */
  public static String named(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return COLOURS.containsKey(n) ? n : colour(n).map(c -> c.substring(1)).orElse(null);
  }

  /** {@code total} as a badge shows it: 1,234. */
  public static String message(long total) {
    return NumberFormat.getIntegerInstance(Locale.US).format(total);
  }

  public static String svg(String label, long total, String colour, Style style) {
    boolean big = style == Style.FOR_THE_BADGE;
    String l = big ? label.toUpperCase(Locale.ROOT) : label;
    String v = message(total);
    int perChar = big ? 8 : 7;
    int pad = big ? 12 : 6;
    int left = l.isEmpty() ? 0 : pad * 2 + perChar * l.codePointCount(0, l.length());
    int right = pad * 2 + perChar * v.length();
    int width = left + right;
    int height = big ? 28 : 20;
    int textY = big ? 18 : 14;
    String weight = big ? " font-weight=\"bold\" letter-spacing=\"1\"" : "";
    String title = xml(label) + ": " + v;
    StringBuilder b = new StringBuilder(600);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" role=\"img\" aria-label=\"").append(title).append("\"><title>").append(title).append("</title>");
    if (style == Style.FLAT) {
      b.append("<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
          .append("<clipPath id=\"r\"><rect width=\"").append(width).append("\" height=\"").append(height).append("\" rx=\"3\" fill=\"#fff\"/></clipPath><g clip-path=\"url(#r)\">");
    } else {
      b.append("<g shape-rendering=\"crispEdges\">");
    }
    b.append("<rect width=\"").append(left).append("\" height=\"").append(height).append("\" fill=\"#555\"/>")
        .append("<rect x=\"").append(left).append("\" width=\"").append(right).append("\" height=\"").append(height).append("\" fill=\"").append(colour).append("\"/>");
    if (style == Style.FLAT) {
      b.append("<rect width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"url(#s)\"/>");
    }
    b.append("</g><g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"").append(big ? 10 : 11).append("\"")
        .append(weight).append(">");
    if (!l.isEmpty()) {
      b.append("<text x=\"").append(left / 2).append("\" y=\"").append(textY).append("\">").append(xml(l)).append("</text>");
    }
    b.append("<text x=\"").append(left + right / 2).append("\" y=\"").append(textY).append("\">").append(v).append("</text></g></svg>");
    return b.toString();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
  }
}
