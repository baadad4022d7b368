-- Tests for .pretty and .dump. The expected texts are what aos's own modules
-- print for the same values.
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
H.file("test_pretty_dump.lua")

local pretty = require(".pretty")
local dump = require(".dump")

H.test("pretty.tprint", function()
  H.eq(pretty.tprint({ a = { b = { c = "d" } } }), "a: \n b: \n  c: d\n")
  H.eq(pretty.tprint({ 1, 2, x = true }, 1), " 1: 1\n 2: 2\n x: true\n", "starting indent")
  H.eq(pretty.tprint({}), "")
  H.eq(pretty.tprint({ 1.5 }), "1: 1.5\n")
  -- Beyond aos (which raises on these): any key/value type, and cycles.
  H.eq(pretty.tprint({ [true] = false }), "true: false\n")
  local t = {}
  t.self = t
  H.eq(pretty.tprint(t), "self: <cycle>\n")
  local u = { inner = {} }
  u.inner.back = u
  H.eq(pretty.tprint(u), "inner: \n back: <cycle>\n")
  H.ok(pretty.tprint({ f = print or tostring }):find("^f: function"), "functions via tostring")
  H.eq(pretty._version, "0.0.1")
end)

H.test("dump: default layout, sorted keys", function()
  local expected = table.concat({
    "{",
    '    [1] = "one",',
    '    ["a b"] = 3,',
    '    ["end"] = 2,',
    "    a = 1,",
    '    b = "x",',
    "    c = true,",
    "    nested = {",
    "        k = {",
    "            [1] = 1,",
    "            [2] = 2",
    "        }",
    "    }",
    "}",
  }, "\n")
  H.eq(dump({ a = 1, b = "x", c = true, [1] = "one", ["end"] = 2, ["a b"] = 3, nested = { k = { 1, 2 } } }), expected)
end)

H.test("dump: indent 0 is one line; padding shifts every line", function()
  H.eq(dump({ a = 1, nested = { k = { 1, 2 } } }, 0), "{ a = 1, nested = { k = { [1] = 1, [2] = 2 } } }")
  H.eq(dump({ a = 1, nested = { k = { 1, 2 } } }, 2, 3), table.concat({
    "{",
    "     a = 1,",
    "     nested = {",
    "       k = {",
    "         [1] = 1,",
    "         [2] = 2",
    "       }",
    "     }",
    "   }",
  }, "\n"))
  H.eq(dump({}), "{}")
  H.eq(dump({ x = {} }, 0), "{ x = {} }")
end)

H.test("dump: scalars are quoted at the top level", function()
  H.eq(dump(5), '"5"')
  H.eq(dump("s"), '"s"')
  H.eq(dump(true), '"true"')
  H.eq(dump(nil), '"nil"')
  H.eq(dump({ s = 'line\nbreak "q"' }), '{\n    s = "line\\\nbreak \\"q\\""\n}')
end)

H.test("dump: output is Lua that reads back", function()
  local value = { 1, 2, { x = "y" }, name = "Starlane", ["with space"] = true, [10] = 1.5, ["local"] = "kw" }
  local text = dump(value)
  local back = load("return " .. text, "dump", "t", {})()
  H.eq(back, value)
end)

H.test("dump: numbers before strings before booleans; deterministic", function()
  local t = { [true] = 1, [false] = 0, z = 1, a = 2, [3] = "c", [1] = "a", [2.5] = "b" }
  H.eq(dump(t, 0), '{ [1] = "a", [2.5] = "b", [3] = "c", a = 2, z = 1, [false] = 0, [true] = 1 }')
end)

H.test("dump: filters and cycles", function()
  local filter = function(val, _depth, vtype, use)
    if use == "key" and val == "secret" then return nil end
    if use == "val" and vtype == "string" then return val, true end
    return val
  end
  H.eq(dump({ secret = "x", shown = "raw text" }, 0, 0, filter), "{ shown = raw text }")
  local t = { name = "loop" }
  t.self = t
  H.eq(dump(t, 0), '{ name = "loop", self = "<Circular>" }')
  local replaced = dump(t, 0, 0, function(val, _, _, use)
    if use == "circular" then return "(cycle)" end
    return val
  end)
  H.eq(replaced, '{ name = "loop", self = "(cycle)" }')
  H.eq(dump({ [{ 1 }] = "tk" }, 0), '{ [{ [1] = 1 }] = "tk" }', "table keys are dumped")
  local shared = { 1 }
  H.eq(dump({ a = shared, b = shared }, 0), "{ a = { [1] = 1 }, b = { [1] = 1 } }", "shared is not circular")
end)

H.test("dump: argument checks", function()
  H.raises(function() dump({}, -1) end, "indent must be unsigned integer")
  H.raises(function() dump({}, 1.5) end, "indent must be unsigned integer")
  H.raises(function() dump({}, 2, "x") end, "padding must be unsigned integer")
  H.raises(function() dump({}, 2, 0, 5) end, "filter must be function")
end)

H.done()
