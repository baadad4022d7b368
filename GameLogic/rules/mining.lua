-- rules.mining: a ship standing on an ore field mines each tick, up to its hold.
local config = require("rules.config")
local grid = require("rules.grid")
local M = {}

-- Ore the ship mines this tick (0 when not on ore or the hold is full).
function M.yield(rows, ship)
  if grid.cell(rows, ship.x, ship.y) ~= grid.ORE then return 0 end
  local room = config.CARGO - ship.cargo
  if room <= 0 then return 0 end
  return room < config.MINE_RATE and room or config.MINE_RATE
end

-- Why the ship cannot be told to mine, or nil.
function M.check(rows, ship)
  local c = grid.cell(rows, ship.x, ship.y)
  if c ~= grid.ORE then
    return "ship " .. ship.id .. " is not on an ore field (cell " .. ship.x .. "," .. ship.y .. " is '" .. c .. "')"
  end
  if ship.cargo >= config.CARGO then return "the hold of ship " .. ship.id .. " is full" end
  return nil
end

return M
