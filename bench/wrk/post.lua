-- wrk script of scripts/bench: POSTs form bodies read from a file.
--
--   wrk -t T -c C -d D -s post.lua URL -- FILE MODE T [EXPECT] [xff]
--
-- FILE  one request per line: a form body, or COOKIE<TAB>BODY (the login
--       form's cookie value, sent as "Cookie: COOKIE").
-- MODE  "cycle": thread i uses lines i, i+T, i+2T, ... round and round
--       (refresh tokens, login forms: reusable);
--       "once": each line is sent at most once (authorization codes are
--       single-use); when a thread's share runs out it sends "exhausted"
--       bodies, which fail and are counted (never hidden).
-- T     the thread count given to wrk -t (each thread takes its own slice).
-- EXPECT  if given (e.g. 303), responses with another status are counted as
--       "unexpected" (wrk itself only counts status >= 400).
-- xff   add "X-Forwarded-For: 10.a.b.c", unique per request within a run
--       (the server must trust 127.0.0.1 as a proxy: --trusted-proxy).
-- Headers given with wrk -H (Authorization, Content-Type) are sent as well.
--
-- done() prints one line "WRKJSON {...}" with the counts and latency
-- percentiles (microseconds) that scripts/bench reads.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local reqs = {}
local lines = {}
local cookies = {}
local idx = 0
local mode, nthreads, tid, expect, xff
local base = {}
local sent = 0

local function headers_for(cookie)
   local h = {}
   for k, v in pairs(base) do h[k] = v end
   if cookie then h["Cookie"] = cookie end
   if xff then
      sent = sent + 1
      -- thread id in the second octet: unique per request (up to 65536 per thread).
      h["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid % 256,
         math.floor(sent / 256) % 256, sent % 256)
   end
   return h
end

local unexpected = 0

-- Defined by init() only when EXPECT is given: wrk parses response headers
-- and bodies only for scripts that define response(), which costs throughput.
local function check_status(status, headers, body)
   if status ~= expect then
      unexpected = unexpected + 1
      wrk.thread:set("unexpected", unexpected)
   end
end

function init(args)
   local file = args[1]
   mode = args[2] or "cycle"
   nthreads = tonumber(args[3] or "1")
   expect = tonumber(args[4] or "")
   xff = args[5] == "xff" or args[4] == "xff"
   tid = wrk.thread:get("tid")
   for k, v in pairs(wrk.headers) do base[k] = v end
   local n = 0
   for line in io.lines(file) do
      if n % nthreads == tid and line ~= "" then
         local c, b = line:match("^([^\t]*)\t(.*)$")
         if c then
            table.insert(lines, b)
            table.insert(cookies, c)
         else
            table.insert(lines, line)
            table.insert(cookies, false)
         end
      end
      n = n + 1
   end
   if #lines == 0 then
      error("no requests for thread " .. tid .. " in " .. file)
   end
   if not xff then
      -- Static headers: format every request once.
      for i = 1, #lines do
         reqs[i] = wrk.format("POST", nil, headers_for(cookies[i] or nil), lines[i])
      end
   end
   wrk.thread:set("unexpected", 0)
   wrk.thread:set("exhausted", 0)
   if expect then response = check_status end
end

local exhausted = 0

function request()
   idx = idx + 1
   local i = idx
   if i > #lines then
      if mode == "once" then
         exhausted = exhausted + 1
         wrk.thread:set("exhausted", exhausted)
         return wrk.format("POST", nil, headers_for(nil), "grant_type=authorization_code&code=exhausted")
      end
      i = (i - 1) % #lines + 1
   end
   if not xff then return reqs[i] end
   return wrk.format("POST", nil, headers_for(cookies[i] or nil), lines[i])
end

function done(summary, latency, requests)
   local unexpected, exhausted = 0, 0
   for _, t in ipairs(threads) do
      unexpected = unexpected + (t:get("unexpected") or 0)
      exhausted = exhausted + (t:get("exhausted") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
      '"unexpected":%d,"exhausted":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout,
      unexpected, exhausted))
end
