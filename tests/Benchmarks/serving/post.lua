-- wrk -s post.lua <url> -- <body file>
-- POSTs the file's bytes as application/json, the same request on every connection, as fast as the
-- server answers (closed loop: each connection sends its next request when the last one is answered).
-- Used by tests/Benchmarks/run-serving-benchmarks.sh for the maximum-throughput measurements.

function init(args)
   local path = args[1] or error("post.lua: give the body file after --")
   local file = assert(io.open(path, "rb"))
   wrk.body = file:read("*a")
   file:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   -- wrk.init formats the request from these after init returns; it is sent unchanged every time.
end
