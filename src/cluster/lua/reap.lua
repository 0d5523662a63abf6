-- An owner whose liveness key expired: removes its records and publishes OWNER_GONE for each.
-- KEYS: node:<owner>, own:<owner>, the owner's inbox, owners, events.
-- Derived, because only the owner's set lists its records and only each record knows its
--   session: rec:<id> of every id in own:<owner>, and ses:<session> of its session.
-- ARGV: prefix, owner, now (ms since the epoch), events maxlen, events ttl ms, the session key
--   of a null session (SESSION_KEY_NULL in src/cluster/wire.rs).
-- Returns how many records it removed (0 when the owner is alive).
local node, own, inbox, owners, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if redis.call('EXISTS', node) == 1 then return 0 end
return reap_owner(ARGV[1], ARGV[2], own, inbox, owners, events, ARGV[3], ARGV[4], ARGV[5], ARGV[6])
