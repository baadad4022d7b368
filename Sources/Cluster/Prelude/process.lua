-- .process: the aos-compatible process runtime. The host requires it once at boot and
-- calls M.handle(msg, env) for every message (the spawn message first); the returned
-- table is the message's result (see docs/PROCESS-API.md for the contract).
local json = require("json")

ao = require(".ao")
if type(package) == "table" and type(package.loaded) == "table" then
  package.loaded["ao"] = package.loaded["ao"] or ao -- aos also answers require("ao")
end
Handlers = require(".handlers")
local stringify = require(".stringify")

-- The aos libraries written alongside this prelude. One that is absent or fails to load
-- is not offered, rather than leaving the process without a runtime.
local function optional(name)
  local ok, lib = pcall(require, name)
  if ok then return lib end
end
Utils = Utils or optional(".utils")
Dump = Dump or optional(".dump")

Colors = Colors or {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m", gray = "\27[90m",
}
Bell = "\x07"
Inbox = Inbox or {}
Errors = Errors or {}

local process = { _version = "starlane-1" }
local MAX_INBOX = 10000

--------------------------------------------------------------------------------------
-- Output: everything printed while a message runs, joined by newlines.

local function colour(name) return type(Colors) == "table" and Colors[name] or "" end

-- As aos: tables through stringify, numbers green, booleans blue, nil red. Values with
-- __tostring (bint) print as text; functions as <function>, never as an address.
local function show(v)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return colour("green") .. tostring(v) .. colour("reset") end
  if t == "boolean" then return colour("blue") .. tostring(v) .. colour("reset") end
  if t == "nil" then return colour("red") .. "nil" .. colour("reset") end
  if t == "table" then
    local mt = getmetatable(v)
    if mt and mt.__tostring then return tostring(v) end
    return stringify.format(v)
  end
  return "<" .. t .. ">"
end

function print(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = show((select(i, ...))) end
  HANDLER_PRINT_LOGS = HANDLER_PRINT_LOGS or {}
  table.insert(HANDLER_PRINT_LOGS, table.concat(parts, "\t"))
end

local function output()
  return table.concat(HANDLER_PRINT_LOGS or {}, "\n")
end

--------------------------------------------------------------------------------------
-- Globals of the aos API.

function Prompt()
  return colour("green") .. tostring(Name) .. colour("gray") .. "@" .. colour("blue")
    .. "starlane" .. colour("gray") .. "[Inbox:" .. colour("red") .. tostring(#Inbox)
    .. colour("gray") .. "]" .. colour("reset") .. "> "
end

function Version()
  print("version: " .. process._version)
end

-- The name -> value map of a message's tags (the first of a repeated name wins).
function Tab(msg)
  local map = {}
  for _, tag in ipairs(ao._tagList(msg.Tags)) do
    if map[tag.name] == nil then map[tag.name] = tag.value end
  end
  return map
end

function Send(msg)
  -- A patch@1.0 message publishes public state (/now): it has no target by design.
  if not msg.Target and msg.device ~= "patch@1.0" then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local sent = ao.send(msg)
  return { output = "Message added to outbox", receive = sent.receive, onReply = sent.onReply }
end

-- Spawn(msg) spawns this process's own module; Spawn(module, msg) another one.
function Spawn(...)
  local module, msg
  if select("#", ...) == 1 then
    module, msg = ao._module, ...
  else
    module, msg = ...
  end
  local spawned = ao.spawn(module, msg or {})
  return { output = "Spawn process request added to outbox", after = spawned.after,
    onReply = spawned.onReply, receive = spawned.receive }
end

function Receive(pattern)
  return Handlers.receive(pattern)
end

function Assign(assignment)
  ao.assign(assignment)
  print("Assignment added to outbox.")
  return "Assignment added to outbox."
end

local function insertInbox(msg)
  table.insert(Inbox, msg)
  local n = #Inbox
  local overflow = n - MAX_INBOX
  if overflow > 0 then -- drop the oldest
    table.move(Inbox, overflow + 1, n, 1)
    for i = n - overflow + 1, n do Inbox[i] = nil end
  end
end

--------------------------------------------------------------------------------------
-- Message preparation.

-- aos's rule for names: `_` -> `-`, lower case, then a capital at the start and after
-- every dash ("content_type" -> "Content-Type", but also "TokenId" -> "Tokenid").
local function upperAfterDash(c) return "-" .. c:upper() end

local function computeName(s)
  s = s:gsub("_", "-"):lower()
  s = s:gsub("^%l", string.upper)
  s = s:gsub("%-(%l)", upperAfterDash)
  return s
end

-- Names repeat on every message (Action, From, Id, ...): remember the few hundred
-- seen last instead of running three gsubs per name per message.
local nameCache, nameCacheSize = {}, 0
local function normalizeName(s)
  if type(s) ~= "string" then return s end
  local known = nameCache[s]
  if known then return known end
  if nameCacheSize >= 512 then nameCache, nameCacheSize = {}, 0 end
  known = computeName(s)
  nameCache[s], nameCacheSize = known, nameCacheSize + 1
  return known
end
process.normalizeName = normalizeName

local function normalizeMsg(msg)
  local renames = {}
  for k, v in pairs(msg) do
    local nk = normalizeName(k)
    if nk ~= k then renames[#renames + 1] = { k, nk, v } end
  end
  for _, r in ipairs(renames) do msg[r[1]] = nil end
  for _, r in ipairs(renames) do msg[r[2]] = r[3] end
  msg.Tags = ao._tagList(msg.Tags)
  for _, tag in ipairs(msg.Tags) do tag.name = normalizeName(tag.name) end
  return ao.normalize(msg)
end

local function findTag(tags, name)
  for _, tag in ipairs(tags) do
    if tag.name == name then return tag.value end
  end
end

-- Owner and Name are fixed by the process's first message (its spawn message).
local function initializeState(msg, env)
  local tags = env.Process.TagArray or ao._tagList(env.Process.Tags)
  local first = (msg.Id ~= nil and msg.Id == env.Process.Id) or msg.Slot == 0
  -- The host's env names the owner; it is also re-established after a failed
  -- spawn message was rolled back.
  if not Owner then
    Owner = (first and findTag(tags, "From-Process")) or env.Process.Owner or (first and msg.From) or nil
  end
  if not Name then Name = findTag(tags, "Name") or "aos" end
  Inbox = Inbox or {}
  Errors = Errors or {}
  return first
end

local function attachReplies(msg)
  msg.reply = function(reply)
    reply.Target = msg["Reply-To"] or reply.Target or msg.From
    reply["X-Reference"] = msg["X-Reference"] or msg.Reference
    reply["X-Origin"] = msg["X-Origin"] or nil
    return ao.send(reply)
  end
  msg.forward = function(target, extra)
    local copy = ao.sanitize(msg)
    for k, v in pairs(extra or {}) do copy[k] = v end
    copy.Target = target
    copy["Reply-To"] = msg["Reply-To"] or msg.From
    copy["X-Reference"] = msg["X-Reference"] or msg.Reference
    copy["X-Origin"] = msg["X-Origin"] or msg.From
    copy.reply, copy.forward = nil, nil
    return ao.send(copy)
  end
end

--------------------------------------------------------------------------------------
-- Results: plain tables with every tag value a string.

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

local function encodeTags(tags)
  local list = {}
  for _, tag in ipairs(ao._tagList(tags)) do
    list[#list + 1] = { name = text(tag.name), value = text(tag.value) }
  end
  return list
end

local function encodeMessages(messages)
  local list = {}
  for i, m in ipairs(messages) do
    list[i] = { Target = m.Target ~= nil and text(m.Target) or nil, Anchor = m.Anchor,
      Data = text(m.Data), Tags = encodeTags(m.Tags) }
  end
  return list
end

local function encodeAssignments(assignments)
  local list = {}
  for i, a in ipairs(assignments) do
    local processes = {}
    for j, p in ipairs(a.Processes) do processes[j] = text(p) end
    list[i] = { Processes = processes, Message = text(a.Message) }
  end
  return list
end

local function success()
  return {
    Output = output(),
    Messages = encodeMessages(ao.outbox.Messages),
    Spawns = encodeMessages(ao.outbox.Spawns),
    Assignments = encodeAssignments(ao.outbox.Assignments),
  }
end

-- The host rolls the state back; the outbox is dropped, the Output kept for diagnosis.
local function failure(message)
  return { Error = message, Output = output(), Messages = {}, Spawns = {}, Assignments = {} }
end

--------------------------------------------------------------------------------------
-- One message.

local function run(msg, env)
  ao.init(env)
  msg = normalizeMsg(msg)
  ao.id = env.Process.Id or ao.id
  local first = initializeState(msg, env)
  os.time = function() return msg.Timestamp end

  msg.TagArray = msg.Tags
  msg.Tags = Tab(msg)
  if env.Process.TagArray == nil then
    env.Process.TagArray = ao._tagList(env.Process.Tags)
    env.Process.Tags = Tab(env.Process)
  end

  -- JSON Data becomes a table, as in aos.
  if msg.Tags["Content-Type"] == "application/json" and (msg.Data == nil or type(msg.Data) == "string") then
    local ok, value = pcall(json.decode, (msg.Data == nil or msg.Data == "") and "{}" or msg.Data)
    if ok then msg.Data = value end -- undecodable Data stays the string it was
  end

  -- aos's trust rule: a message is taken from its signer, or from an Authority.
  if msg.From ~= msg.Owner and not ao.isTrusted(msg) then
    print("Message is not trusted! From: " .. text(msg.From) .. " - Owner: " .. text(msg.Owner))
    return success()
  end
  if ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. text(msg.From) .. " - Owner: " .. text(msg.Owner))
    return success()
  end

  Handlers.add("_eval", function(m) return m.Action == "Eval" and Owner == m.From end,
    require(".eval")(ao))
  if first then
    -- Runs on this very message (prepended, matches, breaks) and is then gone.
    Handlers.once("_boot", function() return true end, require(".boot")(ao))
  end
  Handlers.append("_default", function() return true end, require(".default")(insertInbox))
  attachReplies(msg)

  -- Handlers run in a coroutine so Receive can park them; no pcall sits between the
  -- coroutine and the handlers, so parking never yields across a C boundary.
  local ctx = { msg = msg }
  local co = coroutine.create(function() return Handlers.evaluate(msg, env, ctx) end)
  local ok, err = coroutine.resume(co)

  local live = {}
  for _, c in ipairs(Handlers.coroutines) do
    if coroutine.status(c) ~= "dead" then live[#live + 1] = c end
  end
  if coroutine.status(co) == "suspended" then live[#live + 1] = co end
  Handlers.coroutines = live

  if not ok then return failure(Handlers._failure(ctx, err).text) end
  if ao.outbox.Error then return failure(text(ao.outbox.Error)) end
  return success()
end

function process.handle(msg, envArg)
  local env = type(envArg) == "table" and (envArg.Process and envArg or envArg.env) or {}
  env.Process = env.Process or {}
  HANDLER_PRINT_LOGS = {}
  local ok, result = pcall(run, msg, env)
  if not ok then result = failure(Handlers._failure(nil, result).text) end
  HANDLER_PRINT_LOGS = {}
  return result
end

return process
