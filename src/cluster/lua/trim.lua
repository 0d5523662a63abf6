-- Drops the inbox entries this process's reader has read and handed to JS: every id before the
-- first one to keep (the successor of the last id read). Later entries, still unread, stay.
-- KEYS: node:<owner>, the owner's inbox.
-- ARGV: incarnation, the first id to keep.
-- Returns how many entries it dropped, or -1 when another incarnation holds the id (then the
--   inbox is its, and is not touched).
local node, inbox = KEYS[1], KEYS[2]
if replaced(node, ARGV[1]) then return -1 end
return redis.call('XTRIM', inbox, 'MINID', ARGV[2])
