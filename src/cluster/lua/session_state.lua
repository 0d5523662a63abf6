-- Detaches a session (for its grace) or attaches it again on every other owner of its records.
-- KEYS: detached:<session>, ses:<session>.
-- Derived, because only the session's hash lists its records and only each record knows its
--   owner: rec:<id> of every id in ses:<session>, and the inbox of its owner.
-- ARGV: prefix, session, what (the delivery kind: detach or attach), is detach ('1'/'0'),
--   grace ms, caller, inbox maxlen.
-- Returns, for attach, whether the session was detached (1/0); 0 for detach.
local flag, ses = KEYS[1], KEYS[2]
local p, session, kind, caller = ARGV[1], ARGV[2], ARGV[3], ARGV[6]
local was = 0
if ARGV[4] == '1' then
  redis.call('SET', flag, '1', 'PX', math.max(1, tonumber(ARGV[5])))
else
  was = redis.call('DEL', flag)
end
local told = {}
for _, id in ipairs(redis.call('HKEYS', ses)) do
  local owner = redis.call('HGET', rec_key(p, id), 'o')
  if owner and owner ~= caller and not told[owner] then
    told[owner] = true
    route(inbox_key(p, owner), kind, session, ARGV[5], ARGV[7])
  end
end
return was
