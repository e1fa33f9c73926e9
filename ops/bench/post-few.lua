-- POST /api/hits/{page} over 4 pages; prints p50/p99/p99.9 in ms at the end.
local pages = {"home", "about", "blog", "shop"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/hits/bench-" .. pages[(i % 4) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("PCT p50=%.2f p99=%.2f p999=%.2f errors=%d non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
