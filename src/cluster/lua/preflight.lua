-- Which commands cluster mode uses this Redis user may not run, asked at connect (src/cluster/
-- preflight.rs) so that a missing one fails connect instead of a link that never receives.
-- Runs none of them: redis.acl_check_cmd (Redis 7.0 and later) only checks the permissions, of
-- the command and of the keys it names, here keys of every kind under the prefix. Every command
-- the link (src/cluster/*.rs) and the scripts (lua/*.lua) run is listed, on each kind of key it
-- is run on (__test__/cluster-preflight.spec.js reads the sources and takes each one away).
-- KEYS: none (no key is read or written).
-- ARGV: prefix, this process (owner).
-- Returns {'checked', the refused commands...} ('HSET', 'CLIENT SETNAME'), or {'unchecked'}
--   on a server without redis.acl_check_cmd.
local p, me = ARGV[1], ARGV[2]
if not redis.acl_check_cmd then return { 'unchecked' } end
local rec, ses, own = rec_key(p, 'preflight'), ses_key(p, 'preflight'), own_key(p, me)
local node, inbox = node_key(p, me), inbox_key(p, me)
local owners, events, gone, detached = p..':owners', p..':events', p..':gone', p..':detached:preflight'
local uses = {
  -- the link's own commands
  { 'SCRIPT', 'LOAD', 'return 1' },
  { 'EVALSHA', '0000000000000000000000000000000000000000', '0' },
  { 'CLIENT', 'SETNAME', 'interactions-preflight' },
  { 'XREAD', 'COUNT', '1', 'BLOCK', '1', 'STREAMS', inbox, events, '0-0', '0-0' },
  { 'XREVRANGE', events, '+', '-', 'COUNT', '1' },
  { 'SET', node, '1', 'PX', '1000' },
  { 'DEL', node, inbox },
  { 'PEXPIRE', inbox, '1000' },
  { 'SMEMBERS', owners },
  -- the scripts', by key
  { 'TIME' },
  { 'HSET', rec, 'o', me }, { 'HGET', rec, 'o' }, { 'HMGET', rec, 'o', 'k' }, { 'DEL', rec },
  { 'PEXPIRE', rec, '1000' },
  { 'HSET', ses, 'preflight', '{}' }, { 'HDEL', ses, 'preflight' }, { 'HKEYS', ses },
  { 'HVALS', ses }, { 'DEL', ses }, { 'PTTL', ses }, { 'PEXPIRE', ses, '1000' },
  { 'SADD', own, 'preflight' }, { 'SREM', own, 'preflight' }, { 'SCARD', own },
  { 'SMEMBERS', own }, { 'DEL', own }, { 'PTTL', own }, { 'PEXPIRE', own, '1000' },
  { 'SADD', owners, me }, { 'SREM', owners, me }, { 'PTTL', owners }, { 'PEXPIRE', owners, '1000' },
  { 'EXISTS', node }, { 'GET', node }, { 'PTTL', node },
  { 'XTRIM', inbox, 'MINID', '0-0' },
  { 'XADD', inbox, 'MAXLEN', '~', '1', '*', 'k', 'touch', 'a', 'preflight', 'v', '' },
  { 'XADD', events, 'MAXLEN', '~', '1', '*', 'o', me, 'n', 'preflight', 'v', '' },
  { 'PEXPIRE', events, '1000' },
  { 'SET', detached, '1', 'PX', '1000' }, { 'DEL', detached },
  { 'ZADD', gone, '0', 'preflight' }, { 'ZSCORE', gone, 'preflight' }, { 'ZCARD', gone },
  { 'ZREMRANGEBYSCORE', gone, '-inf', '(0' }, { 'ZREMRANGEBYRANK', gone, '0', '0' },
  { 'PEXPIRE', gone, '1000' },
}
local sub = { SCRIPT = true, CLIENT = true }
local out, named = { 'checked' }, {}
for _, use in ipairs(uses) do
  local ok, allowed = pcall(redis.acl_check_cmd, unpack(use))
  if not (ok and allowed) then
    local name = sub[use[1]] and (use[1]..' '..use[2]) or use[1]
    if not named[name] then
      named[name] = true
      out[#out + 1] = name
    end
  end
end
return out
