-- wrk script of the service's benchmarks (service/bench/wrk.mjs starts wrk with it): sends requests
-- made and signed before the run, each once, in order. The file named after "--" holds one line per
-- request: the X-Hub-Signature-256 value, a tab, the body; the second argument is the path.
-- When the file runs out, the thread stops (its answers still on the way are not counted) instead of
-- sending a body twice: a repeat would be deduplicated by the service, cheaper and not the same test.
-- (A delay() hook that idled the connections instead doubled wrk's CPU per request: ~36 against ~18 µs.)
local requests = {}
local count = 0
local next_index = 1
local verified = false
local idle
exhausted = false
sent = 0

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	idle = wrk.format("GET", "/readyz", {}, nil)
	local headers = { ["Content-Type"] = "application/json" }
	for line in io.lines(args[1]) do
		local tab = string.find(line, "\t", 1, true)
		headers["X-Hub-Signature-256"] = string.sub(line, 1, tab - 1)
		count = count + 1
		requests[count] = wrk.format("POST", args[2], headers, string.sub(line, tab + 1))
	end
end

function request()
	-- wrk calls request() once before the run to check the script (wrk.c, script_verify_request):
	-- that call gets a read that changes nothing, so no prepared request is lost to it.
	if not verified then
		verified = true
		return idle
	end
	if next_index > count then
		if not exhausted then
			exhausted = true
			wrk.thread:stop()
		end
		return idle
	end
	local r = requests[next_index]
	requests[next_index] = nil
	next_index = next_index + 1
	sent = sent + 1
	return r
end

function done(summary, latency)
	local out_of_requests = false
	local sent_total = 0
	for _, thread in ipairs(threads) do
		if thread:get("exhausted") then out_of_requests = true end
		sent_total = sent_total + thread:get("sent")
	end
	local e = summary.errors
	io.write(string.format(
		'{"completed":%d,"status_errors":%d,"socket_errors":%d,"timeouts":%d,"duration_us":%d,"sent":%d,' ..
		'"exhausted":%s,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
		summary.requests, e.status, e.connect + e.read + e.write, e.timeout, summary.duration, sent_total,
		tostring(out_of_requests), latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
