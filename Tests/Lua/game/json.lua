-- A small JSON codec for the plain-Lua game tests, with the node's rules
-- (Sources/CLuaNatives/json.c): object keys sorted bytewise, a table whose keys are
-- exactly 1..n is an array, the empty table is "[]", null decodes to nil.
local M = {}

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function encodeString(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESCAPES[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function arrayLength(t)
  local count, max = 0, 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return nil end
    if k > max then max = k end
    count = count + 1
  end
  return count == max and max or nil
end

local encodeValue

local function encodeTable(t, out)
  local n = arrayLength(t)
  if n then
    out[#out + 1] = "["
    for i = 1, n do
      if i > 1 then out[#out + 1] = "," end
      encodeValue(t[i], out)
    end
    out[#out + 1] = "]"
    return
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  out[#out + 1] = "{"
  for i, k in ipairs(keys) do
    if i > 1 then out[#out + 1] = "," end
    out[#out + 1] = encodeString(k) .. ":"
    local v = t[k]
    if v == nil then v = t[math.tointeger(tonumber(k))] end
    encodeValue(v, out)
  end
  out[#out + 1] = "}"
end

function encodeValue(v, out)
  local t = type(v)
  if t == "nil" then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then
    if math.type(v) == "integer" then out[#out + 1] = tostring(v)
    else out[#out + 1] = string.format("%.17g", v) end
  elseif t == "string" then out[#out + 1] = encodeString(v)
  elseif t == "table" then encodeTable(v, out)
  else error("json: cannot encode a " .. t) end
end

function M.encode(v)
  local out = {}
  encodeValue(v, out)
  return table.concat(out)
end

-- Decoding: a recursive descent over the text.
local function skip(s, i) return s:find("[^ \t\r\n]", i) or #s + 1 end

local decodeValue

local function decodeString(s, i)
  local out, j = {}, i + 1
  while true do
    local c = s:sub(j, j)
    if c == "" then error("json: unterminated string") end
    if c == '"' then return table.concat(out), j + 1 end
    if c == "\\" then
      local e = s:sub(j + 1, j + 1)
      local simple = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
      if e == "u" then
        out[#out + 1] = utf8.char(tonumber(s:sub(j + 2, j + 5), 16))
        j = j + 6
      else
        out[#out + 1] = assert(simple[e], "json: bad escape")
        j = j + 2
      end
    else
      out[#out + 1] = c
      j = j + 1
    end
  end
end

function decodeValue(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local t = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return t, i + 1 end
    while true do
      local k
      k, i = decodeString(s, skip(s, i))
      i = skip(s, i)
      assert(s:sub(i, i) == ":", "json: expected ':'")
      t[k], i = decodeValue(s, i + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "}" then return t, i + 1 end
      assert(d == ",", "json: expected ',' or '}'")
      i = i + 1
    end
  elseif c == "[" then
    local t = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return t, i + 1 end
    while true do
      t[#t + 1], i = decodeValue(s, i)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "]" then return t, i + 1 end
      assert(d == ",", "json: expected ',' or ']'")
      i = i + 1
    end
  elseif c == '"' then
    return decodeString(s, i)
  elseif s:sub(i, i + 3) == "true" then return true, i + 4
  elseif s:sub(i, i + 4) == "false" then return false, i + 5
  elseif s:sub(i, i + 3) == "null" then return nil, i + 4
  end
  local number = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  assert(number and #number > 0, "json: unexpected '" .. c .. "' at " .. i)
  return math.tointeger(tonumber(number)) or tonumber(number), i + #number
end

function M.decode(s)
  assert(type(s) == "string", "json: decode needs a string")
  local v, i = decodeValue(s, 1)
  assert(skip(s, i) > #s, "json: trailing text")
  return v
end

return M
