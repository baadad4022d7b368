-- rules.config: the game's numbers, in one place. Every rule module reads them from
-- here so a balance change is one edit (and one new module id).
return {
  START_CREDITS = 100,   -- credits of a new player
  START_SHIPS = 3,       -- ships a new player gets at its spawn point
  HULL = 10,             -- hull points of a new ship
  CARGO = 20,            -- ore a ship's hold carries
  MINE_RATE = 2,         -- ore mined per tick on an ore field
  ATTACK_RANGE = 3,      -- Chebyshev distance of an attack
  ATTACK_DAMAGE = 3,     -- hull points an attack takes per tick
  STAR_DAMAGE = 1,       -- hull points lost ending a tick next to a star
  CAPTURE_TICKS = 3,     -- uncontested ticks to capture a planet
  INCOME = 1,            -- credits an owned planet yields per tick
  ORE_PRICE = 3,         -- credits paid per ore at a planet
  SHIP_COST = 50,        -- credits a new ship costs
  PLANET_SCORE = 100,    -- score per planet held
  SAY_MAX = 200,         -- longest chat line (bytes)
  NAME_MAX = 24,         -- longest player name (bytes)
  REPORT_EVERY = 5,      -- ticks between two score reports of a sector to the world
  LEADERBOARD_SIZE = 100, -- players the published leaderboard lists
}
