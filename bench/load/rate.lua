-- wrk has no fixed-rate mode (that is wrk2). Each connection waits a random delay, uniform in
-- [0, 2 * WRK_DELAY_MS], before each request, so the connections do not fire in lockstep and the
-- aggregate rate is about connections * 1000 / WRK_DELAY_MS requests per second. At a rate far
-- below the server's capacity no request queues behind another, so latency is what the server and
-- the client's own measurement add -- the thing two clients at the same rate should agree on.
local mean_ms = tonumber(os.getenv("WRK_DELAY_MS") or "10")
function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end
function delay()
    return math.random() * 2 * mean_ms
end
