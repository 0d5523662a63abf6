-- At close: removes this incarnation's liveness key and inbox, unless another incarnation holds
-- the id (then they are its).
-- KEYS: node:<owner>, the owner's inbox.
-- ARGV: incarnation.
-- Returns 1, or 0 when another incarnation holds the id.
local node, inbox = KEYS[1], KEYS[2]
if replaced(node, ARGV[1]) then return 0 end
redis.call('DEL', node, inbox)
return 1
