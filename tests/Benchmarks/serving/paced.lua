-- wrk -t<threads> -c<connections> -s paced.lua <url> -- <body file> <requests per second> <threads>
-- The request of post.lua, paced to a fixed rate. wrk 4.1 has no rate option, so this uses its delay()
-- hook, which wrk calls when a connection has its answer and which says how many milliseconds the
-- connection waits before sending its next request. Each thread sends on a fixed schedule of its own,
-- one request every <threads> * 1000 / <rate> ms (the threads' schedules offset from one another), and
-- delay() gives the connection that just got its answer the thread's next free slot. The rate holds
-- as long as a connection is free at every slot, i.e. connections >= rate * latency; when none is (a
-- server slower than the schedule), the schedule does not catch up with a burst but goes on from
-- there, so the rate falls to what the server sustains. wrk times each request from its sending, so
-- the wait for a slot is not in the latency. Used by tests/Benchmarks/run-serving-benchmarks.sh.

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
   int clock_gettime(int clock_id, paced_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("paced_timespec")

local function now_ms()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_number", counter)
end

local interval_ms, next_slot

function init(args)
   local path = args[1] or error("paced.lua: give the body file after --")
   local rate = tonumber(args[2]) or error("paced.lua: give the rate (requests per second) after the body file")
   local threads = tonumber(args[3]) or error("paced.lua: give the thread count after the rate")
   local file = assert(io.open(path, "rb"))
   wrk.body = file:read("*a")
   file:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   interval_ms = threads * 1000 / rate
   next_slot = now_ms() + ((thread_number or 1) - 1) * interval_ms / threads
end

function delay()
   local now = now_ms()
   if next_slot < now then
      next_slot = now -- behind schedule: no burst to catch up
   end
   local wait = next_slot - now
   next_slot = next_slot + interval_ms
   return math.floor(wait + 0.5) -- wrk takes whole milliseconds
end
