-- The atomic claim of an answer, by any process.
-- KEYS: rec:<id>, owners, own:<caller>, gone (the ids the reaper ended, scored by when).
-- Derived, because only the record knows its owner and session: ses:<session>, and the
--   owner's node:<owner> (liveness: the token of the incarnation that holds the id) and inbox.
-- ARGV: prefix, id, asker key ('' = anyone: an answer given without a session), kind of the
--   answer (its delivery kind), value, caller, inbox maxlen, the caller's incarnation, the asker
--   key that skips the session check (a reject's: SESSION_KEY_UNCHECKED in src/cluster/wire.rs),
--   now (the caller's ms since the epoch), how long gone remembers (ms).
-- Returns (ClaimOutcome::from_script in src/cluster/scripts.rs reads them): 0 no record
--   (unknown, or not written yet), {-3, when} no record because the reaper ended it then, -4 already claimed (its answer is on the way to the owner),
--   -2 session mismatch, -3 its owner is gone (no live incarnation of the record's: an answer
--   routed to a restarted owner would settle nothing), 2 claimed and the caller owns it (it
--   settles it itself; the record stays, marked `c`, until its ending), 1 claimed and routed to the owner's inbox (the record stays, marked `c`,
--   until the owner ends it).
local rec, owners, own, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local p, id, caller = ARGV[1], ARGV[2], ARGV[6]
local f = redis.call('HMGET', rec, 'o', 'k', 'r', 's', 'c', 'i')
local owner = f[1]
if not owner then return reaped(gone, id, ARGV[10], ARGV[11]) end
if f[5] then return -4 end
if ARGV[3] == '' then
  if f[3] == '1' then return -2 end
elseif ARGV[3] ~= f[2] and ARGV[3] ~= ARGV[9] then
  return -2
end
local ses = f[4] and ses_key(p, f[4])
if owner == caller and f[6] == ARGV[8] then
  -- The caller settles it itself; its ending removes the record (end.lua), so that exactly one
  -- script does, and publishes. Marked, so that another claim meanwhile is told it is decided.
  redis.call('HSET', rec, 'c', '1')
  return 2
end
local live = redis.call('GET', node_key(p, owner))
if not live or live ~= f[6] then return -3 end
redis.call('HSET', rec, 'c', '1')
if ses then redis.call('HDEL', ses, id) end
route(inbox_key(p, owner), ARGV[4], id, ARGV[5], ARGV[7])
return 1
