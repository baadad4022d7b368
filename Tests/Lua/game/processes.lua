-- The world, sector and player modules together on sim.lua's stand-in node: the
-- internal messages of a tick (how many, what the client gets out of them) and the
-- rules that span processes (hand-offs, scores and the leaderboard, determinism
-- whatever the delivery order). Called by run.lua.
local Sim = require("sim")
local json = require("json")

return function(test, eq)
  local TUTORIAL = "Maps/tutorial.json"

  local function start(opts)
    local sim = Sim.new(opts)
    sim:startWorld(TUTORIAL)
    return sim
  end

  local function join(sim, name)
    local address = "key-" .. name
    return { name = name, address = address, process = sim:join(address, name) }
  end

  local function order(sim, p, action, tags, data)
    sim:order(p.address, p.process, action, tags, data)
    sim:run()
  end

  local function ships(sim, sector)
    local out = {}
    for _, row in ipairs(sim:env(sim:sectorId(sector)).SectorView().ships) do out[row[1]] = row end
    return out
  end

  local function clientMessages(sim, p, action)
    local out = {}
    for _, m in ipairs(sim.clients[p.address] or {}) do
      if m.tags.Action == action then out[#out + 1] = m end
    end
    return out
  end

  -- Ticks until `ship` stands at x, y in `sector`; false after `limit` ticks.
  local function travel(sim, sector, ship, x, y, limit)
    for _ = 1, limit or 30 do
      local s = ships(sim, sector)[ship]
      if s and s[3] == x and s[4] == y then return true end
      sim:tick()
    end
    return false
  end

  test("a tick sends each player one Sector-Update, and the client an Update with the whole view", function()
    local sim = start()
    local alice = join(sim, "alice")
    sim:startCounting()
    sim:tick()
    sim:stopCounting()
    eq(sim.counts["player Sector-Update"], 1, "Sector-Updates")
    eq(sim.counts["sector Tick"], 1, "sector Ticks")   -- only Sol has anything to do
    local updates = clientMessages(sim, alice, "Update")
    eq(#updates, 1, "client Updates")
    local u = updates[1]
    eq(u.tags["Content-Type"], "application/json")
    eq(u.tags.Tick, "1"); eq(u.tags.Sector, "Sol")
    local d = json.decode(u.data)
    eq(d.tick, 1); eq(d.sector, "Sol"); eq(d.process, sim:sectorId("Sol"))
    eq(#d.grid, 10, "grid rows on first sight")
    eq(#d.ships, 3); eq(d.ships[1][1], "P1.1"); eq(d.ships[1][2], 1)
    eq(#d.planets, 2); eq(d.players["1"], "alice")
    eq(#d.events, 3); eq(d.events[1].type, "arrived")
    eq(#d.mine, 3); eq(d.mine[1].x, 2); eq(d.mine[1].y, 1)
    eq(d.me.credits, 100); eq(d.me.ships, 3); eq(d.me.ore, 0); eq(d.me.name, "alice")
    local keys = {}
    for k in pairs(d) do keys[#keys + 1] = k end
    table.sort(keys)
    eq(table.concat(keys, ","), "events,grid,me,mine,planets,players,process,sector,ships,tick")
    sim:tick()
    local second = json.decode(clientMessages(sim, alice, "Update")[2].data)
    eq(second.grid, nil, "the grid comes once")
    eq(#second.events, 0); eq(#second.mine, 0)
  end)

  test("the player's roster follows its ships from the sector's own rows", function()
    local sim = start()
    local alice = join(sim, "alice")
    sim:tick()
    order(sim, alice, "Move", { Ship = "P1.2", Dir = "E" })
    sim:tick()
    local roster = sim:env(alice.process).P.ships["P1.2"]
    eq(roster.x, 3); eq(roster.y, 0); eq(roster.hull, 10); eq(roster.cargo, 0)
    eq(roster.sector, sim:sectorId("Sol"))
  end)

  test("chat reaches every player in the sector with the speaker's name", function()
    local sim = start()
    local alice, _, carol = join(sim, "alice"), join(sim, "bob"), join(sim, "carol")
    sim:tick()
    order(sim, carol, "Say", {}, "hello, Sol")
    sim:tick()
    local chat = clientMessages(sim, alice, "Chat")
    eq(#chat, 1); eq(chat[1].data, "hello, Sol")
    eq(chat[1].tags["Speaker-Name"], "carol"); eq(chat[1].tags.Speaker, "3"); eq(chat[1].tags.Sector, "Sol")
  end)

  test("ships leaving over one edge in one tick go in one Hand-Off, each exactly once", function()
    local sim = start()
    local alice = join(sim, "alice")
    sim:tick()
    -- One after the other: both shortest paths start through 3,0, where they would block each other.
    order(sim, alice, "Move", { Ship = "P1.2", X = "15", Y = "0" })
    assert(travel(sim, "Sol", "P1.2", 15, 0), "P1.2 did not reach the edge")
    order(sim, alice, "Move", { Ship = "P1.3", X = "15", Y = "1" })
    assert(travel(sim, "Sol", "P1.3", 15, 1), "P1.3 did not reach the edge")
    order(sim, alice, "Move", { Ship = "P1.2", Dir = "E" })
    order(sim, alice, "Move", { Ship = "P1.3", Dir = "E" })
    sim:startCounting()
    sim:tick()
    sim:stopCounting()
    eq(sim.counts["sector Hand-Off"], 1, "Hand-Off messages")
    eq(ships(sim, "Sol")["P1.2"], nil); eq(ships(sim, "Sol")["P1.3"], nil)
    local vega = sim:env(sim:sectorId("Vega")).S
    assert(vega.arriving["P1.2"] and vega.arriving["P1.3"], "not arriving in Vega")
    sim:tick()
    local there = ships(sim, "Vega")
    eq(there["P1.2"][3], 0); eq(there["P1.2"][4], 0)
    eq(there["P1.3"][3], 0); eq(there["P1.3"][4], 1)
    eq(sim:env(alice.process).P.ships["P1.3"].sector, sim:sectorId("Vega"))
  end)

  test("a sector's cached ship order follows ships that come, go and are built", function()
    local sim = start()
    local alice, _, carol = join(sim, "alice"), join(sim, "bob"), join(sim, "carol")
    sim:tick()
    order(sim, alice, "Attack", { Ship = "P1.1", ["Target-Ship"] = "P3.1" })
    sim:tick(); sim:tick(); sim:tick(); sim:tick()
    local S = sim:env(sim:sectorId("Sol")).S
    eq(S.ships["P3.1"], nil, "destroyed")
    local ids = {}
    for _, s in ipairs(S.sorted or {}) do ids[#ids + 1] = s.id end
    local fresh = {}
    for _, row in ipairs(sim:env(sim:sectorId("Sol")).SectorView().ships) do fresh[#fresh + 1] = row[1] end
    eq(table.concat(ids, ","), table.concat(fresh, ","))
    eq(#clientMessages(sim, carol, "Update"), 5)
  end)

  test("the leaderboard is the best scores, whatever changed since the last one", function()
    local sim = start()
    for i = 1, 130 do join(sim, "p" .. i) end
    local W = sim:env(sim.world.id).W
    local random = Sim.generator(5)
    local function expected()
      local all = {}
      for _, s in pairs(W.scores) do all[#all + 1] = s end
      table.sort(all, function(a, b) if a.score ~= b.score then return a.score > b.score end return a.no < b.no end)
      local out = {}
      for i = 1, 100 do out[i] = all[i].no .. ":" .. all[i].score end
      return table.concat(out, " ")
    end
    local function published()
      local rows = sim.patches[#sim.patches].leaderboard
      local out = {}
      for i, r in ipairs(rows) do out[i] = r.no .. ":" .. r.score end
      return table.concat(out, " ")
    end
    for round = 1, 6 do
      for _ = 1, (round == 1 and 130 or 15) do   -- everyone, then a few
        local s = W.scores["key-p" .. random(130)]
        s.score = random(round * 40)             -- ties, and scores going up and down
      end
      W.dirty = true
      local want = expected()   -- (the sectors' score reports of this tick come after it)
      sim:tick()
      eq(published(), want, "leaderboard of round " .. round)
    end
  end)

  test("the leaderboard is published again only when a change can show on it", function()
    local sim = start()
    local players = {}
    for i = 1, 130 do players[i] = join(sim, "p" .. i) end
    sim:tick()
    local function boards() return #sim.patches end
    local function report(p, credits)
      sim:push(sim:sectorId("Sol"), sim.world.id, { Action = "Scores", ["Content-Type"] = "application/json" },
        json.encode({ [p.process] = { credits = credits, ore = 0, planets = 0 } }))
      sim:run()
      sim:tick()
    end
    -- (No sector reports before tick 3, so these are the only changes at first.)
    local published = boards()
    report(players[130], -5)   -- not on the board, and still behind its last row
    eq(boards(), published, "no new board")
    report(players[130], 10)   -- now ahead of everyone
    eq(boards(), published + 1, "a new board")
    local top = sim.patches[#sim.patches].leaderboard
    eq(top[1].no, 130); eq(top[1].score, 105); eq(top[1].credits, 105); eq(#top, 100)
    report(players[5], -1)     -- on the board, now behind the others
    eq(boards(), published + 2, "a new board")
    for _, row in ipairs(sim.patches[#sim.patches].leaderboard) do eq(row.no ~= 5, true, "player 5 on the board") end
  end)

  -- The leaderboard's numbers come from the sectors (see sector.lua): what the world
  -- has plus what the sectors have not reported yet is what the players have.
  local function checkScores(sim, players)
    for i, p in ipairs(players) do
      local P = sim:env(p.process).P
      local me = sim:env(p.process).PlayerSummary()
      local board = sim:env(sim.world.id).W.scores[p.address]
      local unreported, held, heldNow = 0, { ore = 0, planets = 0 }, { ore = 0, planets = 0 }
      for _, sector in ipairs({ "Deneb", "Rigel", "Sol", "Vega" }) do
        local S = sim:env(sim:sectorId(sector)).S
        unreported = unreported + (S.earned[p.process] or 0)
        local h = S.held[p.process]
        if h then held.ore, held.planets = held.ore + h.ore, held.planets + h.planets end
        for _, ship in pairs(S.ships) do
          if ship.owner == p.process then heldNow.ore = heldNow.ore + ship.cargo end
        end
        for _, a in pairs(S.arriving) do
          if a.ship.owner == p.process then heldNow.ore = heldNow.ore + a.ship.cargo end
        end
        for _, planet in pairs(S.planets) do
          if planet.owner == p.process then heldNow.planets = heldNow.planets + 1 end
        end
      end
      eq(board.credits + unreported, P.credits, p.name .. "'s credits")
      eq(board.ore, held.ore, p.name .. "'s reported ore")
      eq(board.planets, held.planets, p.name .. "'s reported planets")
      eq(heldNow.ore, me.ore, p.name .. "'s ore")
      eq(heldNow.planets, me.planets, p.name .. "'s planets")
      eq(board.score, board.planets * 100 + board.credits + board.ore, p.name .. "'s score")
    end
  end

  test("the sectors report score changes: sales, income, builds, captures, ore", function()
    local sim = start()
    local alice = join(sim, "alice")
    sim:tick()
    -- P1.3 mines at 3,7 and sells at the neutral planet 3,3; P1.1 captures it and builds.
    order(sim, alice, "Move", { Ship = "P1.3", X = "3", Y = "7" })
    order(sim, alice, "Move", { Ship = "P1.1", X = "2", Y = "3" })
    assert(travel(sim, "Sol", "P1.3", 3, 7), "P1.3 did not reach the ore")
    order(sim, alice, "Mine", { Ship = "P1.3" })
    for _ = 1, 4 do sim:tick() end
    order(sim, alice, "Move", { Ship = "P1.3", X = "3", Y = "4" })
    assert(travel(sim, "Sol", "P1.3", 3, 4), "P1.3 did not reach the planet")
    order(sim, alice, "Sell", { Ship = "P1.3" })
    sim:tick()
    checkScores(sim, { alice })
    order(sim, alice, "Capture", { Ship = "P1.1", X = "3", Y = "3" })
    for _ = 1, 3 do sim:tick() end
    eq(sim:env(alice.process).P.planetCount, 1, "captured")
    order(sim, alice, "Build", { Sector = "Sol", X = "3", Y = "3" })
    sim:tick()
    checkScores(sim, { alice })
    for _ = 1, 5 do sim:tick() end   -- every sector has reported since the build
    local P = sim:env(alice.process).P
    local board = sim:env(sim.world.id).W.scores[alice.address]
    eq(board.planets, 1); eq(board.ore, 0)
    eq(board.credits <= P.credits and board.credits >= P.credits - 5, true, "credits at most 5 ticks behind")
    eq(P.ships["P1.4"] ~= nil, true, "built")
  end)

  -- Random orders, valid or not, for every player: the same game whatever order the
  -- node delivers messages in between two ticks, and no ship lost or doubled.
  local function randomGame(seed, ticks)
    local sim = start({ seed = seed ~= 0 and seed or nil })
    local players = {}
    for _, name in ipairs({ "alice", "bob", "carol", "dave" }) do players[#players + 1] = join(sim, name) end
    sim:tick()
    local random = Sim.generator(7)
    local DIRS = { "N", "E", "S", "W" }
    for _ = 1, ticks do
      for i, p in ipairs(players) do
        local ship = "P" .. i .. "." .. random(4)
        local pick = random(10)
        if pick <= 5 then order(sim, p, "Move", { Ship = ship, Dir = DIRS[random(4)] })
        elseif pick <= 7 then order(sim, p, "Move", { Ship = ship, X = tostring(random(16) - 1), Y = tostring(random(10) - 1) })
        elseif pick == 8 then order(sim, p, "Attack", { Ship = ship, ["Target-Ship"] = "P" .. random(4) .. "." .. random(3) })
        elseif pick == 9 then order(sim, p, "Mine", { Ship = ship })
        else order(sim, p, "Say", {}, "tick talk") end
      end
      sim:tick()
    end
    local digests, ships, expected = {}, 0, 0
    for _, sector in ipairs({ "Deneb", "Rigel", "Sol", "Vega" }) do
      local env = sim:env(sim:sectorId(sector))
      digests[#digests + 1] = env.SectorDigest()
      for _ in pairs(env.S.ships) do ships = ships + 1 end
      for _ in pairs(env.S.arriving) do ships = ships + 1 end
      local stats = env.S.stats
      expected = expected + stats.placed + stats.built - stats.destroyed
    end
    -- A player with ships in two sectors may hear from them in either order, so its
    -- `me` in each Update may differ; the sectors' part of every Update may not.
    for _, p in ipairs(players) do
      digests[#digests + 1] = sim:env(p.process).PlayerDigest()
      local views = {}
      for _, m in ipairs(clientMessages(sim, p, "Update")) do
        local d = json.decode(m.data)
        d.me = nil
        views[#views + 1] = json.encode(d)
      end
      table.sort(views)
      digests[#digests + 1] = table.concat(views, "\n")
    end
    checkScores(sim, players)
    return table.concat(digests, "\n"), ships, expected
  end

  test("random games: any delivery order gives the same game, and ships are conserved", function()
    local fifo, ships, expected = randomGame(0, 40)
    eq(ships, expected, "ships in sectors")
    for _, seed in ipairs({ 3, 11 }) do
      local again, n, e = randomGame(seed, 40)
      eq(n, e, "ships in sectors with delivery order " .. seed)
      eq(again == fifo, true, "delivery order " .. seed .. " changed the game")
    end
  end)
end
