-- wrk script: GET /item/K for a random K in 0 .. ITEMS-1, so the workers touch the whole data set.
local items = tonumber(os.getenv("ITEMS") or "1000")

request = function()
  return wrk.format("GET", "/item/" .. math.random(0, items - 1))
end
