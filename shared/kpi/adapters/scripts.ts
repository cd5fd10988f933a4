/**
 * The Redis Lua scripts of the KPI store. Each runs atomically in Redis.
 *
 * Key layout under a prefix `p` (default `op:kpi:`; tests use their own):
 *   p..applied        SET    order_ids already counted, for ever (dedupe horizon 0; also read, never
 *                            written, under a horizon: the set of a store that ran without one)
 *   p..applied:<g>    SET    order_ids counted during generation g = floor(now / horizon) (horizon > 0):
 *                            an order is looked up in g and g-1; older generations are UNLINKed, so
 *                            the marks hold between 1 and 2 horizons of orders (docs/kpis.md "Redis memory")
 *   p..applied:gen    STRING the newest generation seen; p..applied:dropped set once a generation
 *                            holding marks was dropped (a rebuild must then start from zero)
 *   p..sum            HASH   orders, paid, rev (cents), success, max_ts (epoch ms)
 *   p..ver            STRING version, INCR by every apply that counted at least one order
 *   p..cust           SET    customer_ids (unique_customers, exact)
 *   p..min            HASH   "<minute>:o" orders, "<minute>:r" revenue cents (minute = epoch ms / 60000),
 *                            only the 60 served minutes up to the newest order's: older ones are
 *                            never written and are deleted when the newest minute moves on
 *   p..pq             ZSET   product_id scored by −quantity (non-cancelled): ZRANGE 0 9 = top 10, ties by id
 *   p..pr             HASH   product_id -> revenue cents
 *   p..pmeta/prank    HASH   product_id -> JSON [name, category] of the earliest (order_timestamp, order_id)
 *   p..state          HASH   "<state>:o", "<state>:r"
 *   p..pay            HASH   "<method>:a|s|f|us" attempts, success, failed, Σ processing µs
 *   p..seg            HASH   "<segment>:o|p|r" orders, paid orders, revenue cents
 *   p..segc:<segment> SET    customer_ids of the segment
 *   p..epoch          STRING Redis run_id the counters were last reconciled against (missing: rebuild)
 *   p..views:<name>   STRING served JSON of a view; p..views:ver the version it was built from
 *   channel p..changed        PUBLISH <version> whenever the views change
 * Field names end in a fixed suffix after the LAST ':' so any state/segment/method text is safe.
 */
import { ARGV_FIELDS } from '../contribution.ts';

/** ARGV of APPLY_LUA before the orders: prefix, fields per order, now (epoch ms), dedupe horizon (ms; 0 = for ever). */
export const APPLY_HEAD = 4;

export const APPLY_LUA = `
local p = ARGV[1]
local F = tonumber(ARGV[2])
if F ~= ${ARGV_FIELDS} then return redis.error_reply('apply: expected ${ARGV_FIELDS} fields per order, got ' .. tostring(F)) end
local now = tonumber(ARGV[3])
local H = tonumber(ARGV[4])
local n = math.floor((#ARGV - ${APPLY_HEAD}) / F)
local kSum, kCust, kMin = p .. 'sum', p .. 'cust', p .. 'min'
local kPq, kPr, kPmeta, kPrank = p .. 'pq', p .. 'pr', p .. 'pmeta', p .. 'prank'
local kState, kPay, kSeg = p .. 'state', p .. 'pay', p .. 'seg'

local function earlier(a, b)
  local ia = string.find(a, '|', 1, true)
  local ib = string.find(b, '|', 1, true)
  local ta = tonumber(string.sub(a, 1, ia - 1))
  local tb = tonumber(string.sub(b, 1, ib - 1))
  if ta ~= tb then return ta < tb end
  local x = string.sub(a, ia + 1)
  local y = string.sub(b, ib + 1)
  local lx, ly = #x, #y
  for k = 1, math.min(lx, ly) do
    local cx, cy = string.byte(x, k), string.byte(y, k)
    if cx ~= cy then return cx < cy end
  end
  return lx < ly
end

-- exactly-once marks: one set for ever (H = 0), or two generations of H ms each
local kApplied, kPrev, kLegacy = p .. 'applied', nil, nil
if H > 0 then
  local g = math.floor(now / H)
  local kGen = p .. 'applied:gen'
  local cur = tonumber(redis.call('GET', kGen) or '-1')
  if g > cur then
    if cur >= 0 then
      for old = cur - 1, cur do
        if old < g - 1 and redis.call('UNLINK', p .. 'applied:' .. string.format('%d', old)) == 1 then redis.call('SET', p .. 'applied:dropped', '1') end
      end
    end
    redis.call('SET', kGen, string.format('%d', g))
  elseif g < cur then
    g = cur -- a writer whose clock is behind uses the newest generation
  end
  kApplied = p .. 'applied:' .. string.format('%d', g)
  kPrev = p .. 'applied:' .. string.format('%d', g - 1)
  if redis.call('EXISTS', p .. 'applied') == 1 then kLegacy = p .. 'applied' end
end
local function firstTime(id)
  if kPrev ~= nil and redis.call('SISMEMBER', kPrev, id) == 1 then return false end
  if kLegacy ~= nil and redis.call('SISMEMBER', kLegacy, id) == 1 then return false end
  return redis.call('SADD', kApplied, id) == 1
end

-- revenue per minute: only the 60 minutes ending at the newest order's minute are ever served
local storedMax = redis.call('HGET', kSum, 'max_ts')
local oldMaxMin = storedMax and math.floor(tonumber(storedMax) / 60000) or nil
local windowMin = oldMaxMin

-- Counters are summed in Lua tables first and written once per distinct field at the end: one
-- HINCRBY per field per chunk instead of ~15 Redis calls per order (redis-server CPU ~20 -> ~10 us per order).
local acc = {}
local function add(k, f, v)
  local t = acc[k]
  if t == nil then t = {}; acc[k] = t end
  t[f] = (t[f] or 0) + v
end
local custs, segcs, pq, best = {}, {}, {}, {}
local applied = 0
local maxTs, maxTsStr = nil, nil
for i = 0, n - 1 do
  local b = ${APPLY_HEAD} + i * F
  if firstTime(ARGV[b + 1]) then
    applied = applied + 1
    local tsStr = ARGV[b + 2]
    local ts = tonumber(tsStr)
    local minute = ARGV[b + 3]
    local cust = ARGV[b + 4]
    local seg = ARGV[b + 5]
    local st = ARGV[b + 6]
    local pid = ARGV[b + 7]
    local meta = ARGV[b + 8]
    local qty = tonumber(ARGV[b + 9])
    local rev = tonumber(ARGV[b + 10])
    local paid = ARGV[b + 11] == '1'
    local success = ARGV[b + 12] == '1'
    local method = ARGV[b + 13]
    local us = tonumber(ARGV[b + 14])
    local rank = ARGV[b + 15]

    add(kSum, 'orders', 1)
    if success then add(kSum, 'success', 1) end
    if paid then add(kSum, 'paid', 1) end
    if rev ~= 0 then add(kSum, 'rev', rev) end
    custs[#custs + 1] = cust

    local m = tonumber(minute)
    if windowMin == nil or m > windowMin then windowMin = m end
    if m > windowMin - 60 then
      add(kMin, minute .. ':o', 1)
      if rev ~= 0 then add(kMin, minute .. ':r', rev) end
    end

    pq[pid] = (pq[pid] or 0) + qty
    if rev ~= 0 then add(kPr, pid, rev) end
    local bp = best[pid]
    if bp == nil or earlier(rank, bp[1]) then best[pid] = {rank, meta} end

    add(kState, st .. ':o', 1)
    if rev ~= 0 then add(kState, st .. ':r', rev) end

    add(kPay, method .. ':a', 1)
    if success then add(kPay, method .. ':s', 1) else add(kPay, method .. ':f', 1) end
    add(kPay, method .. ':us', us)

    add(kSeg, seg .. ':o', 1)
    if paid then add(kSeg, seg .. ':p', 1) end
    if rev ~= 0 then add(kSeg, seg .. ':r', rev) end
    local sc = segcs[seg]
    if sc == nil then sc = {}; segcs[seg] = sc end
    sc[#sc + 1] = cust

    if maxTs == nil or ts > maxTs then
      maxTs = ts
      maxTsStr = tsStr
    end
  end
end

-- write the sums: integers (cents, counts, microseconds) well inside 2^53, formatted exactly
for k, t in pairs(acc) do
  for f, v in pairs(t) do
    if v ~= 0 then redis.call('HINCRBY', k, f, string.format('%d', v)) end
  end
end
local function sadd(k, list)
  for j = 1, #list, 1000 do redis.call('SADD', k, unpack(list, j, math.min(j + 999, #list))) end
end
sadd(kCust, custs)
for seg, list in pairs(segcs) do sadd(p .. 'segc:' .. seg, list) end
-- every product of a counted order is ranked (ZINCRBY 0 when all its quantity was cancelled)
for pid, q in pairs(pq) do
  if q == 0 then redis.call('ZINCRBY', kPq, 0, pid) else redis.call('ZINCRBY', kPq, string.format('-%d', q), pid) end
  local bp = best[pid]
  local cur = redis.call('HGET', kPrank, pid)
  if (not cur) or earlier(bp[1], cur) then
    redis.call('HSET', kPrank, pid, bp[1])
    redis.call('HSET', kPmeta, pid, bp[2])
  end
end

local ver
if applied > 0 then
  if (not storedMax) or maxTs > tonumber(storedMax) then redis.call('HSET', kSum, 'max_ts', maxTsStr) end
  -- the newest minute moved on (about once a minute of event time): drop minutes no longer served
  if windowMin ~= nil and windowMin ~= oldMaxMin then
    local fields = redis.call('HKEYS', kMin)
    local gone = {}
    for _, f in ipairs(fields) do
      local c = string.find(f, ':', 1, true)
      if c and tonumber(string.sub(f, 1, c - 1)) <= windowMin - 60 then gone[#gone + 1] = f end
    end
    for k = 1, #gone, 1000 do redis.call('HDEL', kMin, unpack(gone, k, math.min(k + 999, #gone))) end
  end
  ver = redis.call('INCR', p .. 'ver')
else
  ver = tonumber(redis.call('GET', p .. 'ver') or '0')
end
return {applied, ver, redis.call('GET', p .. 'epoch')}
`;

/**
 * Before a rebuild: when exactly-once marks were ever dropped (dedupe horizon), the marks no
 * longer say which orders the counters hold, so the counters start from zero (the rebuild then
 * re-applies every order). Keeps ver (views only move forward), the epoch, views, the invalid
 * counter and the lease. Returns 1 when it reset, 0 when the marks were complete (nothing done).
 */
export const RESET_IF_MARKS_DROPPED_LUA = `
local p = ARGV[1]
if redis.call('EXISTS', p .. 'applied:dropped') == 0 then return 0 end
for _, k in ipairs({'sum', 'cust', 'min', 'pq', 'pr', 'pmeta', 'prank', 'state', 'pay', 'applied', 'applied:dropped'}) do redis.call('UNLINK', p .. k) end
local seg = redis.call('HGETALL', p .. 'seg')
for i = 1, #seg, 2 do
  local f = seg[i]
  if string.sub(f, -2) == ':o' then redis.call('UNLINK', p .. 'segc:' .. string.sub(f, 1, -3)) end
end
redis.call('UNLINK', p .. 'seg')
local gen = tonumber(redis.call('GET', p .. 'applied:gen') or '-1')
if gen >= 0 then
  redis.call('UNLINK', p .. 'applied:' .. string.format('%d', gen))
  redis.call('UNLINK', p .. 'applied:' .. string.format('%d', gen - 1))
end
return 1
`;

export const SNAPSHOT_LUA = `
local p = ARGV[1]
local kSum = p .. 'sum'
local sum = redis.call('HGETALL', kSum)
local maxTs = redis.call('HGET', kSum, 'max_ts')
local mins = {}
if maxTs then
  local m = math.floor(tonumber(maxTs) / 60000)
  local fields = {}
  for k = m - 59, m do
    local s = string.format('%d', k)
    fields[#fields + 1] = s .. ':o'
    fields[#fields + 1] = s .. ':r'
  end
  mins = redis.call('HMGET', p .. 'min', unpack(fields))
end
local top = redis.call('ZRANGE', p .. 'pq', 0, 9, 'WITHSCORES')
local ids = {}
for i = 1, #top, 2 do ids[#ids + 1] = top[i] end
local rev, meta = {}, {}
if #ids > 0 then
  rev = redis.call('HMGET', p .. 'pr', unpack(ids))
  meta = redis.call('HMGET', p .. 'pmeta', unpack(ids))
end
local seg = redis.call('HGETALL', p .. 'seg')
local segCust = {}
for i = 1, #seg, 2 do
  local f = seg[i]
  if string.sub(f, -2) == ':o' then
    local s = string.sub(f, 1, -3)
    segCust[#segCust + 1] = s
    segCust[#segCust + 1] = redis.call('SCARD', p .. 'segc:' .. s)
  end
end
return {
  redis.call('GET', p .. 'ver') or '0',
  sum,
  mins,
  top,
  rev,
  meta,
  redis.call('HGETALL', p .. 'state'),
  redis.call('HGETALL', p .. 'pay'),
  seg,
  segCust,
  redis.call('SCARD', p .. 'cust'),
}
`;

/** ARGV: prefix, version, then name/json pairs. Writes only when newer than what is served; publishes. */
export const WRITE_VIEWS_LUA = `
local p = ARGV[1]
local ver = tonumber(ARGV[2])
local cur = tonumber(redis.call('GET', p .. 'views:ver') or '-1')
if ver <= cur then return 0 end
for i = 3, #ARGV, 2 do redis.call('SET', p .. 'views:' .. ARGV[i], ARGV[i + 1]) end
redis.call('SET', p .. 'views:ver', ARGV[2])
redis.call('PUBLISH', p .. 'changed', ARGV[2])
return 1
`;
