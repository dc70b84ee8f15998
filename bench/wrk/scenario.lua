-- One wrk script for every scenario. The data file named by BENCH_DATA (written by
-- bench/loadgen.py) gives the scenario, the token and the ids; ids stay strings because
-- 19-digit ids do not fit a Lua number. Each request is built here, so bodies cycle over
-- products and price books and links grow as they would in use.
--
-- done() prints one JSON line: requests, duration, latency percentiles, errors, and the
-- number of answers whose status was not the scenario's success status (plus the first one).

local cfg = dofile(os.getenv("BENCH_DATA"))
local products, price_books, pool = cfg.products, cfg.price_books, cfg.pool_products
local n_products, n_books = #products, #price_books
local headers = {
  ["Authorization"] = "Zoho-oauthtoken " .. cfg.token,
  ["Content-Type"] = "application/json",
}
local base = cfg.prefix
local n = cfg.offset or 0
local sent = 0
bad = 0
first_bad = ""
answered = 0

local function book(i)
  return price_books[(i % n_books) + 1]
end

local function relate_body(start)
  local parts = {}
  for k = 0, 99 do
    parts[k + 1] = '{"id":"' .. book(start + k) .. '","list_price":' .. (10 + (start + k) % 990) .. '.5}'
  end
  return '{"data":[' .. table.concat(parts, ",") .. ']}'
end

local function delink_ids(j)
  local p = #pool
  local start = math.floor(j / p) * 100
  local parts = {}
  for k = 0, 99 do
    parts[k + 1] = book(start + k)
  end
  return pool[(j % p) + 1], table.concat(parts, ",")
end

local function leads_body(i)
  local parts = {}
  for k = 0, 99 do
    local m = i * 100 + k
    parts[k + 1] = '{"Last_Name":"Bench ' .. m .. '","First_Name":"Load","Company":"Bench Co",'
      .. '"Email":"load' .. m .. '@bench.example"}'
  end
  return '{"data":[' .. table.concat(parts, ",") .. ']}'
end

-- A lead's Email, spread over all the leads of the data set (loaded as person<i>@example.com).
local function lead_email(i)
  return "person" .. ((i * 7919) % cfg.leads) .. "@example.com"
end

local builders = {
  relate100 = function(i)
    local product = products[(i % n_products) + 1]
    -- A window of 100 price books that moves by 100 each request over the whole sample.
    return wrk.format("PUT", base .. "/Products/" .. product .. "/Price_Books", headers, relate_body(i * 100))
  end,
  relate1 = function(i)
    local product = products[(i % n_products) + 1]
    local body = '{"data":[{"list_price":' .. (10 + i % 990) .. '.25}]}'
    return wrk.format("PUT", base .. "/Products/" .. product .. "/Price_Books/" .. book(i * 7 + 3), headers, body)
  end,
  list200 = function(i)
    local page = (i % cfg.pages) + 1
    return wrk.format("GET", base .. "/Products/" .. cfg.hot .. "/Price_Books?page=" .. page .. "&per_page=200",
      headers)
  end,
  delink100 = function(i)
    local product, ids = delink_ids(i)
    return wrk.format("DELETE", base .. "/Products/" .. product .. "/Price_Books?ids=" .. ids, headers)
  end,
  insert100 = function(i)
    return wrk.format("POST", base .. "/Leads", headers, leads_body(i))
  end,
  search_email = function(i)
    return wrk.format("GET", base .. "/Leads/search?criteria=(Email:equals:" .. lead_email(i) .. ")", headers)
  end,
  coql_email = function(i)
    local query = "select Last_Name, Email, Owner from Leads where Email = '" .. lead_email(i) .. "'"
    return wrk.format("POST", base .. "/coql", headers, '{"select_query":"' .. query .. '"}')
  end,
}

local build = builders[cfg.scenario]
local ok = {}
for _, s in ipairs(cfg.ok_status) do
  ok[s] = true
end
local limit = cfg.limit or 0

request = function()
  local r = build(n)
  n = n + cfg.step
  sent = sent + 1
  return r
end

response = function(status, _, body)
  answered = answered + 1
  if not ok[status] then
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

local threads = {}
setup = function(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

init = function(_)
  -- Threads interleave over the same sequence: thread t takes t, t + step, t + 2 step, ...
  n = n + (thread_index or 0)
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

done = function(summary, latency, _)
  local total_bad, sample = 0, ""
  for _, t in ipairs(threads) do
    total_bad = total_bad + (t:get("bad") or 0)
    local fb = t:get("first_bad") or ""
    if sample == "" then
      sample = fb
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"socket_errors":%d,"timeouts":%d,"bad_status":%d,"first_bad":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect + e.read + e.write, e.timeout,
    total_bad, json_string(sample)))
end
