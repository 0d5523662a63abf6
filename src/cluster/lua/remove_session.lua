-- Removes a session's records on every process and tells each other owner to settle its own
-- (SESSION_REMOVED).
-- KEYS: ses:<session>, owners.
-- Derived, because only the session's hash lists its records and only each record knows its
--   owner: rec:<id> of every id in ses:<session>, and own:<owner> and the inbox of its owner.
-- ARGV: prefix, session, caller, delivery kind of a session removal, inbox maxlen.
-- Returns how many records it removed.
local ses, owners = KEYS[1], KEYS[2]
local p, session, caller = ARGV[1], ARGV[2], ARGV[3]
local told = {}
local n = 0
for _, id in ipairs(redis.call('HKEYS', ses)) do
  local rec = rec_key(p, id)
  local owner = redis.call('HGET', rec, 'o')
  if owner then
    unlink(rec, ses, own_key(p, owner), owners, id, owner)
    n = n + 1
    if owner ~= caller and not told[owner] then
      told[owner] = true
      route(inbox_key(p, owner), ARGV[4], session, '', ARGV[5])
    end
  end
end
redis.call('DEL', ses)
return n
