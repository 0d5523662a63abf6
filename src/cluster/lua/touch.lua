-- Routes a touch to the record's owner.
-- KEYS: rec:<id>.
-- Derived, because only the record knows its owner: the owner's inbox.
-- ARGV: prefix, id, caller, delivery kind of a touch, inbox maxlen.
-- Returns (ClaimOutcome::from_script in src/cluster/scripts.rs reads them): 0 no record, or
--   already claimed; 2 the caller owns it; 1 routed.
local rec = KEYS[1]
local p, id = ARGV[1], ARGV[2]
local f = redis.call('HMGET', rec, 'o', 'c')
local owner = f[1]
if not owner or f[2] then return 0 end
if owner == ARGV[3] then return 2 end
route(inbox_key(p, owner), ARGV[4], id, '', ARGV[5])
return 1
