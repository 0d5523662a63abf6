-- The owner ended an interaction: removes its record (unless a claim already did) and publishes
-- the event.
-- KEYS: rec:<id>, own:<owner>, owners, events, then ses:<session> when the record has a string
--   session.
-- ARGV: owner, id, event name, payload JSON, events maxlen, events ttl ms.
-- Returns 1.
local rec, own, owners, events, ses = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local owner, id = ARGV[1], ARGV[2]
if redis.call('HGET', rec, 'o') == owner then
  unlink(rec, ses, own, owners, id, owner)
else
  disown(own, owners, id, owner)
end
event(events, owner, ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
