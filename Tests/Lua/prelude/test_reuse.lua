-- What the prelude keeps from message to message: its own handlers (registered once,
-- restored as aos restores them), the handler runner coroutine, the per-env facts, and
-- the library globals loaded on first use. Each behaves as if rebuilt every message.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local H = require("harness")
local eq, contains, plain = H.eq, H.contains, H.plain

local function names()
  local list = {}
  for i, h in ipairs(Handlers.list) do list[i] = h.name end
  return table.concat(list, ",")
end

H.test("a replaced _default is reset to the prelude's on the next message (as aos)", function()
  local P = H.spawn{}
  local r = P:send{ action = "Eval", data = [[
    Handlers.add("_default", function() return true end, function() Replaced = true end)
  ]] }
  eq(r.Error, nil)
  local inbox = #Inbox
  r = P:send{ action = "Unknown" }
  eq(Replaced, nil, "the replacement never ran")
  eq(#Inbox, inbox + 1, "the prelude's _default filed it")
  contains(plain(r.Output), "Action = Unknown")
end)

H.test("a removed _eval or _default comes back, last, on the next message", function()
  local P = H.spawn{}
  Handlers.add("mine", "Mine", function() end)
  eq(names(), "_eval,_default,mine")
  P:send{ action = "Eval", data = 'Handlers.remove("_eval")' }
  eq(names(), "_default,mine", "gone until the next message")
  local r = P:send{ action = "Eval", data = "1 + 1" }
  eq(r.Error, nil)
  eq(r.Output, "2", "Eval works again")
  eq(names(), "_default,mine,_eval")
  P:send{ action = "Eval", data = 'Handlers.remove("_default")' }
  r = P:send{ action = "Nobody" }
  contains(plain(r.Output), "Action = Nobody")
  eq(names(), "mine,_eval,_default")
end)

H.test("_eval changed in place (pattern, maxRuns) is reset in place", function()
  local P = H.spawn{}
  P:send{ action = "Eval", data = 'Handlers.add("_eval", function() return false end, function() end, 1)' }
  local r = P:send{ action = "Eval", data = "40 + 2" }
  eq(r.Output, "42")
  eq(Handlers.list[1].name, "_eval")
  eq(Handlers.list[1].maxRuns, nil)
end)

H.test("handlers run in one reused coroutine; a parked one is replaced", function()
  local P = H.spawn{}
  -- The idle runner is held weakly (a collection may drop it): no collection here.
  collectgarbage("stop")
  local seen = {}
  Handlers.add("where", "Where", function() seen[#seen + 1] = coroutine.running() end)
  Handlers.add("wait", "Wait", function()
    seen.waiter = coroutine.running()
    Receive({ Action = "Go" })
    seen.resumedIn = coroutine.running()
  end)
  P:send{ action = "Where" }
  P:send{ action = "Where" }
  eq(seen[1], seen[2], "the same runner twice")
  P:send{ action = "Wait" }
  eq(seen.waiter, seen[2], "the runner itself parks")
  eq(#Handlers.coroutines, 1)
  P:send{ action = "Where" }
  eq(seen[3] ~= seen.waiter, true, "a new runner meanwhile")
  eq(P:send{ action = "Go" }.Error, nil)
  eq(seen.resumedIn, seen.waiter)
  eq(coroutine.status(seen.waiter), "dead", "the parked runner ends with its message")
  eq(#Handlers.coroutines, 0)
  P:send{ action = "Where" }
  eq(seen[4], seen[3], "the new runner carries on")
  collectgarbage("restart")
end)

H.test("a collection drops the idle runner (persist needs that); the next one makes another", function()
  local P = H.spawn{}
  local seen = setmetatable({}, { __mode = "v" })
  Handlers.add("where", "Where", function(m) seen[m.Data] = coroutine.running() end)
  P:send{ action = "Where", data = "a" }
  eq(type(seen.a), "thread")
  collectgarbage()
  eq(seen.a, nil, "only the weak slot held the idle runner")
  eq(P:send{ action = "Where", data = "b" }.Error, nil)
  eq(type(seen.b), "thread")
end)

H.test("a handler error retires the runner; the next message gets a fresh one", function()
  local P = H.spawn{}
  local runners = {}
  Handlers.add("boom", "Boom", function() runners[#runners + 1] = coroutine.running(); error("no") end)
  Handlers.add("ok", "Ok", function() runners[#runners + 1] = coroutine.running() end)
  contains(P:send{ action = "Boom" }.Error, "no")
  eq(P:send{ action = "Ok" }.Error, nil)
  eq(coroutine.status(runners[1]), "dead")
  eq(runners[2] ~= runners[1], true)
end)

H.test("Receive parked across many messages while runners come and go", function()
  local P = H.spawn{}
  local got = {}
  Handlers.add("a", "A", function() table.insert(got, "a:" .. Receive({ Action = "ReplyA" }).Data) end)
  Handlers.add("b", "B", function() table.insert(got, "b:" .. Receive({ Action = "ReplyB" }).Data) end)
  P:send{ action = "A" }
  P:send{ action = "B" }
  for _ = 1, 3 do P:send{ action = "Noise" } end
  eq(#Handlers.coroutines, 2)
  P:send{ action = "ReplyB", data = "2" }
  P:send{ action = "ReplyA", data = "1" }
  eq(table.concat(got, ","), "b:2,a:1")
  eq(#Handlers.coroutines, 0)
end)

H.test("the spawn's Authority list is re-applied each message (as aos)", function()
  local node = H.NODE
  local P = H.spawn{ tags = { { name = "Authority", value = " " .. node .. " , " .. H.BOB } } }
  eq(table.concat(ao.authorities, ","), node .. "," .. H.BOB)
  ao.authorities = {}
  local r = P:send{ from = node, owner = H.id("SOMEONE"), action = "Hi" }
  contains(plain(r.Output), "Action = Hi", "trusted again")
  eq(#ao.authorities, 2)
end)

H.test("one env table on every message: same results and state as fresh ones", function()
  local function run(reuse)
    local P = H.spawn{ reuseEnv = reuse, tags = { { name = "Name", value = "same" } } }
    local out = { P.lastJson }
    P:send{ action = "Eval", data = "Log = {} Handlers.add('t', 'T', function(m, env) "
      .. "Log[#Log + 1] = env.Process.Tags.Name .. #env.Process.TagArray .. tostring(os.time()) "
      .. "m.reply({ Data = Name }) end)" }
    for i = 1, 3 do
      P:send{ action = "T", data = tostring(i) }
      out[#out + 1] = P.lastJson
    end
    out[#out + 1] = table.concat(Log, ";") .. "|" .. ao._module .. "|" .. Owner .. "|" .. #Inbox
    return table.concat(out, "\n")
  end
  local fresh, reused = run(false), run(true)
  eq(reused, fresh)
end)

H.test("root keys that are not in normal form are still renamed", function()
  local P = H.spawn{}
  local seen
  Handlers.add("c", function() return true end, function(m) seen = m end)
  P:deliver({ From = H.ALICE, Owner = H.ALICE, Tags = {}, Data = "", reply_to = "x", ["block-height"] = 5 })
  eq(seen["Reply-To"], "x")
  eq(seen["Block-Height"], 5)
  eq(seen.reply_to, nil)
end)

H.test("a name added to ao.nonExtractableTags is no longer hoisted", function()
  local P = H.spawn{}
  local seen
  Handlers.add("c", function() return true end, function(m) seen = m end)
  table.insert(ao.nonExtractableTags, "Secret")
  P:send{ tags = { Secret = "s", Open = "o" } }
  eq(seen.Secret, nil)
  eq(seen.Open, "o")
  eq(seen.Tags.Secret, "s")
end)

H.test("Utils and Dump load on first use, then are plain globals", function()
  H.spawn{}
  eq(rawget(_G, "Utils"), nil, "not loaded at boot")
  eq(package.loaded[".utils"], nil)
  eq(Utils.reduce(function(a, b) return a + b end, 0, { 1, 2, 3 }), 6)
  eq(rawget(_G, "Utils"), require(".utils"))
  eq(type(Dump), "function")
  eq(getmetatable(_G), nil, "nothing left to load: the metatable is gone")
end)

H.test("a library global assigned before its first use keeps that value", function()
  H.spawn{}
  Dump = "mine"
  eq(Dump, "mine")
  Dump = nil
  eq(Dump, nil, "not brought back by the lazy loader")
  eq(package.loaded[".dump"], nil)
end)

H.test("print logs of one message do not leak into the next", function()
  local P = H.spawn{}
  eq(P:send{ action = "Eval", data = "print('one')" }.Output, "one")
  eq(P:send{ action = "Eval", data = "x = 1" }.Output, "")
  eq(#HANDLER_PRINT_LOGS, 0)
end)

H.done()
