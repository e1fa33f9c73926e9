-- POST /api/hits/{page} over 1,000,000 distinct page ids of 20-60 characters (random each time).
dofile(os.getenv("HC_BENCH_LUA") .. "/report.lua")
local sections = {"news", "blog", "shop", "docs", "sport", "tech", "travel", "food", "music", "help"}
local words = {"the", "best", "way", "to", "count", "page", "hits", "across", "data", "centers", "guide", "review",
  "city", "river", "green", "blue", "winter", "summer", "recipe", "phone", "laptop", "coffee", "garden", "story"}
request = function()
  local n = math.random(1000000)
  local id = sections[(n % 10) + 1] .. "-" .. (2020 + n % 7) .. "-" .. words[(n % 24) + 1] .. "-" .. words[(n * 7 % 24) + 1]
  for k = 1, (n % 5) do id = id .. "-" .. words[((n + k * 13) % 24) + 1] end
  return wrk.format("POST", "/api/hits/" .. id .. "-" .. n)
end
