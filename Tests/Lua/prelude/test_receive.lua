-- Waiting across messages: ao.send().receive(), onReply, Receive(pattern),
-- Spawn().receive(), and errors raised after a parked handler resumes.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local H = require("harness")
local eq, contains, plain, tag = H.eq, H.contains, H.plain, H.tag

H.test("ao.send().receive() parks the handler until the reply", function()
  local P = H.spawn{}
  Handlers.add("ask", "Ask", function()
    local reply = Send({ Target = H.BOB, Action = "Question" }).receive()
    print("answer: " .. reply.Data)
    ao.send({ Target = H.BOB, Action = "Thanks" })
  end)
  local r = P:send{ action = "Ask" }
  eq(r.Error, nil)
  eq(#r.Messages, 1)
  local ref = tag(r.Messages[1], "Reference")
  eq(#Handlers.coroutines, 1, "one parked coroutine")
  local inbox = #Inbox

  -- someone else talks meanwhile: normal processing
  r = P:send{ action = "Chat", from = H.id("CAROL") }
  contains(plain(r.Output), "New Message From CAR...xxx: Action = Chat")
  eq(#Handlers.coroutines, 1)

  -- a reply from the wrong sender does not wake it
  P:send{ from = H.id("CAROL"), tags = { ["X-Reference"] = ref }, data = "fake" }
  eq(#Handlers.coroutines, 1)
  inbox = #Inbox

  r = P:send{ from = H.BOB, tags = { ["X-Reference"] = ref }, data = "42" }
  eq(r.Error, nil)
  eq(plain(r.Output), "answer: 42")
  eq(#r.Messages, 1)
  eq(tag(r.Messages[1], "Action"), "Thanks")
  eq(#Inbox, inbox, "the reply reached no other handler")
  eq(#Handlers.coroutines, 0, "finished coroutines are dropped")
end)

H.test("onReply runs the resolver once on the reply", function()
  local P = H.spawn{}
  local got = {}
  Handlers.add("ask", "Ask", function()
    ao.send({ Target = H.BOB, Action = "Q" }).onReply(function(m) got[#got + 1] = m.Data end)
  end)
  local r = P:send{ action = "Ask" }
  local ref = tag(r.Messages[1], "Reference")
  P:send{ from = H.BOB, tags = { ["X-Reference"] = ref }, data = "first" }
  P:send{ from = H.BOB, tags = { ["X-Reference"] = ref }, data = "second" }
  eq(table.concat(got, ","), "first")
end)

H.test("Receive(pattern) across two messages; the resumed handler can send", function()
  local P = H.spawn{}
  Handlers.add("wait", "Start", function(m)
    local starter = m.From
    local go = Receive({ Action = "Go" })
    print("resumed by " .. go.Id .. " with " .. go.Data)
    ao.send({ Target = starter, Action = "Done", Data = go.Data })
  end)
  local r = P:send{ action = "Start", from = H.BOB }
  eq(#r.Messages, 0)
  eq(r.Output, "")
  r = P:send{ action = "Go", data = "now", id = H.id("GOMSG") }
  eq(plain(r.Output), "resumed by " .. H.id("GOMSG") .. " with now")
  eq(r.Messages[1].Target, H.BOB)
  eq(r.Messages[1].Data, "now")
  r = P:send{ action = "Go" }
  contains(plain(r.Output), "Action = Go", "the waiter is gone")
end)

H.test("a handler can wait twice in a row", function()
  local P = H.spawn{}
  local seq = {}
  Handlers.add("w", "Start", function()
    seq[#seq + 1] = Receive({ Action = "A" }).Action
    seq[#seq + 1] = Receive({ Action = "B" }).Action
  end)
  P:send{ action = "Start" }
  P:send{ action = "B" } -- not awaited yet: goes to the Inbox
  P:send{ action = "A" }
  eq(#Handlers.coroutines, 1)
  P:send{ action = "B" }
  eq(table.concat(seq, ","), "A,B")
  eq(#Handlers.coroutines, 0)
end)

H.test("Spawn().receive() waits for the Spawned notice", function()
  local P = H.spawn{}
  local child = H.id("CHILD")
  local gotChild
  Handlers.add("make", "Make", function()
    local notice = Spawn({ Name = "kid" }).receive()
    gotChild = notice.Process
    print("spawned " .. notice.Process)
  end)
  local r = P:send{ action = "Make" }
  eq(#r.Spawns, 1)
  local ref = tag(r.Spawns[1], "Reference")
  -- a stranger's notice does not match (From must be this process or the child itself)
  P:send{ from = H.BOB, tags = { Action = "Spawned", Process = child, Reference = ref } }
  eq(gotChild, nil)
  -- a notice for another spawn (other Reference) does not match either
  P:send{ from = P.pid, tags = { Action = "Spawned", Process = H.id("OTHER"), Reference = "999" } }
  eq(gotChild, nil)
  -- AO's form: sent as the spawner, carrying the spawn's tags (so its Reference)
  r = P:send{ from = P.pid, tags = { Action = "Spawned", Process = child, Reference = ref } }
  eq(r.Error, nil)
  eq(gotChild, child)
  eq(plain(r.Output), "spawned " .. child)
end)

H.test("Spawn().receive() also accepts a notice sent as the child with X-Reference", function()
  local P = H.spawn{}
  local child = H.id("CHILD2")
  local gotChild
  Handlers.add("make", "Make", function() gotChild = Spawn({}).receive().Process end)
  local ref = tag(P:send{ action = "Make" }.Spawns[1], "Reference")
  P:send{ from = child, tags = { Action = "Spawned", Process = child, ["X-Reference"] = ref } }
  eq(gotChild, child)
end)

H.test("an error after resuming names the parked handler; outbox emptied", function()
  local P = H.spawn{}
  Handlers.add("fragile", "Start", function()
    local m = Receive({ Action = "Go" })
    ao.send({ Target = H.BOB, Data = "sent before failing" })
    error("broke with " .. m.Data, 0)
  end)
  P:send{ action = "Start" }
  local r = P:send{ action = "Go", data = "x" }
  eq(r.Error, 'handler "fragile" failed (Action = Start): broke with x')
  eq(#r.Messages, 0)
end)

H.test("Receive outside a handler is an error", function()
  H.spawn{}
  local ok, err = pcall(Receive, { Action = "X" })
  eq(ok, false)
  contains(err, "Receive can only wait inside a handler")
end)

H.done()
