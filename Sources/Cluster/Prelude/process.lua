-- .process: the aos-compatible process runtime. The host requires it once at boot and
-- calls M.handle(msg, env, true) for every message (the spawn message first); the returned
-- table is the message's result (see docs/PROCESS-API.md for the contract).
local json = require("json")

ao = require(".ao")
if type(package) == "table" and type(package.loaded) == "table" then
  package.loaded["ao"] = package.loaded["ao"] or ao -- aos also answers require("ao")
end
Handlers = require(".handlers")

--------------------------------------------------------------------------------------
-- Library globals loaded on first use: `Utils` (.utils) and `Dump` (.dump) cost nothing
-- until a process reads them. A metatable on _G loads one when it is first read
-- (a library that fails to load reads as nil, as before); assigning the name first
-- cancels the loading. The metatable is removed once none is left.

local lazyGlobals = {} -- name -> module, while not yet read or assigned
local globalsMeta = { starlaneLazyGlobals = true }

local function settleLazyGlobal(g, name)
  lazyGlobals[name] = nil
  if next(lazyGlobals) == nil and getmetatable(g) == globalsMeta then setmetatable(g, nil) end
end

function globalsMeta.__index(g, name)
  local module = lazyGlobals[name]
  if module == nil then return nil end
  settleLazyGlobal(g, name)
  local ok, lib = pcall(require, module)
  if not ok then return nil end
  rawset(g, name, lib)
  return lib
end

function globalsMeta.__newindex(g, name, value)
  if lazyGlobals[name] ~= nil then settleLazyGlobal(g, name) end
  rawset(g, name, value)
end

local function offerLazily(name, module)
  if rawget(_G, name) ~= nil then return end -- already there (the prelude was reloaded)
  lazyGlobals[name] = module
  local current = getmetatable(_G)
  if current == nil or (type(current) == "table" and rawget(current, "starlaneLazyGlobals")) then
    setmetatable(_G, globalsMeta)
  end
end
offerLazily("Utils", ".utils")
offerLazily("Dump", ".dump")

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
    return require(".stringify").format(v)
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
  local logs = HANDLER_PRINT_LOGS
  if logs == nil or #logs == 0 then return "" end
  return table.concat(logs, "\n")
end

-- HANDLER_PRINT_LOGS is a fresh empty list for every message and between messages;
-- the one the prelude made last is kept while nothing was printed into it.
local emptyPrintLogs = {}
local function clearPrintLogs()
  if HANDLER_PRINT_LOGS ~= emptyPrintLogs or emptyPrintLogs[1] ~= nil then
    emptyPrintLogs = {}
    HANDLER_PRINT_LOGS = emptyPrintLogs
  end
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

-- The name -> value map of a tag list (the first of a repeated name wins).
local function tagMap(list)
  local map = {}
  for i = 1, #list do
    local tag = list[i]
    if tag == nil then break end -- (as ipairs, without a call per tag)
    if map[tag.name] == nil then map[tag.name] = tag.value end
  end
  return map
end

-- The name -> value map of a message's tags.
function Tab(msg)
  return tagMap(ao._tagList(msg.Tags))
end

function Send(msg)
  -- A patch@1.0 message publishes public state (/now): it has no target by design.
  if not msg.Target and msg.device ~= "patch@1.0" then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  -- aos returns { output, receive, onReply }: receive and onReply are read through
  -- from the sent message, which makes them only when they are used.
  return setmetatable({ output = "Message added to outbox" }, { __index = ao.send(msg) })
end

-- Spawn(msg) spawns this process's own module; Spawn(module, msg) another one.
function Spawn(...)
  local module, msg
  if select("#", ...) == 1 then
    module, msg = ao._module, ...
  else
    module, msg = ...
  end
  -- As Send: after, onReply and receive are read through from the spawn.
  return setmetatable({ output = "Spawn process request added to outbox" }, { __index = ao.spawn(module, msg or {}) })
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

-- Are all root keys already normal (as the host's always are)? Asked of the cache
-- without changing it, so the raw `next` walk's order cannot matter.
local function rootKeysAreNormal(msg)
  local normal = true
  for k in next, msg do
    if nameCache[k] ~= k then normal = false end
  end
  return normal
end

local function renameRootKeys(msg)
  local renames = {}
  for k, v in pairs(msg) do
    local nk = normalizeName(k)
    if nk ~= k then renames[#renames + 1] = { k, nk, v } end
  end
  for _, r in ipairs(renames) do msg[r[1]] = nil end
  for _, r in ipairs(renames) do msg[r[2]] = r[3] end
end

-- The tags, in one pass: names normalised, hoisted onto the root (the last of a
-- repeated name wins; never over the node's fields), gathered in msg.Tags, the
-- name -> value map (the first wins). msg.TagArray is the list.
local function prepareTags(msg, fromHost)
  local list = fromHost and msg.Tags or ao._tagList(msg.Tags)
  local map, kept = {}, ao._nonExtractableSet()
  for i = 1, #list do
    local tag = list[i]
    if tag == nil then break end -- (as ipairs)
    local name = nameCache[tag.name] or normalizeName(tag.name)
    local value = tag.value
    tag.name = name
    if not kept[name] then msg[name] = value end
    if map[name] == nil then map[name] = value end
  end
  msg.TagArray, msg.Tags = list, map
end

-- As aos: env.Process.Tags becomes the name -> value map, TagArray the list. An env
-- the host passes again is already converted.
local function prepareEnv(process)
  process.TagArray = ao._tagList(process.Tags)
  process.Tags = tagMap(process.TagArray)
end

local function findTag(tags, name)
  for _, tag in ipairs(tags) do
    if tag.name == name then return tag.value end
  end
end

-- Owner and Name are fixed by the process's first message (its spawn message).
local function initializeState(msg, env)
  local process = env.Process
  local first = (msg.Id ~= nil and msg.Id == process.Id) or msg.Slot == 0
  -- The host's env names the owner; it is also re-established after a failed
  -- spawn message was rolled back.
  if not Owner then
    Owner = (first and findTag(process.TagArray, "From-Process")) or process.Owner
      or (first and msg.From) or nil
  end
  if not Name then Name = findTag(process.TagArray, "Name") or "aos" end
  if not Inbox then Inbox = {} end
  if not Errors then Errors = {} end
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
-- Results: Output and the outbox lists; the host reads every tag, Target and Data as
-- text (`text` below, written out in C: docs/RUNTIME.md).

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

-- Every empty list of a result is this one table (never written to).
local NONE = {}

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
  local outbox = ao.outbox
  local messages, spawns, assignments = outbox.Messages, outbox.Spawns, outbox.Assignments
  ao._handOverOutbox()
  return {
    Output = output(),
    -- The outbox lists themselves: the host reads Target, Data and Tags of each entry
    -- as text (nil as "", tables as JSON, ...; docs/RUNTIME.md), without a Lua copy.
    Messages = messages[1] == nil and NONE or messages,
    Spawns = spawns[1] == nil and NONE or spawns,
    Assignments = assignments[1] == nil and NONE or encodeAssignments(assignments),
  }
end

-- The host rolls the state back; the outbox is dropped, the Output kept for diagnosis.
local function failure(message)
  return { Error = message, Output = output(), Messages = {}, Spawns = {}, Assignments = {} }
end

--------------------------------------------------------------------------------------
-- The prelude's handlers: registered once, checked on every message.

local function always() return true end
local function isOwnersEval(msg) return msg.Action == "Eval" and Owner == msg.From end
local evalHandler = require(".eval")(ao)
local defaultHandler = require(".default")(insertInbox)

-- Where they were found last: usually they are still there.
local evalFound, evalAt, defaultFound, defaultAt

-- The first handlers named _eval and _default, in one walk.
local function walkForPreludeHandlers(list)
  local eval, default
  local i, h = 1, list[1]
  while h ~= nil do
    local name = h.name
    if name == "_eval" and not eval then
      eval, evalAt = h, i
    elseif name == "_default" and not default then
      default, defaultAt = h, i
    end
    i = i + 1
    h = list[i]
  end
  evalFound, defaultFound = eval, default
  return eval, default
end

local function findPreludeHandlers(list)
  if evalFound and defaultFound and list[evalAt] == evalFound and list[defaultAt] == defaultFound
    and evalFound.name == "_eval" and defaultFound.name == "_default" then
    return evalFound, defaultFound
  end
  return walkForPreludeHandlers(list)
end

-- aos re-adds _eval and _default on every message (Handlers.add / append): one that
-- was removed comes back last, one that was changed is reset in place. The same here,
-- without rebuilding them when they are there.
local function ensurePreludeHandlers(first)
  local eval, default = findPreludeHandlers(Handlers.list)
  if eval then
    eval.pattern, eval.handle, eval.maxRuns = isOwnersEval, evalHandler, nil
  else
    Handlers.add("_eval", isOwnersEval, evalHandler)
  end
  if first then
    -- Runs on this very message (prepended, matches, breaks) and is then gone.
    Handlers.once("_boot", always, require(".boot")(ao))
  end
  if default then
    default.pattern, default.handle, default.maxRuns = always, defaultHandler, nil
  else
    Handlers.append("_default", always, defaultHandler)
  end
end

--------------------------------------------------------------------------------------
-- The handler runner. Handlers run in a coroutine so Receive can park them; no pcall
-- sits between the coroutine and the handlers, so parking never yields across a C
-- boundary. One runner serves message after message; a runner parked in Receive is
-- kept in Handlers.coroutines (until the message that resumes it) and replaced.
-- The idle runner is held weakly: persist refuses suspended coroutines, and the full
-- collection before every persist drops it (the next message makes a new one).

local FINISHED = {}
local idleRunner = setmetatable({}, { __mode = "v" })

local function runnerBody(ctx)
  local self = coroutine.running()
  while true do
    Handlers._evaluate(ctx.msg, ctx.env, ctx)
    if idleRunner[1] ~= self then return end -- it parked and was replaced: it ends here
    ctx = coroutine.yield(FINISHED)
  end
end

-- Handlers.coroutines: the parked handlers, the only coroutines kept in state.
local function keepParked(parked)
  local list = Handlers.coroutines
  local live = {}
  for _, c in ipairs(list) do
    if coroutine.status(c) ~= "dead" then live[#live + 1] = c end
  end
  live[#live + 1] = parked
  Handlers.coroutines = live
end

local function runHandlers(ctx)
  local runner = idleRunner[1]
  if runner == nil then
    runner = coroutine.create(runnerBody)
    idleRunner[1] = runner
  end
  local ok, yielded = coroutine.resume(runner, ctx)
  local parked = ok and yielded ~= FINISHED
  if not ok or parked then idleRunner[1] = nil end
  if parked or Handlers.coroutines[1] ~= nil then keepParked(parked and runner or nil) end
  return ok, yielded
end

--------------------------------------------------------------------------------------
-- One message.

-- os.time() is the current message's Timestamp.
local timed = {}
local function messageTime() return timed.Timestamp end

-- JSON Data becomes a table, as in aos.
local function decodeJsonData(msg)
  if msg.Data == nil or type(msg.Data) == "string" then
    local ok, value = pcall(json.decode, (msg.Data == nil or msg.Data == "") and "{}" or msg.Data)
    if ok then msg.Data = value end -- undecodable Data stays the string it was
  end
end

local function run(msg, env, fromHost)
  if env.Process.TagArray == nil then prepareEnv(env.Process) end
  ao.init(env)
  -- The host's messages have normal root keys and a tag list (docs/RUNTIME.md).
  if not fromHost and not rootKeysAreNormal(msg) then renameRootKeys(msg) end
  prepareTags(msg, fromHost)
  ao.id = env.Process.Id or ao.id
  local first = initializeState(msg, env)
  timed = msg
  os.time = messageTime
  if msg.Tags["Content-Type"] == "application/json" then decodeJsonData(msg) end

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

  ensurePreludeHandlers(first)
  attachReplies(msg)

  local ctx = { msg = msg, env = env, name = nil } -- (room for name: no resize later)
  local ok, err = runHandlers(ctx)
  if not ok then return failure(Handlers._failure(ctx, err).text) end
  if ao.outbox.Error then return failure(text(ao.outbox.Error)) end
  return success()
end

-- The env argument: { Process = ..., Module = ... }, or (aos) a table holding it as .env.
local function envOf(arg)
  local env = type(arg) == "table" and (arg.Process and arg or arg.env) or {}
  env.Process = env.Process or {}
  return env
end

-- handle(msg, env): aos's entry. The host adds a third argument, `true`: the message
-- is one it built (normal root keys, Tags a list), so those checks are skipped.
function process.handle(msg, envArg, fromHost)
  local env = envArg
  if type(env) ~= "table" or env.Process == nil then env = envOf(envArg) end
  clearPrintLogs()
  local ok, result = pcall(run, msg, env, fromHost == true)
  if not ok then result = failure(Handlers._failure(nil, result).text) end
  clearPrintLogs()
  return result
end

return process
