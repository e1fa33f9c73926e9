-- POST /api/hits/{page} as a site's real traffic: 10,000 pages, a User-Agent mix from
-- HC_BENCH_UAS (real strings, 5% bots), 65,536 client addresses in X-Forwarded-For (the node
-- trusts 127.0.0.1 as a proxy), so visitors and bots vary as they do in production.
dofile(os.getenv("HC_BENCH_LUA") .. "/report.lua")
local uas = {}
for line in io.lines(os.getenv("HC_BENCH_UAS")) do
  if #line > 0 then uas[#uas + 1] = line end
end
local i = 0
request = function()
  i = i + 1
  local headers = {
    ["User-Agent"] = uas[(i * 7919) % #uas + 1],
    ["X-Forwarded-For"] = "10.9." .. (i % 256) .. "." .. (math.floor(i / 256) % 256)
  }
  return wrk.format("POST", "/api/hits/mix-" .. ((i * 2654435761) % 10000), headers)
end
