-- The records of the given sessions; the caller orders them and filters by type.
-- KEYS: ses:<session> of each session.
-- ARGV: none.
-- Returns the records as publish.lua keeps them: '<place> <record JSON>'.
local out = {}
for _, ses in ipairs(KEYS) do
  for _, json in ipairs(redis.call('HVALS', ses)) do out[#out + 1] = json end
end
return out
