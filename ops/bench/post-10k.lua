-- POST /api/hits/{page} over 10,000 distinct pages.
dofile(os.getenv("HC_BENCH_LUA") .. "/report.lua")
request = function()
  return wrk.format("POST", "/api/hits/bench-p" .. math.random(10000))
end
