-- wrk script for bench/pages.py: each request carries the next of the session cookies given after "--"
-- (so concurrent requests do not all update one session row), and the result is printed as one JSON line.

local requests = {}
local next_request = 0

function init(args)
  for _, cookie in ipairs(args) do
    table.insert(requests, wrk.format("GET", nil, { ["Cookie"] = cookie }))
  end
  if #requests == 0 then
    table.insert(requests, wrk.format("GET", nil))
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "mean_ms": %.2f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
