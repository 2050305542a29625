-- wrk: each request a random line of the file $PATHS, with the session cookie $COOKIE.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local cookie = os.getenv("COOKIE")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Cookie"] = cookie })
end
