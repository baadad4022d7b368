-- sector.lua: one sector of the map. Authoritative over the positions of the ships
-- inside it, its planets' owners, and the resolution of its ticks. Spawned by the
-- world, set up by the world's `Setup`, ticked by the world's `Tick`. Every message
-- it trusts is checked by sender: the world (Owner), neighbouring sectors (in-links,
-- for hand-offs) and player processes (only for their own ships).
-- See docs/GAME-PROTOCOL.md.
local config = require("rules.config")
local util = require("rules.util")
local sortedKeys, data = util.sortedKeys, util.data
local grid = require("rules.grid")
local movement = require("rules.movement")
local combat = require("rules.combat")
local mining = require("rules.mining")
local capture = require("rules.capture")
local economy = require("rules.economy")
local building = require("rules.building")
local orders = require("rules.orders")

S = S or { ready = false }

local function sortedShips()
  local list = {}
  for _, id in ipairs(sortedKeys(S.ships)) do list[#list + 1] = S.ships[id] end
  return list
end

-- The ships here, sorted by id: every step of a tick iterates them in this order. The
-- list is kept between ticks and rebuilt only after a ship came or went, so a quiet
-- tick sorts nothing. Only handlers use it (tools' inspections must not change state).
local function shipList()
  if not S.sorted then S.sorted = sortedShips() end
  return S.sorted
end

local function addShip(s)
  S.ships[s.id], S.sorted = s, nil
end

local function removeShip(s)
  S.ships[s.id], S.sorted = nil, nil
end

local function orderError(m, text, kind, ship)
  Send({ Target = m.From, Action = "Order-Error", Error = text, Order = kind or m.Order,
         Ship = ship or m.Ship, Sector = S.name, ["Order-Id"] = m["Order-Id"],
         ["New-Ship"] = m["New-Ship"], Cost = m.Cost })
end

local function wake()
  if S.asleep then
    S.asleep = false
    Send({ Target = Owner, Action = "Wake", Sector = S.name })
  end
end

-- What a tick gives out: each player's part of the updates (private events, credits,
-- whether it needs the grid), and the ships leaving for each destination.
local function newOutcome()
  return { players = {}, leaving = {}, destinations = {} }
end

-- A player's part of this tick's updates.
local function outcome(out, pid)
  local o = out.players[pid]
  if not o then
    o = { events = {}, credits = 0, spent = 0 }
    out.players[pid] = o
  end
  return o
end

local function shipAt(x, y)
  for _, s in pairs(S.ships) do
    if s.x == x and s.y == y then return s end
  end
  return nil
end

--------------------------------------------------------------------------------------
-- Setup and arrivals

Handlers.add("Setup", function(m) return m.Action == "Setup" and m.From == Owner end, function(m)
  assert(not S.ready, "sector " .. tostring(S.name) .. " is set up already")
  local d = assert(data(m), "Setup needs the sector as JSON Data")
  local w, h = grid.size(d.grid)
  S = {
    ready = true, name = d.name, x = d.x, y = d.y, rows = d.grid, w = w, h = h,
    links = d.links or {}, linkNames = d.link_names or {}, inlinks = {}, wormholes = {},
    ships = {}, arriving = {}, planets = {}, planetKeys = {}, owned = 0, builds = {}, says = {},
    names = {}, tick = 0, asleep = true, sayCount = 0, scorched = grid.nextToStars(d.grid),
    earned = {}, held = {}, reportPhase = (d.x + d.y) % config.REPORT_EVERY,
    stats = { built = 0, destroyed = 0, arrived = 0, left = 0, placed = 0 },
  }
  for _, pid in ipairs(d.inlinks or {}) do S.inlinks[pid] = true end
  for _, wh in ipairs(d.wormholes or {}) do
    S.wormholes[grid.key(wh.x, wh.y)] = { sector = wh.to, process = wh.process, x = wh.to_x, y = wh.to_y }
  end
  for _, p in ipairs(grid.find(S.rows, grid.PLANET)) do
    local k = grid.key(p[1], p[2])
    S.planets[k] = { x = p[1], y = p[2], owner = nil, no = 0, progress = 0 }
    S.planetKeys[#S.planetKeys + 1] = k
  end
  table.sort(S.planetKeys)
end)

local function arrive(ship, x, y)
  S.arriving[ship.id] = { ship = ship, x = x, y = y }
end

local function validShip(s)
  return type(s) == "table" and type(s.id) == "string" and type(s.owner) == "string"
    and math.type(s.no) == "integer" and math.type(s.hull) == "integer" and math.type(s.cargo) == "integer"
end

local function receive(entry)
  assert(type(entry) == "table" and validShip(entry.ship) and math.type(entry.x) == "integer"
    and math.type(entry.y) == "integer", "malformed Hand-Off")
  local ship = entry.ship
  assert(S.ships[ship.id] == nil and S.arriving[ship.id] == nil, "ship " .. ship.id .. " is here already")
  S.names[ship.owner] = ship.name or S.names[ship.owner]
  ship.name = nil
  arrive(ship, entry.x, entry.y)
end

-- The ships a neighbouring sector (over an edge or a wormhole) sent here in one of its
-- ticks. They belong to this sector from now on and are placed at its next tick.
-- A malformed entry fails the whole message (and so takes none of them).
Handlers.add("Hand-Off", function(m) return m.Action == "Hand-Off" and S.ready and S.inlinks[m.From] == true end, function(m)
  local d = data(m)
  assert(d and type(d.ships) == "table" and #d.ships > 0, "malformed Hand-Off")
  for _, entry in ipairs(d.ships) do receive(entry) end
  wake()
end)

-- A new player's ships, from the world.
Handlers.add("Place-Ships", function(m) return m.Action == "Place-Ships" and m.From == Owner end, function(m)
  local d = assert(data(m), "Place-Ships needs JSON Data")
  S.names[d.player] = d.name
  for _, id in ipairs(d.ships) do
    arrive({ id = id, owner = d.player, no = d.no, hull = config.HULL, cargo = 0 }, d.x, d.y)
    S.stats.placed = S.stats.placed + 1
  end
  wake()
end)

--------------------------------------------------------------------------------------
-- Orders (from player processes, for their own ships)

local function adjacentPlanet(s, x, y)
  if x then
    local p = S.planets[grid.key(x, y)]
    if not p then return nil, "there is no planet at " .. x .. "," .. y .. " in sector " .. S.name end
    if not grid.adjacent(s.x, s.y, x, y) then
      return nil, "ship " .. s.id .. " at " .. s.x .. "," .. s.y .. " is not next to the planet at " .. x .. "," .. y
    end
    return p
  end
  for _, k in ipairs(S.planetKeys) do
    local p = S.planets[k]
    if grid.adjacent(s.x, s.y, p.x, p.y) then return p end
  end
  return nil, "ship " .. s.id .. " is not next to a planet"
end

local function inBounds(x, y)
  if x < 0 or y < 0 or x >= S.w or y >= S.h then
    return "cell " .. x .. "," .. y .. " is outside sector " .. S.name .. " (0..".. (S.w - 1) .. ", 0.." .. (S.h - 1) .. ")"
  end
end

-- Checks an order against this sector's state; returns the ship's new order (or an
-- action on the ship) or nil, error.
local checks = {}

function checks.Move(s, o)
  if o.dir then
    local d = grid.DIRS[o.dir]
    local x, y = s.x + d[1], s.y + d[2]
    local c = grid.cell(S.rows, x, y)
    if c == nil then
      if not S.links[o.dir] then return nil, "there is no sector beyond the " .. o.dir .. " edge of " .. S.name end
    elseif not grid.passable(c) then
      return nil, "cell " .. x .. "," .. y .. " is '" .. c .. "': ships cannot enter it"
    end
    return { kind = "step", dir = o.dir }
  end
  local why = inBounds(o.x, o.y)
  if why then return nil, why end
  if o.x == s.x and o.y == s.y then return nil, "ship " .. s.id .. " is at " .. o.x .. "," .. o.y .. " already" end
  local c = grid.cell(S.rows, o.x, o.y)
  if not grid.passable(c) then return nil, "cell " .. o.x .. "," .. o.y .. " is '" .. c .. "': ships cannot enter it" end
  local path = movement.path(S.rows, s.x, s.y, o.x, o.y)
  if not path then return nil, "no path from " .. s.x .. "," .. s.y .. " to " .. o.x .. "," .. o.y end
  return { kind = "move", path = path, i = 1 }
end

function checks.Stop(s) return { kind = "stop" } end

function checks.Attack(s, o)
  local why = combat.check(s, S.ships[o.target])
  if why then return nil, (S.ships[o.target] == nil and ("ship " .. o.target .. " is not in sector " .. S.name) or why) end
  return { kind = "attack", target = o.target }
end

function checks.Mine(s)
  local why = mining.check(S.rows, s)
  if why then return nil, why end
  return { kind = "mine" }
end

function checks.Capture(s, o)
  local p, why = adjacentPlanet(s, o.x, o.y)
  if not p then return nil, why end
  if p.owner == s.owner then return nil, "the planet at " .. p.x .. "," .. p.y .. " is yours already" end
  return { kind = "capture", key = grid.key(p.x, p.y) }
end

function checks.Sell(s)
  if s.cargo == 0 then return nil, "ship " .. s.id .. " has no ore to sell" end
  for _, k in ipairs(S.planetKeys) do
    local p = S.planets[k]
    if grid.adjacent(s.x, s.y, p.x, p.y) and economy.canSellAt(p, s.owner) then return { sell = true } end
  end
  return nil, "ship " .. s.id .. " is not next to a neutral planet or one of yours"
end

local function build(m, o)
  if math.type(tonumber(m.Cost)) ~= "integer" or type(m["New-Ship"]) ~= "string" then
    return orderError(m, "malformed Build relay", "Build")
  end
  local why = inBounds(o.x, o.y)
  if why then return orderError(m, why, "Build") end
  local p = S.planets[grid.key(o.x, o.y)]
  if not p then return orderError(m, "there is no planet at " .. o.x .. "," .. o.y .. " in sector " .. S.name, "Build") end
  if p.owner ~= m.From then return orderError(m, "the planet at " .. o.x .. "," .. o.y .. " is not yours", "Build") end
  S.builds[#S.builds + 1] = { player = m.From, id = m["New-Ship"], x = o.x, y = o.y,
                              cost = math.tointeger(tonumber(m.Cost)), orderId = m["Order-Id"] }
end

local function say(m, o)
  local present = false
  for _, s in pairs(S.ships) do
    if s.owner == m.From then present = true break end
  end
  if not present then return orderError(m, "you have no ship in sector " .. S.name .. " to speak from", "Say") end
  S.sayCount = S.sayCount + 1
  local no = 0
  for _, s in pairs(S.ships) do if s.owner == m.From then no = s.no break end end
  S.says[#S.says + 1] = { no = no, text = o.text, seq = S.sayCount }
end

Handlers.add("Order", function(m) return m.Action == "Order" and S.ready end, function(m)
  local o, why = orders.parse(m.Order, m)
  if not o then return orderError(m, why) end
  if o.kind == "Build" then return build(m, o) end
  if o.kind == "Say" then return say(m, o) end
  local s = S.ships[o.ship]
  if not s then
    if S.arriving[o.ship] then return orderError(m, "ship " .. o.ship .. " is arriving in sector " .. S.name .. "; give the order after the next tick") end
    return orderError(m, "ship " .. o.ship .. " is not in sector " .. S.name)
  end
  if s.owner ~= m.From then return orderError(m, "ship " .. o.ship .. " is not yours") end
  local new, err = checks[o.kind](s, o)
  if not new then return orderError(m, err) end
  if new.sell then s.sell = true
  elseif new.kind == "stop" then s.order, s.sell = nil, nil
  else s.order = new end
end)

--------------------------------------------------------------------------------------
-- The tick

-- A ship leaves in this tick: out of this sector's ships, into this tick's batch for
-- its destination (sent in the same slot by sendHandOffs).
local function handOff(out, public, s, process, sector, x, y)
  removeShip(s)
  S.stats.left = S.stats.left + 1
  s.order, s.sell = nil, nil
  local ship = { id = s.id, owner = s.owner, no = s.no, hull = s.hull, cargo = s.cargo, name = S.names[s.owner] }
  if process == ao.id then
    ship.name = nil
    arrive(ship, x, y)
  else
    local batch = out.leaving[process]
    if not batch then
      batch = {}
      out.leaving[process] = batch
      out.destinations[#out.destinations + 1] = process
    end
    batch[#batch + 1] = { ship = ship, x = x, y = y }
  end
  local o = outcome(out, s.owner)
  o.events[#o.events + 1] = { type = "left", ship = s.id, to = sector, process = process }
  public[#public + 1] = { type = "left", ship = s.id, to = sector }
end

-- One Hand-Off per destination and tick, with every ship leaving for it (sorted by id).
local function sendHandOffs(out)
  for _, process in ipairs(out.destinations) do
    Send({ Target = process, Action = "Hand-Off",
           Data = { from = S.name, tick = S.tick, ships = out.leaving[process] } })
  end
end

local function placeArrivals(out, public)
  if next(S.arriving) == nil then return end
  local occupied = {}
  for _, s in pairs(S.ships) do occupied[grid.index(s.x, s.y)] = true end
  for _, id in ipairs(sortedKeys(S.arriving)) do
    local a = S.arriving[id]
    local x, y = grid.nearestFree(S.rows, a.x, a.y, function(cx, cy) return not occupied[grid.index(cx, cy)] end)
    if x then
      local s = a.ship
      s.x, s.y = x, y
      addShip(s)
      S.arriving[id] = nil
      occupied[grid.index(x, y)] = true
      S.stats.arrived = S.stats.arrived + 1
      local o = outcome(out, s.owner)
      o.events[#o.events + 1] = { type = "arrived", ship = id, x = x, y = y }
      o.grid = true
      public[#public + 1] = { type = "arrived", ship = id }
    end
  end
end

local EDGE_ENTRY = {
  N = function(s) return s.x, S.h - 1 end, S = function(s) return s.x, 0 end,
  E = function(s) return 0, s.y end, W = function(s) return S.w - 1, s.y end,
}

-- A path is planned when the order is given; a ship that finds its next cell held by a
-- parked ship (one with no move this tick) plans a detour around the parked ships,
-- so a fleet does not block itself. Depends only on positions: order-independent.
local function detourIfParked(s, parked)
  local o = s.order
  local want = o.path[o.i]
  if not parked[grid.index(want[1], want[2])] then return want end
  local goal = o.path[#o.path]
  local detour = movement.path(S.rows, s.x, s.y, goal[1], goal[2],
    function(x, y) return parked[grid.index(x, y)] end)
  if detour and #detour > 0 then
    o.path, o.i = detour, 1
    return detour[1]
  end
  return want
end

local function moveShips(out, public)
  local list, parked = {}, {}
  for _, s in pairs(S.ships) do
    if not (s.order and (s.order.kind == "move" or s.order.kind == "step")) then parked[grid.index(s.x, s.y)] = true end
  end
  for _, s in ipairs(shipList()) do
    local o, want, exit = s.order, nil, nil
    if o and o.kind == "move" then
      want = detourIfParked(s, parked)
    elseif o and o.kind == "step" then
      local d = grid.DIRS[o.dir]
      want = { s.x + d[1], s.y + d[2] }
      exit = grid.cell(S.rows, want[1], want[2]) == nil
    end
    list[#list + 1] = { id = s.id, x = s.x, y = s.y, want = want, exit = exit, ship = s }
  end
  local moving = movement.resolve(list)
  local moved = {}
  for _, e in ipairs(list) do
    if moving[e.id] then
      local s = e.ship
      moved[s.id] = true
      if e.exit then
        local x, y = EDGE_ENTRY[s.order.dir](s)
        handOff(out, public, s, S.links[s.order.dir], S.linkNames[s.order.dir], x, y)
      else
        s.x, s.y = e.want[1], e.want[2]
        if s.order.kind == "move" and s.order.i < #s.order.path then s.order.i = s.order.i + 1
        else s.order = nil end
        local hole = S.wormholes[grid.key(s.x, s.y)]
        if hole then handOff(out, public, s, hole.process, hole.sector, hole.x, hole.y) end
      end
    end
  end
  return moved
end

local function destroy(out, public, s, why)
  removeShip(s)
  S.stats.destroyed = S.stats.destroyed + 1
  local o = outcome(out, s.owner)
  o.events[#o.events + 1] = { type = "destroyed", ship = s.id, by = why }
  public[#public + 1] = { type = "destroyed", ship = s.id }
end

local function fight(out, public)
  local ships = shipList()
  local attacks = {}
  for _, s in ipairs(ships) do
    if s.order and s.order.kind == "attack" then
      local target = S.ships[s.order.target]
      local why = combat.check(s, target)
      if why then
        local o = outcome(out, s.owner)
        o.events[#o.events + 1] = { type = "attack-ended", ship = s.id, target = s.order.target, reason = why }
        s.order = nil
      else
        attacks[#attacks + 1] = { attacker = s, target = target }
        public[#public + 1] = { type = "attack", ship = s.id, target = target.id }
      end
    end
  end
  local dmg = combat.damage(ships, attacks, S.scorched)
  for _, s in ipairs(ships) do
    local d = dmg[s.id]
    if d then
      s.hull = s.hull - d
      public[#public + 1] = { type = "hit", ship = s.id, damage = d, hull = s.hull }
      if s.hull <= 0 then destroy(out, public, s, "combat") end
    end
  end
end

local function mine(out, moved)
  for _, s in ipairs(shipList()) do
    if not moved[s.id] then
      local ore = mining.yield(S.rows, s)
      if ore > 0 then s.cargo = s.cargo + ore end
      if s.order and s.order.kind == "mine" and s.cargo >= config.CARGO then
        s.order = nil
        local o = outcome(out, s.owner)
        o.events[#o.events + 1] = { type = "hold-full", ship = s.id }
      end
    end
  end
end

local function captures(out, public)
  local capturing = {}
  for _, s in ipairs(shipList()) do
    if s.order and s.order.kind == "capture" then
      local p = S.planets[s.order.key]
      if p.owner == s.owner or not grid.adjacent(s.x, s.y, p.x, p.y) then
        s.order = nil
      else
        capturing[s.order.key] = capturing[s.order.key] or {}
        capturing[s.order.key][s.owner] = s.no
      end
    end
  end
  for _, k in ipairs(S.planetKeys) do
    local p = S.planets[k]
    local who = capturing[k] or {}
    if next(who) ~= nil or p.capturer then
      local defended = false
      if p.owner then
        for _, s in pairs(S.ships) do
          if s.owner == p.owner and grid.adjacent(s.x, s.y, p.x, p.y) then defended = true break end
        end
      end
      local before = p.owner
      local ev = capture.step(p, sortedKeys(who), defended)
      if ev == "captured" then
        p.no = who[p.owner]
        if before then
          local o = outcome(out, before)
          o.events[#o.events + 1] = { type = "planet-lost", x = p.x, y = p.y }
        else
          S.owned = S.owned + 1
        end
        local o = outcome(out, p.owner)
        o.events[#o.events + 1] = { type = "planet-captured", x = p.x, y = p.y }
        public[#public + 1] = { type = "captured", x = p.x, y = p.y, no = p.no }
      elseif ev then
        public[#public + 1] = { type = ev, x = p.x, y = p.y }
      end
    end
  end
end

local function sells(out)
  for _, s in ipairs(shipList()) do
    if s.sell then
      s.sell = nil
      local o = outcome(out, s.owner)
      local ok = false
      for _, k in ipairs(S.planetKeys) do
        local p = S.planets[k]
        if grid.adjacent(s.x, s.y, p.x, p.y) and economy.canSellAt(p, s.owner) then ok = true break end
      end
      if ok and s.cargo > 0 then
        local value = economy.saleValue(s.cargo)
        o.credits = o.credits + value
        o.events[#o.events + 1] = { type = "sold", ship = s.id, ore = s.cargo, credits = value }
        s.cargo = 0
      else
        o.events[#o.events + 1] = { type = "sell-failed", ship = s.id, reason = "no planet to sell at, or no ore" }
      end
    end
  end
end

local function income(out)
  for _, k in ipairs(S.planetKeys) do
    local p = S.planets[k]
    if p.owner then
      local o = outcome(out, p.owner)
      o.credits = o.credits + economy.income(1)
    end
  end
end

local function builds(out, public)
  table.sort(S.builds, function(a, b) return a.id < b.id end)
  for _, b in ipairs(S.builds) do
    local o = outcome(out, b.player)
    local p = S.planets[grid.key(b.x, b.y)]
    local x, y
    if p.owner == b.player then
      x, y = building.site(S.rows, b.x, b.y, function(cx, cy) return shipAt(cx, cy) ~= nil end)
    end
    if x and S.ships[b.id] == nil and S.arriving[b.id] == nil then
      addShip({ id = b.id, owner = b.player, no = p.no, x = x, y = y, hull = config.HULL, cargo = 0 })
      S.stats.built = S.stats.built + 1
      o.spent = o.spent + b.cost
      o.events[#o.events + 1] = { type = "built", ship = b.id, x = x, y = y, cost = b.cost, order = b.orderId }
      public[#public + 1] = { type = "built", ship = b.id }
    else
      o.events[#o.events + 1] = { type = "build-failed", ship = b.id, cost = b.cost, order = b.orderId,
        reason = p.owner ~= b.player and "the planet is no longer yours" or "no free cell next to the planet" }
    end
  end
  S.builds = {}
end

local function says(public)
  table.sort(S.says, function(a, b) if a.no ~= b.no then return a.no < b.no end return a.seq < b.seq end)
  for _, m in ipairs(S.says) do public[#public + 1] = { type = "say", no = m.no, text = m.text } end
  S.says = {}
end

-- The public view of the sector after a tick (every recipient gets the same), and
-- each owner's rows of it (its own ships), from the sorted ships.
local function viewOf(ships)
  local rows, planets, names, own = {}, {}, {}, {}
  for _, s in ipairs(ships) do
    local row = { s.id, s.no, s.x, s.y, s.hull, s.cargo }
    rows[#rows + 1] = row
    names[tostring(s.no)] = S.names[s.owner]
    local mine = own[s.owner]
    if not mine then
      mine = {}
      own[s.owner] = mine
    end
    mine[#mine + 1] = row
  end
  for _, k in ipairs(S.planetKeys) do
    local p = S.planets[k]
    planets[#planets + 1] = { p.x, p.y, p.no, p.progress }
  end
  return { tick = S.tick, sector = S.name, ships = rows, planets = planets, players = names }, own
end

function SectorView() return (viewOf(sortedShips())) end

-- This tick's chat for the players' Chat messages: {no, name, text} per say, or nil.
local function chatLines(public, names)
  local lines
  for _, ev in ipairs(public) do
    if ev.type == "say" then
      lines = lines or {}
      lines[#lines + 1] = { no = ev.no, name = names[tostring(ev.no)], text = ev.text }
    end
  end
  return lines
end

-- One Sector-Update per player with ships here or news. Data is the view, encoded
-- once: the player passes it on to its client without reading it. The tag Private is the
-- player's own part (see docs/GAME-PROTOCOL.md).
local function publish(out, public)
  local view, own = viewOf(shipList())
  view.events = public
  local shared = json.encode(view)
  local chat = chatLines(public, view.players)
  for pid in pairs(own) do outcome(out, pid) end
  for _, pid in ipairs(sortedKeys(out.players)) do
    local o = out.players[pid]
    local mine = { tick = S.tick, credits = o.credits, events = o.events, ships = own[pid] or {}, chat = chat }
    if o.grid then mine.grid = S.rows end
    Send({ Target = pid, Action = "Sector-Update", Private = json.encode(mine), Data = shared })
  end
end

--------------------------------------------------------------------------------------
-- Scores: the world's leaderboard adds up, per player, what changed in each sector
-- (so players need not report). Each sector sends what its players earned here
-- (income and sales, less ships built) and how the ore and planets they hold here
-- changed, every REPORT_EVERY ticks (sectors take turns, by position) and when it
-- goes to sleep.

local function earn(out)
  for pid, o in pairs(out.players) do
    local net = o.credits - o.spent
    if net ~= 0 then S.earned[pid] = (S.earned[pid] or 0) + net end
  end
end

-- Ore (ships here and arriving) and planets each player holds here now.
local function holdings()
  local now = {}
  local function of(pid)
    local h = now[pid]
    if not h then
      h = { ore = 0, planets = 0 }
      now[pid] = h
    end
    return h
  end
  for _, s in pairs(S.ships) do
    local h = of(s.owner)
    h.ore = h.ore + s.cargo
  end
  for _, a in pairs(S.arriving) do
    local h = of(a.ship.owner)
    h.ore = h.ore + a.ship.cargo
  end
  for _, p in pairs(S.planets) do
    if p.owner then
      local h = of(p.owner)
      h.planets = h.planets + 1
    end
  end
  return now
end

-- pid -> {credits, ore, planets} changes since the last report, or nil when none.
local function scoreChanges()
  local now, changes, any = holdings(), {}, false
  local NONE = { ore = 0, planets = 0 }
  local function add(pid)
    if changes[pid] then return end
    local h, was = now[pid] or NONE, S.held[pid] or NONE
    local c = { credits = S.earned[pid] or 0, ore = h.ore - was.ore, planets = h.planets - was.planets }
    if c.credits ~= 0 or c.ore ~= 0 or c.planets ~= 0 then changes[pid], any = c, true end
  end
  for pid in pairs(now) do add(pid) end
  for pid in pairs(S.held) do add(pid) end
  for pid in pairs(S.earned) do add(pid) end
  S.held, S.earned = now, {}
  return any and changes or nil
end

local function reportDue()
  return (S.tick + S.reportPhase) % config.REPORT_EVERY == 0
end

Handlers.add("Tick", function(m) return m.Action == "Tick" and m.From == Owner and S.ready end, function(m)
  local n = math.tointeger(tonumber(m.Tick))
  if not n or n <= S.tick then return end
  S.tick = n
  local out, public = newOutcome(), {}
  placeArrivals(out, public)
  local moved = moveShips(out, public)
  sendHandOffs(out)
  fight(out, public)
  mine(out, moved)
  captures(out, public)
  sells(out)
  income(out)
  builds(out, public)
  says(public)
  publish(out, public)
  earn(out)
  if next(S.ships) == nil and next(S.arriving) == nil and S.owned == 0 then
    S.asleep = true
    Send({ Target = Owner, Action = "Sleep", Sector = S.name, Data = scoreChanges() })
  elseif reportDue() then
    local changes = scoreChanges()
    if changes then Send({ Target = Owner, Action = "Scores", Data = changes }) end
  end
end)

-- Anything else is dropped without a trace (it would otherwise fill the Inbox).
Handlers.add("Ignore", function(m) return not (m.Action == "Eval" and m.From == Owner) end, function() end)

-- A canonical text of the game state, for tests and tools (same state, same text).
function SectorDigest()
  local parts = { "tick=" .. S.tick }
  for _, s in ipairs(sortedShips()) do
    parts[#parts + 1] = table.concat({ s.id, s.owner, s.no, s.x, s.y, s.hull, s.cargo,
      s.order and s.order.kind or "-", s.sell and "sell" or "-" }, ":")
  end
  for _, id in ipairs(sortedKeys(S.arriving)) do
    local a = S.arriving[id]
    parts[#parts + 1] = "arriving:" .. id .. ":" .. a.ship.owner .. ":" .. a.x .. ":" .. a.y .. ":" .. a.ship.hull .. ":" .. a.ship.cargo
  end
  for _, k in ipairs(S.planetKeys) do
    local p = S.planets[k]
    parts[#parts + 1] = "planet:" .. k .. ":" .. tostring(p.owner) .. ":" .. tostring(p.capturer) .. ":" .. p.progress
  end
  return table.concat(parts, "\n")
end
