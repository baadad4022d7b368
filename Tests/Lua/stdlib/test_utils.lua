-- Tests for .utils (aos's process/utils.lua API).
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
H.file("test_utils.lua")

local utils = require(".utils")

local function sorted(t)
  local copy = { table.unpack(t) }
  table.sort(copy, function(a, b) return tostring(a) < tostring(b) end)
  return copy
end

H.test("the exported names are aos's (plus isArray)", function()
  for _, name in ipairs({ "matchesPattern", "matchesSpec", "normalize", "capitalize", "curry", "concat",
    "reduce", "map", "filter", "find", "propEq", "reverse", "compose", "prop", "includes", "keys",
    "values", "isArray" }) do
    H.eq(type(utils[name]), "function", name)
  end
  H.eq(utils._version, "0.0.5")
end)

H.test("map / filter / reduce / find, curried and not", function()
  local double = function(x) return x * 2 end
  H.eq(utils.map(double)({ 1, 2, 3 }), { 2, 4, 6 })
  H.eq(utils.map(double, { 1, 2, 3 }), { 2, 4, 6 })
  H.eq(utils.map(function(v, i) return v .. i end)({ "a", "b" }), { "a1", "b2" }, "map passes the index")
  H.eq(utils.map(double)({}), {})
  H.eq(utils.filter(function(x) return x > 1 end)({ 1, 2, 3 }), { 2, 3 })
  H.eq(utils.filter(function(x) return x > 1 end, { 3, 1, 2 }), { 3, 2 })
  local add = function(acc, x) return acc + x end
  H.eq(utils.reduce(add)(0)({ 1, 2, 3 }), 6)
  H.eq(utils.reduce(add, 0, { 1, 2, 3 }), 6)
  H.eq(utils.reduce(add, 10)({ 1, 2, 3 }), 16, "two arguments then one")
  H.eq(utils.reduce(add)(0, { 1, 2, 3 }), 6, "one argument then two")
  H.eq(utils.reduce(add)(nil)({ 5, 6 }), 11, "nil initial: the first item seeds")
  H.eq(utils.reduce(function(acc, _, i) return acc + i end)(0)({ "x", "y", "z" }), 6, "reduce passes the index")
  H.eq(utils.reduce(add)(7)({}), 7, "empty list gives the initial value")
  H.eq(utils.find(function(x) return x > 1 end)({ 1, 2, 3 }), 2)
  H.eq(utils.find(function(x) return x > 5 end)({ 1, 2, 3 }), nil)
  H.eq(utils.find(function(x) return x == "b" end)({ k = "b" }), "b", "find works on any table")
end)

H.test("argument checks raise like aos", function()
  H.raises(function() utils.map(1)({}) end, "first argument should be a unary function")
  H.raises(function() utils.map(tostring)({ a = 1 }) end, "second argument should be an Array")
  H.raises(function() utils.filter(tostring)("x") end, "second argument should be an Array")
  H.raises(function() utils.reduce(1)(0)({}) end, "first argument should be a function")
  H.raises(function() utils.reduce(tostring)(0)({ [2] = 1 }) end, "third argument should be a table that is an array")
  H.raises(function() utils.find(tostring)(5) end, "second argument should be a table")
  H.raises(function() utils.concat({ 1 })("x") end, "second argument should be a table that is an array")
  H.raises(function() utils.concat({ x = 1 })({}) end, "first argument should be a table")
  H.raises(function() utils.includes(1)({ x = 1 }) end, "argument should be a table that is an array")
  H.raises(function() utils.keys(5) end, "argument needs to be a table")
  H.raises(function() utils.values(nil) end, "argument needs to be a table")
  H.raises(function() utils.reverse("abc") end, "argument needs to be a table that is an array")
  H.raises(function() utils.compose(1)(2) end, "each argument needs to be a function")
end)

H.test("concat / reverse / includes / prop / propEq", function()
  H.eq(utils.concat({ 1, 2 })({ 3, 4 }), { 1, 2, 3, 4 })
  H.eq(utils.concat({}, { 1 }), { 1 })
  H.eq(utils.reverse({ 1, 2, 3 }), { 3, 2, 1 })
  H.eq(utils.reverse({}), {})
  H.eq(utils.includes(2)({ 1, 2, 3 }), true)
  H.eq(utils.includes(5, { 1, 2, 3 }), false)
  H.eq(utils.prop("name")({ name = "Lua" }), "Lua")
  H.eq(utils.prop("name", { name = "Lua" }), "Lua")
  H.eq(utils.propEq("name")("Lua")({ name = "Lua" }), true)
  H.eq(utils.propEq("name", "Lua")({ name = "C" }), false)
  H.eq(utils.find(utils.propEq("id")("b"))({ { id = "a" }, { id = "b", n = 2 } }), { id = "b", n = 2 },
    "propEq composes with find")
  H.raises(function() utils.propEq("n")(5)({ n = 5 }) end, "second argument should be a string")
end)

H.test("compose runs right to left", function()
  local inc = function(x) return x + 1 end
  local dbl = function(x) return x * 2 end
  H.eq(utils.compose(inc)(dbl)(3), 7)
  H.eq(utils.compose(inc, dbl)(3), 7)
  H.eq(utils.compose(dbl, inc, inc)(1), 6, "more than two functions")
end)

H.test("keys / values", function()
  H.eq(sorted(utils.keys({ name = "Lua", age = 25 })), { "age", "name" })
  H.eq(sorted(utils.values({ name = "Lua", age = 25 })), { 25, "Lua" })
  H.eq(utils.keys({}), {})
end)

H.test("isArray", function()
  H.ok(utils.isArray({}), "empty")
  H.ok(utils.isArray({ 1, 2, 3 }), "list")
  H.ok(not utils.isArray({ 1, 2, x = 3 }), "mixed")
  H.ok(not utils.isArray({ [2] = 1 }), "gap at 1")
  H.ok(not utils.isArray({ [1] = 1, [3] = 3 }), "gap inside")
  H.ok(not utils.isArray({ [0] = 1 }), "zero index")
  H.ok(not utils.isArray("x"), "string")
end)

H.test("curry", function()
  local add3 = function(a, b, c) return a + b + c end
  local c = utils.curry(add3, 3)
  H.eq(c(1)(2)(3), 6)
  H.eq(c(1, 2)(3), 6, "two then one keeps both")
  H.eq(c(1)(2, 3), 6)
  H.eq(c(1, 2, 3), 6)
  H.eq(c()(1)(2)(3), 6, "an empty call changes nothing")
  local partial = c(10)
  H.eq(partial(1)(1), 12)
  H.eq(partial(2)(2), 14, "partials are reusable")
  local withNil = utils.curry(function(a, b) return tostring(a) .. tostring(b) end, 2)
  H.eq(withNil(nil)(1), "nil1", "nil arguments count")
  local one = function(x) return x end
  H.ok(utils.curry(one, 1) == one, "arity 1 returns the function itself")
  H.raises(function() utils.curry(5, 2) end, "function is required as first argument")
end)

H.test("curry without an arity needs the host (no debug library in a process)", function()
  H.raises(function() utils.curry(function(a, b) return a + b end) end, "pass the arity explicitly")
  -- When the host offers starlane.native.nparams, the arity is inferred.
  local native = require("starlane.native")
  native.nparams = function(fn) return debug.getinfo(fn, "u").nparams end
  local ok, result = pcall(function()
    return utils.curry(function(a, b) return a - b end)(10)(3)
  end)
  native.nparams = nil
  H.ok(ok, "curry with native.nparams: " .. tostring(result))
  H.eq(result, 7)
end)

H.test("normalize / capitalize", function()
  H.eq(utils.normalize("content_type"), "Content-Type")
  H.eq(utils.normalize("X-REFERENCE"), "X-Reference")
  H.eq(utils.normalize("action"), "Action")
  H.eq(utils.normalize("data-protocol"), "Data-Protocol")
  H.eq(utils.normalize(5), 5)
  H.eq(utils.capitalize("hELLO"), "Hello")
  H.eq(utils.capitalize(""), "")
  H.eq(utils.capitalize(nil), nil)
end)

H.test("matchesPattern", function()
  local msg = { Action = "Transfer" }
  H.eq(utils.matchesPattern("_", "anything", msg), true, "wildcard")
  H.eq(utils.matchesPattern(nil, "x", msg), false, "nil pattern")
  H.eq(utils.matchesPattern("Transfer", "Transfer", msg), true, "exact")
  H.eq(utils.matchesPattern("transfer", "TRANSFER", msg), true, "case-blind, as aos 2.0.6+")
  H.eq(utils.matchesPattern("Transfer", "Transfers", msg), false, "exact means whole")
  H.eq(utils.matchesPattern("Trans-fer", "trans-fer", msg), true, "'-' alone is not magic")
  H.eq(utils.matchesPattern("^Trans", "transfer", msg), true, "Lua pattern, case-blind")
  H.eq(utils.matchesPattern("^Credit%-Notice$", "Credit-Notice", msg), true, "escaped dash")
  H.eq(utils.matchesPattern("^%S+$", "NoSpaces", msg), true, "%S keeps its meaning")
  H.eq(utils.matchesPattern("^%S+$", "has space", msg), false, "%S keeps its meaning")
  H.eq(utils.matchesPattern("^%d+$", "123", msg), true)
  H.eq(utils.matchesPattern({ "Balance", "Balances" }, "balances", msg), true, "alternatives")
  H.eq(utils.matchesPattern({ "Balance", "Info" }, "Transfer", msg), false)
  H.eq(utils.matchesPattern(function(v, m) return v == "x" and m == msg end, "x", msg), true, "function")
  H.eq(utils.matchesPattern(function() return "truthy" end, "x", msg), true, "function result as boolean")
  H.eq(utils.matchesPattern(function() return nil end, "x", msg), false)
  H.eq(utils.matchesPattern("5", 5, msg), true, "numbers compare as text")
  H.eq(utils.matchesPattern("true", true, msg), true, "booleans compare as text")
end)

H.test("matchesSpec", function()
  local msg = { Action = "Transfer", From = "abc", Quantity = "10" }
  H.eq(utils.matchesSpec(msg, "Transfer"), true, "string spec is msg.Action")
  H.eq(utils.matchesSpec(msg, "transfer"), false, "string spec is exact")
  H.eq(utils.matchesSpec({}, "Transfer"), false)
  H.eq(utils.matchesSpec(msg, { Action = "Transfer", From = "_" }), true, "table spec")
  H.eq(utils.matchesSpec(msg, { Action = "Transfer", Recipient = "_" }), false, "missing key")
  H.eq(utils.matchesSpec(msg, { Quantity = "^%d+$" }), true)
  H.eq(utils.matchesSpec(msg, {}), true, "empty spec matches")
  H.eq(utils.matchesSpec(msg, function(m) return m.From == "abc" end), true, "function spec")
  H.eq(utils.matchesSpec(msg, function() return "continue" end), "continue", "function verdict passes through")
  H.eq(utils.matchesSpec(msg, function() return -1 end), -1)
  H.eq(utils.matchesSpec(msg, 42), false, "other spec types never match")
end)

H.done()
