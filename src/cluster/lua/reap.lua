-- An owner whose liveness key expired: removes its records, publishes OWNER_GONE for each and
-- remembers each in gone (score: when), so that a late answer learns how it ended.
-- KEYS: node:<owner>, own:<owner>, the owner's inbox, owners, events, gone.
-- Derived, because only the owner's set lists its records and only each record knows its
--   session: rec:<id> of every id in own:<owner>, and ses:<session> of its session.
-- ARGV: prefix, owner, now (ms since the epoch), events maxlen, events ttl ms, the session key
--   of a null session (SESSION_KEY_NULL in src/cluster/wire.rs), gone maxlen, gone ttl ms.
-- Returns how many records it removed (0 when the owner is alive).
local node, own, inbox, owners, events, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
if redis.call('EXISTS', node) == 1 then return 0 end
return reap_owner(ARGV[1], ARGV[2], own, inbox, owners, events, ARGV[3], ARGV[4], ARGV[5], ARGV[6], gone, ARGV[7], ARGV[8])
