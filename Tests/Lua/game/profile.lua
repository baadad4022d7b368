-- What a tick costs in the game's own Lua, on the scenario of `starlane bench tick`:
-- the large map, N players each giving one random one-step Move per tick. Prints the
-- messages per tick by kind (target process and Action), their bytes (Data and tags),
-- the Lua instructions their handlers ran (sends included, the prelude's own
-- per-message work and the C JSON codec not), and the JSON bytes coded per tick.
-- `game` runs another version of world/sector/player.lua and rules (to compare).
--   lua5.4 Tests/Lua/game/profile.lua [players=200] [ticks=10] [seed=1] [game=GameLogic]
local game = arg[4] or "GameLogic"
package.path = game .. "/?.lua;Tests/Lua/game/?.lua;" .. package.path
local Sim = require("sim")

local players = tonumber(arg[1]) or 200
local ticks = tonumber(arg[2]) or 10
local seed = tonumber(arg[3]) or 1

local sim = Sim.new({ count = true, game = game })
sim:startWorld("Maps/large.json")
local joined = {}
for i = 1, players do
  local address = "key-" .. i
  joined[i] = { address = address, process = sim:join(address, "b" .. i), ship = "P" .. i .. ".1" }
end
sim:tick()   -- places every fleet

local random = Sim.generator(seed)
local DIRS = { "N", "E", "S", "W" }

local counts, bytes, instructions, jsonBytes = {}, {}, {}, 0
local function add(into, from)
  for k, v in pairs(from) do into[k] = (into[k] or 0) + v end
end
local perTick = {}
local started = os.clock()
for _ = 1, ticks do
  for _, p in ipairs(joined) do
    sim:order(p.address, p.process, "Move", { Ship = p.ship, Dir = DIRS[random(4)] })
  end
  sim:run()
  sim:startCounting()
  sim:tick()
  sim:stopCounting()
  add(counts, sim.counts)
  add(bytes, sim.bytes)
  add(instructions, sim.instructions)
  perTick[#perTick + 1] = sim:total()
  jsonBytes = jsonBytes + sim.jsonBytes
end

local kinds = {}
for k in pairs(counts) do kinds[#kinds + 1] = k end
table.sort(kinds)
print(string.format("%d players, %d ticks (%.1f s of Lua with the count hook)", players, ticks, os.clock() - started))
print(string.format("%-24s %10s %12s %14s %12s", "kind", "msgs/tick", "bytes/msg", "instr/msg", "instr/tick"))
local total, totalInstr, totalBytes = 0, 0, 0
for _, k in ipairs(kinds) do
  local n = counts[k]
  total, totalInstr, totalBytes = total + n, totalInstr + instructions[k], totalBytes + bytes[k]
  print(string.format("%-24s %10.1f %12.0f %14.0f %12.0f", k, n / ticks, bytes[k] / n, instructions[k] / n,
    instructions[k] / ticks))
end
print(string.format("%-24s %10.1f %12.0f %14.0f %12.0f", "total", total / ticks, totalBytes / total,
  totalInstr / total, totalInstr / ticks))
print("messages in each tick: " .. table.concat(perTick, " "))
print(string.format("JSON encoded or decoded per tick: %.0f bytes (the prelude's decoding included)", jsonBytes / ticks))
local clientMessages, clientBytes = 0, 0
for _, list in pairs(sim.clients) do
  for _, m in ipairs(list) do clientMessages, clientBytes = clientMessages + 1, clientBytes + #m.data end
end
print(string.format("client messages so far: %d (%.0f bytes each)", clientMessages, clientBytes / clientMessages))
