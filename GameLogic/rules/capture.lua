-- rules.capture: a planet changes hands after CAPTURE_TICKS ticks in which ships of
-- exactly one player (not its owner) are capturing it next to it and no ship of the
-- owner is next to it. Contested or defended ticks reset the progress.
local config = require("rules.config")
local M = {}

-- planet: { owner = pid | nil, capturer = pid | nil, progress = n }
-- capturers: sorted list of distinct player ids capturing this tick
-- defended: true when a ship of the owner is next to the planet.
-- Returns the event: "captured", "progress", "contested" or nil (nothing happening);
-- mutates planet.
function M.step(planet, capturers, defended)
  local attackers = {}
  for _, p in ipairs(capturers) do
    if p ~= planet.owner then attackers[#attackers + 1] = p end
  end
  if #attackers == 0 then
    planet.capturer, planet.progress = nil, 0
    return nil
  end
  if #attackers > 1 or defended then
    planet.capturer, planet.progress = nil, 0
    return "contested"
  end
  local who = attackers[1]
  if planet.capturer ~= who then planet.capturer, planet.progress = who, 0 end
  planet.progress = planet.progress + 1
  if planet.progress >= config.CAPTURE_TICKS then
    planet.owner, planet.capturer, planet.progress = who, nil, 0
    return "captured"
  end
  return "progress"
end

return M
