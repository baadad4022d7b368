--[==[
  .dump -- a value as Lua source text (the `Dump` global of aos processes),
  with the same call shape as the lua-dump module aos ships:

      dump(value [, indent [, padding [, filter [, udata]]]]) -> string

  indent   spaces per nesting level (default 4; 0 puts a table on one line)
  padding  spaces before every line of a table (default 0)
  filter   function(value, depth, type, use, key, udata) -> value, nodump
           called for every key (use = "key"), value (use = "val") and
           circular reference (use = "circular"); returning nil drops the
           entry, nodump = true emits the value as-is (no quoting/recursion).

  Keys are sorted (numbers, then strings, then false/true) so the text is the
  same on every run; identifier keys are bare, others bracketed. Non-table
  values at the top level come back quoted ("%q"), as in aos.
  Difference: a table met again inside itself prints as "<Circular>" (aos adds
  the table's address, which would differ from run to run).
]==]

local type = type
local tostring = tostring
local pairs = pairs
local error = error
local string_format = string.format
local string_rep = string.rep
local string_match = string.match
local table_sort = table.sort
local table_concat = table.concat
local math_floor = math.floor

local IDENTIFIER = "^[a-zA-Z_][a-zA-Z0-9_]*$"

-- Every Lua keyword: such keys cannot be written bare.
local KEYWORDS = {}
for word in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[word] = true
end

local TYPE_RANK = { number = 1, string = 2, boolean = 3 }

local function byKey(a, b)
  if a.kind ~= b.kind then
    return TYPE_RANK[a.kind] < TYPE_RANK[b.kind]
  end
  if a.kind == "boolean" then
    return (not a.key) and b.key
  end
  return a.key < b.key
end

local function identity(value)
  return value
end

local function isUnsigned(v)
  return type(v) == "number" and v >= 0 and v < math.huge and math_floor(v) == v
end

local dumpTable

-- A non-table scalar (or a value the filter asked not to dump) as text.
local function scalar(value)
  local t = type(value)
  if t == "number" or t == "boolean" then
    return tostring(value)
  elseif t == "string" then
    return string_format("%q", value)
  end
  return string_format("%q", tostring(value))
end

function dumpTable(tbl, depth, indent, nestIndent, ctx)
  if ctx.open[tbl] then
    local value, nodump = ctx.filter(tbl, depth, type(tbl), "circular", tbl, ctx.udata)
    if value ~= nil and value ~= tbl then
      if type(value) == "table" then
        if nodump then return tostring(value) end
        return dumpTable(value, depth + 1, indent, nestIndent, ctx)
      end
      return scalar(value)
    end
    return '"<Circular>"'
  end

  ctx.open[tbl] = true
  local fieldIndent = indent .. nestIndent
  local entries, count = {}, 0

  for k, v in pairs(tbl) do
    local key, nokeydump = ctx.filter(k, depth, type(k), "key", nil, ctx.udata)
    if key ~= nil then
      local value, novaluedump = ctx.filter(v, depth, type(v), "val", key, ctx.udata)
      if value ~= nil then
        local keyType = type(key)
        local keyText, sortKey
        if keyType == "number" or keyType == "boolean" then
          keyText, sortKey = "[" .. tostring(key) .. "]", key
        elseif keyType == "table" and not nokeydump then
          keyText = "[" .. dumpTable(key, depth + 1, fieldIndent, nestIndent, ctx) .. "]"
          sortKey, keyType = keyText, "string"
        elseif keyType ~= "string" or KEYWORDS[key] or not string_match(key, IDENTIFIER) then
          keyText = string_format("[%q]", tostring(key))
          sortKey, keyType = keyText, "string"
        else
          keyText, sortKey = key, k
          if type(sortKey) ~= "string" then sortKey = key end
        end

        local valueType = type(value)
        local valueText
        if valueType == "number" or valueType == "boolean" then
          valueText = tostring(value)
        elseif valueType == "string" then
          valueText = novaluedump and value or string_format("%q", value)
        elseif valueType == "table" and not novaluedump then
          valueText = dumpTable(value, depth + 1, fieldIndent, nestIndent, ctx)
        else
          valueText = string_format("%q", tostring(value))
        end

        count = count + 1
        entries[count] = {
          kind = keyType,
          key = sortKey,
          text = fieldIndent .. keyText .. " = " .. valueText,
        }
      end
    end
  end
  ctx.open[tbl] = nil

  if count == 0 then
    return "{}"
  end
  table_sort(entries, byKey)
  local lines = {}
  for i = 1, count do
    lines[i] = entries[i].text
  end
  return "{" .. ctx.LF .. table_concat(lines, "," .. ctx.LF) .. ctx.LF .. indent .. "}"
end

local function dump(value, indent, padding, filter, udata)
  if indent == nil then
    indent = 4
  elseif not isUnsigned(indent) then
    error("indent must be unsigned integer", 2)
  end
  if padding == nil then
    padding = 0
  elseif not isUnsigned(padding) then
    error("padding must be unsigned integer", 2)
  end
  if filter == nil then
    filter = identity
  elseif type(filter) ~= "function" then
    error("filter must be function", 2)
  end

  local t = type(value)
  if t == "table" then
    local nestIndent = string_rep(" ", indent)
    return dumpTable(value, 1, string_rep(" ", padding), nestIndent, {
      LF = nestIndent == "" and " " or "\n",
      open = {},
      filter = filter,
      udata = udata,
    })
  end

  local v, nodump = filter(value, 0, t, "val", nil, udata)
  if nodump == true then
    return tostring(v)
  end
  return string_format("%q", tostring(v))
end

return dump
