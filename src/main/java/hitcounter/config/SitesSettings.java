package hitcounter.config;

import com.typesafe.config.Config;
import hitcounter.page.PageKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code hitcounter.sites} block of application.conf: the default site (until the "sites"
 * setting defines one), what a new site gets when its definition leaves a cap or a limit out,
 * the bound on rate-limit buckets, and the proxies trusted for X-Forwarded-For.
 */
public record SitesSettings(Site defaultSite, boolean defaultEnabled, long newSiteMaxPages, Site.Limit newSitePerClient,
    Site.Limit newSitePerSite, int maxBuckets, List<String> trustedProxies) {

  public static SitesSettings create(Config root) {
    Config c = root.getConfig("hitcounter.sites");
    Config d = c.getConfig("default");
    String pattern = d.getString("pattern");
    Site def = new Site(PageKey.DEFAULT_SITE, 0, false, new LinkedHashSet<>(d.getStringList("origins")),
        pattern.isEmpty() ? null : Pattern.compile(pattern), d.getLong("max-pages"), limit(d.getConfig("per-client")), limit(d.getConfig("per-site")), false);
    Config n = c.getConfig("new-site");
    return new SitesSettings(def, d.getBoolean("enabled"), n.getLong("max-pages"), limit(n.getConfig("per-client")), limit(n.getConfig("per-site")),
        c.getInt("max-buckets"), c.getStringList("trusted-proxies"));
  }

  private static Site.Limit limit(Config c) {
    double rate = c.getDouble("rate");
    long burst = c.getLong("burst");
    return new Site.Limit(rate, rate > 0 ? Math.max(1, burst) : 0);
  }
}
