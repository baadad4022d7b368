-- player.lua: one player. Authoritative over the player's credits, reservations, ship
-- roster and planets; the feed of events to its client. Spawned by the world on Join
-- (so its AO Owner is the world); the player's key address comes as the spawn tag
-- `Player`, and only that address gives orders. Nobody can Eval in it: the Owner is
-- the world, which never does, and the prelude refuses Eval from anyone else.
-- See docs/GAME-PROTOCOL.md.
local config = require("rules.config")
local util = require("rules.util")
local sortedKeys = util.sortedKeys
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
    nextShip = 1, tick = 0,
  }
  for id in (spawnTag("Ships") or ""):gmatch("[^,]+") do
    P.ships[id] = { sector = homeProcess }
    P.nextShip = P.nextShip + 1
  end
end


-- What the client sees of its player (in every Update).
function PlayerSummary()
  local ore, ships = 0, 0
  for _, s in pairs(P.ships) do ore, ships = ore + (s.cargo or 0), ships + 1 end
  return { no = P.no, name = P.name, credits = P.credits, reserved = P.reserved, ore = ore,
           planets = P.planetCount, ships = ships, score = economy.score(P.planetCount, P.credits, ore) }
end

local function toClient(t) t.Target = P.address; Send(t) end

local function orderError(m, text)
  toClient({ Action = "Order-Error", Error = text, Order = m.Action, Ship = m.Ship, ["Order-Id"] = m.Id })
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

-- A Sector-Update's private part (the tag Private), checked for what this handler relies on.
local function privatePart(m)
  local ok, mine = pcall(json.decode, m.Private or "")
  assert(ok and type(mine) == "table" and math.type(mine.tick) == "integer" and math.type(mine.credits) == "integer"
    and type(mine.events) == "table" and type(mine.ships) == "table", "malformed Sector-Update")
  assert(type(m.Data) == "string" and m.Data:sub(1, 1) == "{" and m.Data:sub(-1) == "}", "malformed Sector-Update view")
  return mine
end

-- The client's Update: the sector's view (JSON text, passed on without decoding it)
-- with this player's fields added to the object.
local function updateText(view, fields)
  return view:sub(1, -2) .. "," .. json.encode(fields):sub(2)
end

Handlers.add("Sector-Update", function(m)
  return m.Action == "Sector-Update" and P.sectors[m.From] ~= nil
end, function(m)
  local mine = privatePart(m)
  local sector = P.sectors[m.From]
  if mine.tick > P.tick then P.tick = mine.tick end
  P.credits = P.credits + mine.credits
  for _, ev in ipairs(mine.events) do
    local f = apply[ev.type]
    if f then f(ev, m.From, sector) end
  end
  for _, row in ipairs(mine.ships) do
    local s = P.ships[row[1]] or {}
    s.sector, s.x, s.y, s.hull, s.cargo = m.From, row[3], row[4], row[5], row[6]
    P.ships[row[1]] = s
  end
  if mine.grid then P.grids[sector] = mine.grid end
  local me = PlayerSummary()
  toClient({ Action = "Update", Tick = mine.tick, Sector = sector, ["Content-Type"] = "application/json",
             Data = updateText(m.Data, { process = m.From, grid = mine.grid, mine = mine.events, me = me }) })
  for _, line in ipairs(mine.chat or {}) do
    toClient({ Action = "Chat", Sector = sector, Speaker = line.no, ["Speaker-Name"] = line.name, Data = line.text })
  end
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
