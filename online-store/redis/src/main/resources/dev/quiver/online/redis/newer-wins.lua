-- Writes one encoded row of a view into an entity's hash, atomically, only when it is newer.
-- KEYS[1] the entity's hash; ARGV[1] the view (hash field); ARGV[2] the encoded row;
-- ARGV[3], when given, the stored row the caller saw: write only if it is still the same.
-- Rows keep their event time at bytes 2-9 and created time at 10-17 (signed big-endian).
-- Returns {1} written, {0} not written, {2, stored} same times: the caller decides by features.
local function compare(a, b, from)
  for i = from, from + 7 do
    local x, y = string.byte(a, i), string.byte(b, i)
    if i == from then
      -- The sign bit: negative times sort first.
      x = (x + 128) % 256
      y = (y + 128) % 256
    end
    if x ~= y then
      if x < y then return -1 else return 1 end
    end
  end
  return 0
end

local stored = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] then
  if stored ~= ARGV[3] then return {0} end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return {1}
end
if not stored then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return {1}
end
local order = compare(ARGV[2], stored, 2)
if order == 0 then order = compare(ARGV[2], stored, 10) end
if order > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return {1}
end
if order < 0 then return {0} end
return {2, stored}
