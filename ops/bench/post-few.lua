-- POST /api/hits/{page} over 4 pages.
dofile(os.getenv("HC_BENCH_LUA") .. "/report.lua")
local pages = {"home", "about", "blog", "shop"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/hits/bench-" .. pages[(i % 4) + 1])
end
