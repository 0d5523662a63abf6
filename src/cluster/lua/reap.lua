-- An owner whose liveness key expired: removes its records, publishes OWNER_GONE for each and
-- remembers each in gone (score: when), so that a late answer learns how it ended; gone keeps
-- what single-process mode remembers of its settlements: the last `gone maxlen`, none older
-- than `gone ttl`.
-- KEYS: node:<owner>, own:<owner>, the owner's inbox, owners, events, gone.
-- Derived, because only the owner's set lists its records and only each record knows its
--   session: rec:<id> of every id in own:<owner>, and ses:<session> of its session.
-- ARGV: prefix, owner, now (ms since the epoch), events maxlen, events ttl ms, the session key
--   of a null session (SESSION_KEY_NULL in src/cluster/wire.rs), gone maxlen, gone ttl ms.
-- Returns how many records it removed (0 when the owner is alive).
local node, own, inbox, owners, events, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local p, owner = ARGV[1], ARGV[2]
if redis.call('EXISTS', node) == 1 then return 0 end
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', own)) do
  local rec = rec_key(p, id)
  local f = redis.call('HMGET', rec, 'o', 's', 'k')
  if f[1] == owner then
    unlink(rec, f[2] and ses_key(p, f[2]), own, owners, id, owner)
    local payload = { interactionId = id, rejectedAt = tonumber(ARGV[3]),
      reason = 'Owner process gone', code = 'OWNER_GONE' }
    -- The session as the requester gave it: a name, '', null or (absent) undefined.
    if f[2] then payload.sessionId = f[2] elseif f[3] == ARGV[6] then payload.sessionId = cjson.null end
    event(events, '', 'interaction-rejected', cjson.encode(payload), ARGV[4], ARGV[5])
    redis.call('ZADD', gone, ARGV[3], id)
    n = n + 1
  end
end
if n > 0 then
  local ttl = tonumber(ARGV[8])
  redis.call('ZREMRANGEBYSCORE', gone, '-inf', '(' .. (tonumber(ARGV[3]) - ttl))
  local extra = redis.call('ZCARD', gone) - tonumber(ARGV[7])
  if extra > 0 then redis.call('ZREMRANGEBYRANK', gone, 0, extra - 1) end
  redis.call('PEXPIRE', gone, ttl)
end
redis.call('DEL', own, inbox)
redis.call('SREM', owners, owner)
return n
