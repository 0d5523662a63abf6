-- Removes a session on every process: unlists its records and tells each other owner to settle
-- its own (SESSION_REMOVED), whose endings then remove the records.
-- KEYS: ses:<session>, owners.
-- Derived, because only the session's hash lists its records and only each record knows its
--   owner: rec:<id> of every id in ses:<session>, and own:<owner> and the inbox of its owner.
-- ARGV: prefix, session, caller, delivery kind of a session removal, inbox maxlen.
-- Returns how many records it unlisted.
local ses, owners = KEYS[1], KEYS[2]
local p, session, caller = ARGV[1], ARGV[2], ARGV[3]
local told = {}
local n = 0
for _, id in ipairs(redis.call('HKEYS', ses)) do
  local rec = rec_key(p, id)
  local owner = redis.call('HGET', rec, 'o')
  if owner then
    -- Unlisted at once (the session's hash goes below); the record itself stays until its
    -- owner's ending removes it and publishes SESSION_REMOVED (end.lua: one script removes it).
    n = n + 1
    if owner ~= caller and not told[owner] then
      told[owner] = true
      route(inbox_key(p, owner), ARGV[4], session, '', ARGV[5])
    end
  end
end
redis.call('DEL', ses)
return n
