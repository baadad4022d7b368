-- explorer.lua: visits every sector it can reach (docs/BOTS.md).
-- It learns the world's map as it goes: `links[sector][dir]` is the sector beyond an
-- edge (from the `left` events), `walls[sector][dir]` an edge with nothing beyond (from
-- the game's refusals). Each ship heads, by known links, for the nearest sector with an
-- edge nobody has crossed yet, and crosses it.

links = links or {}
walls = walls or {}
crossing = crossing or {}   -- ship id -> { sector, dir } of the edge it is crossing

local DIRS = { "N", "E", "S", "W" }

local function unexplored(sector, first)
  for k = 0, 3 do
    local d = DIRS[(first + k - 1) % 4 + 1]
    if not (links[sector] and links[sector][d]) and not (walls[sector] and walls[sector][d]) then return d end
  end
end

-- Breadth-first over known links: the first edge to take toward the nearest frontier.
local function nextEdge(view, from, first)
  local seen, queue, head = { [from] = true }, { { from, nil } }, 1
  while queue[head] do
    local sector, firstDir = queue[head][1], queue[head][2]
    head = head + 1
    local d = unexplored(sector, first)
    if d or not view.sectors[sector] or not view.sectors[sector].grid then
      return firstDir or d
    end
    for _, dir in ipairs(DIRS) do
      local to = links[sector] and links[sector][dir]
      if to and not seen[to] then
        seen[to] = true
        queue[#queue + 1] = { to, firstDir or dir }
      end
    end
  end
end

function on_update(view)
  for _, ev in ipairs(view.mine) do
    local c = ev.type == "left" and crossing[ev.ship]
    if c then
      links[c.sector] = links[c.sector] or {}
      links[c.sector][c.dir] = ev.to
      crossing[ev.ship] = nil
    end
  end
  local orders = {}
  for i, ship in ipairs(view.ships) do
    if ship.x and ship.sector == view.sector then
      local d = nextEdge(view, ship.sector, i)
      if d then
        local x, y = bot.edge_cell(view, ship, d)
        if x == ship.x and y == ship.y then
          crossing[ship.id] = { sector = ship.sector, dir = d }
          orders[#orders + 1] = { ship = ship.id, action = "Move", dir = d }
        elseif x then
          orders[#orders + 1] = bot.go(view, ship, x, y)
        end
      end
    end
  end
  return orders
end

function on_error(err)
  local c = err.ship and crossing[err.ship]
  if c and err.error:find("no sector beyond") then
    walls[c.sector] = walls[c.sector] or {}
    walls[c.sector][c.dir] = true
    crossing[err.ship] = nil
  end
end
