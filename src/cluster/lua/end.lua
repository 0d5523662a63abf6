-- The owner ended an interaction: removes its record and publishes the event, unless the reaper
-- ended it already (the `gone` set). A replayed ending (a write in flight when a connection
-- broke) publishes again; the other processes emit it once (lib/cluster/heard.js).
-- KEYS: rec:<id>, own:<owner>, owners, events, node:<owner>, gone, then ses:<session> when the
--   record has a string session.
-- ARGV: owner, id, event name, payload JSON, events maxlen, events ttl ms, incarnation.
-- Returns 1, or 0 when another incarnation holds the owner's id (nothing written: the new one
--   reaped this one's records already, with their OWNER_GONE events), or when the reaper had.
local rec, own, owners, events, node, gone, ses = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local owner, id, incarnation = ARGV[1], ARGV[2], ARGV[7]
if replaced(node, incarnation) then return 0 end
local f = redis.call('HMGET', rec, 'o', 'i')
if f[1] == owner and f[2] == incarnation then
  unlink(rec, ses, own, owners, id, owner)
else
  -- Gone already. Reaped: every process heard OWNER_GONE (the owner, fenced, ended it so too).
  -- Otherwise (Redis restarted empty, the record expired) the others still need the ending.
  disown(own, owners, id, owner)
  if redis.call('ZSCORE', gone, id) then return 0 end
end
event(events, owner, ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
