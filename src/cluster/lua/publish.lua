-- Publishes one record of this owner, or publishes it again after an outage.
-- KEYS: rec:<id>, own:<owner>, owners, events, node:<owner>, then ses:<session> for a string
--   session.
-- ARGV: owner, id, session key, session name ('' without one), type, require match ('1'/'0'),
--   ttl ms, record JSON, announce ('1': add the interaction-request event), events maxlen,
--   events ttl ms, incarnation, its place in listings ('' for a new record: now on Redis's clock,
--   in µs, one clock for every process; a record published again keeps its own), liveness ttl ms
--   (ownerTimeoutMs).
-- Returns its place (the session's hash holds '<place> <record JSON>'), or 0 when another
--   incarnation holds the owner's id (nothing written). When the owner's liveness key was gone
--   (FLUSHALL, eviction), it is set again first: this adds the owner to `owners`, and a reaper
--   must not find it there without one and reap a live process. The answer is then
--   {place, 'lost'}: the owner publishes its other records again.
local rec, own, owners, events, node, ses = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local owner, id = ARGV[1], ARGV[2]
if replaced(node, ARGV[12]) then return 0 end
local lost = redis.call('EXISTS', node) == 0
if lost then redis.call('SET', node, ARGV[12], 'PX', ARGV[14]) end
local ttl = tonumber(ARGV[7])
local place = ARGV[13]
if place == '' then
  local t = redis.call('TIME')
  place = t[1] .. string.format('%06d', tonumber(t[2]))
end
redis.call('HSET', rec, 'o', owner, 'i', ARGV[12], 'k', ARGV[3], 't', ARGV[5], 'r', ARGV[6])
if ses then
  redis.call('HSET', rec, 's', ARGV[4])
  redis.call('HSET', ses, id, place .. ' ' .. ARGV[8])
  extend(ses, ttl)
end
redis.call('PEXPIRE', rec, ttl)
redis.call('SADD', own, id)
extend(own, ttl)
redis.call('SADD', owners, owner)
extend(owners, ttl)
if ARGV[9] == '1' then event(events, owner, 'interaction-request', ARGV[8], ARGV[10], ARGV[11]) end
if lost then return {place, 'lost'} end
return place
