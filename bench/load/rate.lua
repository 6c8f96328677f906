-- wrk has no fixed-rate mode (that is wrk2); each connection waits DELAY ms before each request,
-- which at sub-millisecond latencies gives connections * 1000 / DELAY requests per second.
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "10")
function delay()
    return delay_ms
end
