-- Eval (owner only), On-Boot, handler errors, Output.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local H = require("harness")
local eq, contains, plain = H.eq, H.contains, H.plain

H.test("Eval by the owner: expressions print their value, statements run", function()
  local P = H.spawn{}
  eq(P:send{ action = "Eval", data = "1 + 1" }.Output, "2")
  local r = P:send{ action = "Eval", data = "Counter = 5" }
  eq(r.Output, "")
  eq(r.Error, nil)
  eq(Counter, 5)
  eq(P:send{ action = "Eval", data = "Counter * 2" }.Output, "10")
  eq(P:send{ action = "Eval", data = "1 == 2" }.Output, "false")
  eq(plain(P:send{ action = "Eval", data = "{ 1, 'a' }" }.Output), '{ 1, "a" }')
  r = P:send{ action = "Eval", data = "print('hi'); print(3); return 'done'" }
  eq(plain(r.Output), "hi\n3\ndone")
end)

H.test("Eval from anyone else: Error, nothing runs", function()
  local P = H.spawn{}
  local r = P:send{ action = "Eval", from = H.BOB, data = "Hacked = true" }
  eq(r.Error, "Only the owner can Eval")
  eq(Hacked, nil)
  eq(#r.Messages, 0)
end)

H.test("a process's own handler may still take a stranger's Eval (as in aos)", function()
  local P = H.spawn{}
  Handlers.add("sandbox", function(m) return m.Action == "Eval" and m.From ~= Owner end,
    function(m) m.reply({ Data = "no eval for you" }) end)
  local r = P:send{ action = "Eval", from = H.BOB, data = "Hacked = true" }
  eq(r.Error, nil)
  eq(Hacked, nil)
  eq(r.Messages[1].Data, "no eval for you")
end)

H.test("Eval syntax error and runtime error become the Error", function()
  local P = H.spawn{}
  local r = P:send{ action = "Eval", data = "local x = = 1" }
  contains(r.Error, '[string "aos"]:1:')
  contains(r.Error, "unexpected symbol")
  r = P:send{ action = "Eval", data = "print('before'); error('kaboom')" }
  eq(r.Error, '[string "aos"]:1: kaboom')
  eq(r.Output, "before", "prints before the failure are kept in Output")
  r = P:send{ action = "Eval", data = "return nil, 'not found'" }
  eq(r.Error, "not found")
end)

H.test("On-Boot = Data evaluates the spawn's Data during the first message", function()
  local code = [[
    Balance = 100
    Handlers.add("balance", "Balance", function(msg) msg.reply({ Data = tostring(Balance) }) end)
    print("booted " .. Name)
  ]]
  local P = H.spawn{ tags = { { name = "Name", value = "bank" }, { name = "On-Boot", value = "Data" } },
    data = code }
  eq(P.boot.Error, nil)
  eq(P.boot.Output, "booted bank")
  eq(#Inbox, 1, "the spawn message is kept in the Inbox")
  local r = P:send{ action = "Balance", from = H.BOB }
  eq(r.Messages[1].Data, "100")
end)

H.test("On-Boot errors fail the spawn message", function()
  local P = H.spawn{ tags = { { name = "On-Boot", value = "Data" } }, data = "this is not lua" }
  contains(P.boot.Error, '[string "aos"]')
  P = H.spawn{ tags = { { name = "On-Boot", value = "Data" } }, data = "error('bad module')" }
  contains(P.boot.Error, "bad module")
  P = H.spawn{ tags = { { name = "On-Boot", value = H.id("SOMETX") } } }
  contains(P.boot.Error, "On-Boot by transaction id is not supported on this node")
end)

H.test("no On-Boot: the spawn message is only filed", function()
  local P = H.spawn{ data = "Ignored = true" }
  eq(P.boot.Error, nil)
  eq(P.boot.Output, "")
  eq(Ignored, nil)
  eq(Inbox[1].Id, P.pid)
  eq(Owner, H.ALICE)
end)

H.test("the first message boots even when its Id is not the process id (Slot 0)", function()
  local P = H.spawn{ id = H.id("SPAWNMSG"), tags = { { name = "On-Boot", value = "Data" } },
    data = "Booted = true" }
  eq(P.boot.Error, nil)
  eq(Booted, true)
  eq(Owner, H.ALICE)
end)

H.test("a handler error: Error names handler and Action, outbox empty", function()
  local P = H.spawn{}
  Handlers.add("transfer", "Transfer", function(m)
    ao.send({ Target = H.BOB, Action = "Debit-Notice" })
    print("checking")
    error("Insufficient balance", 0)
  end)
  local r = P:send{ action = "Transfer" }
  eq(r.Error, 'handler "transfer" failed (Action = Transfer): Insufficient balance')
  eq(#r.Messages, 0)
  eq(#r.Spawns, 0)
  eq(r.Output, "checking")
  -- the pipeline is intact for the next message (the host would also roll back)
  r = P:send{ action = "Other" }
  eq(r.Error, nil)
end)

H.test("handlers defined by Eval'd code report their position", function()
  local P = H.spawn{}
  P:send{ action = "Eval", data = "Handlers.add('bad', 'Bad', function() local t = nil; return t.x end)" }
  local r = P:send{ action = "Bad" }
  contains(r.Error, 'handler "bad" failed (Action = Bad): [string "aos"]:1: attempt to index')
end)

H.test("Prompt, Version, Dump are there", function()
  local P = H.spawn{ tags = { { name = "Name", value = "shell" } } }
  eq(plain(Prompt()), "shell@starlane[Inbox:1]> ")
  local r = P:send{ action = "Eval", data = "Version()" }
  eq(r.Output, "version: starlane-1")
  if Dump then eq(type(Dump) == "function" or type(Dump) == "table", true) else H.log("       (note: .dump did not load)") end
end)

H.done()
