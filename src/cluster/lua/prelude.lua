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
