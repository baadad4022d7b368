-- rules.building: a new ship appears on the first free passable cell next to an owned
-- planet, looked for in a fixed order (N, NE, E, SE, S, SW, W, NW).
local config = require("rules.config")
local grid = require("rules.grid")
local M = {}

local AROUND = { { 0, -1 }, { 1, -1 }, { 1, 0 }, { 1, 1 }, { 0, 1 }, { -1, 1 }, { -1, 0 }, { -1, -1 } }

-- The cell where a ship built at planet (px, py) appears, or nil when none is free.
-- occupied(x, y) says whether a ship stands there.
function M.site(rows, px, py, occupied)
  for _, d in ipairs(AROUND) do
    local x, y = px + d[1], py + d[2]
    local c = grid.cell(rows, x, y)
    if c and grid.passable(c) and c ~= grid.WORMHOLE and not occupied(x, y) then return x, y end
  end
  return nil
end

-- Why a player with `available` credits cannot order a ship, or nil.
function M.checkFunds(available)
  if available < config.SHIP_COST then
    return "a ship costs " .. config.SHIP_COST .. " credits; you have " .. available .. " available"
  end
  return nil
end

return M
