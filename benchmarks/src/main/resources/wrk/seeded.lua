-- The start of every wrk script here: each thread gets its own id and its own random sequence
-- (wrk never seeds Lua's generator, so every thread would draw the same keys at the same moments).
threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 1000003 + os.time())
end
