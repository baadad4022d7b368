-- TEST-ONLY loader that mimics the host contract under plain lua5.4, so the prelude can
-- be tested before the Swift host exists. Nothing here ships: the real json codec,
-- deterministic pairs and sandbox are native (LuaVM / CLuaNatives).
--
--   package.path = "<this dir>/?.lua;" .. package.path
--   local H = require("harness")
--   local P = H.spawn{ tags = { {name="Name", value="x"} }, data = "..." }
--   local r = P:send{ from = H.ALICE, action = "Ping", tags = {...}, data = "" }
local H = {}

local write, popen, loadfile_, stdout = io.write, io.popen, loadfile, io.stdout
local exit, traceback = os.exit, debug.traceback
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local preludeDir = here .. "../../../Sources/Cluster/Prelude/"

----------------------------------------------------------------------------------------
-- Test-only JSON: sorted keys, empty table -> "[]" (as the native codec does).
local json = {}
local function encodeString(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    return map[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end
function json.encode(v)
  local t = type(v)
  if v == nil then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("cannot encode " .. tostring(v)) end
    return math.type(v) == "integer" and string.format("%d", v) or string.format("%.17g", v)
  end
  if t == "string" then return encodeString(v) end
  if t ~= "table" then error("cannot encode a " .. t) end
  if next(v) == nil then return "[]" end
  local n = 0
  for _ in next, v do n = n + 1 end
  if n == #v then
    local items = {}
    for i = 1, n do items[i] = json.encode(v[i]) end
    return "[" .. table.concat(items, ",") .. "]"
  end
  local keys = {}
  for k in next, v do
    if type(k) ~= "string" and type(k) ~= "number" then error("cannot encode a " .. type(k) .. " key") end
    keys[#keys + 1] = tostring(k)
  end
  table.sort(keys)
  local items = {}
  for _, k in ipairs(keys) do
    local value = v[k]
    if value == nil then value = v[tonumber(k)] end
    items[#items + 1] = encodeString(k) .. ":" .. json.encode(value)
  end
  return "{" .. table.concat(items, ",") .. "}"
end
function json.decode(s)
  assert(type(s) == "string", "json.decode expects a string")
  local pos = 1
  local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
  local function fail(what) error("invalid json (" .. what .. ") at " .. pos, 0) end
  local value
  local function str()
    local out = {}
    pos = pos + 1
    while true do
      local c = s:sub(pos, pos)
      if c == "" then fail("unterminated string") end
      if c == '"' then pos = pos + 1; return table.concat(out) end
      if c == "\\" then
        local e = s:sub(pos + 1, pos + 1)
        local map = { n = "\n", r = "\r", t = "\t", b = "\b", f = "\f", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
        if e == "u" then out[#out + 1] = utf8.char(tonumber(s:sub(pos + 2, pos + 5), 16)); pos = pos + 6
        elseif map[e] then out[#out + 1] = map[e]; pos = pos + 2
        else fail("escape") end
      else out[#out + 1] = c; pos = pos + 1 end
    end
  end
  function value()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      local obj = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1; return obj end
      while true do
        ws(); if s:sub(pos, pos) ~= '"' then fail("key") end
        local k = str(); ws()
        if s:sub(pos, pos) ~= ":" then fail(":") end
        pos = pos + 1
        obj[k] = value(); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "}" then return obj end
        if d ~= "," then fail(",") end
      end
    elseif c == "[" then
      local arr = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1; return arr end
      while true do
        arr[#arr + 1] = value(); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "]" then return arr end
        if d ~= "," then fail(",") end
      end
    elseif c == '"' then return str()
    elseif s:find("^true", pos) then pos = pos + 4; return true
    elseif s:find("^false", pos) then pos = pos + 5; return false
    elseif s:find("^null", pos) then pos = pos + 4; return nil
    else
      local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not num or num == "" then fail("value") end
      pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  local v = value(); ws()
  if pos <= #s then fail("trailing text") end
  return v
end
H.json = json

----------------------------------------------------------------------------------------
-- The sandbox the host gives a process.

local rawpairs = pairs
local rank = { number = 1, string = 2, boolean = 3 }
local function keyLess(a, b)
  local ra, rb = rank[type(a)] or 4, rank[type(b)] or 4
  if ra ~= rb then return ra < rb end
  if ra == 1 or ra == 2 then return a < b end
  return tostring(a) < tostring(b)
end
-- Deterministic pairs (keys in order), as the host's replacement.
function pairs(t)
  local mt = getmetatable(t)
  if mt and mt.__pairs then return mt.__pairs(t) end
  local keys = {}
  for k in rawpairs(t) do keys[#keys + 1] = k end
  table.sort(keys, keyLess)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end, t, nil
end

local rawload = load
load = function(chunk, name, _, env) return rawload(chunk, name, "t", env) end
os = { time = os.time, clock = os.clock }
io, debug, dofile, loadfile = nil, nil, nil, nil
package.searchers = { package.searchers[1] } -- preload only
package.path, package.cpath = "", ""
print = nil

package.preload.json = function() return json end
_G.json = json

-- TEST-ONLY stand-in for the host's outgoing-message builder (CLuaNatives/outgoing.c):
-- the same rules in Lua. Root tags: string keys but Target, Data, Anchor, Tags, From,
-- with non-function values, in `<` order, as fresh {name, value} tables (raw values).
local nativeStandIn = {}
do
  local SKIP = { Target = true, Data = true, Anchor = true, Tags = true, From = true }
  function nativeStandIn.rootTags(tags, msg)
    local names = {}
    for k, v in next, msg do
      if type(k) == "string" and not SKIP[k] and type(v) ~= "function" then names[#names + 1] = k end
    end
    table.sort(names)
    local count = #tags
    for i, k in ipairs(names) do tags[count + i] = { name = k, value = rawget(msg, k) } end
  end
  function nativeStandIn.message(msg, reference)
    local message = {
      Target = msg.Target, Data = msg.Data, Anchor = string.format("%032d", reference),
      Tags = {
        { name = "Data-Protocol", value = "ao" }, { name = "Variant", value = "ao.TN.1" },
        { name = "Type", value = "Message" }, { name = "Reference", value = tostring(reference) },
      },
    }
    nativeStandIn.rootTags(message.Tags, msg)
    return message
  end
end
package.preload["starlane.native"] = function() return nativeStandIn end

-- Register every Prelude/NAME.lua as ".NAME", like the host.
local modules = {}
do
  local ls = popen('ls "' .. preludeDir .. '"')
  for file in ls:lines() do
    local name = file:match("^(.+)%.lua$")
    if name then
      modules[#modules + 1] = "." .. name
      local path = preludeDir .. file
      package.preload["." .. name] = function(...) return assert(loadfile_(path, "t"))(...) end
    end
  end
  ls:close()
end
H.modules = modules

local baseline = {}
for k in rawpairs(_G) do baseline[k] = true end
local baseTime = os.time

function H.log(...)
  local parts = { ... }
  for i = 1, select("#", ...) do parts[i] = tostring(parts[i]) end
  write(table.concat(parts, "\t"), "\n")
  stdout:flush()
end

----------------------------------------------------------------------------------------
-- Processes and messages.

local function id(prefix)
  return (prefix .. string.rep("x", 43)):sub(1, 43)
end
H.id = id
H.ALICE = id("ALICEwallet")
H.BOB = id("BOBwallet")
H.NODE = id("NODEwallet")

-- ANSI colours off, for assertions on text.
function H.plain(s) return (tostring(s):gsub("\27%[[%d;]*m", "")) end

local function copyTags(tags)
  local list = {}
  for i, t in ipairs(tags or {}) do list[i] = { name = t.name, value = t.value } end
  return list
end

-- Reset to a fresh "lua_State": drop every global and module the last process made.
local function reset()
  for k in rawpairs(_G) do
    if not baseline[k] then _G[k] = nil end
  end
  os.time = baseTime
  setmetatable(_G, nil)
  for _, name in ipairs(modules) do package.loaded[name] = nil end
  package.loaded.ao = nil
end

local Process = {}
Process.__index = Process

-- opts: pid, owner, from, tags (list), data, id (spawn message id; default = pid),
-- reuseEnv (pass one env table on every message, as a host may; default: a fresh one)
function H.spawn(opts)
  opts = opts or {}
  reset()
  local P = setmetatable({}, Process)
  P.reuseEnv = opts.reuseEnv
  P.pid = opts.pid or id("PROCESS" .. tostring(opts.name or "main"))
  P.owner = opts.owner or H.ALICE
  P.slot = 0
  P.msgCount = 0
  local tags = { { name = "Data-Protocol", value = "ao" }, { name = "Type", value = "Process" },
    { name = "Module", value = id("MODULE") } }
  for _, t in ipairs(opts.tags or {}) do tags[#tags + 1] = t end
  P.spawnTags = tags
  P.module = require(".process")
  P.boot = P:deliver({ Id = opts.id or P.pid, From = opts.from or P.owner, Owner = opts.from or P.owner,
    Tags = copyTags(tags), Data = opts.data or "" })
  return P
end

function Process:env()
  if self.reuseEnv and self.sharedEnv then return self.sharedEnv end
  local env = { Process = { Id = self.pid, Owner = self.owner, Tags = copyTags(self.spawnTags) },
    Module = { Id = id("MODULE") } }
  if self.reuseEnv then self.sharedEnv = env end
  return env
end

-- Deliver a raw AO message (fills Id, Target, Timestamp, Slot...). Returns the result,
-- after checking it is plain data the host can JSON-encode.
function Process:deliver(msg)
  msg.Target = msg.Target or self.pid
  msg.Slot = self.slot
  msg.Timestamp = msg.Timestamp or (1700000000000 + self.slot * 1000)
  msg["Block-Height"] = msg["Block-Height"] or (1000 + self.slot)
  if not msg.Id then
    self.msgCount = self.msgCount + 1
    msg.Id = id("MSG" .. self.msgCount)
  end
  self.slot = self.slot + 1
  math.randomseed(self.slot)
  local result = self.module.handle(msg, self:env())
  assert(type(result) == "table", "handle must return a table")
  result = H.asHostReads(result)
  self.lastJson = json.encode(result)
  return result
end

-- The result as the host reads it (handle.c's write_messages): the prelude hands over
-- its outbox lists, whose Target, Data and tags become text there.
local function text(v)
  if v == nil then return "" end
  local t = type(v)
  if t == "string" then return v end
  if t == "number" or t == "boolean" then return tostring(v) end
  local mt = getmetatable(v)
  if t == "table" and mt and mt.__tostring then return tostring(v) end
  if t == "table" then return json.encode(v) end
  return "<" .. t .. ">"
end

local function isArray(t)
  local n, only = 0, true
  for k in next, t do
    n = n + 1
    if math.type(k) ~= "integer" or k < 1 then only = false end
  end
  return only and n == #t
end

local function hostTags(tags)
  local list = {}
  if type(tags) ~= "table" then return list end
  if isArray(tags) then
    for _, tag in ipairs(tags) do list[#list + 1] = { name = text(tag.name), value = text(tag.value) } end
  else
    local names = {}
    for k in next, tags do if type(k) == "string" then names[#names + 1] = k end end
    table.sort(names)
    for _, k in ipairs(names) do list[#list + 1] = { name = k, value = text(tags[k]) } end
  end
  return list
end

local function hostMessages(messages)
  local list = {}
  for i, m in ipairs(messages or {}) do
    list[i] = { Target = m.Target ~= nil and text(m.Target) or nil, Anchor = m.Anchor,
      Data = text(m.Data), Tags = hostTags(m.Tags) }
  end
  return list
end

function H.asHostReads(result)
  local copy = {}
  for k, v in next, result do copy[k] = v end
  copy.Messages, copy.Spawns = hostMessages(result.Messages), hostMessages(result.Spawns)
  return copy
end

-- Friendlier form: { from=, owner=, action=, data=, tags = { {name=,value=} or Name = value }, cron= }
function Process:send(m)
  local tags = {}
  if m.action then tags[#tags + 1] = { name = "Action", value = m.action } end
  if m.tags then
    if m.tags[1] or next(m.tags) == nil then
      for _, t in ipairs(m.tags) do tags[#tags + 1] = t end
    else
      local names = {}
      for k in rawpairs(m.tags) do names[#names + 1] = k end
      table.sort(names)
      for _, k in ipairs(names) do tags[#tags + 1] = { name = k, value = m.tags[k] } end
    end
  end
  local from = m.from or H.ALICE
  return self:deliver({ From = from, Owner = m.owner or from, Tags = tags, Data = m.data or "",
    Cron = m.cron, Id = m.id })
end

-- Tag value of an outgoing message (first with that name).
function H.tag(message, name)
  for _, t in ipairs(message.Tags) do
    if t.name == name then return t.value end
  end
end

----------------------------------------------------------------------------------------
-- Tiny test runner.

local passed, failed = 0, 0
function H.test(name, fn)
  local ok, err = xpcall(fn, function(e) return traceback and traceback(e) or tostring(e) end)
  if ok then
    passed = passed + 1
    H.log("  ok   " .. name)
  else
    failed = failed + 1
    H.log("  FAIL " .. name .. "\n       " .. tostring(err))
  end
end

function H.eq(actual, expected, what)
  if actual ~= expected then
    error((what or "value") .. ": expected " .. tostring(expected) .. ", got " .. tostring(actual), 2)
  end
end

function H.contains(text, fragment, what)
  if type(text) ~= "string" or not text:find(fragment, 1, true) then
    error((what or "text") .. ": expected to contain [" .. fragment .. "], got [" .. tostring(text) .. "]", 2)
  end
end

-- Call at the end of a test file: exit status says whether everything passed.
function H.done()
  H.log(string.format("%d passed, %d failed", passed, failed))
  exit(failed == 0 and 0 or 1)
end

return H
