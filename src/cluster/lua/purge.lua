-- Drops every record of this owner, before it publishes its live ones again after an outage.
-- KEYS: own:<owner>, owners, node:<owner>.
-- Derived, because only the owner's set lists its records and only each record knows its
--   session: rec:<id> of every id in own:<owner>, and ses:<session> of its session.
-- ARGV: prefix, owner, incarnation.
-- Returns 1, or 0 when another incarnation holds the owner's id (its records are not touched).
local own, owners, node = KEYS[1], KEYS[2], KEYS[3]
local p, owner = ARGV[1], ARGV[2]
if replaced(node, ARGV[3]) then return 0 end
for _, id in ipairs(redis.call('SMEMBERS', own)) do
  local rec = rec_key(p, id)
  local f = redis.call('HMGET', rec, 'o', 's')
  if f[1] == owner then unlink(rec, f[2] and ses_key(p, f[2]), own, owners, id, owner) end
end
redis.call('DEL', own)
redis.call('SREM', owners, owner)
return 1
