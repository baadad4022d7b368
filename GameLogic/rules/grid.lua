-- rules.grid: cells of a sector grid. Coordinates are 0-based (x = column, y = row);
-- a grid is a list of equal-length row strings using the map's cell characters.
local M = {}

M.OPEN, M.ROCK, M.STAR, M.ORE, M.PLANET, M.SPAWN, M.WORMHOLE = ".", "#", "*", "$", "o", "@", "O"

-- The four steps a ship can take, in the fixed order searches use.
M.DIRS = { N = { 0, -1 }, E = { 1, 0 }, S = { 0, 1 }, W = { -1, 0 } }
M.DIR_ORDER = { "N", "E", "S", "W" }

function M.key(x, y) return x .. "," .. y end

-- A cell's number (for x below 65536): a cheaper key than M.key's string for the sets
-- a tick builds and drops.
function M.index(x, y) return y * 65536 + x end

function M.size(rows) return #(rows[1] or ""), #rows end

-- The character at (x, y), or nil outside the grid.
function M.cell(rows, x, y)
  local row = rows[y + 1]
  if row == nil or x < 0 or x >= #row then return nil end
  return row:sub(x + 1, x + 1)
end

-- Ships may stand on open space, ore, spawn points and wormholes; never on rock,
-- stars or planets.
function M.passable(c)
  return c == M.OPEN or c == M.ORE or c == M.SPAWN or c == M.WORMHOLE
end

function M.distance(ax, ay, bx, by)
  local dx, dy = math.abs(ax - bx), math.abs(ay - by)
  return dx > dy and dx or dy
end

-- Next to (8 neighbours), not on.
function M.adjacent(ax, ay, bx, by)
  return M.distance(ax, ay, bx, by) == 1
end

-- True when a star is one of the 8 neighbours of (x, y).
function M.nearStar(rows, x, y)
  for dy = -1, 1 do
    for dx = -1, 1 do
      if (dx ~= 0 or dy ~= 0) and M.cell(rows, x + dx, y + dy) == M.STAR then return true end
    end
  end
  return false
end

-- The cells next to a star, as a set of M.index numbers: a grid never changes, so a
-- sector works this out once instead of looking around every ship every tick.
function M.nextToStars(rows)
  local set = {}
  for y = 0, #rows - 1 do
    for x = 0, #rows[y + 1] - 1 do
      if M.nearStar(rows, x, y) then set[M.index(x, y)] = true end
    end
  end
  return set
end

-- Every cell holding character c, in row-major order.
function M.find(rows, c)
  local out = {}
  for y = 0, #rows - 1 do
    local row = rows[y + 1]
    for x = 0, #row - 1 do
      if row:sub(x + 1, x + 1) == c then out[#out + 1] = { x, y } end
    end
  end
  return out
end

-- The nearest passable cell to (x, y) (itself first) for which free(x, y) holds:
-- breadth-first over passable cells in N, E, S, W order, so the answer is fixed.
function M.nearestFree(rows, x, y, free)
  local w, h = M.size(rows)
  local seen, queue, head = { [M.index(x, y)] = true }, { { x, y } }, 1
  while queue[head] do
    local cx, cy = queue[head][1], queue[head][2]
    head = head + 1
    if M.passable(M.cell(rows, cx, cy)) and M.cell(rows, cx, cy) ~= M.WORMHOLE and free(cx, cy) then
      return cx, cy
    end
    for _, d in ipairs(M.DIR_ORDER) do
      local nx, ny = cx + M.DIRS[d][1], cy + M.DIRS[d][2]
      local k = M.index(nx, ny)
      if nx >= 0 and ny >= 0 and nx < w and ny < h and not seen[k] then
        seen[k] = true
        queue[#queue + 1] = { nx, ny }
      end
    end
  end
  return nil
end

return M
