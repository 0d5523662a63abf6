-- Restarts the expiry (the backstop) of a touched record.
-- KEYS: rec:<id>, own:<owner>, then ses:<session> when the record has a string session.
-- ARGV: owner, ttl ms.
-- Returns 1, or 0 when the record is not this owner's (any more).
local rec, own, ses = KEYS[1], KEYS[2], KEYS[3]
if redis.call('HGET', rec, 'o') ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('PEXPIRE', rec, ttl)
if ses then extend(ses, ttl) end
extend(own, ttl)
return 1
