-- wrk script for scripts/bench: POST grant_type=password (bcrypt cost 10 user) with the app's Basic
-- credentials, and the same RESULT line as the shared harness's token.lua.
--   env: BENCH_BASIC (base64 of "key:secret"), BENCH_USER, BENCH_PASSWORD
wrk.method = "POST"
wrk.body = "grant_type=password&username=" .. (os.getenv("BENCH_USER") or "") ..
  "&password=" .. (os.getenv("BENCH_PASSWORD") or "") .. "&scope=authorization"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("BENCH_BASIC") or "")

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
