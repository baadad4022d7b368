-- rules.combat: simultaneous attacks and star damage. Damage is computed from the
-- positions after moves and applied all at once, so two ships can destroy each other.
local config = require("rules.config")
local grid = require("rules.grid")
local M = {}

function M.inRange(a, b)
  return grid.distance(a.x, a.y, b.x, b.y) <= config.ATTACK_RANGE
end

-- Why `attacker` may not attack `target` now, or nil when it may.
function M.check(attacker, target)
  if target == nil then return "the target is not in this sector" end
  if target.owner == attacker.owner then return "you cannot attack your own ship " .. target.id end
  if not M.inRange(attacker, target) then
    return "ship " .. target.id .. " is out of range (distance "
      .. grid.distance(attacker.x, attacker.y, target.x, target.y) .. ", range " .. config.ATTACK_RANGE .. ")"
  end
  return nil
end

-- `attacks` is a list of { attacker = ship, target = ship } already checked;
-- `scorched` the set of cells next to a star (grid.nextToStars). Returns id -> damage,
-- adding star damage for every ship next to a star.
function M.damage(ships, attacks, scorched)
  local dmg = {}
  for _, a in ipairs(attacks) do
    dmg[a.target.id] = (dmg[a.target.id] or 0) + config.ATTACK_DAMAGE
  end
  for _, s in ipairs(ships) do
    if scorched[grid.index(s.x, s.y)] then dmg[s.id] = (dmg[s.id] or 0) + config.STAR_DAMAGE end
  end
  return dmg
end

return M
