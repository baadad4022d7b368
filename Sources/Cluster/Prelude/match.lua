-- .match: the pattern language of Handlers (aos's utils.matchesSpec / matchesPattern).
-- Kept in its own module so the handler pipeline does not depend on the details of
-- the general-purpose `.utils` library; `.utils` may re-export these two functions.
local match = {}

-- Characters that turn a string pattern into a Lua pattern (aos: `-` alone does not,
-- because ids and tag values are full of dashes).
local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

-- nil reads as "" (as aos); other values (tables, functions) never match a string.
local function asText(value)
  local t = type(value)
  if t == "string" then return value end
  if t == "number" or t == "boolean" then return tostring(value) end
  if value == nil then return "" end
  return nil
end

-- Does one tag-table value `pattern` accept `value` (the message's field)?
function match.matchesPattern(pattern, value, msg)
  if not pattern then return false end
  if pattern == "_" then return true end
  local kind = type(pattern)
  if kind == "function" then
    return pattern(value, msg) and true or false
  end
  if kind == "string" then
    local text = asText(value)
    if text == nil then return false end
    if pattern:find(MAGIC) then
      -- aos matches Lua patterns case-insensitively by lowering both sides; lowering a
      -- pattern breaks classes like %D, so the pattern is tried as written first.
      return text:match(pattern) ~= nil or text:lower():match(pattern:lower()) ~= nil
    end
    -- aos compares exact strings case-insensitively.
    return text:lower() == pattern:lower()
  end
  if kind == "table" then
    for _, alternative in pairs(pattern) do
      if match.matchesPattern(alternative, value, msg) then return true end
    end
  end
  return false
end

-- A handler pattern: a function (its raw result is returned, so it may say "continue",
-- "skip", a number...), a tag table (every key present and accepted), or an Action name.
function match.matchesSpec(msg, spec)
  local kind = type(spec)
  if kind == "function" then return spec(msg) end
  if kind == "table" then
    for key, pattern in pairs(spec) do
      if not msg[key] then return false end
      if not match.matchesPattern(pattern, msg[key], msg) then return false end
    end
    return true
  end
  if kind == "string" then
    return msg.Action ~= nil and msg.Action == spec
  end
  return false
end

return match
