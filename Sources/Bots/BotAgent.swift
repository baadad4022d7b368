/// The hosted bot: one module source that embeds the bot library, the script and the
/// agent's handlers, spawned into the cluster as a process that owns a player. Its
/// budget and memory caps are those of any process. See docs/BOTS.md.
public enum BotAgent {
    /// The module source of an agent running `script` (errors name `scriptName`).
    /// Spawn it with the tags `World` (the world's process id) and `Player-Name`.
    public static func module(script: String, scriptName: String = "bot.lua") -> String {
        """
        -- Starlane hosted bot agent, bundled by BotAgent (Sources/Bots).
        package.preload["bot"] = function(...) return assert(load(\(longString(BotLibrary.source)), "=bot-library.lua"))(...) end
        bot = require("bot")
        assert(load(\(longString(script)), \(quoted("=" + scriptName))))()
        assert(load(\(longString(handlers)), "=botagent.lua"))()

        """
    }

    /// The spawn tags of an agent for `world`.
    public static func spawnTags(world: String, playerName: String?) -> [(String, String)] {
        var tags = [("World", world), ("Name", "bot \(playerName ?? "agent")")]
        if let playerName { tags.append(("Player-Name", playerName)) }
        return tags
    }

    /// A Lua long-bracket literal holding `text` exactly (as GameBundle writes them).
    static func longString(_ text: String) -> String {
        var level = 0
        while (text + "]").contains("]" + String(repeating: "=", count: level) + "]") { level += 1 }
        let eq = String(repeating: "=", count: level)
        let body = text.hasPrefix("\n") ? "\n" + text : text
        return "[\(eq)[\(body)]\(eq)]"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// The agent's handlers (Lua).
    public static let handlers = #"""
-- The hosted bot agent (docs/BOTS.md): an AO process that owns a player. At boot it
-- Joins the world named by its spawn tag `World`; its player process's `Player` is
-- then this process's id, so the player's client feed (Update, View, Order-Error,
-- Chat) arrives here as messages. Each goes through `bot.handle`, the same function
-- the outside runtime calls, and the orders go to the player process as messages
-- from this process, which the player accepts as its key's.
local function spawnTag(name)
  local process = ao.env and ao.env.Process or {}
  local tags = process.TagArray or process.Tags or {}
  if tags[1] == nil and tags[name] ~= nil then return tags[name] end
  for _, t in ipairs(tags) do
    if t.name == name then return t.value end
  end
  return nil
end

local booting = AGENT == nil
AGENT = AGENT or { world = spawnTag("World"), name = spawnTag("Player-Name"), player = nil, errors = {} }
assert(AGENT.world, "a bot agent needs the spawn tag World (the world's process id)")

-- Problems (a failing on_update, malformed orders) are printed and published at
-- /now/errors (the last 20), never raised: raising would roll the view back.
local function report(problems)
  for _, p in ipairs(problems) do
    print("bot: " .. p)
    AGENT.errors[#AGENT.errors + 1] = "tick " .. bot.view.tick .. ": " .. p
    if #AGENT.errors > 20 then table.remove(AGENT.errors, 1) end
  end
  if #problems > 0 then Send({ device = "patch@1.0", errors = AGENT.errors }) end
end

local function run(kind, payload)
  local out = bot.handle(kind, payload)
  for _, m in ipairs(out.orders) do
    local t = { Target = AGENT.player }
    for _, tag in ipairs(m.tags) do t[tag.name] = tag.value end
    if m.data ~= "" then t.Data = m.data end
    Send(t)
  end
  report(out.problems)
end

Handlers.add("Joined", function(m) return m.Action == "Joined" and m.From == AGENT.world end, function(m)
  if AGENT.player == m.Process then return end
  AGENT.player = m.Process
  Send({ device = "patch@1.0", player = m.Process })
  Send({ Target = m.Process, Action = "View" })
end)

Handlers.add("Join-Error", function(m) return m.Action == "Join-Error" and m.From == AGENT.world end, function(m)
  report({ "Join failed: " .. tostring(m.Error) })
end)

local FEED = { Update = true, View = true, ["Order-Error"] = true, Chat = true }
Handlers.add("Feed", function(m) return AGENT.player ~= nil and m.From == AGENT.player and FEED[m.Action] end, function(m)
  if m.Action == "Update" then
    run("update", m.Data)
  elseif m.Action == "View" then
    run("view", m.Data)
  elseif m.Action == "Order-Error" then
    run("order-error", { error = m.Error, order = m.Order, ship = m.Ship, sector = m.Sector })
  else
    run("chat", { sector = m.Sector, speaker = math.tointeger(tonumber(m.Speaker)), name = m["Speaker-Name"], text = m.Data })
  end
end)

-- Anything else is dropped (no Inbox growth), except the owner's Eval.
Handlers.add("Ignore", function(m) return not (m.Action == "Eval" and m.From == Owner) end, function() end)

if booting then
  Send({ Target = AGENT.world, Action = "Join", ["Player-Name"] = AGENT.name })
end
"""#
}
