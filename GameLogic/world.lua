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
    board = {}, leaders = {}, cutoff = nil,
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

-- Leaderboard order: score descending, then player number (unique, so the order is total).
local function ahead(a, b)
  if a.score ~= b.score then return a.score > b.score end
  return a.no < b.no
end

-- After a player's score changed: the published leaderboard is stale only if the
-- player is on it, or now beats its last row (or the board is not full yet).
local function scoreChanged(s)
  if W.leaders[s.address] or not W.cutoff or ahead(s, W.cutoff) then W.dirty = true end
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
  W.scores[p.address] = { address = p.address, no = p.no, name = p.name, process = process,
                          credits = config.START_CREDITS, ore = 0, planets = 0,
                          score = economy.score(0, config.START_CREDITS, 0) }
  scoreChanged(W.scores[p.address])
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

-- Puts `s` in its place in `top` (best first, at most `size` long) if it gets in.
local function place(top, s, size)
  local n = #top
  if n == 0 or ahead(top[n], s) then   -- behind all of them: at the end, if there is room
    if n < size then top[n + 1] = s end
    return
  end
  local lo, hi = 1, n
  while lo < hi do
    local mid = (lo + hi) // 2
    if ahead(s, top[mid]) then hi = mid else lo = mid + 1 end
  end
  table.insert(top, lo, s)
  top[size + 1] = nil
end

-- The `size` best entries of W.scores, best first, without sorting everyone: the
-- last leaderboard's players go in first, so the bar is high from the start and
-- almost every other player is turned away by one comparison.
local function best(size)
  local top, before = {}, {}
  for _, address in ipairs(W.board) do
    before[address] = true
    place(top, W.scores[address], size)
  end
  local last = top[#top]
  for address, s in pairs(W.scores) do
    if not before[address] and (#top < size or ahead(s, last)) then
      place(top, s, size)
      last = top[#top]
    end
  end
  return top
end

local function publishLeaderboard()
  local rows, board, leaders = {}, {}, {}
  for i, s in ipairs(best(config.LEADERBOARD_SIZE)) do
    rows[i] = { address = s.address, name = s.name, no = s.no, process = s.process,
                score = s.score, credits = s.credits, ore = s.ore, planets = s.planets }
    board[i], leaders[s.address] = s.address, true
  end
  Send({ device = "patch@1.0", leaderboard = rows })
  local last = rows[config.LEADERBOARD_SIZE]
  W.board, W.leaders, W.cutoff = board, leaders, last and { score = last.score, no = last.no } or nil
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

local function validChange(c)
  return type(c) == "table" and math.type(c.credits) == "integer" and math.type(c.ore) == "integer"
    and math.type(c.planets) == "integer"
end

-- A sector's score changes (see sector.lua): player process -> {credits, ore,
-- planets} to add. The sum over sectors is each player's credits, ore and planets.
-- A bad entry is skipped, not fatal: failing would lose the others' changes too.
local function addScores(changes)
  for pid, c in pairs(changes) do
    local s = W.scores[W.byPlayerProcess[pid] or ""]
    if s and validChange(c) then
      s.credits, s.ore, s.planets = s.credits + c.credits, s.ore + c.ore, s.planets + c.planets
      s.score = economy.score(s.planets, s.credits, s.ore)
      scoreChanged(s)
    else
      print("Scores: skipped the change " .. tostring(pid))
    end
  end
end

-- A sector going to sleep sends its last score changes with it.
Handlers.add("Sleep", function(m) return m.Action == "Sleep" and W.byProcess and W.byProcess[m.From] ~= nil end, function(m)
  W.active[W.byProcess[m.From]] = nil
  if type(m.Data) == "table" then addScores(m.Data) end
end)

Handlers.add("Scores", function(m) return m.Action == "Scores" and W.byProcess and W.byProcess[m.From] ~= nil end, function(m)
  addScores(data(m) or {})
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
