-- wrk script of test_front_long.py: cycles through a list of raw HTTP requests and counts the answers per
-- status, overall and per wall-clock second.
--   env FA_WRK_REQUESTS: a file of records "<decimal length>\n<that many bytes>", each a complete HTTP/1.1
--   request (request line, headers with Host and Content-Length, body), sent as it is.
-- Output lines (from done): "STATUS <code> <count>", "SECOND <unix second> <code> <count>",
-- "DEADLINE503 <count>" (503s with Retry-After: fusio-auth's queue deadline), and one
-- "SUMMARY requests=... duration_us=... connect=... read=... write=... status=... timeout=... p50_us=... p99_us=... max_us=..."

local function load(path)
  local f = assert(io.open(path, "rb"))
  local list = {}
  while true do
    local header = f:read("*l")
    if not header then break end
    local length = tonumber(header)
    list[#list + 1] = f:read(length)
  end
  f:close()
  return list
end

local list = load(assert(os.getenv("FA_WRK_REQUESTS"), "FA_WRK_REQUESTS is not set"))
local n = #list
local threads = {}
local index = 0
counts = {}
seconds = {}
deadline503 = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- each thread starts at its own place in the cycle
  index = ((id or 0) * 7919) % n
end

function request()
  index = index % n + 1
  return list[index]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 503 and (headers["Retry-After"] or headers["retry-after"]) then deadline503 = deadline503 + 1 end
  -- flat keys: wrk's thread:get copies nested tables wrongly (script_copy_value pops once too often)
  local key = os.time() .. ":" .. status
  seconds[key] = (seconds[key] or 0) + 1
end

function done(summary, latency, requests)
  local total, by_second, deadline = {}, {}, 0
  for _, t in ipairs(threads) do
    deadline = deadline + t:get("deadline503")
    for status, k in pairs(t:get("counts")) do total[status] = (total[status] or 0) + k end
    for key, k in pairs(t:get("seconds")) do by_second[key] = (by_second[key] or 0) + k end
  end
  for status, k in pairs(total) do io.write(string.format("STATUS %d %d\n", status, k)) end
  for key, k in pairs(by_second) do
    local second, status = key:match("^(%d+):(%d+)$")
    io.write(string.format("SECOND %s %s %d\n", second, status, k))
  end
  io.write(string.format("DEADLINE503 %d\n", deadline))
  local e = summary.errors
  io.write(string.format(
    "SUMMARY requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
