package hitcounter.embed;

import java.text.NumberFormat;
import java.util.Locale;

/** A flat "hits | 1,234" SVG badge. */
public final class Badge {
  private Badge() {}

  public static String svg(long total) {
    String value = NumberFormat.getIntegerInstance(Locale.US).format(total);
    int left = 34;
    int right = 10 + 7 * value.length();
    int width = left + right;
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"20\" role=\"img\" aria-label=\"hits: " + value + "\">"
        + "<title>hits: " + value + "</title>"
        + "<rect width=\"" + left + "\" height=\"20\" fill=\"#555\"/>"
        + "<rect x=\"" + left + "\" width=\"" + right + "\" height=\"20\" fill=\"#2a7ab0\"/>"
        + "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">"
        + "<text x=\"6\" y=\"14\">hits</text>"
        + "<text x=\"" + (left + 5) + "\" y=\"14\">" + value + "</text></g></svg>";
  }
}
