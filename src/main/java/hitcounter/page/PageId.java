package hitcounter.page;

import java.util.Optional;

/**
 * A page id: 1 to 128 characters of the URL-unreserved set {@code [A-Za-z0-9._~-]}, so it is
 * safe as a path segment, a Consul key segment and a JSON string without escaping.
 */
public final class PageId {
  public static final int MAX_LENGTH = 128;

  private PageId() {}

  /** Why {@code candidate} is not a page id, or empty when it is one. */
  public static Optional<String> problem(String candidate) {
    if (candidate == null || candidate.isEmpty()) {
      return Optional.of("page id is empty");
    }
    if (candidate.length() > MAX_LENGTH) {
      return Optional.of("page id is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < candidate.length(); i++) {
      if (!allowed(candidate.charAt(i))) {
        return Optional.of("page id may only hold A-Z a-z 0-9 . _ ~ -");
      }
    }
    return Optional.empty();
  }

  public static boolean isValid(String candidate) {
    return problem(candidate).isEmpty();
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '-';
  }
}
