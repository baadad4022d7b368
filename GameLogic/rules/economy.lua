-- rules.economy: income, ore sales, score.
local config = require("rules.config")
local M = {}

-- Credits an ore load sells for.
function M.saleValue(ore) return ore * config.ORE_PRICE end

-- Whether a player may sell at a planet: it is neutral or the player's.
function M.canSellAt(planet, player) return planet.owner == nil or planet.owner == player end

-- Credits per tick from owned planets.
function M.income(planets) return planets * config.INCOME end

function M.score(planets, credits, ore) return planets * config.PLANET_SCORE + credits + ore end

return M
