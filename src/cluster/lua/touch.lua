-- Routes a touch to the record's owner.
-- KEYS: rec:<id>, gone (the ids the reaper ended, scored by when).
-- Derived, because only the record knows its owner: the owner's inbox.
-- ARGV: prefix, id, caller, delivery kind of a touch, inbox maxlen, now (the caller's ms since
--   the epoch), how long gone remembers (ms).
-- Returns (ClaimOutcome::from_script in src/cluster/scripts.rs reads them): 0 no record, or
--   already claimed; {-3, when} no record because the reaper ended it then; 2 the caller owns
--   it; 1 routed.
local rec, gone = KEYS[1], KEYS[2]
local p, id = ARGV[1], ARGV[2]
local f = redis.call('HMGET', rec, 'o', 'c')
local owner = f[1]
if not owner then return reaped(gone, id, ARGV[6], ARGV[7]) end
if f[2] then return 0 end
if owner == ARGV[3] then return 2 end
route(inbox_key(p, owner), ARGV[4], id, '', ARGV[5])
return 1
