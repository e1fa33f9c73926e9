-- Shared end of every benchmark script: prints p50/p99/p99.9 (ms) and errors on one line.
done = function(summary, latency, requests)
  io.write(string.format("PCT p50=%.2f p99=%.2f p999=%.2f errors=%d non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end

-- Hits come from a browser: a missing User-Agent is a bot (counted apart, never in total).
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
