-- .ao: the process's view of the network (aos process/ao.lua semantics): its id and
-- environment, the outbox of one message, send/spawn/assign, trust.
-- Handlers is looked up as a global at call time (it requires this module).
local json = require("json")
local match = require(".match")
local native = require("starlane.native")
local newMessage, rootTags = native.message, native.rootTags

local old = ao or {} -- keep counters if the module is ever loaded again

local ao = {
  _version = "starlane-1",
  id = old.id or "",
  _module = old._module or "",
  authorities = old.authorities or {},
  reference = old.reference or 0,
  assignables = old.assignables or {},
  outbox = old.outbox or { Output = {}, Messages = {}, Spawns = {}, Assignments = {} },
  -- Tags never hoisted onto the message root. aos's list, plus the fields this node
  -- sets itself (Id, Timestamp, Slot, Cron, ...), so that a tag cannot forge them.
  nonExtractableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type", "From", "Owner",
    "Anchor", "Target", "Data", "Tags", "Read-Only",
    "Id", "Timestamp", "Block-Height", "Slot", "Hash-Chain", "Cron", "Nonce", "Epoch",
    "Signature", "TagArray",
  },
  -- Root fields that msg.forward does not copy (aos's list, plus Slot).
  nonForwardableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type", "From", "Owner",
    "Anchor", "Target", "Tags", "TagArray", "Hash-Chain", "Timestamp", "Nonce", "Epoch",
    "Signature", "Forwarded-By", "Pushed-For", "Read-Only", "Cron", "Block-Height",
    "Reference", "Id", "Reply-To", "Slot",
  },
}

local function includes(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- Keys 1..n only. `next` (not the host's ordered `pairs`, which is costly) is safe here:
-- the answer does not depend on the order, and the walk has no early exit, so it even
-- runs the same instructions whatever the order.
local mathType = math.type
local function isArray(t)
  local n, onlyPositiveIntegers = 0, true
  for k in next, t do
    n = n + 1
    if mathType(k) ~= "integer" or k < 1 then onlyPositiveIntegers = false end
  end
  return onlyPositiveIntegers and n == #t
end

-- Raw `next` then a sort: the same list whatever the table's internal order, without
-- the host's ordered `pairs` (which sorts too).
local function sortedStringKeys(t)
  local keys = {}
  for k in next, t do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  return keys
end

-- The list form of a tag collection: AO's {name=,value=} list, or a name -> value map
-- (then in name order, so the result does not depend on table iteration).
local function tagList(tags)
  if type(tags) ~= "table" then return {} end
  if isArray(tags) then return tags end
  local list = {}
  for _, k in ipairs(sortedStringKeys(tags)) do list[#list + 1] = { name = k, value = tags[k] } end
  return list
end
ao._tagList = tagList

function ao.clone(obj, seen)
  if type(obj) ~= "table" then return obj end
  seen = seen or {}
  if seen[obj] then return seen[obj] end
  local copy = {}
  seen[obj] = copy
  for k, v in pairs(obj) do copy[ao.clone(k, seen)] = ao.clone(v, seen) end
  return setmetatable(copy, getmetatable(obj))
end

-- ao.nonExtractableTags as a set, rebuilt when the list is replaced or changes length
-- (code that edits the list in place keeps its length only by replacing an entry).
local extractGuard = { list = nil, length = -1, set = {} }
function ao._nonExtractableSet()
  local list = ao.nonExtractableTags
  if list ~= extractGuard.list or #list ~= extractGuard.length then
    local set = {}
    for _, name in ipairs(list) do set[name] = true end
    extractGuard.list, extractGuard.length, extractGuard.set = list, #list, set
  end
  return extractGuard.set
end

-- Hoist tags onto the message root (later tags of the same name win, as in aos).
-- (The prelude hoists incoming messages' tags itself, in one pass with the rest.)
function ao.normalize(msg)
  local kept = ao._nonExtractableSet()
  for _, tag in ipairs(tagList(msg.Tags)) do
    if not kept[tag.name] then msg[tag.name] = tag.value end
  end
  return msg
end

function ao.sanitize(msg)
  local copy = ao.clone(msg)
  for _, k in ipairs(ao.nonForwardableTags) do copy[k] = nil end
  return copy
end

-- An Authority tag's value, "a, b,c", as its list of names. The same few values come
-- with every message: each is split once.
local authorityLists = {}
local function authorityList(value)
  local list = authorityLists[value]
  if list then return list end
  list = {}
  for part in value:gmatch("[^,]+") do
    part = part:match("^%s*(.-)%s*$")
    if part ~= "" then list[#list + 1] = part end
  end
  authorityLists[value] = list
  return list
end

-- What ao.init takes from the process's spawn tags: the first Module tag and the
-- Authority lists. Read once per env.Process table (the host may pass the same env
-- on every message).
local processFacts = { process = nil, facts = nil }
local function factsOf(process)
  if processFacts.process == process then return processFacts.facts end
  local facts = { authorities = {} }
  for _, tag in ipairs(process.TagArray or tagList(process.Tags)) do
    -- (aos keeps the first Module tag that is not empty)
    if tag.name == "Module" and not facts.hasModule and tag.value ~= "" then
      facts.hasModule, facts.module = true, tag.value
    end
    if tag.name == "Authority" and type(tag.value) == "string" then
      facts.authorities[#facts.authorities + 1] = authorityList(tag.value)
    end
  end
  processFacts.process, processFacts.facts = process, facts
  return facts
end

-- The outbox ao.init made last, and its lists.
local madeOutbox, madeOutput, madeMessages, madeSpawns, madeAssignments

-- The last message left the outbox as it was made (most messages send nothing): then
-- it serves again, which is the same as the fresh one aos makes, without allocating.
local function outboxUntouched(outbox)
  return outbox == madeOutbox and outbox.Error == nil
    and outbox.Messages == madeMessages and madeMessages[1] == nil
    and outbox.Spawns == madeSpawns and madeSpawns[1] == nil
    and outbox.Assignments == madeAssignments and madeAssignments[1] == nil
    and outbox.Output == madeOutput and madeOutput[1] == nil
end

local function freshOutbox()
  ao.clearOutbox()
  local outbox = ao.outbox
  madeOutbox, madeOutput, madeMessages = outbox, outbox.Output, outbox.Messages
  madeSpawns, madeAssignments = outbox.Spawns, outbox.Assignments
end

-- The prelude hands the outbox of a finished message to the host and keeps an empty
-- one: nothing can read it before the next message's ao.init would replace it anyway,
-- and a snapshot then does not carry a busy message's whole output.
function ao._handOverOutbox()
  if not outboxUntouched(ao.outbox) then freshOutbox() end
end

-- Called at the start of every message: identity, authorities, an empty outbox.
-- Like aos it re-applies the spawn's Module and Authority each time, so code that
-- resets ao._module or ao.authorities sees them restored on the next message.
function ao.init(env)
  local process = env.Process or {}
  if ao.id == "" then ao.id = process.Id or "" end
  local facts = factsOf(process)
  if facts.hasModule and ao._module == "" then ao._module = facts.module end
  local lists = facts.authorities
  for i = 1, #lists do
    for _, name in ipairs(lists[i]) do
      if not includes(ao.authorities, name) then table.insert(ao.authorities, name) end
    end
  end
  if ao._module == "" and type(env.Module) == "table" and env.Module.Id then
    ao._module = env.Module.Id
  end
  if not outboxUntouched(ao.outbox) then freshOutbox() end
  ao.env = env
end

function ao.clearOutbox()
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

-- aos appends to the Output; here it is the same as print.
function ao.log(txt)
  print(txt)
end

-- Root keys become tags (in name order), then msg.Tags (a list or a map). The root
-- keys are the host's work (native.rootTags: every string key but Target, Data,
-- Anchor, Tags and From whose value is not a function).
local function appendExtraTags(tags, extra)
  if extra ~= nil then
    for _, tag in ipairs(tagList(extra)) do tags[#tags + 1] = { name = tag.name, value = tag.value } end
  end
end

local function appendTags(tags, msg)
  rootTags(tags, msg)
  appendExtraTags(tags, msg.Tags)
end

local function encodeData(msg)
  if type(msg.Data) == "table" then
    msg["Content-Type"] = "application/json"
    msg.Data = json.encode(msg.Data)
  end
end

local function anchor(n) return string.format("%032d", n) end

-- The Reference a sent message or spawn carries, read back from its Anchor (the same
-- counter, zero-padded).
local function referenceOf(sent)
  local n = math.tointeger(tonumber(rawget(sent, "Anchor")))
  return n and tostring(n) or ""
end

-- What ao.send returns: aos gives it onReply and receive closures. Most messages never
-- use them, so they are made on first use (then kept on the message) instead of twice
-- per send: `sent.receive()` and `sent.onReply(...)` work as in aos; a raw walk of the
-- message does not show them before that.
local Sent = {}
function Sent.__index(message, key)
  if key ~= "onReply" and key ~= "receive" then return nil end
  local ref = referenceOf(message)
  -- onReply([from,] resolver): run resolver once on the reply (X-Reference = ref).
  rawset(message, "onReply", function(...)
    local from, resolver = message.Target, ...
    if select("#", ...) == 2 then from, resolver = ... end
    Handlers.once({ From = from, ["X-Reference"] = ref }, resolver)
  end)
  -- receive([from]): suspend the running handler until that reply arrives.
  rawset(message, "receive", function(...)
    local from = message.Target
    if select("#", ...) == 1 then from = ... end
    return Handlers.receive({ From = from, ["X-Reference"] = ref })
  end)
  return rawget(message, key)
end

function ao.send(msg)
  assert(type(msg) == "table", "msg should be a table")
  encodeData(msg)
  local reference = ao.reference + 1
  ao.reference = reference
  -- { Target, Data, Anchor, Tags = Data-Protocol, Variant, Type, Reference, then the
  -- root tags }, built by the host (native.message); then msg.Tags.
  local message = newMessage(msg, reference)
  appendExtraTags(message.Tags, msg.Tags)
  if not Handlers then return message end

  local messages = ao.outbox.Messages
  messages[#messages + 1] = { Target = message.Target, Data = message.Data,
    Anchor = message.Anchor, Tags = message.Tags }
  return setmetatable(message, Sent)
end

-- The notice this node delivers after a spawn: Action = Spawned, Process = the new id,
-- carrying the spawn's Reference (or X-Reference). AO's MU sends it as the spawner
-- itself (From = ao.id, what aos waits for); a notice sent as the child is accepted too.
local function spawnedPattern(ref)
  return function(msg)
    if msg.Action ~= "Spawned" then return false end
    if msg.Reference ~= ref and msg["X-Reference"] ~= ref then return false end
    return msg.From == ao.id or (msg.Process ~= nil and msg.From == msg.Process)
  end
end

-- What ao.spawn returns: onReply (also as `after`) and receive, made on first use.
local Spawned = {}
function Spawned.__index(spawn, key)
  if key ~= "onReply" and key ~= "after" and key ~= "receive" then return nil end
  local ref = referenceOf(spawn)
  local function onReply(callback) Handlers.once(spawnedPattern(ref), callback) end
  rawset(spawn, "onReply", onReply)
  rawset(spawn, "after", onReply)
  rawset(spawn, "receive", function() return Handlers.receive(spawnedPattern(ref)) end)
  return rawget(spawn, key)
end

function ao.spawn(module, msg)
  assert(type(module) == "string", "Module source id is required!")
  assert(type(msg) == "table", "Message must be a table")
  encodeData(msg)
  local reference = ao.reference + 1
  ao.reference = reference
  local spawn = {
    Data = msg.Data or "NODATA",
    Anchor = anchor(reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Process" },
      { name = "From-Process", value = ao.id },
      { name = "From-Module", value = ao._module },
      { name = "Module", value = module },
      { name = "Reference", value = tostring(reference) },
    },
  }
  appendTags(spawn.Tags, msg)
  if not Handlers then return spawn end

  local spawns = ao.outbox.Spawns
  spawns[#spawns + 1] = { Data = spawn.Data, Anchor = spawn.Anchor, Tags = spawn.Tags }
  return setmetatable(spawn, Spawned)
end

function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table")
  assert(type(assignment.Processes) == "table", "Processes should be a table")
  assert(type(assignment.Message) == "string", "Message should be a string")
  table.insert(ao.outbox.Assignments, assignment)
end

-- Assignables (aos process/assignment.lua): which assigned messages (Target ~= ao.id)
-- this process accepts. None by default.
function ao.addAssignable(...)
  local name, spec = nil, ...
  if select("#", ...) > 1 then
    name, spec = ...
    assert(type(name) == "string", "MatchSpec name MUST be a string")
  end
  for _, a in ipairs(ao.assignables) do
    if name and a.name == name then a.pattern = spec; return end
  end
  table.insert(ao.assignables, { pattern = spec, name = name })
end

function ao.removeAssignable(name)
  local idx = name
  if type(name) == "string" then
    idx = nil
    for i, a in ipairs(ao.assignables) do if a.name == name then idx = i end end
  else
    assert(type(name) == "number", "index MUST be a number")
  end
  if idx and idx >= 1 and idx <= #ao.assignables then table.remove(ao.assignables, idx) end
end

function ao.isAssignment(msg)
  return msg.Target ~= nil and msg.Target ~= ao.id
end

function ao.isAssignable(msg)
  for _, a in ipairs(ao.assignables) do
    if match.matchesSpec(msg, a.pattern) then return true end
  end
  return false
end

-- aos's default security model: trust the authorities listed at spawn.
function ao.isTrusted(msg)
  for _, authority in ipairs(ao.authorities) do
    if msg.From == authority or msg.Owner == authority then return true end
  end
  return false
end

-- aos's result shape, for code that calls it; the host's result is built by .process.
function ao.result(result)
  if ao.outbox.Error or result.Error then return { Error = result.Error or ao.outbox.Error } end
  return {
    Output = result.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

return ao
