-- player.lua: one player. Authoritative over the player's credits, reservations, ship
-- roster and planets; the feed of events to its client. Spawned by the world on Join
-- (so its AO Owner is the world); the player's key address comes as the spawn tag
-- `Player`, and only that address gives orders. Nobody can Eval in it: the Owner is
-- the world, which never does, and the prelude refuses Eval from anyone else.
-- See docs/GAME-PROTOCOL.md.
local config = require("rules.config")
local util = require("rules.util")
local sortedKeys, data = util.sortedKeys, util.data
local orders = require("rules.orders")
local economy = require("rules.economy")
local building = require("rules.building")

local function spawnTag(name)
  local process = ao.env and ao.env.Process or {}
  local tags = process.TagArray or process.Tags or {}
  if tags[1] == nil and tags[name] ~= nil then return tags[name] end
  for _, t in ipairs(tags) do
    if t.name == name then return t.value end
  end
  return nil
end


if P == nil then
  local home, homeProcess = spawnTag("Home-Sector"), spawnTag("Home-Process")
  P = {
    address = assert(spawnTag("Player"), "a player process needs the spawn tag Player"),
    world = Owner, no = math.tointeger(tonumber(spawnTag("Number"))), name = spawnTag("Player-Name"),
    credits = config.START_CREDITS, reserved = 0, ships = {}, sectors = { [homeProcess] = home },
    byName = { [home] = homeProcess }, planets = {}, planetCount = 0, grids = {}, builds = {},
    nextShip = 1, tick = 0, reported = nil, reportTick = -1000000,
  }
  for id in (spawnTag("Ships") or ""):gmatch("[^,]+") do
    P.ships[id] = { sector = homeProcess }
    P.nextShip = P.nextShip + 1
  end
end


local function ore()
  local total = 0
  for _, s in pairs(P.ships) do total = total + (s.cargo or 0) end
  return total
end

-- What the client sees of its player (in every Update).
function PlayerSummary()
  local o = ore()
  return { no = P.no, name = P.name, credits = P.credits, reserved = P.reserved, ore = o,
           planets = P.planetCount, ships = #sortedKeys(P.ships),
           score = economy.score(P.planetCount, P.credits, o) }
end

local function toClient(t) t.Target = P.address; Send(t) end

local function orderError(m, text)
  toClient({ Action = "Order-Error", Error = text, Order = m.Action, Ship = m.Ship, ["Order-Id"] = m.Id })
end

local function report()
  local me = PlayerSummary()
  if me.score == P.reported or P.tick - P.reportTick < config.REPORT_EVERY then return end
  Send({ Target = P.world, Action = "Report", Credits = me.credits, Ore = me.ore, Planets = me.planets })
  P.reported, P.reportTick = me.score, P.tick
end

--------------------------------------------------------------------------------------
-- From sectors

local apply = {}
function apply.left(ev)
  if P.ships[ev.ship] then P.ships[ev.ship].sector = ev.process end
  P.sectors[ev.process] = ev.to
  P.byName[ev.to] = ev.process
end
function apply.destroyed(ev) P.ships[ev.ship] = nil end
function apply.built(ev, from)
  P.ships[ev.ship] = { sector = from }
  if P.builds[ev.ship] then
    P.credits, P.reserved = P.credits - ev.cost, P.reserved - ev.cost
    P.builds[ev.ship] = nil
  end
end
apply["build-failed"] = function(ev)
  if P.builds[ev.ship] then
    P.reserved = P.reserved - ev.cost
    P.builds[ev.ship] = nil
  end
end
apply["planet-captured"] = function(ev, from, sector)
  local k = sector .. ":" .. ev.x .. "," .. ev.y
  if not P.planets[k] then P.planetCount = P.planetCount + 1 end
  P.planets[k] = from
end
apply["planet-lost"] = function(ev, from, sector)
  local k = sector .. ":" .. ev.x .. "," .. ev.y
  if P.planets[k] then P.planetCount = P.planetCount - 1 end
  P.planets[k] = nil
end

Handlers.add("Sector-Update", function(m)
  return m.Action == "Sector-Update" and P.sectors[m.From] ~= nil
end, function(m)
  local d = assert(data(m), "malformed Sector-Update")
  local view, mine = d.view, d.mine
  if view.tick > P.tick then P.tick = view.tick end
  P.credits = P.credits + mine.credits
  for _, ev in ipairs(mine.events) do
    local f = apply[ev.type]
    if f then f(ev, m.From, view.sector) end
  end
  for _, s in ipairs(view.ships) do
    if s[2] == P.no then
      local mine = P.ships[s[1]] or {}
      mine.sector, mine.x, mine.y, mine.hull, mine.cargo = m.From, s[3], s[4], s[5], s[6]
      P.ships[s[1]] = mine
    end
  end
  if mine.grid then P.grids[view.sector] = mine.grid end
  toClient({ Action = "Update", Tick = view.tick, Sector = view.sector, Data = {
    tick = view.tick, sector = view.sector, process = m.From, grid = mine.grid, ships = view.ships,
    planets = view.planets, players = view.players, events = view.events, mine = mine.events,
    me = PlayerSummary(),
  } })
  for _, ev in ipairs(view.events) do
    if ev.type == "say" then
      toClient({ Action = "Chat", Sector = view.sector, Speaker = ev.no,
                 ["Speaker-Name"] = view.players[tostring(ev.no)], Data = ev.text })
    end
  end
  report()
end)

Handlers.add("Sector-Order-Error", function(m)
  return m.Action == "Order-Error" and P.sectors[m.From] ~= nil
end, function(m)
  local id = m["New-Ship"]
  if id and P.builds[id] then
    P.reserved = P.reserved - P.builds[id]
    P.builds[id] = nil
  end
  toClient({ Action = "Order-Error", Error = m.Error, Order = m.Order, Ship = m.Ship,
             Sector = m.Sector, ["Order-Id"] = m["Order-Id"] })
end)

--------------------------------------------------------------------------------------
-- From the player's key

local function relay(sector, m, o, extra)
  local t = { Target = sector, Action = "Order", Order = o.kind, Ship = o.ship, X = o.x, Y = o.y,
              Dir = o.dir, ["Target-Ship"] = o.target, Sector = o.sector, ["Order-Id"] = m.Id, Data = o.text }
  for k, v in pairs(extra or {}) do t[k] = v end
  Send(t)
end

local function firstShipSector()
  local ids = sortedKeys(P.ships)
  return ids[1] and P.ships[ids[1]].sector or nil
end

local function view(m)
  local ships = {}
  for _, id in ipairs(sortedKeys(P.ships)) do
    local s = P.ships[id]
    ships[#ships + 1] = { id = id, sector = P.sectors[s.sector], x = s.x, y = s.y, hull = s.hull, cargo = s.cargo }
  end
  local planets = sortedKeys(P.planets)
  toClient({ Action = "View", Data = { tick = P.tick, me = PlayerSummary(), ships = ships,
    planets = planets, sectors = P.byName, grids = P.grids, ["order-id"] = m.Id } })
end

Handlers.add("Orders", function(m) return m.From == P.address end, function(m)
  if m.Action == "View" then return view(m) end
  if m.Action == "Eval" then
    return orderError(m, "Eval is not allowed in a player process: only the world owns it; send orders instead")
  end
  local o, why = orders.parse(m.Action, m)
  if not o then return orderError(m, why) end
  if o.kind == "Build" then
    local sector = P.byName[o.sector]
    if not sector then return orderError(m, "you know no sector named '" .. o.sector .. "'") end
    local funds = building.checkFunds(P.credits - P.reserved)
    if funds then return orderError(m, funds) end
    local id = "P" .. P.no .. "." .. P.nextShip
    P.nextShip = P.nextShip + 1
    P.reserved = P.reserved + config.SHIP_COST
    P.builds[id] = config.SHIP_COST
    return relay(sector, m, o, { ["New-Ship"] = id, Cost = config.SHIP_COST })
  end
  if o.kind == "Say" then
    local sector
    if o.sector then
      sector = P.byName[o.sector]
      if not sector then return orderError(m, "you know no sector named '" .. o.sector .. "'") end
    elseif o.ship then
      if not P.ships[o.ship] then return orderError(m, "ship " .. o.ship .. " is not yours") end
      sector = P.ships[o.ship].sector
    else
      sector = firstShipSector()
      if not sector then return orderError(m, "you have no ships, so no sector to speak in") end
    end
    return relay(sector, m, o)
  end
  local ship = P.ships[o.ship]
  if not ship then return orderError(m, "ship " .. o.ship .. " is not yours") end
  if o.target and P.ships[o.target] then return orderError(m, "you cannot attack your own ship " .. o.target) end
  relay(ship.sector, m, o)
end)

-- An order from anyone but the player's key is refused with a reply (never for other
-- actions, so two processes can never bounce errors back and forth).
Handlers.add("Stranger", function(m)
  return m.From ~= Owner and P.sectors[m.From] == nil
    and (orders.isOrder(m.Action) or m.Action == "View" or m.Action == "Eval")
end, function(m)
  Send({ Target = m.From, Action = "Order-Error", Order = m.Action, ["Order-Id"] = m.Id,
         Error = "only the key of player " .. tostring(P.name) .. " can give it orders" })
end)

-- Messages from anyone else are dropped (no Inbox growth, no Eval for strangers).
Handlers.add("Ignore", function(m) return not (m.Action == "Eval" and m.From == Owner) end, function() end)

-- A canonical text of the player's state, for tests.
function PlayerDigest()
  local parts = { "credits=" .. P.credits, "reserved=" .. P.reserved, "planets=" .. P.planetCount }
  for _, id in ipairs(sortedKeys(P.ships)) do
    local s = P.ships[id]
    parts[#parts + 1] = id .. "@" .. tostring(P.sectors[s.sector]) .. ":" .. tostring(s.x) .. ":" .. tostring(s.y)
      .. ":" .. tostring(s.hull) .. ":" .. tostring(s.cargo)
  end
  return table.concat(parts, "\n")
end
