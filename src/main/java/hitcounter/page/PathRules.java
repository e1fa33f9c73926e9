package hitcounter.page;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How a site's URL paths are made into pages ({@link PathNormaliser}): whether a trailing
 * slash is kept, which query parameters are part of the page (sorted; tracking parameters never
 * are), whether paths are lower-cased, the pattern a normalised path must match (null: any),
 * and whether a path that is {@code /} and a page id ({@code /my-post}) counts as that id, so
 * that a site counted by ids before keeps one page per post when it moves to the snippet.
 */
public record PathRules(boolean keepTrailingSlash, List<String> keepQuery, boolean lowerCase, Pattern pattern, boolean asIds) {
  public static final PathRules DEFAULT = new PathRules(false, List.of(), false, null, false);

  public PathRules {
    keepQuery = List.copyOf(keepQuery);
  }

  /** The page normalised path {@code path} counts as: itself, or under {@code asIds} the page id it names. */
  public String pageOf(String path) {
    return asIds && PageId.isValid(path.substring(1)) ? path.substring(1) : path;
  }
}
