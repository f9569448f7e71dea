-- Open-loop pacing for wrk, appended to "interval_us = N", seeded.lua and a case's script. Run wrk
-- with as many threads as connections, so each thread's Lua state paces exactly one connection. Each
-- connection sends on a fixed schedule, one request every interval_us; a request's latency runs
-- from the time it was due, so a stall that delays the following requests counts against them too
-- (the coordinated omission wrk2 corrects). done() prints one line:
-- "fixed-rate: requests=N errors=N p50_us=.. p99_us=.. p999_us=.. max_us=..".
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } quiver_timespec;
  int clock_gettime(int clock, quiver_timespec *ts);
]]
local clock = ffi.new("quiver_timespec")

local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local due = nil
local started = nil
latencies = {}
errors = 0

-- wrk asks delay() before each request a connection sends, the first included.
function delay()
  local now = now_us()
  if due == nil then
    -- The schedule starts at a random point of an interval: connections spread, not in step.
    due = now - math.random() * interval_us
  end
  due = due + interval_us
  -- wrk sleeps whole milliseconds; request() measures from the due time when sent late.
  return math.max(0, math.floor((due - now) / 1000))
end

local make_request = request
request = function()
  local now = now_us()
  -- (wrk also calls request() once, unscheduled, to check the script.)
  started = math.min(now, due or now)
  if make_request ~= nil then
    return make_request()
  end
  return wrk.format()
end

function response(status, headers, body)
  latencies[#latencies + 1] = now_us() - started
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local all = {}
  local failed = 0
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("latencies")) do
      all[#all + 1] = value
    end
    failed = failed + thread:get("errors")
  end
  -- Requests that never got an answer count as errors too.
  failed = failed + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  table.sort(all)
  local function at(q)
    if #all == 0 then
      return 0
    end
    return all[math.max(1, math.ceil(q * #all))]
  end
  io.write(string.format(
    "fixed-rate: requests=%d errors=%d p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f\n",
    #all, failed, at(0.5), at(0.99), at(0.999), at(1.0)))
end
