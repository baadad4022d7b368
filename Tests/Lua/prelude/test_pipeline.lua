-- Handler pipeline: order, add/prepend/before/after/remove, once, maxRuns, every pattern
-- form and pattern result, _default and the Inbox.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local H = require("harness")
local eq, contains, plain = H.eq, H.contains, H.plain

local trace
local function rec(name) return function() trace[#trace + 1] = name end end
local function names()
  local out = {}
  for i, h in ipairs(Handlers.list) do out[i] = h.name end
  return table.concat(out, ",")
end
local function fresh()
  trace = {}
  return H.spawn{}
end

H.test("handlers run in order; continue goes on, break stops", function()
  local P = fresh()
  Handlers.add("a", function() return "continue" end, rec("a"))
  Handlers.add("b", function() return 1 end, rec("b"))
  Handlers.add("c", function() return true end, rec("c"))
  Handlers.add("d", function() return true end, rec("d"))
  local r = P:send{ action = "X" }
  eq(table.concat(trace, ","), "a,b,c")
  eq(r.Output, "", "no _default output after a break")
end)

H.test("pattern results: skip values, break values, continue values", function()
  local P = fresh()
  local results = { false, 0, "skip", "whatever", nil }
  for i = 1, 5 do
    Handlers.add("skip" .. i, function() return results[i] end, rec("skip" .. i))
  end
  Handlers.add("num2", function() return 2 end, rec("num2"))
  Handlers.add("brk", function() return "break" end, rec("brk"))
  Handlers.add("after", function() return true end, rec("after"))
  P:send{ action = "X" }
  eq(table.concat(trace, ","), "num2,brk")
  trace = {}
  Handlers.add("brk", function() return -1 end, rec("brk-1"))
  P:send{ action = "X" }
  eq(table.concat(trace, ","), "num2,brk-1")
end)

H.test("only continue-matches: _default still runs", function()
  local P = fresh()
  Handlers.add("c", function() return "continue" end, rec("c"))
  local r = P:send{ action = "Hello", from = H.BOB }
  eq(table.concat(trace, ","), "c")
  eq(plain(r.Output), "New Message From BOB...xxx: Action = Hello")
  eq(#Inbox, 2, "spawn message + this one")
end)

H.test("an invalid pattern result is an error naming the handler", function()
  local P = fresh()
  Handlers.add("bad", function() return {} end, rec("bad"))
  local r = P:send{ action = "X" }
  contains(r.Error, 'handler "bad"')
  contains(r.Error, "Pattern result is not valid")
  eq(#trace, 0)
end)

H.test("add replaces an existing name in place; add returns the list size", function()
  local P = fresh()
  Handlers.add("a", "X", rec("a1"))
  Handlers.add("b", "X", rec("b"))
  local n = #Handlers.list
  eq(Handlers.add("a", function() return "continue" end, rec("a2")), n)
  eq(names(), "_eval,_default,a,b")
  P:send{ action = "X" }
  eq(table.concat(trace, ","), "a2,b")
end)

H.test("prepend, before, after, remove", function()
  fresh()
  Handlers.add("a", "X", rec("a"))
  Handlers.add("b", "X", rec("b"))
  Handlers.prepend("p", "X", rec("p"))
  eq(names(), "p,_eval,_default,a,b")
  Handlers.before("b").add("x", "X", rec("x"))
  Handlers.after("b").add("y", "X", rec("y"))
  eq(names(), "p,_eval,_default,a,x,b,y")
  Handlers.before("a").add("y", "X", rec("y")) -- moved, not duplicated
  eq(names(), "p,_eval,_default,y,a,x,b")
  local ok, err = pcall(function() Handlers.after("nope").add("z", "X", rec("z")) end)
  eq(ok, false)
  contains(err, 'no handler named "nope"')
  Handlers.remove("x")
  Handlers.remove("not-there")
  eq(names(), "p,_eval,_default,y,a,b")
end)

H.test("once runs once (named and unnamed), prepended", function()
  local P = fresh()
  Handlers.add("always", function() return "continue" end, rec("always"))
  Handlers.once("o", "Ping", rec("o"))
  Handlers.once("Ping", rec("anon"))
  eq(Handlers.list[1].name:sub(1, 6), "_once_")
  eq(Handlers.list[2].name, "o")
  P:send{ action = "Ping" }
  eq(table.concat(trace, ","), "anon", "first once breaks")
  trace = {}
  P:send{ action = "Ping" }
  eq(table.concat(trace, ","), "o")
  trace = {}
  P:send{ action = "Ping" }
  eq(table.concat(trace, ","), "always")
  eq(names(), "_eval,_default,always")
end)

H.test("maxRuns counts down and removes the handler", function()
  local P = fresh()
  Handlers.add("m", "Ping", rec("m"), 2)
  Handlers.add("inf", function() return "continue" end, rec("inf"), "inf")
  for _ = 1, 3 do P:send{ action = "Ping" } end
  -- m breaks while it lives; once removed, "inf" is reached
  eq(table.concat(trace, ","), "m,m,inf")
  eq(names(), "_eval,_default,inf")
end)

H.test("pattern forms", function()
  local P = fresh()
  local hit = {}
  local function on(name, pattern)
    Handlers.add(name, pattern, function() hit[name] = (hit[name] or 0) + 1 end)
  end
  -- every pattern says "continue" so all of them are tried on each message
  local function cont(p) return Handlers.utils.continue(p) end
  on("action", cont("Ping"))
  on("wild", cont({ Action = "Ping", Foo = "_" }))
  on("fn-value", cont({ Qty = function(v) return tonumber(v) > 5 end }))
  on("lua-pattern", cont({ Name = "^ab.*z$" }))
  on("class", cont({ Code = "^%u%d+$" }))
  on("exact-ci", cont({ Name = "HELLO" }))
  on("alternatives", cont({ Action = { "Ping", "Pong" } }))
  on("fn", cont(function(m) return m.Data == "d" end))
  P:send{ action = "Ping", tags = { Foo = "1", Qty = "7", Name = "abcz", Code = "X12" }, data = "d" }
  P:send{ action = "ping", tags = { Name = "hello", Qty = "3" } }
  P:send{ action = "Pong", tags = { Code = "x12" } }
  eq(hit["action"], 1, "Action string is exact")
  eq(hit["wild"], 1, "_ needs the key present")
  eq(hit["fn-value"], 1)
  eq(hit["lua-pattern"], 1)
  eq(hit["class"], 1, "%u keeps its meaning")
  eq(hit["exact-ci"], 1, "exact strings compare case-insensitively")
  eq(hit["alternatives"], 3, "Ping, ping (case-insensitive), Pong")
  eq(hit["fn"], 1)
end)

H.test("two-argument add, resolver tables", function()
  local P = fresh()
  Handlers.add("Ping", rec("two-arg"))
  eq(Handlers.list[#Handlers.list].pattern, "Ping")
  Handlers.add("r", "Kind", { [{ Kind = "x" }] = rec("rx"), [{ Kind = "y" }] = rec("ry") })
  P:send{ action = "Ping" }
  P:send{ action = "Kind", tags = { Kind = "y" } }
  eq(table.concat(trace, ","), "two-arg,ry")
end)

H.test("_default: Inbox and the announcement (Action or Data)", function()
  local P = fresh()
  local r = P:send{ from = H.BOB, data = "hello there, this is long data" }
  eq(plain(r.Output), "New Message From BOB...xxx: Data = hello there, this is")
  eq(Inbox[#Inbox].Data, "hello there, this is long data")
  eq(Inbox[1].Id, P.pid, "the spawn message is the first Inbox entry")
end)

H.test("Inbox keeps the newest 10,000", function()
  local P = fresh()
  for i = 1, 10000 do Inbox[i] = { n = i } end
  P:send{ action = "Overflow" }
  eq(#Inbox, 10000)
  eq(Inbox[1].n, 2)
  eq(Inbox[10000].Action, "Overflow")
end)

H.test("Handlers.utils", function()
  local P = fresh()
  local U = Handlers.utils
  Handlers.add("tag", U.continue(U.hasMatchingTag("Action", "Ping")), rec("tag"))
  Handlers.add("of", U.continue(U.hasMatchingTagOf("Action", { "Ping", "Pong" })), rec("of"))
  Handlers.add("data", U.continue(U.hasMatchingData("hi")), rec("data"))
  Handlers.add("reply", U.hasMatchingTag("Action", "Ping"), U.reply("pong"))
  local r = P:send{ action = "Ping", data = "hi", from = H.BOB }
  eq(table.concat(trace, ","), "tag,of,data")
  eq(#r.Messages, 1)
  eq(r.Messages[1].Data, "pong")
  eq(r.Messages[1].Target, H.BOB)
  trace = {}
  P:send{ action = "Pong", data = "no" }
  eq(table.concat(trace, ","), "of")
  eq(U.hasMatchingTagOf("Action", { "A" })({ Tags = { Action = "B" } }), 0)
end)

H.done()
