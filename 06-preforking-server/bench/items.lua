-- wrk script: GET /item/K for a random K in 0 .. ITEMS-1, so that the workers reach more and more of the data set.
-- Each wrk thread seeds its own generator from SEED (default: the clock) and its thread number. Unseeded,
-- LuaJIT's math.random starts from one fixed seed, and wrk gives every thread a Lua state of its own: every
-- thread, and every run of wrk, would request the same keys in the same order, and a long run would stop
-- reaching new items after its first window.
local items = tonumber(os.getenv("ITEMS") or "1000")
local seed = tonumber(os.getenv("SEED") or os.time())
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(seed * 7919 + (id or 0))
end

request = function()
  return wrk.format("GET", "/item/" .. math.random(0, items - 1))
end
