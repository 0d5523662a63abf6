-- Restarts the expiry (the backstop) of a touched record.
-- KEYS: rec:<id>, own:<owner>, node:<owner>, then ses:<session> when the record has a string
--   session.
-- ARGV: owner, ttl ms, incarnation.
-- Returns 1, or 0 when the record is not this incarnation's (any more).
local rec, own, node, ses = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if replaced(node, ARGV[3]) then return 0 end
local f = redis.call('HMGET', rec, 'o', 'i')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[3] then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('PEXPIRE', rec, ttl)
if ses then extend(ses, ttl) end
extend(own, ttl)
return 1
