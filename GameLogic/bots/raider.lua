-- raider.lua: hunts weak ships (docs/BOTS.md).
-- Every ship attacks the weakest enemy ship in its sector (least hull, then nearest),
-- closing in when it is out of range; with no enemy in sight it roams, crossing the
-- sector's edges in turn.

heading = heading or {}   -- ship id -> the edge it roams toward

local ROAM = { "E", "S", "W", "N" }

local function weakest(view, ship)
  local best
  for _, other in ipairs(view.sectors[ship.sector].ships) do
    if not other.mine and (not best or other.hull < best.hull
        or (other.hull == best.hull and bot.distance(ship.x, ship.y, other.x, other.y)
                                        < bot.distance(ship.x, ship.y, best.x, best.y))) then
      best = other
    end
  end
  return best
end

local function roam(view, ship, i)
  heading[ship.id] = heading[ship.id] or ROAM[(i - 1) % #ROAM + 1]
  local d = heading[ship.id]
  local x, y = bot.edge_cell(view, ship, d)
  if not x then return nil end
  if x == ship.x and y == ship.y then return { ship = ship.id, action = "Move", dir = d } end
  return bot.go(view, ship, x, y)
end

function on_update(view)
  local orders = {}
  for i, ship in ipairs(view.ships) do
    if ship.x and ship.sector == view.sector then
      local enemy = weakest(view, ship)
      if not enemy then
        orders[#orders + 1] = roam(view, ship, i)
      elseif bot.distance(ship.x, ship.y, enemy.x, enemy.y) <= bot.ATTACK_RANGE then
        orders[#orders + 1] = { ship = ship.id, action = "Attack", target = enemy.id }
      else
        orders[#orders + 1] = bot.go(view, ship, enemy.x, enemy.y)
      end
    end
  end
  return orders
end

-- An edge with no sector beyond it: roam toward the next one.
function on_error(err)
  if err.ship and err.error:find("no sector beyond") then
    for k, d in ipairs(ROAM) do
      if heading[err.ship] == d then heading[err.ship] = ROAM[k % #ROAM + 1]; break end
    end
  end
end
