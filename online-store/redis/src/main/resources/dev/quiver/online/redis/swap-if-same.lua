-- Replaces a view's value in an entity's hash only if it still holds what the caller read, so a
-- read-merge-write by one client never loses another's write in between.
-- KEYS[1] the entity's hash; ARGV[1] the view (hash field); ARGV[2] the new value, empty to delete;
-- ARGV[3] the value the caller read, empty when there was none (stored values are never empty).
-- Returns {1} replaced, {0, current} not replaced ({0} when the field is now absent).
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if (stored or '') ~= ARGV[3] then
  if stored then return {0, stored} end
  return {0}
end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return {1}
