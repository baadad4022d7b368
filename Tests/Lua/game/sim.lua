-- A plain-Lua stand-in for the node, enough to run the game's three modules (world,
-- sector, player) as processes: each has its own globals and Handlers, messages go
-- through one queue (or, with a seed, a random process's queue next, keeping the
-- order between each sender and target), Spawn creates a process and sends the
-- `Spawned` notice. It counts what a tick costs: messages per Action, their bytes,
-- Lua instructions per handler and JSON bytes coded. Not the prelude: tags are
-- hoisted and JSON Data decoded the way it does, nothing more; a failing handler
-- raises (no rollback). Run from the repository root.
local json = require("json")

local Sim = {}
Sim.__index = Sim

local function readFile(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

-- Tag values are strings, as the prelude makes them.
local function text(v)
  if type(v) == "table" then return json.encode(v) end
  return tostring(v)
end

-- A small LCG (the same numbers on every Lua build): a function n -> 1..n.
local function generator(seed)
  local state = seed
  return function(n)
    state = (state * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff
    return (state >> 33) % n + 1
  end
end
Sim.generator = generator

-- opts.seed: deliver in a random (seeded) interleaving instead of FIFO.
-- opts.count: count Lua instructions per handler (slower).
-- opts.game: the directory of world.lua, sector.lua, player.lua (GameLogic); its
-- rules must be the ones package.path finds.
function Sim.new(opts)
  opts = opts or {}
  local self = setmetatable({
    processes = {}, ids = {}, queues = {}, nextId = 0, nextMessage = 0,
    fifo = {}, fifoHead = 1, fifoTail = 0,   -- targets in sending order (FIFO mode)
    random = opts.seed and generator(opts.seed) or nil,
    clients = {},                            -- address -> list of messages sent to it
    patches = {},                            -- patch@1.0 messages, in order
    counting = false, counts = {}, bytes = {}, instructions = {}, jsonBytes = 0,
    countInstructions = opts.count,
  }, Sim)
  self.sources = {}
  for _, kind in ipairs({ "world", "sector", "player" }) do
    self.sources[kind] = readFile((opts.game or "GameLogic") .. "/" .. kind .. ".lua")
  end
  -- The node's json is C: its work is not counted as the game's instructions.
  self.paused = 0
  -- It is counted apart: the JSON bytes the game encodes and decodes.
  local function uncounted(f, textOf)
    return function(...)
      self.paused = self.paused + 1
      local results = table.pack(pcall(f, ...))
      self.paused = self.paused - 1
      if not results[1] then error(results[2], 2) end
      if self.counting then self.jsonBytes = self.jsonBytes + #textOf(results, ...) end
      return table.unpack(results, 2, results.n)
    end
  end
  self.json = {
    encode = uncounted(json.encode, function(results) return results[2] end),
    decode = uncounted(json.decode, function(_, text) return text end),
  }
  _G.json = self.json   -- rules.util decodes with the global json, like the node's prelude
  return self
end

-- Counting: only between startCounting and stopCounting (e.g. one tick).
function Sim:startCounting()
  self.counting, self.counts, self.bytes, self.instructions, self.jsonBytes = true, {}, {}, {}, 0
end
function Sim:stopCounting() self.counting = false end

function Sim:total()
  local n = 0
  for _, c in pairs(self.counts) do n = n + c end
  return n
end

local function newEnv(sim, proc)
  local env = setmetatable({}, { __index = _G })
  local handlers = {}
  env.Handlers = {
    list = handlers,
    add = function(name, pattern, fn)
      for _, h in ipairs(handlers) do
        if h.name == name then h.pattern, h.fn = pattern, fn return end
      end
      handlers[#handlers + 1] = { name = name, pattern = pattern, fn = fn }
    end,
  }
  env.ao = { id = proc.id, reference = 0, env = { Process = { Id = proc.id, Owner = proc.owner, TagArray = proc.tags } } }
  env.Owner = proc.owner
  env.print = function() end
  env.Send = function(msg)
    env.ao.reference = env.ao.reference + 1
    if msg.device then
      sim.patches[#sim.patches + 1] = msg
      return
    end
    local data = msg.Data
    local tags = {}
    if type(data) == "table" then
      data = sim.json.encode(data)
      tags["Content-Type"] = "application/json"
    end
    for k, v in pairs(msg) do
      if k ~= "Target" and k ~= "Data" then tags[k] = text(v) end
    end
    proc.outbox[#proc.outbox + 1] = { target = msg.Target, tags = tags, data = data or "" }
  end
  env.Spawn = function(module, tags)
    env.ao.reference = env.ao.reference + 1
    local list = {}
    for k, v in pairs(tags) do list[#list + 1] = { name = k, value = text(v) } end
    table.sort(list, function(a, b) return a.name < b.name end)
    proc.spawns[#proc.spawns + 1] = { module = module, tags = list, reference = tostring(env.ao.reference) }
  end
  return env
end

function Sim:newProcess(kind, owner, tags)
  self.nextId = self.nextId + 1
  local id = kind .. "-" .. self.nextId
  local proc = { id = id, kind = kind, owner = owner, tags = tags or {}, outbox = {}, spawns = {} }
  proc.env = newEnv(self, proc)
  self.processes[id] = proc
  self.ids[#self.ids + 1] = id
  self.queues[id] = {}
  local chunk = assert(load(self.sources[kind], "=" .. kind .. ".lua", "t", proc.env))
  chunk()
  self:flush(proc)
  return proc
end

-- After a message: its sends enter the queues, its spawns become processes.
function Sim:flush(proc)
  local outbox, spawns = proc.outbox, proc.spawns
  proc.outbox, proc.spawns = {}, {}
  for _, m in ipairs(outbox) do self:enqueue(proc.id, m.target, m.tags, m.data) end
  for _, s in ipairs(spawns) do
    local child = self:newProcess(s.module, proc.id, s.tags)
    self:enqueue(proc.id, proc.id, { Action = "Spawned", Process = child.id, Reference = s.reference }, "")
  end
end

function Sim:enqueue(from, target, tags, data)
  if not self.processes[target] then
    local list = self.clients[target] or {}
    self.clients[target] = list
    list[#list + 1] = { from = from, tags = tags, data = data }
    return
  end
  local q = self.queues[target]
  q[#q + 1] = { from = from, tags = tags, data = data }
  if not self.random then
    self.fifoTail = self.fifoTail + 1
    self.fifo[self.fifoTail] = target
  end
end

-- A message from outside (a key or the host), queued like any other.
function Sim:push(from, target, tags, data)
  local t = {}
  for k, v in pairs(tags) do t[k] = text(v) end
  self:enqueue(from, target, t, data or "")
end

local function message(sim, from, tags, data)
  sim.nextMessage = sim.nextMessage + 1
  local m = { From = from, Owner = from, Id = "msg-" .. sim.nextMessage, Tags = tags, Data = data }
  for k, v in pairs(tags) do m[k] = v end
  if tags["Content-Type"] == "application/json" then
    local ok, v = pcall(sim.json.decode, data ~= "" and data or "{}")
    if ok then m.Data = v end
  end
  return m
end

local function matches(h, m)
  if type(h.pattern) == "string" then return m.Action == h.pattern end
  return h.pattern(m)
end

function Sim:deliver(target, item)
  local proc = self.processes[target]
  local m = message(self, item.from, item.tags, item.data)
  local key = proc.kind .. " " .. tostring(item.tags.Action)
  if self.counting then
    self.counts[key] = (self.counts[key] or 0) + 1
    local size = #item.data
    for k, v in pairs(item.tags) do size = size + #k + #v end
    self.bytes[key] = (self.bytes[key] or 0) + size
  end
  local steps, hooked = 0, self.counting and self.countInstructions
  if hooked then
    debug.sethook(function() if self.paused == 0 then steps = steps + 1 end end, "", 1)
  end
  local ok, err = pcall(function()
    for _, h in ipairs(proc.env.Handlers.list) do
      if matches(h, m) then h.fn(m) break end
    end
  end)
  if hooked then
    debug.sethook()
    self.instructions[key] = (self.instructions[key] or 0) + steps
  end
  if not ok then error(proc.id .. " failed " .. key .. ": " .. tostring(err), 0) end
  self:flush(proc)
end

-- The next message to deliver: the oldest overall (FIFO), or with a seed the oldest
-- of a random process that has mail.
function Sim:nextTarget()
  if not self.random then
    local target = self.fifo[self.fifoHead]
    if target == nil then
      self.fifo, self.fifoHead, self.fifoTail = {}, 1, 0
      return nil
    end
    self.fifo[self.fifoHead], self.fifoHead = nil, self.fifoHead + 1
    return target
  end
  local ready = {}
  for _, id in ipairs(self.ids) do
    if #self.queues[id] > 0 then ready[#ready + 1] = id end
  end
  if #ready == 0 then return nil end
  return ready[self.random(#ready)]
end

-- Delivers until every queue is empty.
function Sim:run()
  while true do
    local target = self:nextTarget()
    if not target then return end
    local item = table.remove(self.queues[target], 1)
    self:deliver(target, item)
  end
end

--------------------------------------------------------------------------------------
-- The game on top: a world on a map, players joining, orders, ticks.

Sim.HOST = "host-key"

function Sim:startWorld(mapPath)
  self.world = self:newProcess("world", Sim.HOST, {})
  self:push(Sim.HOST, self.world.id, { Action = "Init", ["Sector-Module"] = "sector", ["Player-Module"] = "player" },
    readFile(mapPath))
  self:run()
  return self.world
end

function Sim:env(id) return self.processes[id].env end

function Sim:join(address, name)
  self:push(address, self.world.id, { Action = "Join", ["Player-Name"] = name })
  self:run()
  return self:env(self.world.id).PlayerProcess(address)
end

function Sim:tick()
  self:push(Sim.HOST, self.world.id, { Action = "Tick" })
  self:run()
end

function Sim:order(address, player, action, tags, data)
  local t = { Action = action }
  for k, v in pairs(tags or {}) do t[k] = v end
  self:push(address, player, t, data)
end

function Sim:sectorId(name)
  return self:env(self.world.id).W.sectors[name].process
end

-- Every process of a kind, in creation order.
function Sim:each(kind)
  local out = {}
  for _, id in ipairs(self.ids) do
    if self.processes[id].kind == kind then out[#out + 1] = self.processes[id] end
  end
  return out
end

return Sim
