-- At connect: takes this process's instance id for its incarnation (a token of this connect),
-- unless another incarnation holds it. Taking it reaps what a previous incarnation left (its
-- records end OWNER_GONE, its inbox is dropped: they were for promises that died with it).
-- KEYS: node:<owner>, own:<owner>, the owner's inbox, owners, events, gone.
-- Derived, as in reap.lua: rec:<id> of every id in own:<owner>, and ses:<session> of its session.
-- ARGV: prefix, owner, incarnation, ttl ms (ownerTimeoutMs), now (ms since the epoch), events
--   maxlen, events ttl ms, the session key of a null session (SESSION_KEY_NULL), gone maxlen,
--   gone ttl ms.
-- Returns {1, '', 0, 0} when taken; {0, holder, expires at, pttl} when another incarnation holds
--   it: its token, when its liveness key expires (ms since the epoch, by the server's clock) and
--   in how many ms (both -1 for a key without expiry). The caller asks again: a key whose expiry
--   moved forward was renewed by a live process.
local node, own, inbox, owners, events, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local p, owner, incarnation = ARGV[1], ARGV[2], ARGV[3]
if replaced(node, incarnation) then
  local holder = redis.call('GET', node)
  local pttl = redis.call('PTTL', node)
  if pttl < 0 then return {0, holder, -1, -1} end
  local t = redis.call('TIME')
  return {0, holder, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + pttl, pttl}
end
redis.call('SET', node, incarnation, 'PX', ARGV[4])
reap_owner(p, owner, own, inbox, owners, events, ARGV[5], ARGV[6], ARGV[7], ARGV[8], gone, ARGV[9], ARGV[10])
return {1, '', 0, 0}
