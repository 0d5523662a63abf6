//! The Lua scripts: every change to shared state is one script, so each is atomic in Redis.
//!
//! Keys under the prefix `p`:
//! - `p:rec:<id>`: hash of one pending interaction: `o` owner, `k` session key (who may answer),
//!   `s` session name (string sessions only), `t` type, `r` require-session-match, `c` once an
//!   answer was claimed and routed. Always with an expiry (the backstop).
//! - `p:ses:<session>`: hash id -> the record as JSON (the `interaction-request` payload), so
//!   that listing a session is one HVALS.
//! - `p:own:<owner>`: set of the ids of one owner process.
//! - `p:owners`: owners that have records (the reaper's list).
//! - `p:node:<owner>` (liveness, expires after ownerTimeoutMs) and `p:node:<owner>:inbox` (the
//!   owner's stream of routed answers): the liveness keys of a live process.
//! - `p:events`: the events stream, capped (MAXLEN ~) and expiring when idle.
//! - `p:detached:<session>`: a detached session, for its grace period.

/// Shared helpers, prepended to every script.
const PRELUDE: &str = r#"
local p = ARGV[1]
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
local function disown(id, owner)
  local own = p..':own:'..owner
  redis.call('SREM', own, id)
  if redis.call('SCARD', own) == 0 then redis.call('SREM', p..':owners', owner) end
end
local function unlink(id, owner, session)
  redis.call('DEL', p..':rec:'..id)
  if session then redis.call('HDEL', p..':ses:'..session, id) end
  disown(id, owner)
end
local function event(origin, name, payload, maxlen, ttl)
  local key = p..':events'
  redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'o', origin, 'n', name, 'v', payload)
  redis.call('PEXPIRE', key, ttl)
end
local function route(owner, kind, a, v, maxlen)
  redis.call('XADD', p..':node:'..owner..':inbox', 'MAXLEN', '~', maxlen, '*', 'k', kind, 'a', a, 'v', v)
end
"#;

/// ARGV: p, owner, id, session key, session name ('' when none), has name, type, require match,
/// ttl ms, record JSON, announce ('1': add the interaction-request event), events maxlen, events ttl.
pub const PUBLISH: &str = r#"
local owner, id = ARGV[2], ARGV[3]
local ttl = tonumber(ARGV[9])
local rec = p..':rec:'..id
redis.call('HSET', rec, 'o', owner, 'k', ARGV[4], 't', ARGV[7], 'r', ARGV[8])
if ARGV[6] == '1' then
  redis.call('HSET', rec, 's', ARGV[5])
  redis.call('HSET', p..':ses:'..ARGV[5], id, ARGV[10])
  extend(p..':ses:'..ARGV[5], ttl)
end
redis.call('PEXPIRE', rec, ttl)
redis.call('SADD', p..':own:'..owner, id)
extend(p..':own:'..owner, ttl)
redis.call('SADD', p..':owners', owner)
extend(p..':owners', ttl)
if ARGV[11] == '1' then event(owner, 'interaction-request', ARGV[10], ARGV[12], ARGV[13]) end
return 1
"#;

/// The owner ended an interaction: removes its record (unless an answer elsewhere already did)
/// and publishes the event. ARGV: p, owner, id, event name, payload, events maxlen, events ttl.
pub const END: &str = r#"
local owner, id = ARGV[2], ARGV[3]
local f = redis.call('HMGET', p..':rec:'..id, 'o', 's')
if f[1] == owner then unlink(id, owner, f[2]) else disown(id, owner) end
event(owner, ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1
"#;

/// Restarts the backstop of a touched record. ARGV: p, owner, id, ttl ms.
pub const REFRESH: &str = r#"
local rec = p..':rec:'..ARGV[3]
local f = redis.call('HMGET', rec, 'o', 's')
if f[1] ~= ARGV[2] then return 0 end
local ttl = tonumber(ARGV[4])
redis.call('PEXPIRE', rec, ttl)
if f[2] then extend(p..':ses:'..f[2], ttl) end
extend(p..':own:'..ARGV[2], ttl)
return 1
"#;

/// The atomic claim of an answer. Returns 0 (no record: unknown, or not written yet), -4
/// (already claimed, its answer on the way to the owner), -2 (session mismatch), -3 (its owner
/// is gone), 2 (claimed; the caller owns it and settles it itself) or 1 (claimed and routed to
/// the owner's inbox; the record stays, marked `c`, until the owner ends it). ARGV: p, id, asker
/// key ('' = anyone, as an answer without a session), kind, value, caller, inbox maxlen.
pub const CLAIM: &str = r#"
local id = ARGV[2]
local rec = p..':rec:'..id
local f = redis.call('HMGET', rec, 'o', 'k', 'r', 's', 'c')
local owner = f[1]
if not owner then return 0 end
if f[5] then return -4 end
if ARGV[3] == '' then
  if f[3] == '1' then return -2 end
elseif ARGV[3] ~= f[2] then
  return -2
end
if owner == ARGV[6] then
  unlink(id, owner, f[4])
  return 2
end
if redis.call('EXISTS', p..':node:'..owner) == 0 then return -3 end
redis.call('HSET', rec, 'c', '1')
if f[4] then redis.call('HDEL', p..':ses:'..f[4], id) end
route(owner, ARGV[4], id, ARGV[5], ARGV[7])
return 1
"#;

/// Routes a touch to the owner. Returns 0 (unknown), 2 (the caller owns it), 1 (routed).
/// ARGV: p, id, caller, inbox maxlen.
pub const TOUCH: &str = r#"
local f = redis.call('HMGET', p..':rec:'..ARGV[2], 'o', 'c')
local owner = f[1]
if not owner or f[2] then return 0 end
if owner == ARGV[3] then return 2 end
route(owner, 'touch', ARGV[2], '', ARGV[4])
return 1
"#;

/// Removes a session's records everywhere and tells each other owner to settle its own
/// (SESSION_REMOVED). Returns how many records it removed. ARGV: p, session, caller, inbox maxlen.
pub const REMOVE_SESSION: &str = r#"
local session = ARGV[2]
local key = p..':ses:'..session
local told = {}
local n = 0
for _, id in ipairs(redis.call('HKEYS', key)) do
  local owner = redis.call('HGET', p..':rec:'..id, 'o')
  if owner then
    unlink(id, owner, session)
    n = n + 1
    if owner ~= ARGV[3] and not told[owner] then
      told[owner] = true
      route(owner, 'removeSession', session, '', ARGV[4])
    end
  end
end
redis.call('DEL', key)
return n
"#;

/// Detach ('detach', grace ms) or attach ('attach') a session on every other owner of its
/// records. Returns, for attach, whether the session was detached. ARGV: p, session, kind,
/// grace ms, caller, inbox maxlen.
pub const SESSION_STATE: &str = r#"
local session, kind = ARGV[2], ARGV[3]
local flag = p..':detached:'..session
local was = 0
if kind == 'detach' then
  redis.call('SET', flag, '1', 'PX', math.max(1, tonumber(ARGV[4])))
else
  was = redis.call('DEL', flag)
end
local told = {}
for _, id in ipairs(redis.call('HKEYS', p..':ses:'..session)) do
  local owner = redis.call('HGET', p..':rec:'..id, 'o')
  if owner and owner ~= ARGV[5] and not told[owner] then
    told[owner] = true
    route(owner, kind, session, ARGV[4], ARGV[6])
  end
end
return was
"#;

/// The records of the given sessions, as JSON (the caller filters by type). ARGV: p, sessions...
pub const LIST: &str = r#"
local out = {}
for i = 2, #ARGV do
  for _, j in ipairs(redis.call('HVALS', p..':ses:'..ARGV[i])) do out[#out + 1] = j end
end
return out
"#;

/// An owner whose liveness key expired: removes its records and publishes OWNER_GONE for each.
/// Returns how many. ARGV: p, owner, now (ms since the epoch), events maxlen, events ttl.
pub const REAP: &str = r#"
local owner = ARGV[2]
if redis.call('EXISTS', p..':node:'..owner) == 1 then return 0 end
local own = p..':own:'..owner
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', own)) do
  local f = redis.call('HMGET', p..':rec:'..id, 'o', 's', 'k')
  if f[1] == owner then
    unlink(id, owner, f[2])
    local payload = { interactionId = id, rejectedAt = tonumber(ARGV[3]),
      reason = 'Owner process gone', code = 'OWNER_GONE' }
    -- The session as the requester gave it: a name, '' , null or (absent) undefined.
    if f[2] then payload.sessionId = f[2] elseif f[3] == 'n' then payload.sessionId = cjson.null end
    event('', 'interaction-rejected', cjson.encode(payload), ARGV[4], ARGV[5])
    n = n + 1
  end
end
redis.call('DEL', own, p..':node:'..owner..':inbox')
redis.call('SREM', p..':owners', owner)
return n
"#;

/// Drops every record of this owner, before it republishes its live ones. ARGV: p, owner.
pub const PURGE: &str = r#"
local owner = ARGV[2]
local own = p..':own:'..owner
for _, id in ipairs(redis.call('SMEMBERS', own)) do
  local f = redis.call('HMGET', p..':rec:'..id, 'o', 's')
  if f[1] == owner then unlink(id, owner, f[2]) end
end
redis.call('DEL', own)
redis.call('SREM', p..':owners', owner)
return 1
"#;

/// A script's full source: the prelude, then its body.
pub fn source(body: &str) -> String {
    format!("{PRELUDE}{body}")
}
