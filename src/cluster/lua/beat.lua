-- Every heartbeat (and after an outage): renews this incarnation's liveness key and inbox.
-- KEYS: node:<owner>, the owner's inbox.
-- ARGV: incarnation, ttl ms (ownerTimeoutMs).
-- Returns 1, 2 when the key was gone (FLUSHALL, eviction, a Redis restarted empty: this process's
--   records may be gone too, and it publishes them again), or 0 when another incarnation holds
--   the id (this one was replaced: nothing renewed).
local node, inbox = KEYS[1], KEYS[2]
if replaced(node, ARGV[1]) then return 0 end
local had = redis.call('EXISTS', node)
redis.call('SET', node, ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', inbox, ARGV[2])
if had == 0 then return 2 end
return 1
