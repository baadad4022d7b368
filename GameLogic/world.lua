-- world.lua: the world registry. Authoritative over the map, the sector directory
-- (name -> process id), registration (Join) and the leaderboard. Spawns one sector
-- per map sector on `Init`, one player process per `Join`, and relays its cron Tick
-- to the sectors that have something to do. See docs/GAME-PROTOCOL.md.
local config = require("rules.config")
local util = require("rules.util")
local sortedKeys, data = util.sortedKeys, util.data
local grid = require("rules.grid")
local economy = require("rules.economy")

W = W or { initialised = false, ready = false }

local DIRS = { N = { 0, -1 }, E = { 1, 0 }, S = { 0, 1 }, W = { -1, 0 } }



local function lastReference() return tostring(ao.reference) end

Handlers.add("Init", function(m) return m.Action == "Init" and m.From == Owner end, function(m)
  assert(not W.initialised, "the world is initialised already")
  local map = assert(data(m), "Init needs the map as JSON Data")
  assert(type(m["Sector-Module"]) == "string" and type(m["Player-Module"]) == "string",
    "Init needs the tags Sector-Module and Player-Module")
  W = {
    initialised = true, ready = false, name = map.name, tickMs = map.tick_ms,
    sectorModule = m["Sector-Module"], playerModule = m["Player-Module"],
    sectors = {}, order = {}, byPos = {}, byProcess = {}, pending = {}, spawned = 0,
    spawnSectors = {}, players = {}, byPlayerProcess = {}, joining = {}, queue = {},
    nextNo = 1, tick = 0, active = {}, scores = {}, dirty = false,
  }
  for _, sec in ipairs(map.sectors) do
    W.sectors[sec.name] = { def = sec, spawn = grid.find(sec.grid, grid.SPAWN) }
    W.order[#W.order + 1] = sec.name
    W.byPos[sec.x .. "," .. sec.y] = sec.name
    if #W.sectors[sec.name].spawn > 0 then W.spawnSectors[#W.spawnSectors + 1] = sec.name end
    Spawn(W.sectorModule, { Name = "sector " .. sec.name, ["Sector-Name"] = sec.name, World = ao.id })
    W.pending[lastReference()] = { kind = "sector", name = sec.name }
  end
  assert(#W.spawnSectors > 0, "the map has no spawn point")
end)

-- Once every sector exists: tell each its neighbours and wormhole targets.
local function setUpSectors()
  local inlinks = {}
  for _, name in ipairs(W.order) do inlinks[name] = {} end
  local plans = {}
  for _, name in ipairs(W.order) do
    local sec = W.sectors[name]
    local links, linkNames = {}, {}
    for _, d in ipairs({ "N", "E", "S", "W" }) do
      local other = W.byPos[(sec.def.x + DIRS[d][1]) .. "," .. (sec.def.y + DIRS[d][2])]
      if other then
        links[d], linkNames[d] = W.sectors[other].process, other
        inlinks[other][sec.process] = true
      end
    end
    local holes = {}
    for _, wh in ipairs(sec.def.wormholes or {}) do
      local target = W.sectors[wh.to]
      holes[#holes + 1] = { x = wh.x, y = wh.y, to = wh.to, to_x = wh.to_x, to_y = wh.to_y, process = target.process }
      inlinks[wh.to][sec.process] = true
    end
    plans[name] = { name = name, x = sec.def.x, y = sec.def.y, grid = sec.def.grid, links = links,
                    link_names = linkNames, wormholes = holes }
  end
  local directory = {}
  for _, name in ipairs(W.order) do
    plans[name].inlinks = sortedKeys(inlinks[name])
    Send({ Target = W.sectors[name].process, Action = "Setup", Data = plans[name] })
    directory[name] = W.sectors[name].process
  end
  Send({ device = "patch@1.0", sectors = directory })
  W.ready = true
end

local function cleanName(name, no)
  if type(name) ~= "string" then return "P" .. no end
  name = name:gsub("[^%w _%-%.]", ""):sub(1, config.NAME_MAX)
  if name == "" then return "P" .. no end
  return name
end

local function startJoin(address, name)
  local no = W.nextNo
  W.nextNo = no + 1
  local home = W.spawnSectors[(no - 1) % #W.spawnSectors + 1]
  local cells = W.sectors[home].spawn
  local cell = cells[((no - 1) // #W.spawnSectors) % #cells + 1]
  local ships = {}
  for i = 1, config.START_SHIPS do ships[i] = "P" .. no .. "." .. i end
  local display = cleanName(name, no)
  Spawn(W.playerModule, {
    Name = "player " .. display, Player = address, World = ao.id, Number = no,
    ["Player-Name"] = display, ["Home-Sector"] = home, ["Home-Process"] = W.sectors[home].process,
    Ships = table.concat(ships, ","),
  })
  W.pending[lastReference()] = { kind = "player", address = address, no = no, name = display,
                                 home = home, x = cell[1], y = cell[2], ships = ships }
  W.joining[address] = true
end

local function finishJoin(p, process)
  W.players[p.address] = { process = process, no = p.no, name = p.name }
  W.byPlayerProcess[process] = p.address
  W.joining[p.address] = nil
  Send({ Target = W.sectors[p.home].process, Action = "Place-Ships",
         Data = { player = process, no = p.no, name = p.name, ships = p.ships, x = p.x, y = p.y } })
  Send({ Target = p.address, Action = "Joined", Process = process, Number = p.no, Sector = p.home,
         ["Player-Name"] = p.name })
  W.scores[p.address] = { no = p.no, name = p.name, process = process, credits = config.START_CREDITS,
                          ore = 0, planets = 0, score = economy.score(0, config.START_CREDITS, 0) }
  W.dirty = true
end

Handlers.add("Spawned", function(m) return m.Action == "Spawned" and m.From == ao.id end, function(m)
  local ref = m.Reference or m["X-Reference"]
  local p = W.pending[ref]
  if not p then return end
  W.pending[ref] = nil
  if p.kind == "sector" then
    W.sectors[p.name].process = m.Process
    W.byProcess[m.Process] = p.name
    W.spawned = W.spawned + 1
    if W.spawned == #W.order then
      setUpSectors()
      local queue = W.queue
      W.queue = {}
      for _, j in ipairs(queue) do
        if not W.players[j.address] and not W.joining[j.address] then startJoin(j.address, j.name) end
      end
    end
  else
    finishJoin(p, m.Process)
  end
end)

-- A spawn the node refused (e.g. an unknown module): a player's join ends with an
-- error it can retry, instead of leaving the address "joining" for ever.
Handlers.add("Spawn-Error", function(m) return m.Action == "Spawn-Error" and m.From == ao.id end, function(m)
  print("spawn failed: " .. tostring(m.Error))
  local ref = m.Reference or m["X-Reference"]
  local p = ref and W.pending[ref]
  if not p or p.kind ~= "player" then return end
  W.pending[ref] = nil
  W.joining[p.address] = nil
  Send({ Target = p.address, Action = "Join-Error", Error = "could not create your player: " .. tostring(m.Error) })
end)

-- Join: anyone (a key address, or a process such as a hosted bot) becomes a player
-- once. A second Join answers with the player process it has.
Handlers.add("Join", "Join", function(m)
  local known = W.players and W.players[m.From]
  if known then
    Send({ Target = m.From, Action = "Joined", Process = known.process, Number = known.no,
           ["Player-Name"] = known.name })
    return
  end
  if not W.initialised then
    Send({ Target = m.From, Action = "Join-Error", Error = "the world has no map yet" })
    return
  end
  if W.joining[m.From] then return end
  for _, j in ipairs(W.queue) do if j.address == m.From then return end end
  if not W.ready then
    W.queue[#W.queue + 1] = { address = m.From, name = m["Player-Name"] or m.Name }
    return
  end
  startJoin(m.From, m["Player-Name"] or m.Name)
end)

local function publishLeaderboard()
  local rows = {}
  for address, s in pairs(W.scores) do
    rows[#rows + 1] = { address = address, name = s.name, no = s.no, process = s.process,
                        score = s.score, credits = s.credits, ore = s.ore, planets = s.planets }
  end
  table.sort(rows, function(a, b) if a.score ~= b.score then return a.score > b.score end return a.no < b.no end)
  local top = {}
  for i = 1, math.min(#rows, config.LEADERBOARD_SIZE) do top[i] = rows[i] end
  Send({ device = "patch@1.0", leaderboard = top })
  W.dirty = false
end

-- The world's cron (or, in tests and tools, its owner) drives the ticks.
Handlers.add("Tick", function(m)
  return m.Action == "Tick" and ((m.Cron and m.From == ao.id) or m.From == Owner)
end, function(m)
  if not W.ready then return end
  W.tick = W.tick + 1
  for _, name in ipairs(sortedKeys(W.active)) do
    Send({ Target = W.sectors[name].process, Action = "Tick", Tick = W.tick })
  end
  if W.dirty then publishLeaderboard() end
end)

Handlers.add("Wake", function(m) return m.Action == "Wake" and W.byProcess and W.byProcess[m.From] ~= nil end, function(m)
  W.active[W.byProcess[m.From]] = true
end)

Handlers.add("Sleep", function(m) return m.Action == "Sleep" and W.byProcess and W.byProcess[m.From] ~= nil end, function(m)
  W.active[W.byProcess[m.From]] = nil
end)

local function count(v, name)
  local n = math.tointeger(tonumber(v))
  assert(n and n >= 0, "Report: " .. name .. " must be a whole number >= 0")
  return n
end

Handlers.add("Report", function(m)
  return m.Action == "Report" and W.byPlayerProcess and W.byPlayerProcess[m.From] ~= nil
end, function(m)
  local s = W.scores[W.byPlayerProcess[m.From]]
  s.credits, s.ore, s.planets = count(m.Credits, "Credits"), count(m.Ore, "Ore"), count(m.Planets, "Planets")
  s.score = economy.score(s.planets, s.credits, s.ore)
  W.dirty = true
end)

-- Anything else is dropped (it would otherwise fill the Inbox).
Handlers.add("Ignore", function(m) return not (m.Action == "Eval" and m.From == Owner) end, function() end)

-- For the host and tests: the world's public facts as JSON.
function WorldSummary()
  local directory, players = {}, {}
  for name, s in pairs(W.sectors or {}) do directory[name] = s.process end
  for address, p in pairs(W.players or {}) do players[address] = p.process end
  return json.encode({ name = W.name, initialised = W.initialised, ready = W.ready, tick = W.tick or 0,
                       sectors = directory, players = players, active = sortedKeys(W.active or {}) })
end

-- For the host: the player process of a key address, or nil.
function PlayerProcess(address)
  local p = W.players and W.players[address]
  return p and p.process or nil
end
