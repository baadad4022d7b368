-- Messages in and out: normalisation, hoisting, msg.Tags / TagArray, JSON Data,
-- reply / forward, ao.send / Spawn / Assign encoding, trust, cron, process globals.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local H = require("harness")
local eq, contains, plain, tag = H.eq, H.contains, H.plain, H.tag

local seen
local function capture(pattern)
  Handlers.add("capture", pattern or function() return true end, function(m) seen = m end)
end

H.test("tag names normalised like aos; hoisted; Tags map first wins; TagArray list", function()
  local P = H.spawn{}
  capture()
  P:send{ tags = {
    { name = "x_custom_tag", value = "v" },
    { name = "content-type", value = "text/plain" },
    { name = "TokenId", value = "t" },
    { name = "Dup", value = "1" },
    { name = "Dup", value = "2" },
  } }
  eq(seen["X-Custom-Tag"], "v")
  eq(seen["Content-Type"], "text/plain")
  eq(seen.Tokenid, "t", "aos lower-cases inside a name")
  eq(seen.Tags.Dup, "1", "msg.Tags: first value wins")
  eq(seen.Dup, "2", "root: hoisting lets the last one win (aos)")
  eq(#seen.TagArray, 5)
  eq(seen.TagArray[1].name, "X-Custom-Tag")
end)

H.test("tags cannot overwrite the node's fields", function()
  local P = H.spawn{}
  capture()
  P:send{ from = H.BOB, tags = { From = "evil", Owner = "evil", Timestamp = "1", Slot = "99",
    Id = "forged", Cron = "true", Target = "elsewhere", Type = "Process" } }
  eq(seen.From, H.BOB)
  eq(seen.Owner, H.BOB)
  eq(math.type(seen.Timestamp), "integer")
  eq(seen.Slot, 1)
  eq(seen.Id ~= "forged", true)
  eq(seen.Cron, nil)
  eq(seen.Target, P.pid)
  eq(seen.Tags.From, "evil", "still visible in msg.Tags")
end)

H.test("JSON Data is decoded when Content-Type says so", function()
  local P = H.spawn{}
  capture()
  P:send{ tags = { ["Content-Type"] = "application/json" }, data = '{"a":1,"b":[true,"x"]}' }
  eq(type(seen.Data), "table")
  eq(seen.Data.a, 1)
  eq(seen.Data.b[2], "x")
  P:send{ tags = { ["Content-Type"] = "application/json" }, data = "{not json" }
  eq(seen.Data, "{not json", "undecodable Data stays a string")
  P:send{ data = '{"a":1}' }
  eq(seen.Data, '{"a":1}', "no Content-Type, no decoding")
end)

H.test("process globals: ao.id, ao.env, Owner, Name, os.time", function()
  local P = H.spawn{ tags = { { name = "Name", value = "alpha" } } }
  capture()
  local r = P:send{ action = "X" }
  eq(ao.id, P.pid)
  eq(Owner, H.ALICE)
  eq(Name, "alpha")
  eq(ao.env.Process.Tags.Name, "alpha")
  eq(ao.env.Process.TagArray[1].name, "Data-Protocol")
  eq(ao._module, H.id("MODULE"))
  eq(os.time(), seen.Timestamp)
  eq(type(Utils), "table", "the .utils library")
  eq(r.Error, nil)
end)

H.test("Owner of a process spawned by a process is the From-Process", function()
  local parent = H.id("PARENT")
  local P = H.spawn{ from = parent, tags = { { name = "From-Process", value = parent } } }
  eq(Owner, parent)
  eq(P.boot.Error, nil)
end)

H.test("msg.reply: target Reply-To or From, X-Reference from Reference", function()
  local P = H.spawn{}
  Handlers.add("r", "Ask", function(m) m.reply({ Action = "Answer", Data = "42", Count = 3 }) end)
  local r = P:send{ action = "Ask", from = H.BOB, tags = { Reference = "7" } }
  local out = r.Messages[1]
  eq(out.Target, H.BOB)
  eq(out.Data, "42")
  eq(tag(out, "X-Reference"), "7")
  eq(tag(out, "Action"), "Answer")
  eq(tag(out, "Count"), "3", "numbers become strings in the result")
  eq(tag(out, "Type"), "Message")
  eq(tag(out, "Data-Protocol"), "ao")
  r = P:send{ action = "Ask", from = H.BOB, tags = { Reference = "8", ["Reply-To"] = H.ALICE } }
  eq(r.Messages[1].Target, H.ALICE)
end)

H.test("msg.forward: Reply-To, X-Origin, X-Reference; node fields not copied", function()
  local P = H.spawn{}
  local carol = H.id("CAROL")
  Handlers.add("f", "Fwd", function(m) m.forward(carol, { Extra = "1" }) end)
  local r = P:send{ action = "Fwd", from = H.BOB, tags = { Reference = "5", Custom = "c" }, data = "payload" }
  local out = r.Messages[1]
  eq(out.Target, carol)
  eq(out.Data, "payload")
  eq(tag(out, "Reply-To"), H.BOB)
  eq(tag(out, "X-Origin"), H.BOB)
  eq(tag(out, "X-Reference"), "5")
  eq(tag(out, "Custom"), "c")
  eq(tag(out, "Extra"), "1")
  eq(tag(out, "Action"), "Fwd")
  for _, name in ipairs({ "Id", "Timestamp", "Slot", "Block-Height", "From", "Owner" }) do
    eq(tag(out, name), nil, name .. " must not be forwarded")
  end
  eq(tag(out, "Reference"), "1", "the forward's own reference")
end)

H.test("ao.send: references count up, table Data is JSON, Tags list or map", function()
  local P = H.spawn{}
  Handlers.add("s", "Go", function()
    ao.send({ Target = H.BOB, Action = "One", Data = { x = 1 } })
    Send({ Target = H.BOB, Tags = { Zed = "z", Amount = 5 } })
    ao.send({ Target = H.BOB, Tags = { { name = "Listed", value = "yes" } } })
  end)
  local r = P:send{ action = "Go" }
  eq(#r.Messages, 3)
  local a, b, c = r.Messages[1], r.Messages[2], r.Messages[3]
  eq(tag(a, "Reference"), "1")
  eq(tag(b, "Reference"), "2")
  eq(tag(c, "Reference"), "3")
  eq(a.Data, '{"x":1}')
  eq(tag(a, "Content-Type"), "application/json")
  eq(tag(b, "Amount"), "5")
  eq(tag(c, "Listed"), "yes")
  eq(b.Data, "", "no Data is an empty string in the result")
  eq(a.Anchor, "00000000000000000000000000000001")
  -- the counter persists across messages
  r = P:send{ action = "Go" }
  eq(tag(r.Messages[1], "Reference"), "4")
end)

H.test("Send without a Target warns", function()
  local P = H.spawn{}
  Handlers.add("s", "Go", function() Send({ Data = "lost" }) end)
  local r = P:send{ action = "Go" }
  contains(r.Output, "WARN: No target specified")
end)

H.test("A patch@1.0 message needs no Target and does not warn", function()
  local P = H.spawn{}
  Handlers.add("s", "Go", function() Send({ device = "patch@1.0", score = { n = 1 } }) end)
  local r = P:send{ action = "Go" }
  eq(r.Output, "")
  eq(tag(r.Messages[1], "device"), "patch@1.0")
  eq(tag(r.Messages[1], "score"), '{"n":1}')
end)

H.test("Spawn and Assign go to the result", function()
  local P = H.spawn{}
  local mod = H.id("OTHERMODULE")
  Handlers.add("s", "Go", function()
    Spawn(mod, { Name = "child", Data = "boot code", ["On-Boot"] = "Data" })
    Spawn({ Name = "twin" })
    Assign({ Processes = { H.BOB }, Message = H.id("SOMEMSG") })
  end)
  local r = P:send{ action = "Go" }
  eq(#r.Spawns, 2)
  local s1, s2 = r.Spawns[1], r.Spawns[2]
  eq(tag(s1, "Type"), "Process")
  eq(tag(s1, "Module"), mod)
  eq(tag(s1, "From-Process"), P.pid)
  eq(tag(s1, "From-Module"), H.id("MODULE"))
  eq(tag(s1, "Reference"), "1")
  eq(tag(s1, "On-Boot"), "Data")
  eq(s1.Data, "boot code")
  eq(tag(s2, "Module"), H.id("MODULE"), "Spawn(msg) spawns the own module")
  eq(s2.Data, "NODATA")
  eq(#r.Assignments, 1)
  eq(r.Assignments[1].Processes[1], H.BOB)
  contains(r.Output, "Assignment added to outbox.")
end)

H.test("trust: From ~= Owner needs an Authority", function()
  local P = H.spawn{ tags = { { name = "Authority", value = H.NODE .. ", " .. H.id("OTHERAUTH") } } }
  eq(ao.authorities[1], H.NODE)
  eq(ao.authorities[2], H.id("OTHERAUTH"), "comma-separated, trimmed")
  local ran = 0
  Handlers.add("t", "Hi", function() ran = ran + 1 end)
  local r = P:send{ action = "Hi", from = H.id("SOMEPROCESS"), owner = H.BOB }
  eq(ran, 0)
  contains(r.Output, "Message is not trusted!")
  eq(r.Error, nil)
  P:send{ action = "Hi", from = H.id("SOMEPROCESS"), owner = H.NODE }
  eq(ran, 1, "pushed by an authority")
  P:send{ action = "Hi", from = H.BOB }
  eq(ran, 2, "signed by its sender")
end)

H.test("assigned messages (Target elsewhere) are refused unless assignable", function()
  local P = H.spawn{}
  local ran = 0
  Handlers.add("t", "Hi", function() ran = ran + 1 end)
  local r = P:deliver({ From = H.BOB, Owner = H.BOB, Target = H.id("ELSEWHERE"),
    Tags = { { name = "Action", value = "Hi" } }, Data = "" })
  eq(ran, 0)
  contains(r.Output, "Assignment is not trusted")
  eq(r.Messages[1].Target, H.BOB)
  ao.addAssignable("hi", { Action = "Hi" })
  P:deliver({ From = H.BOB, Owner = H.BOB, Target = H.id("ELSEWHERE"),
    Tags = { { name = "Action", value = "Hi" } }, Data = "" })
  eq(ran, 1)
end)

H.test("cron ticks: msg.Cron = true, Action = Cron", function()
  local P = H.spawn{ tags = { { name = "Cron-Interval", value = "1-minute" },
    { name = "Cron-Tag-Action", value = "Cron" } } }
  local ticks = 0
  Handlers.add("tick", Handlers.utils.hasMatchingTag("Action", "Cron"), function(m)
    eq(m.Cron, true)
    ticks = ticks + 1
  end)
  local r = P:send{ action = "Cron", from = P.pid, cron = true }
  eq(r.Error, nil)
  eq(ticks, 1)
end)

H.test("print: tables, numbers, several arguments; Output joins lines", function()
  local P = H.spawn{}
  Handlers.add("p", "P", function()
    print("line one")
    print({ b = 2, a = { 1, "x" } })
    print(1, true, nil)
    print(function() end)
  end)
  local r = P:send{ action = "P" }
  eq(plain(r.Output), 'line one\n{\n  a = { 1, "x" },\n  b = 2\n}\n1\ttrue\tnil\n<function>')
end)

H.test("results are plain, JSON-encodable data", function()
  local P = H.spawn{}
  Handlers.add("s", "Go", function(m) m.reply({ Data = { deep = { 1, 2 } }, Flag = true }) end)
  local r = P:send{ action = "Go" }
  local decoded = H.json.decode(P.lastJson)
  eq(decoded.Messages[1].Data, '{"deep":[1,2]}')
  eq(tag(r.Messages[1], "Flag"), "true")
  eq(type(r.Spawns), "table")
  eq(P:send{ action = "Nothing" }.Messages[1], nil)
end)

H.test("the outbox goes to the host: the process keeps an empty one between messages", function()
  local P = H.spawn{ tags = { { name = "On-Boot", value = "Data" } }, data = [[
    Handlers.add("Burst", "Burst", function(msg)
      for i = 1, 3 do Send({ Target = msg.From, Action = "Piece", Data = tostring(i) }) end
      Spawn({ Data = "child" })
    end)
  ]] }
  local r = P:send{ action = "Burst" }
  eq(#r.Messages, 3)
  eq(#r.Spawns, 1)
  eq(r.Messages[3].Data, "3")
  -- What a snapshot taken now would hold: no trace of the three messages or the spawn.
  eq(ao.outbox.Messages[1], nil)
  eq(ao.outbox.Spawns[1], nil)
  -- and the next message starts from it as usual
  eq(#P:send{ action = "Burst" }.Messages, 3)
  eq(P:send{ action = "Nothing" }.Messages[1], nil)
end)

H.test("Send's result reads receive/onReply through to the message, made on first use", function()
  local P = H.spawn{ tags = { { name = "On-Boot", value = "Data" } }, data = [[
    Handlers.add("Probe", "Probe", function(msg)
      local sent = Send({ Target = msg.From, Action = "Ask" })
      local raw = ao.outbox.Messages[1]
      Probe = { output = sent.output, beforeUse = rawget(getmetatable(sent).__index, "receive") == nil,
        kinds = type(sent.receive) .. "," .. type(sent.onReply), raw = rawget(raw, "receive") == nil }
    end)
  ]] }
  P:send{ action = "Probe" }
  eq(Probe.output, "Message added to outbox")
  eq(Probe.beforeUse, true)
  eq(Probe.kinds, "function,function")
  eq(Probe.raw, true)
end)

H.done()
