/// The bot library: view construction, path finding, nearest ore/planet/enemy, order
/// checking. ONE Lua text loaded by both hosts, the outside runtime (`BotRuntime`) and
/// the hosted agent (`BotAgent`), as `require("bot")`, so a script sees the same view
/// and its orders become the same messages either way. See docs/BOTS.md.
public enum BotLibrary {
    /// The Lua source of `require("bot")`.
    public static let source = #"""
-- The bot library (docs/BOTS.md). The outside runtime (`starlane bot`) and the hosted
-- agent load this same text, so a script sees the same view and its orders become the
-- same messages either way. Pure Lua: no I/O, no clock, no randomness.
local bot = {}

bot.CARGO = 20        -- a ship's hold (rules/config.lua)
bot.ATTACK_RANGE = 3  -- Chebyshev distance of an attack
bot.MAX_ORDERS = 50   -- orders one call may return; the rest are dropped (and reported)

local DIRS = { N = { 0, -1 }, E = { 1, 0 }, S = { 0, 1 }, W = { -1, 0 } }
local DIR_ORDER = { "N", "E", "S", "W" }
bot.DIRS, bot.DIR_ORDER = DIRS, DIR_ORDER

--------------------------------------------------------------------------------------
-- Grids: rows of cell characters, 0-based x (column) and y (row).

function bot.cell(grid, x, y)
  local row = grid and grid[y + 1]
  if row == nil or x < 0 or x >= #row then return nil end
  return row:sub(x + 1, x + 1)
end

-- Ships stand on open space, ore, spawn points; wormholes only in passing.
function bot.passable(c) return c == "." or c == "$" or c == "@" or c == "O" end

function bot.distance(ax, ay, bx, by) return math.max(math.abs(ax - bx), math.abs(ay - by)) end

-- Every cell holding character c, in row-major order: { {x, y}, ... }.
function bot.find(grid, c)
  local out = {}
  for y = 0, #(grid or {}) - 1 do
    local row = grid[y + 1]
    for x = 0, #row - 1 do
      if row:sub(x + 1, x + 1) == c then out[#out + 1] = { x, y } end
    end
  end
  return out
end

-- Breadth-first search from (x, y) over passable cells (N, E, S, W order, so the
-- answer is fixed). `goal(x, y)` says where to stop; `blocked(x, y)` may close more
-- cells (other ships). Returns the goal's x, y and the path as a list of {x, y}
-- steps (without the start), or nil when no goal is reachable.
function bot.search(grid, x, y, goal, blocked)
  local h, w = #grid, #grid[1]
  local key = function(cx, cy) return cy * w + cx end
  local from, queue, head = { [key(x, y)] = false }, { { x, y } }, 1
  while queue[head] do
    local cx, cy = queue[head][1], queue[head][2]
    head = head + 1
    if goal(cx, cy) and (cx ~= x or cy ~= y or head == 2) then
      local path, k = {}, key(cx, cy)
      while from[k] do
        table.insert(path, 1, { k % w, k // w })
        k = from[k]
      end
      return cx, cy, path
    end
    local c = bot.cell(grid, cx, cy)
    if c ~= "O" or head == 2 then  -- a wormhole is a goal, never a way through
      for _, d in ipairs(DIR_ORDER) do
        local nx, ny = cx + DIRS[d][1], cy + DIRS[d][2]
        local k = key(nx, ny)
        if nx >= 0 and ny >= 0 and nx < w and ny < h and from[k] == nil
            and bot.passable(bot.cell(grid, nx, ny)) and not (blocked and blocked(nx, ny)) then
          from[k] = key(cx, cy)
          queue[#queue + 1] = { nx, ny }
        end
      end
    end
  end
  return nil
end

-- The path from (x, y) to (tx, ty), a list of {x, y}; nil when there is none.
function bot.path(grid, x, y, tx, ty)
  local _, _, path = bot.search(grid, x, y, function(cx, cy) return cx == tx and cy == ty end)
  return path
end

--------------------------------------------------------------------------------------
-- The view: what the player's client feed told us, accumulated. `bot.view` is the
-- table on_update gets; it lives in the bot's Lua state between calls.

local function newView()
  return { tick = 0, me = {}, ships = {}, ship = {}, sectors = {}, events = {}, mine = {}, chat = {},
           sector = nil }
end
bot.view = newView()

local function sectorOf(view, name)
  local s = view.sectors[name]
  if not s then
    s = { name = name, ships = {}, planets = {}, players = {}, tick = -1 }
    view.sectors[name] = s
  end
  return s
end

local function rebuildShipList(view)
  local ids = {}
  for id in pairs(view.ship) do ids[#ids + 1] = id end
  table.sort(ids)
  view.ships = {}
  for i, id in ipairs(ids) do view.ships[i] = view.ship[id] end
end

-- THE view construction, shared by both hosts: applies one `Update` (docs/GAME-
-- PROTOCOL.md) to `view`.
function bot.apply_update(view, u)
  if u.tick > view.tick then view.tick = u.tick end
  view.sector = u.sector
  view.me = u.me or view.me
  local sec = sectorOf(view, u.sector)
  sec.process = u.process
  if u.grid then sec.grid = u.grid end
  sec.tick = u.tick
  sec.players = u.players or {}
  sec.ships, sec.planets = {}, {}
  for i, r in ipairs(u.ships or {}) do
    sec.ships[i] = { id = r[1], no = r[2], x = r[3], y = r[4], hull = r[5], cargo = r[6],
                     mine = r[2] == view.me.no, sector = u.sector }
  end
  for i, r in ipairs(u.planets or {}) do
    sec.planets[i] = { x = r[1], y = r[2], owner = r[3], progress = r[4], mine = r[3] == view.me.no }
  end
  view.events, view.mine = u.events or {}, u.mine or {}
  for _, ev in ipairs(view.mine) do
    local s = ev.ship and view.ship[ev.ship]
    if ev.type == "left" and s then
      s.sector, s.x, s.y = ev.to, nil, nil
      sectorOf(view, ev.to).process = ev.process
    elseif ev.type == "destroyed" and ev.ship then
      view.ship[ev.ship] = nil
    end
  end
  for _, s in ipairs(sec.ships) do
    if s.mine then
      local mine = view.ship[s.id] or { id = s.id }
      -- `still` counts updates in a row the ship stayed put (stuck, or mining).
      mine.still = (mine.sector == u.sector and mine.x == s.x and mine.y == s.y) and (mine.still or 0) + 1 or 0
      mine.sector, mine.x, mine.y, mine.hull, mine.cargo = u.sector, s.x, s.y, s.hull, s.cargo
      view.ship[s.id] = mine
    end
  end
  rebuildShipList(view)
end

-- The answer to a `View` order (a fresh or restarted bot's starting point).
function bot.apply_snapshot(view, v)
  view.tick = math.max(view.tick, v.tick or 0)
  view.me = v.me or view.me
  for name, process in pairs(v.sectors or {}) do sectorOf(view, name).process = process end
  for name, rows in pairs(v.grids or {}) do sectorOf(view, name).grid = rows end
  view.ship = {}
  for _, s in ipairs(v.ships or {}) do
    view.ship[s.id] = { id = s.id, sector = s.sector, x = s.x, y = s.y, hull = s.hull, cargo = s.cargo }
  end
  rebuildShipList(view)
end

--------------------------------------------------------------------------------------
-- Finding things near a ship (in the ship's sector; nil when the sector's grid is
-- not known yet or nothing is reachable). Distances are path lengths around rock,
-- stars and planets; other ships are not obstacles (they move), but a cell another
-- ship stands on is never the answer.

local function context(view, ship)
  local sec = ship and ship.sector and view.sectors[ship.sector]
  if not (sec and sec.grid and ship.x) then return nil end
  local taken = {}
  for _, o in ipairs(sec.ships) do
    if o.id ~= ship.id then taken[o.y * 1000 + o.x] = true end
  end
  return sec, function(x, y) return taken[y * 1000 + x] end
end

-- The nearest ore field (by path) no other ship stands on: x, y.
-- `avoid(x, y)`, if given, rules out more cells (say, your other ships' targets).
function bot.nearest_ore(view, ship, avoid)
  local sec, taken = context(view, ship)
  if not sec then return nil end
  local x, y = bot.search(sec.grid, ship.x, ship.y, function(cx, cy)
    return bot.cell(sec.grid, cx, cy) == "$" and not taken(cx, cy) and not (avoid and avoid(cx, cy))
  end)
  return x, y
end

-- The nearest planet to sell at or capture, chosen by `wanted(planet)` (default:
-- neutral or mine): the planet and a free cell next to it, {planet, x, y}.
function bot.nearest_planet(view, ship, wanted, avoid)
  local sec, taken = context(view, ship)
  if not sec then return nil end
  if avoid then
    local t = taken
    taken = function(x, y) return t(x, y) or avoid(x, y) end
  end
  wanted = wanted or function(p) return p.owner == 0 or p.mine end
  local targets = {}
  for _, p in ipairs(sec.planets) do
    if wanted(p) then targets[#targets + 1] = p end
  end
  local x, y = bot.search(sec.grid, ship.x, ship.y, function(cx, cy)
    if taken(cx, cy) and (cx ~= ship.x or cy ~= ship.y) then return false end
    for _, p in ipairs(targets) do
      if bot.distance(cx, cy, p.x, p.y) == 1 then return true end
    end
    return false
  end)
  if not x then return nil end
  for _, p in ipairs(targets) do
    if bot.distance(x, y, p.x, p.y) == 1 then return { planet = p, x = x, y = y } end
  end
end

-- The nearest ship of another player in the ship's sector (Chebyshev distance, then
-- id), for which `wanted(other)` holds (default: any): the ship's record.
function bot.nearest_enemy(view, ship, wanted)
  local sec = ship and ship.sector and view.sectors[ship.sector]
  if not (sec and ship.x) then return nil end
  local best, bestDistance
  for _, o in ipairs(sec.ships) do
    if not o.mine and (not wanted or wanted(o)) then
      local d = bot.distance(ship.x, ship.y, o.x, o.y)
      if not best or d < bestDistance then best, bestDistance = o, d end
    end
  end
  return best, bestDistance
end

-- A free passable cell on the given edge (N, E, S, W) of the ship's sector, nearest by
-- path: moving `dir` from there crosses into the neighbouring sector.
function bot.edge_cell(view, ship, dir)
  local sec, taken = context(view, ship)
  if not sec then return nil end
  local h, w = #sec.grid, #sec.grid[1]
  local x, y = bot.search(sec.grid, ship.x, ship.y, function(cx, cy)
    local c = bot.cell(sec.grid, cx, cy)
    if c == "O" then return false end
    return (dir == "N" and cy == 0) or (dir == "S" and cy == h - 1) or (dir == "W" and cx == 0)
      or (dir == "E" and cx == w - 1)
  end)
  return x, y
end

-- The first step (N, E, S, W) of a path from the ship to (x, y) around the other
-- ships of its sector; nil when there is none.
function bot.step_toward(view, ship, x, y)
  local sec, taken = context(view, ship)
  if not sec then return nil end
  local _, _, path = bot.search(sec.grid, ship.x, ship.y, function(cx, cy) return cx == x and cy == y end,
    function(cx, cy) return taken(cx, cy) and not (cx == x and cy == y) end)
  if not path or not path[1] then return nil end
  for d, v in pairs(DIRS) do
    if ship.x + v[1] == path[1][1] and ship.y + v[2] == path[1][2] then return d end
  end
end

-- The order that takes a ship to (x, y) of its sector: a path move (the game follows
-- it over the next ticks), or, when the ship has not moved for two updates (another
-- ship in its way), one step around the ships in the way. Nil when it is there.
function bot.go(view, ship, x, y)
  if ship.x == x and ship.y == y then return nil end
  if (ship.still or 0) >= 2 then
    local d = bot.step_toward(view, ship, x, y)
    if d then return { ship = ship.id, action = "Move", dir = d } end
  end
  return { ship = ship.id, action = "Move", to = { x, y } }
end

--------------------------------------------------------------------------------------
-- Orders: tables the script returns, checked and turned into the messages a client
-- sends its player process ({ tags = {{name, value}...}, data }).

local function whole(v) return math.type(v) == "integer" or (type(v) == "number" and v == math.floor(v)) end

local function cellOf(o, field)
  local c = o[field]
  if c == nil then return nil end
  if type(c) ~= "table" or not whole(c[1] or c.x) or not whole(c[2] or c.y) then
    error(field .. " must be {x, y} with whole numbers", 0)
  end
  return math.tointeger(c[1] or c.x), math.tointeger(c[2] or c.y)
end

local function describe(o)
  local parts = {}
  for _, k in ipairs({ "ship", "action", "dir", "target" }) do
    if o[k] ~= nil then parts[#parts + 1] = k .. "=" .. tostring(o[k]) end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- One order table -> one message; raises a sentence when it is malformed. Whether
-- the order is legal (your ship, a passable cell...) is the game's to say.
function bot.message(o)
  if type(o) ~= "table" then error("an order is a table like {ship = id, action = 'Move', to = {x, y}}, got " .. type(o), 0) end
  if type(o.action) ~= "string" or o.action == "" then error("an order needs action = 'Move', 'Mine', ...", 0) end
  local tags = { { name = "Action", value = o.action } }
  local function tag(name, value) if value ~= nil then tags[#tags + 1] = { name = name, value = tostring(value) } end end
  if o.action ~= "Build" and o.action ~= "Say" or o.ship ~= nil then
    if type(o.ship) ~= "string" then error("an order needs ship = the id of one of your ships", 0) end
    tag("Ship", o.ship)
  end
  if o.action == "Move" then
    local x, y = cellOf(o, "to")
    if o.dir ~= nil then
      if x then error("Move takes either dir or to, not both", 0) end
      tag("Dir", o.dir)
    elseif not x then
      error("Move needs to = {x, y} or dir = 'N'|'E'|'S'|'W'", 0)
    end
    tag("X", x); tag("Y", y)
  elseif o.action == "Attack" then
    if type(o.target) ~= "string" then error("Attack needs target = the id of the ship to attack", 0) end
    tag("Target-Ship", o.target)
  elseif o.action == "Capture" or o.action == "Build" then
    local x, y = cellOf(o, "planet")
    if o.action == "Build" then
      if not x then error("Build needs planet = {x, y} and sector = name", 0) end
      tag("Sector", o.sector)
    end
    tag("X", x); tag("Y", y)
  elseif o.action == "Say" then
    tag("Sector", o.sector)
    return { tags = tags, data = tostring(o.text or "") }
  end
  return { tags = tags, data = "" }
end

-- Standing orders are not sent twice: a ship's last order is remembered until
-- something says it is over (an event about the ship, an Order-Error for it, a change
-- of sector, reaching a Move's target). One-shot orders (Sell, Stop, Say, Build, a
-- Move by dir) are always sent.
local STANDING = { Move = true, Mine = true, Attack = true, Capture = true }
bot.sent = {}

local function orderKey(m)
  local parts = {}
  for _, t in ipairs(m.tags) do parts[#parts + 1] = t.name .. "=" .. t.value end
  return table.concat(parts, ";")
end

local function forgetFinished(view)
  for _, ev in ipairs(view.mine) do
    if ev.ship then bot.sent[ev.ship] = nil end
    if ev.type == "planet-captured" then
      for id, s in pairs(bot.sent) do if s.action == "Capture" then bot.sent[id] = nil end end
    end
  end
  for id, s in pairs(bot.sent) do
    local ship = view.ship[id]
    if not ship or ship.sector ~= s.sector or (s.x and ship.x == s.x and ship.y == s.y) then bot.sent[id] = nil end
  end
end

local function worthSending(view, o, m)
  if type(o.ship) ~= "string" then return true end
  if not STANDING[o.action] or o.dir ~= nil then
    bot.sent[o.ship] = nil  -- it replaces (or follows) the standing order
    return true
  end
  local key, last = orderKey(m), bot.sent[o.ship]
  if last and last.key == key then return false end
  local ship = view.ship[o.ship]
  local x, y = nil, nil
  if o.action == "Move" then x, y = cellOf(o, "to") end
  bot.sent[o.ship] = { key = key, action = o.action, sector = ship and ship.sector, x = x, y = y }
  return true
end

--------------------------------------------------------------------------------------
-- The one entry point of both hosts: one event of the player's feed in, what to send
-- and what to report out. `kind` is "view", "update", "order-error" or "chat".
-- Returns { orders = {message...}, problems = {sentence...} }; raises only when the
-- script's own budget or memory runs out (which nothing can catch).

local function call(name, ...)
  local fn = rawget(_G, name)
  if type(fn) ~= "function" then return true, nil end
  return pcall(fn, ...)
end

local function collect(out, name, ok, result)
  if not ok then
    out.problems[#out.problems + 1] = name .. " failed: " .. tostring(result)
    return
  end
  if result == nil then return end
  if type(result) ~= "table" then
    out.problems[#out.problems + 1] = name .. " must return a list of orders (or nothing), got " .. type(result)
    return
  end
  for i, o in ipairs(result) do
    if #out.orders >= bot.MAX_ORDERS then
      out.problems[#out.problems + 1] = name .. " returned more than " .. bot.MAX_ORDERS .. " orders; the rest were dropped"
      return
    end
    local fine, m = pcall(bot.message, o)
    if not fine then
      out.problems[#out.problems + 1] = name .. ": order " .. i .. " " .. (type(o) == "table" and describe(o) or "") .. ": " .. tostring(m)
    elseif worthSending(bot.view, o, m) then
      out.orders[#out.orders + 1] = m
    end
  end
end

function bot.handle(kind, payload)
  local out, view = { orders = {}, problems = {} }, bot.view
  if kind == "view" then
    bot.apply_snapshot(view, payload)
    if not bot.started then
      bot.started = true
      collect(out, "on_start", call("on_start", view.me, view))
    end
  elseif kind == "update" then
    bot.apply_update(view, payload)
    forgetFinished(view)
    collect(out, "on_update", call("on_update", view))
  elseif kind == "order-error" then
    if payload.ship then bot.sent[payload.ship] = nil end
    collect(out, "on_error", call("on_error", payload, view))
  elseif kind == "chat" then
    view.chat[#view.chat + 1] = payload
    if #view.chat > 20 then table.remove(view.chat, 1) end
  end
  return out
end

return bot
"""#
}
