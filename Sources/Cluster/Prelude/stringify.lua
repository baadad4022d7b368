-- .stringify: render a Lua value for a human (what `print(t)` and Eval show), in the
-- shape aos uses: `{ "a", 1 }` for flat lists, `key = value` lines for everything else,
-- ANSI colours from the global `Colors` (set Colors to empty strings to switch them off).
local stringify = { _version = "starlane-1" }

local DEFAULT = { red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m" }

local function palette()
  local c = type(Colors) == "table" and Colors or DEFAULT
  return c.red or "", c.green or "", c.blue or "", c.reset or ""
end

-- Keys in a stable order: numbers ascending, then strings, then anything else by type.
local function sortedKeys(tbl)
  local keys = {}
  for k in pairs(tbl) do keys[#keys + 1] = k end
  local rank = { number = 1, string = 2 }
  table.sort(keys, function(a, b)
    local ra, rb = rank[type(a)] or 3, rank[type(b)] or 3
    if ra ~= rb then return ra < rb end
    if ra < 3 then return a < b end
    return type(a) < type(b)
  end)
  return keys
end

-- A list 1..n of numbers and strings only (printed on one line).
function stringify.isSimpleArray(tbl)
  local n = 0
  for k, v in pairs(tbl) do
    n = n + 1
    if math.type(k) ~= "integer" or (type(v) ~= "number" and type(v) ~= "string") then
      return false
    end
  end
  return n == #tbl
end

local function isSequence(tbl)
  local n = 0
  for k in pairs(tbl) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  return n == #tbl
end

-- Scalars, coloured. Functions and other opaque values print as `<function>` rather
-- than as an address, so the Output of a message is the same on every replay.
local function scalar(v)
  local red, green, blue, reset = palette()
  local t = type(v)
  if t == "string" then return green .. '"' .. v .. '"' .. reset end
  if t == "number" or t == "boolean" then return blue .. tostring(v) .. reset end
  if t == "nil" then return red .. "nil" .. reset end
  local mt = getmetatable(v)
  if t == "table" and mt and mt.__tostring then return blue .. tostring(v) .. reset end
  return "<" .. t .. ">"
end

local function keyText(k)
  local red, _, _, reset = palette()
  if type(k) == "string" then return red .. k .. reset end
  return "[" .. scalar(k) .. "]"
end

function stringify.format(tbl, indent, visited)
  if type(tbl) ~= "table" then return scalar(tbl) end
  local mt = getmetatable(tbl)
  if mt and mt.__tostring then return scalar(tbl) end
  indent = indent or 0
  visited = visited or {}
  if visited[tbl] then return "<circular reference>" end
  if next(tbl) == nil then return "{}" end

  if stringify.isSimpleArray(tbl) then
    local items = {}
    for i, v in ipairs(tbl) do items[i] = scalar(v) end
    return "{ " .. table.concat(items, ", ") .. " }"
  end

  visited[tbl] = true -- only along the current path: shared sub-tables print twice
  local pad, childPad = string.rep(" ", indent), string.rep(" ", indent + 2)
  local sequence = isSequence(tbl)
  local lines = {}
  for _, k in ipairs(sortedKeys(tbl)) do
    local v = tbl[k]
    local text = type(v) == "table" and stringify.format(v, indent + 2, visited) or scalar(v)
    lines[#lines + 1] = childPad .. (sequence and "" or (keyText(k) .. " = ")) .. text
  end
  visited[tbl] = nil
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. pad .. "}"
end

return stringify
