-- wrk script for scripts/bench-cluster: client_credentials (BENCH_BASIC set: base64 of "key:secret", POST to the
-- URL's path) or GET with a bearer token (BENCH_BEARER set, e.g. /authorization/whoami), and one machine-readable
-- RESULT line at the end (the shared harness's token.lua prints the same fields).
if os.getenv("BENCH_BEARER") then
  wrk.method = "GET"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_BEARER")
else
  wrk.method = "POST"
  wrk.body = "grant_type=client_credentials&scope=authorization"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. (os.getenv("BENCH_BASIC") or "")
end
wrk.headers["User-Agent"] = "fusio-auth-bench/1.0"

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
