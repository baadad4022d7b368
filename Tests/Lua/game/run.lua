-- Pure-Lua tests of GameLogic/rules (no runtime needed). Run from the repository
-- root: lua5.4 Tests/Lua/game/run.lua
package.path = "GameLogic/?.lua;" .. package.path
local grid = require("rules.grid")
local movement = require("rules.movement")
local combat = require("rules.combat")
local mining = require("rules.mining")
local capture = require("rules.capture")
local economy = require("rules.economy")
local building = require("rules.building")
local orders = require("rules.orders")
local config = require("rules.config")

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then passed = passed + 1 else failed = failed + 1; print("FAIL " .. name .. ": " .. tostring(err)) end
end
local function eq(a, b, what)
  if a ~= b then error((what or "value") .. ": expected " .. tostring(b) .. ", got " .. tostring(a), 2) end
end

local rows = {
  ".....",
  ".#...",
  ".#*$.",
  "..o..",
}

test("cells outside the grid are nil and rock is impassable", function()
  eq(grid.cell(rows, 1, 1), "#")
  eq(grid.cell(rows, 5, 0), nil)
  eq(grid.cell(rows, -1, 0), nil)
  eq(grid.passable("#"), false)
  eq(grid.passable("o"), false)
  eq(grid.passable("$"), true)
end)

test("a path goes around rock by the shortest way", function()
  local p = movement.path(rows, 0, 2, 2, 1)
  eq(#p, 5)
  eq(p[#p][1], 2); eq(p[#p][2], 1)
  eq(movement.path(rows, 0, 0, 1, 1), nil)   -- rock
end)

test("a path can avoid blocked cells, but never refuses its goal for it", function()
  local open = { ".....", ".....", "....." }
  local straight = movement.path(open, 0, 1, 4, 1)
  eq(#straight, 4)
  eq(straight[1][1], 1); eq(straight[1][2], 1)
  local parked = { ["1,1"] = true, ["4,1"] = true }
  local detour = movement.path(open, 0, 1, 4, 1, function(x, y) return parked[x .. "," .. y] end)
  eq(#detour, 6)
  eq(detour[#detour][1], 4); eq(detour[#detour][2], 1)
  for _, c in ipairs(detour) do assert(not (c[1] == 1 and c[2] == 1), "went through a parked ship") end
end)

test("two ships wanting one cell: neither moves", function()
  local m = movement.resolve({
    { id = "a", x = 0, y = 0, want = { 1, 0 } },
    { id = "b", x = 2, y = 0, want = { 1, 0 } },
  })
  eq(m.a, nil); eq(m.b, nil)
end)

test("a ship may follow another into the cell it leaves, but not swap", function()
  local m = movement.resolve({
    { id = "a", x = 0, y = 0, want = { 1, 0 } },
    { id = "b", x = 1, y = 0, want = { 2, 0 } },
  })
  eq(m.a, true); eq(m.b, true)
  m = movement.resolve({
    { id = "a", x = 0, y = 0, want = { 1, 0 } },
    { id = "b", x = 1, y = 0, want = { 0, 0 } },
  })
  eq(m.a, nil); eq(m.b, nil)
end)

test("blocking spreads along a chain whatever the list order", function()
  local list = {
    { id = "c", x = 2, y = 0, want = { 3, 0 } },
    { id = "a", x = 0, y = 0, want = { 1, 0 } },
    { id = "b", x = 1, y = 0, want = { 2, 0 } },
    { id = "d", x = 3, y = 0 },
  }
  local m = movement.resolve(list)
  eq(m.a, nil); eq(m.b, nil); eq(m.c, nil)
  local r = { list[4], list[3], list[2], list[1] }
  local m2 = movement.resolve(r)
  eq(m2.a, nil); eq(m2.b, nil); eq(m2.c, nil)
end)

test("combat checks range and ownership, damage is simultaneous with star burns", function()
  local a = { id = "a", owner = "p", x = 0, y = 0 }
  local b = { id = "b", owner = "q", x = 3, y = 2 }
  local c = { id = "c", owner = "p", x = 4, y = 3 }
  eq(combat.check(a, b), nil)
  eq(combat.check(a, c) ~= nil, true)   -- own ship
  local far = { id = "f", owner = "q", x = 4, y = 0 }
  eq(combat.check(a, far) ~= nil, true)
  local d = combat.damage({ a, b, c }, { { attacker = a, target = b }, { attacker = b, target = a } },
    grid.nextToStars(rows))
  eq(d.a, config.ATTACK_DAMAGE)
  eq(d.b, config.ATTACK_DAMAGE + config.STAR_DAMAGE)   -- 3,2 is next to the star at 2,2
end)

test("mining fills the hold up to its size", function()
  local s = { id = "s", x = 3, y = 2, cargo = 0 }
  eq(mining.yield(rows, s), config.MINE_RATE)
  s.cargo = config.CARGO - 1
  eq(mining.yield(rows, s), 1)
  s.cargo = config.CARGO
  eq(mining.yield(rows, s), 0)
  eq(mining.check(rows, { id = "t", x = 0, y = 0, cargo = 0 }) ~= nil, true)
end)

test("a planet is captured after uncontested ticks, and contest resets it", function()
  local p = { owner = nil, progress = 0 }
  for i = 1, config.CAPTURE_TICKS - 1 do eq(capture.step(p, { "p" }, false), "progress") end
  eq(capture.step(p, { "p", "q" }, false), "contested")
  eq(p.progress, 0)
  for i = 1, config.CAPTURE_TICKS - 1 do capture.step(p, { "p" }, false) end
  eq(capture.step(p, { "p" }, false), "captured")
  eq(p.owner, "p")
  eq(capture.step(p, { "q" }, true), "contested")   -- defended
  eq(capture.step(p, {}, false), nil)
end)

test("economy: sales, income, score", function()
  eq(economy.saleValue(4), 4 * config.ORE_PRICE)
  eq(economy.canSellAt({ owner = nil }, "p"), true)
  eq(economy.canSellAt({ owner = "q" }, "p"), false)
  eq(economy.score(2, 10, 5), 2 * config.PLANET_SCORE + 15)
end)

test("a built ship appears on the first free cell around the planet", function()
  local x, y = building.site(rows, 2, 3, function() return false end)
  eq(x, 3); eq(y, 2)   -- N of 2,3 is 2,2, a star; NE is 3,2, ore
  x = building.site(rows, 2, 3, function(cx, cy) return cx == 3 and cy == 2 end)
  eq(x, 3)   -- E of the planet: 3,3
end)

test("orders parse whole numbers strictly and name what is wrong", function()
  local o = orders.parse("Move", { Ship = "P1.1", X = "3", Y = "4" })
  eq(o.x, 3); eq(o.y, 4)
  local _, err = orders.parse("Move", { Ship = "P1.1", X = "3.5", Y = "4" })
  eq(err, "X must be a whole number, got '3.5'")
  _, err = orders.parse("Fly", { Ship = "P1.1" })
  eq(err:match("^unknown action 'Fly'") ~= nil, true)
  _, err = orders.parse("Move", { Ship = "P1.1", Dir = "Up" })
  eq(err, "Dir must be N, E, S or W, got 'Up'")
  _, err = orders.parse("Attack", { Ship = "P1.1" })
  eq(err, "missing tag Target-Ship (the id of the ship to attack)")
  _, err = orders.parse("Build", { X = "1", Y = "2" })
  eq(err, "missing tag Sector (where your planet is)")
  _, err = orders.parse("Say", { Data = string.rep("x", config.SAY_MAX + 1) })
  eq(err ~= nil, true)
end)

package.path = "Tests/Lua/game/?.lua;" .. package.path
require("processes")(test, eq)

print(passed .. " passed, " .. failed .. " failed")
os.exit(failed == 0 and 0 or 1)
