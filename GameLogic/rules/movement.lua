-- rules.movement: paths and the simultaneous resolution of one tick's moves.
local grid = require("rules.grid")
local M = {}

-- Shortest 4-neighbour path from (fx, fy) to (tx, ty) over passable cells, as a list
-- of cells excluding the start; nil when unreachable. Ties break by N, E, S, W.
-- `blocked(x, y)`, if given, closes more cells (parked ships); never the goal.
function M.path(rows, fx, fy, tx, ty, blocked)
  local w, h = grid.size(rows)
  if not grid.passable(grid.cell(rows, tx, ty)) then return nil end
  if fx == tx and fy == ty then return {} end
  local prev, queue, head = { [grid.index(fx, fy)] = false }, { { fx, fy } }, 1
  while queue[head] do
    local cx, cy = queue[head][1], queue[head][2]
    head = head + 1
    if cx == tx and cy == ty then
      local out, k = {}, grid.index(cx, cy)
      while prev[k] do
        table.insert(out, 1, { cx, cy })
        cx, cy = prev[k][1], prev[k][2]
        k = grid.index(cx, cy)
      end
      return out
    end
    -- A wormhole swallows a ship that enters it: only the goal may be one.
    if not (grid.cell(rows, cx, cy) == grid.WORMHOLE and head > 2) then
      for _, d in ipairs(grid.DIR_ORDER) do
        local nx, ny = cx + grid.DIRS[d][1], cy + grid.DIRS[d][2]
        local k = grid.index(nx, ny)
        if nx >= 0 and ny >= 0 and nx < w and ny < h and prev[k] == nil
          and grid.passable(grid.cell(rows, nx, ny))
          and not (blocked and blocked(nx, ny) and not (nx == tx and ny == ty)) then
          prev[k] = { cx, cy }
          queue[#queue + 1] = { nx, ny }
        end
      end
    end
  end
  return nil
end

-- Resolves one tick of moves. `ships` is a list of { id, x, y, want = {x, y} | nil,
-- exit = true | nil } (exit: the wanted cell is off the grid). Returns the set
-- id -> true of ships that move. Rules, none depending on the list's order:
--  * two or more ships wanting one cell: none of them moves;
--  * two ships wanting each other's cell: neither moves;
--  * a ship wanting a cell whose ship stays, stays (repeated until nothing changes).
-- Ships leaving over an edge never conflict inside this sector.
function M.resolve(ships)
  local at, wants, moving = {}, {}, {}
  for _, s in ipairs(ships) do
    at[grid.index(s.x, s.y)] = s
    if s.want then
      moving[s.id] = true
      if not s.exit then
        local k = grid.index(s.want[1], s.want[2])
        wants[k] = (wants[k] or 0) + 1
      end
    end
  end
  for _, s in ipairs(ships) do
    if s.want and not s.exit then
      local k = grid.index(s.want[1], s.want[2])
      local other = at[k]
      if wants[k] > 1 then moving[s.id] = nil end
      if other and other.want and not other.exit
        and other.want[1] == s.x and other.want[2] == s.y then
        moving[s.id] = nil
      end
    end
  end
  local changed = true
  while changed do
    changed = false
    for _, s in ipairs(ships) do
      if moving[s.id] and not s.exit then
        local other = at[grid.index(s.want[1], s.want[2])]
        if other and other ~= s and not moving[other.id] then
          moving[s.id] = nil
          changed = true
        end
      end
    end
  end
  return moving
end

return M
