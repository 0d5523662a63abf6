-- Prepended to every script (src/cluster/scripts.rs). The helpers touch only the keys they are
-- given. The *_key functions name the keys a script learns only while it runs (an owner or a
-- session read from a record, the ids a set or hash lists), as src/cluster/keys.rs names them;
-- such a script takes the prefix as its ARGV[1].
local function rec_key(p, id) return p..':rec:'..id end
local function ses_key(p, session) return p..':ses:'..session end
local function own_key(p, owner) return p..':own:'..owner end
local function node_key(p, owner) return p..':node:'..owner end
local function inbox_key(p, owner) return p..':node:'..owner..':inbox' end

-- Lengthens a key's expiry to ttl ms, never shortens it: records of longer ttl share the key.
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

-- The record is no longer the owner's; the owner leaves the reaper's list with its last one.
local function disown(own, owners, id, owner)
  redis.call('SREM', own, id)
  if redis.call('SCARD', own) == 0 then redis.call('SREM', owners, owner) end
end

-- Removes a record: the record, its entry in its session's hash (ses is false without one),
-- its owner's set.
local function unlink(rec, ses, own, owners, id, owner)
  redis.call('DEL', rec)
  if ses then redis.call('HDEL', ses, id) end
  disown(own, owners, id, owner)
end

local function event(events, origin, name, payload, maxlen, ttl)
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'o', origin, 'n', name, 'v', payload)
  redis.call('PEXPIRE', events, ttl)
end

-- Whether another incarnation of this instance id holds its liveness key (node:<owner> holds
-- the token of the connect that took the id): then this process was replaced (a restart took
-- its id while it was stalled) and none of its writes may touch the new incarnation's state.
local function replaced(node, incarnation)
  local holder = redis.call('GET', node)
  return holder ~= false and holder ~= incarnation
end

-- Removes every record of a dead owner (or of a dead incarnation of this process's id), publishes
-- OWNER_GONE for each, remembers each in `gone` (score: when), so that a late answer learns how
-- it ended, and drops the owner's set and inbox. `null_key`: the session key of a null session
-- (SESSION_KEY_NULL in src/cluster/wire.rs). `gone` keeps what single-process mode remembers of
-- its settlements: the last `gone_max`, none older than `gone_ttl` ms. Returns how many records
-- it removed.
local function reap_owner(p, owner, own, inbox, owners, events, now, maxlen, ttl, null_key, gone, gone_max, gone_ttl)
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', own)) do
    local rec = rec_key(p, id)
    local f = redis.call('HMGET', rec, 'o', 's', 'k')
    if f[1] == owner then
      unlink(rec, f[2] and ses_key(p, f[2]), own, owners, id, owner)
      local payload = { interactionId = id, rejectedAt = tonumber(now),
        reason = 'Owner process gone', code = 'OWNER_GONE' }
      -- The session as the requester gave it: a name, '', null or (absent) undefined.
      if f[2] then payload.sessionId = f[2] elseif f[3] == null_key then payload.sessionId = cjson.null end
      -- Its origin is the owner: the owner's own reader passes it over (the owner ends its own
      -- interactions, OWNER_GONE too when it fences itself), every other process emits it.
      event(events, owner, 'interaction-rejected', cjson.encode(payload), maxlen, ttl)
      redis.call('ZADD', gone, now, id)
      n = n + 1
    end
  end
  if n > 0 then
    local keep = tonumber(gone_ttl)
    redis.call('ZREMRANGEBYSCORE', gone, '-inf', '(' .. (tonumber(now) - keep))
    local extra = redis.call('ZCARD', gone) - tonumber(gone_max)
    if extra > 0 then redis.call('ZREMRANGEBYRANK', gone, 0, extra - 1) end
    redis.call('PEXPIRE', gone, keep)
  end
  redis.call('DEL', own, inbox)
  redis.call('SREM', owners, owner)
  return n
end

-- Hands an owner a delivery (kind, a, v) through its inbox stream.
local function route(inbox, kind, a, v, maxlen)
  redis.call('XADD', inbox, 'MAXLEN', '~', maxlen, '*', 'k', kind, 'a', a, 'v', v)
end

-- An id without a record: {-3, when} if the reaper ended it at most `ttl` ms before `now`, else 0.
local function reaped(gone, id, now, ttl)
  local at = redis.call('ZSCORE', gone, id)
  if at and tonumber(at) >= tonumber(now) - tonumber(ttl) then return { -3, tonumber(at) } end
  return 0
end
