-- miner.lua: mines ore and sells it (docs/BOTS.md).
-- Each ship fills its hold on the nearest free ore field of its sector, then flies
-- next to the nearest neutral (or own) planet and sells, and starts again.

selling = selling or {}   -- ship id -> true while it carries its load to a planet
targets = targets or {}   -- ship id -> "x,y" of the cell it is heading for

local function claimedByOthers(ship)
  return function(x, y)
    for id, cell in pairs(targets) do
      if id ~= ship.id and cell == x .. "," .. y then return true end
    end
    return false
  end
end

local function plan(view, ship)
  local grid = view.sectors[ship.sector].grid
  if not grid then return nil end
  if ship.cargo >= bot.CARGO then selling[ship.id] = true end
  if ship.cargo == 0 then selling[ship.id] = nil end

  if selling[ship.id] then
    local spot = bot.nearest_planet(view, ship, nil, claimedByOthers(ship))
    if not spot then return nil end
    targets[ship.id] = spot.x .. "," .. spot.y
    if spot.x == ship.x and spot.y == ship.y then return { ship = ship.id, action = "Sell" } end
    return bot.go(view, ship, spot.x, spot.y)
  end

  if bot.cell(grid, ship.x, ship.y) == "$" then
    targets[ship.id] = ship.x .. "," .. ship.y
    return { ship = ship.id, action = "Mine" }
  end
  local x, y = bot.nearest_ore(view, ship, claimedByOthers(ship))
  if not x then
    if ship.cargo > 0 then selling[ship.id] = true end
    return nil
  end
  targets[ship.id] = x .. "," .. y
  return bot.go(view, ship, x, y)
end

function on_update(view)
  local orders = {}
  for _, ship in ipairs(view.ships) do
    if ship.x and ship.sector == view.sector then
      orders[#orders + 1] = plan(view, ship)
    end
  end
  return orders
end

function on_error(err)
  print("order refused: " .. err.error)
end
