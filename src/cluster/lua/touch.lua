-- Routes a touch to the record's owner.
-- KEYS: rec:<id>, gone (the ids the reaper ended, scored by when).
-- Derived, because only the record knows its owner: the owner's node:<owner> and inbox.
-- ARGV: prefix, id, caller, delivery kind of a touch, inbox maxlen, the caller's incarnation,
--   now (the caller's ms since the epoch), how long gone remembers (ms).
-- Returns (ClaimOutcome::from_script in src/cluster/scripts.rs reads them): 0 no record,
--   already claimed, or its owner's incarnation is gone; {-3, when} no record because the reaper
--   ended it then; 2 the caller owns it; 1 routed.
local rec, gone = KEYS[1], KEYS[2]
local p, id = ARGV[1], ARGV[2]
local f = redis.call('HMGET', rec, 'o', 'c', 'i')
local owner = f[1]
if not owner then return reaped(gone, id, ARGV[7], ARGV[8]) end
if f[2] then return 0 end
if owner == ARGV[3] and f[3] == ARGV[6] then return 2 end
local live = redis.call('GET', node_key(p, owner))
if not live or live ~= f[3] then return 0 end
route(inbox_key(p, owner), ARGV[4], id, '', ARGV[5])
return 1
