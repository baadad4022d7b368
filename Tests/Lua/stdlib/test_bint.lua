-- Tests for .bint: reference vectors (Python big integers), agreement with
-- Lua's own integer arithmetic, identities on random big values, a slow
-- independent division, conversions, errors and the calls aos blueprints make.
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
H.file("test_bint.lua")

local newmodule = require(".bint")
local bint = newmodule(256)
local VECTORS = dofile(H.here .. "bint_vectors.lua")

local function S(x) return tostring(x) end
local function U(x) return bint.tobase(x, 10, true) end

H.test("module: require('.bint')(bits) is memoised per size", function()
  H.ok(newmodule(256) == bint, "same class for the same size")
  H.ok(require(".bint")(256) == bint, "and across requires")
  H.ok(newmodule(512) ~= bint, "another class for another size")
  H.eq(bint.bits, 256)
  H.eq(newmodule().bits, 256, "default size")
  H.eq(bint(5).bits, 256, "instances see class fields")
  H.raises(function() newmodule(100) end, "multiple of word bitsize")
  H.raises(function() newmodule(32) end, "bitsize must be >= 64")
end)

H.test("reference vectors: arithmetic", function()
  for i, c in ipairs(VECTORS) do
    local a, b = bint(c.a), bint(c.b)
    local what = "case " .. i .. " "
    H.eq(S(a), c.a, what .. "round trip a")
    H.eq(S(a + b), c.add, what .. "add")
    H.eq(S(a - b), c.sub, what .. "sub")
    H.eq(S(a * b), c.mul, what .. "mul")
    H.eq(S(a // b), c.idiv, what .. "idiv")
    H.eq(S(a % b), c.mod, what .. "mod")
    if c.tdiv then
      local q, r = bint.tdivmod(a, b)
      H.eq(S(q), c.tdiv, what .. "tdiv")
      H.eq(S(r), c.tmod, what .. "tmod")
    else
      H.raises(function() bint.tdivmod(a, b) end, "division overflow", what)
    end
    local q, r = bint.udivmod(a, b)
    H.eq(U(q), c.udiv, what .. "udiv")
    H.eq(U(r), c.umod, what .. "umod")
    H.eq(S(a & b), c.band, what .. "band")
    H.eq(S(a | b), c.bor, what .. "bor")
    H.eq(S(a ~ b), c.bxor, what .. "bxor")
    H.eq(S(a << c.k), c.shl, what .. "shl " .. c.k)
    H.eq(U(a >> c.k), c.shr, what .. "shr " .. c.k)
    H.eq(S(bint.ipow(a, c.e)), c.ipow, what .. "ipow " .. c.e)
    H.eq(a < b, c.lt, what .. "lt")
    H.eq(a <= b, c.le, what .. "le")
    H.eq(bint.ult(a, b), c.ult, what .. "ult")
  end
end)

H.test("reference vectors: bases and round trips", function()
  for i, c in ipairs(VECTORS) do
    local a = bint(c.a)
    local what = "case " .. i .. " "
    H.eq(bint.tobase(a, 16), c.hex, what .. "hex (unsigned by default)")
    H.eq(bint.tobase(a, 36), c.b36, what .. "base 36")
    H.eq(U(a), c.udec, what .. "unsigned decimal")
    if c.bin then H.eq(bint.tobase(a, 2), c.bin, what .. "binary") end
    H.ok(bint.fromstring("0x" .. c.hex) == a, what .. "from hex")
    H.ok(bint.frombase(c.b36, 36) == a, what .. "from base 36")
    H.ok(bint(c.udec) == a, what .. "unsigned decimal wraps back")
    -- Floor division identity: a == (a // b) * b + a % b.
    local b = bint(c.b)
    H.ok((a // b) * b + a % b == a, what .. "a == (a//b)*b + a%b")
  end
end)

H.test("agrees with Lua integers on 64-bit-safe values", function()
  local rnd = H.rng(12345)
  for i = 1, 3000 do
    local x, y = rnd(), rnd()
    -- Vary magnitudes: shift right by a random amount, keep the sign.
    x = x >> (rnd() & 63); if rnd() & 1 == 1 then x = -x end
    y = y >> (rnd() & 63); if rnd() & 1 == 1 then y = -y end
    local bx, by = bint(x), bint(y)
    local what = ("x=%d y=%d "):format(x, y)
    H.eq(bint.tointeger(bx), x, what .. "round trip")
    H.eq(S(bx), tostring(x), what .. "tostring")
    -- +, - and * wrap at 64 bits in Lua, not at 256: compare only when exact.
    local small = (x > -(1 << 31) and x < (1 << 31) and y > -(1 << 31) and y < (1 << 31))
    if small then
      H.eq(bint.tointeger(bx * by), x * y, what .. "mul")
    end
    if (x >= 0) ~= (y >= 0) or math.abs(x) < (1 << 61) and math.abs(y) < (1 << 61) then
      H.eq(bint.tointeger(bx + by), x + y, what .. "add")
    end
    if (x >= 0) == (y >= 0) or math.abs(x) < (1 << 61) and math.abs(y) < (1 << 61) then
      H.eq(bint.tointeger(bx - by), x - y, what .. "sub")
    end
    if y ~= 0 then
      H.eq(bint.tointeger(bx // by), x // y, what .. "idiv")
      H.eq(bint.tointeger(bx % by), x % y, what .. "mod")
      local q, r = bint.idivmod(bx, by)
      H.eq(bint.tointeger(q), x // y, what .. "idivmod q")
      H.eq(bint.tointeger(r), x % y, what .. "idivmod r")
    end
    H.eq(bint.tointeger(bx & by), x & y, what .. "band")
    H.eq(bint.tointeger(bx | by), x | y, what .. "bor")
    H.eq(bint.tointeger(bx ~ by), x ~ y, what .. "bxor")
    H.eq(bint.tointeger(~bx), ~x, what .. "bnot")
    H.eq(bint.tointeger(-bx), -x, what .. "unm")
    H.eq(bx < by, x < y, what .. "lt")
    H.eq(bx <= by, x <= y, what .. "le")
    H.eq(bx == by, x == y, what .. "eq")
    H.eq(bint.eq(bx, y), x == y, what .. "bint.eq mixed")
    H.eq(bint.touinteger(bx), x, what .. "touinteger keeps the 64 bits")
  end
end)

H.test("mixing bints with Lua numbers and numeric strings", function()
  local a = bint(10)
  H.ok(a + 5 == bint(15), "bint + integer")
  H.ok(5 + a == bint(15), "integer + bint")
  H.ok(a + "5" == bint(15), "bint + numeric string")
  H.ok("0x10" + a == bint(26), "hex string + bint")
  H.ok(a * 2.0 == bint(20), "integral float acts as an integer")
  H.eq(a + 0.5, 10.5, "a fractional float turns the result into a float")
  H.eq(math.type(a * 1.5), "float")
  H.eq(a / 4, 2.5, "/ is float division")
  H.eq(a ^ 2, 100.0, "^ is float power")
  H.ok(a < 11 and 9 < a and a <= 10 and 10 <= a, "comparisons with integers")
  H.ok(a < "11" and "9" < a, "comparisons with numeric strings")
  H.ok(a < 10.5, "comparison with a float")
  H.ok(not (a == 10), "== with a number is false (Lua only calls __eq on two tables)")
  H.ok(bint.eq(a, 10), "bint.eq compares across types")
  H.ok(bint(7) // 2 == bint(3) and bint(-7) // 2 == bint(-4), "floor division")
  H.ok(bint(-7) % 2 == bint(1) and bint(7) % -2 == bint(-1), "floor modulo")
  H.ok(bint.tdiv(-7, 2) == bint(-3), "tdiv on Lua integers gives a bint (as lua-bint)")
  H.eq(bint.tdiv(-7.5, 2), -3.0, "tdiv on a fractional float stays numeric")
  H.ok(bint.tdiv(bint(-7), 2) == bint(-3) and bint.tmod(bint(-7), 2) == bint(-1), "truncating division")
end)

H.test("known big results", function()
  H.eq(S(bint.ipow(2, 200)), "1606938044258990275541962092341162602522202993782792835301376", "2^200")
  H.eq(S(bint(1) << 200), "1606938044258990275541962092341162602522202993782792835301376", "1 << 200")
  local f = bint.one()
  for i = 2, 50 do f = f * i end
  H.eq(S(f), "30414093201713378043612608166064768844377641568960512000000000000", "50!")
  for i = 50, 2, -1 do f = f // i end
  H.ok(bint.isone(f), "50! divided back down to 1")
  H.eq(S(bint.ipow(3, 160)),
    "21847450052839212624230656502990235142567050104912751880812823948662932355201", "3^160 (fits)")
  H.eq(S(bint.ipow(3, 161)),
    "-50249739078798557550879015499717202425568834350902308397019112161924332574333", "3^161 wraps negative")
  H.eq(S(bint.ipow(2, 256)), "0", "2^256 wraps to 0")
  H.eq(S(bint.ipow(2, 255)),
    "-57896044618658097711785492504343953926634992332820282019728792003956564819968", "2^255 is the minimum")
  H.ok(bint.maxinteger() + 1 == bint.mininteger(), "max + 1 wraps to min")
  H.ok(bint.mininteger() - 1 == bint.maxinteger(), "min - 1 wraps to max")
  H.ok(-bint.mininteger() == bint.mininteger(), "-min == min")
  H.ok(bint.mininteger() // -1 == bint.mininteger(), "min // -1 wraps like Lua integers")
  H.raises(function() bint.tdiv(bint.mininteger(), -1) end, "division overflow")
  H.eq(S(bint.maxinteger()), "57896044618658097711785492504343953926634992332820282019728792003956564819967")
  H.eq(bint.tobase(bint(-1), 16), ("f"):rep(64), "-1 in hex is all ones (unsigned)")
  H.eq(bint.tobase(bint(-255), 16, false), "-ff", "signed hex on request")
  H.eq(bint.tobase(bint(-1), 10, true),
    "115792089237316195423570985008687907853269984665640564039457584007913129639935", "unsigned decimal")
  H.eq(S(bint("-123456789012345678901234567890123456789")), "-123456789012345678901234567890123456789")
  H.eq(S(bint("+42")), "42")
  H.eq(S(bint("0b101010")), "42")
  H.eq(S(bint("-0x2A")), "-42")
  H.eq(S(bint("000000000000000000000000000000000000000007")), "7", "leading zeros")
  local big = ("9"):rep(100)
  local expected = (bint.ipow(10, 100) - 1) -- also wraps the same way
  H.ok(bint(big) == expected, "a 100-digit string wraps modulo 2^256 like the arithmetic")
end)

H.test("tokens: the calls aos's token blueprint makes", function()
  -- Balances are decimal strings; Denomination 12 => 10000 * 10^12 as a float.
  local supply = tostring(bint(10000 * 10 ^ 12))
  H.eq(supply, "10000000000000000", "toBalanceValue from a float")
  local add = function(a, b) return tostring(bint(a) + bint(b)) end
  local subtract = function(a, b) return tostring(bint(a) - bint(b)) end
  H.eq(add("999999999999999999999999", "1"), "1000000000000000000000000")
  H.eq(subtract("1000000000000000000000000", "1"), "999999999999999999999999")
  H.ok(bint.__lt(0, bint("1")), "bint.__lt(0, bint(q)) called directly")
  H.ok(not bint.__lt(0, bint("0")), "zero is not > 0")
  H.ok(bint(0) < bint("5"), "bint(0) < bint(q)")
  H.ok(bint("5") <= bint("5") and not (bint("6") <= bint("5")), "<= for balance checks")
  H.ok(bint("5") >= bint("5"), ">= (staking blueprint)")
  H.eq(bint.tonumber("12345"), 12345, "bint.tonumber on a balance string")
  H.eq(bint.tonumber(bint("12345")), 12345)
  H.eq(math.type(bint.tonumber(bint(2) ^ 1)), "float")
  H.eq(bint.tonumber(bint.ipow(10, 30)), 1e30, "big values become floats")
  H.eq(math.type(bint.tonumber(bint.ipow(10, 30))), "float")
  H.raises(function() return bint("12abc") end, "value cannot be represented by a bint")
  H.raises(function() return bint(nil) end, "value cannot be represented by a bint")
  H.raises(function() return bint(" 5") end, "value cannot be represented by a bint")
  H.raises(function() return bint(1.5) end, "value cannot be represented by a bint")
  H.raises(function() return bint({}) end, "value cannot be represented by a bint")
end)

H.test("constructors and conversions", function()
  H.ok(bint.zero() == bint(0) and bint.one() == bint(1), "zero/one")
  H.ok(bint.new(5) == bint(5), "new")
  local x = bint(5)
  H.ok(bint.new(x) ~= nil and rawequal(bint.tobint(x), x), "tobint returns the same bint")
  H.ok(not rawequal(bint.tobint(x, true), x), "tobint(x, true) clones")
  H.ok(not rawequal(bint.new(x), x), "new clones")
  H.eq(bint.tobint("x"), nil, "tobint returns nil instead of raising")
  H.eq(bint.parse("1.5"), 1.5, "parse falls back to a Lua number")
  H.ok(bint.parse("15") == bint(15))
  H.ok(bint.frominteger(-1) == bint(-1))
  H.ok(bint.frominteger("0x10") == bint(16), "frominteger takes what tonumber takes")
  H.eq(bint.frominteger(1.5), nil)
  H.ok(bint.fromuinteger(-1) == bint("0xffffffffffffffff"), "fromuinteger reads 64 bits unsigned")
  H.eq(bint.fromstring("12x"), nil)
  H.eq(bint.fromstring(12), nil)
  H.eq(bint.frombase("zz", 37), nil, "bad base")
  H.eq(bint.frombase("19", 8), nil, "digit out of range")
  H.ok(bint.frombase("-zz", 36) == bint(-1295))
  H.ok(bint.trunc(-3.7) == bint(-3) and bint.trunc("2.9") == bint(2), "trunc")
  H.eq(bint.trunc(1e300), nil, "trunc of an unrepresentable float")
  H.ok(bint.floor(2.5) == bint(2) and bint.ceil(2.5) == bint(3), "floor/ceil")
  H.eq(bint.tointeger(bint.ipow(2, 64) + 5), 5, "tointeger wraps to the low 64 bits")
  H.eq(bint.tointeger(-(bint.ipow(2, 64) + 5)), -5, "... keeping the sign")
  H.eq(bint.tointeger(2.0), 2)
  H.eq(bint.tointeger(2.5), nil)
  H.eq(bint.tonumber("x"), nil)
  H.eq(bint.tobase(1.5), nil, "tobase of a fraction")
  H.eq(bint.tobase(255, 16), "ff", "tobase of a Lua integer")
  H.eq(bint.tobase(bint(5), 1), nil, "bad base")
  H.eq(bint.tobase(bint(0), 2), "0")
  H.eq(bint(0):tobase(10), "0", "method call form")
  -- Bytes.
  local v = bint("0x0102030405")
  H.eq(bint.tole(v, true), "\5\4\3\2\1")
  H.eq(bint.tobe(v, true), "\1\2\3\4\5")
  H.eq(#bint.tole(v), 32)
  H.eq(bint.tobe(bint(0), true), "\0")
  H.ok(bint.fromle("\5\4\3\2\1") == v and bint.frombe("\1\2\3\4\5") == v, "from bytes")
  H.ok(bint.frombe(("\0"):rep(40) .. "\7") == bint(7), "frombe keeps the last bytes")
  H.ok(bint.frombe(bint.tobe(bint(-2))) == bint(-2), "byte round trip of a negative")
  H.raises(function() bint.fromle(5) end, "buffer is not a string")
end)

H.test("predicates and small helpers", function()
  H.ok(bint.iszero(bint(0)) and bint.iszero(0) and not bint.iszero(bint(1)), "iszero")
  H.ok(bint.isone(bint(1)) and bint.isone(1), "isone")
  H.ok(bint.isminusone(bint(-1)) and bint.isminusone(-1), "isminusone")
  H.ok(bint.isbint(bint(1)) and not bint.isbint(1), "isbint")
  H.ok(bint.isintegral(bint(1)) and bint.isintegral(1) and not bint.isintegral(1.0), "isintegral")
  H.ok(bint.isnumeric(1.5) and bint.isnumeric(bint(1)) and not bint.isnumeric("1"), "isnumeric")
  H.eq(bint.type(bint(1)), "bint")
  H.eq(bint.type(1), "integer")
  H.eq(bint.type(1.0), "float")
  H.eq(bint.type("1"), nil)
  H.ok(bint.isneg(bint(-1)) and not bint.isneg(bint(0)) and bint.isneg(-2), "isneg")
  H.ok(bint.ispos(bint(1)) and not bint.ispos(bint(0)), "ispos")
  H.ok(bint.iseven(bint(-2)) and bint.isodd(bint(-3)) and bint.iseven(4) and bint.isodd(-5), "even/odd")
  H.ok(bint(-5):isneg() and bint(5):ispos(), "method forms")
  H.ok(bint.abs(bint(-5)) == bint(5) and bint.abs(-5) == bint(5), "abs (integers become bints)")
  H.eq(bint.abs(-2.5), 2.5, "abs of a fractional float")
  H.ok(bint.inc(bint(-1)) == bint(0) and bint.dec(bint(0)) == bint(-1), "inc/dec")
  H.eq(bint.inc(1.5), 2.5)
  H.ok(bint.max(bint(3), 7) == bint(7) and bint.min(bint(3), 7) == bint(3), "max/min")
  H.ok(bint.max(-3, bint(-7)) == bint(-3), "max with negatives")
  H.ok(bint.bwrap(bint(0x1ff), 8) == bint(0xff) and bint.bwrap(bint(5), 0) == bint(0), "bwrap")
  H.ok(bint.brol(bint(1), 1) == bint(2), "brol")
  H.ok(bint.brol(bint.mininteger(), 1) == bint(1), "brol carries the top bit round")
  H.ok(bint.bror(bint(1), 1) == bint.mininteger(), "bror")
  H.ok(bint.brol(bint(1), -1) == bint.mininteger(), "negative rotation goes the other way")
  H.ok(bint(1) << -1 == bint(0) and bint(2) >> -1 == bint(4), "negative shifts reverse")
  H.ok(bint(-1) >> 255 == bint(1), ">> is logical, like Lua's")
  H.ok(bint(1) << 256 == bint(0), "shifting by the width gives 0")
  H.raises(function() return bint(1) << 1.5 end, "value has no integer representation")
  H.ok(bint.upowmod(4, 13, 497) == bint(445), "upowmod")
  H.ok(bint.upowmod(bint(5), 0, 7) == bint(1) and bint.upowmod(3, 5, 1) == bint(0), "upowmod edges")
  H.ok(bint.ipow(bint(-2), 3) == bint(-8) and bint.ipow(7, 0) == bint(1), "ipow")
  H.ok(bint.ult(1, -1) and not bint.ult(-1, 1) and bint.ule(5, 5), "unsigned comparisons")
  H.ok(bint.udiv(-1, 2) == bint.maxinteger() and bint.umod(-1, 2) == bint(1), "udiv/umod")
  H.raises(function() return bint(1) // 0 end, "attempt to divide by zero")
  H.raises(function() return bint(1) % bint(0) end, "attempt to divide by zero")
  local q, r = bint.__idiv(bint(-7), bint(2))
  H.ok(q == bint(-4) and r ~= nil, "__idiv called directly returns the quotient first")
end)

H.test("in-place methods", function()
  local x = bint(5)
  H.ok(rawequal(x:_add(3), x) and x == bint(8), "_add")
  x:_sub(10); H.ok(x == bint(-2), "_sub")
  x:_abs(); H.ok(x == bint(2), "_abs")
  x:_unm(); H.ok(x == bint(-2), "_unm")
  x:_inc(); x:_inc(); H.ok(x == bint(0), "_inc")
  x:_dec(); H.ok(x == bint(-1), "_dec")
  x:_assign(12); H.ok(x == bint(12), "_assign")
  x:_band(10); H.ok(x == bint(8), "_band")
  x:_bor(3); H.ok(x == bint(11), "_bor")
  x:_bxor(1); H.ok(x == bint(10), "_bxor")
  x:_shlone(); H.ok(x == bint(20), "_shlone")
  x:_shrone(); H.ok(x == bint(10), "_shrone")
  x:_shlwords(1); H.ok(x == bint(10) << 32, "_shlwords")
  x:_shrwords(1); H.ok(x == bint(10), "_shrwords")
  x:_bnot(); H.ok(x == bint(-11), "_bnot")
end)

-- An independent unsigned division: restoring shift-and-subtract, one bit at a
-- time, using only shifts, comparisons and subtraction.
local function slowUdivmod(a, b)
  local q, r = bint.zero(), bint.zero()
  for i = 255, 0, -1 do
    r = r << 1
    if bint.iseven(a >> i) == false then r = r | 1 end
    if bint.ule(b, r) then
      r = r - b
      q = q | (bint.one() << i)
    end
  end
  return q, r
end

-- Random values built from 16-bit digits that favour 0, 1, 0x7fff, 0x8000,
-- 0xfffe and 0xffff, which is where long division needs its corrections.
local function edgyValue(rnd, digits)
  local favoured = { 0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff }
  local v = bint.zero()
  for _ = 1, digits do
    local d
    if rnd() & 1 == 0 then
      d = favoured[(rnd() >> 3) % #favoured + 1]
    else
      d = (rnd() >> 7) & 0xffff
    end
    v = (v << 16) | d
  end
  return v
end

H.test("division agrees with a slow reference on awkward values", function()
  local rnd = H.rng(777)
  for i = 1, 400 do
    local a = edgyValue(rnd, 1 + (rnd() >> 4) % 16)
    local b = edgyValue(rnd, 1 + (rnd() >> 4) % 16)
    if bint.iszero(b) then b = bint(0x8000) end
    local q, r = bint.udivmod(a, b)
    local q2, r2 = slowUdivmod(a, b)
    local what = ("case %d: %s / %s"):format(i, bint.tobase(a, 16), bint.tobase(b, 16))
    H.ok(q == q2, what .. " quotient")
    H.ok(r == r2, what .. " remainder")
  end
end)

H.test("division: cases that take the rare add-back step of Knuth's algorithm D", function()
  -- Found by instrumenting the division; quotient/remainder from Python.
  local CASES = {
    { "0x8000fffe000100017fff1b4ffffefffe41ecaf570000", "0x8000fffe23340001e1d701b1",
      "0xffffffffb99a8cc91c84", "0x4209a5c6e65338099851c4bc" },
    { "0xfffe80000000e0aa7fff7ffffffeffff", "0xffff7fffffffd56a23c4",
      "0xfffeffff8000", "0xcb4031a58e7911e0ffff" },
    { "0xfffe7fff7fff965d1c207fff800000004f5b6210cfaf574c8e67", "0xfffe7fffe21880000000ffff8000",
      "0xffffffff9de68336d57c270b", "0x18d6004b288a4e3013626ad20e67" },
    { "0xffff00017ffff4d4fffee690a10b560e000109f100018000", "0xffff000180001726",
      "0xffffffffffffddaeddadf7b84f5913f3", "0x13da1787b7fdb4ee" },
  }
  for i, c in ipairs(CASES) do
    local q, r = bint.udivmod(bint(c[1]), bint(c[2]))
    H.ok(q == bint(c[3]), "case " .. i .. " quotient")
    H.ok(r == bint(c[4]), "case " .. i .. " remainder")
  end
end)

H.test("division identities on random big values", function()
  local rnd = H.rng(4242)
  for i = 1, 3000 do
    local a = edgyValue(rnd, 1 + (rnd() >> 4) % 16)
    local b = edgyValue(rnd, 1 + (rnd() >> 4) % 16)
    if rnd() & 1 == 1 then a = -a end
    if rnd() & 1 == 1 then b = -b end
    if not bint.iszero(b) then
      local q, r = a // b, a % b
      local what = ("case %d"):format(i)
      H.ok(q * b + r == a, what .. ": a == (a//b)*b + a%b")
      H.ok(bint.iszero(r) or bint.isneg(r) == bint.isneg(b), what .. ": a%b has the sign of b")
      H.ok(bint.ult(bint.abs(r), bint.abs(b)) or bint.abs(b) == bint.mininteger(), what .. ": |a%b| < |b|")
      local tq, tr = bint.tdivmod(a, b)
      H.ok(tq * b + tr == a, what .. ": truncated identity")
    end
  end
end)

H.test("string round trips on random values in several bases", function()
  local rnd = H.rng(99)
  for _ = 1, 500 do
    local a = edgyValue(rnd, 16)
    if rnd() & 1 == 1 then a = -a end
    H.ok(bint(tostring(a)) == a, "decimal")
    for _, base in ipairs({ 2, 3, 7, 8, 16, 36 }) do
      H.ok(bint.frombase(bint.tobase(a, base), base) == a, "base " .. base)
      H.ok(bint.frombase(bint.tobase(a, base, false), base) == a, "signed base " .. base)
    end
  end
end)

H.test("other widths and word sizes agree with the default class", function()
  local b512 = newmodule(512)
  H.eq(tostring(b512.ipow(2, 500)),
    "3273390607896141870013189696827599152216642046043064789483291368096133796404674554883270092325904157150886684127560071009217256545885393053328527589376")
  H.eq(tostring(newmodule(64).maxinteger()), tostring(math.maxinteger), "64-bit class")
  H.ok(newmodule(64)(math.maxinteger) + 1 == newmodule(64)(math.mininteger), "64-bit wraps like Lua")
  local rnd = H.rng(31337)
  for _, wb in ipairs({ 8, 16, 24 }) do
    local other = newmodule(wb == 24 and 264 or 256, wb)
    for _ = 1, 200 do
      local a = edgyValue(rnd, 1 + (rnd() >> 4) % 15)
      local b = edgyValue(rnd, 1 + (rnd() >> 4) % 15)
      if bint.iszero(b) then b = bint(3) end
      if rnd() & 1 == 1 then a = -a end
      local oa, ob = other(tostring(a)), other(tostring(b))
      if wb ~= 24 then
        H.eq(tostring(oa * ob), tostring(a * b), "mul, wordbits " .. wb)
        H.eq(tostring(oa // ob), tostring(a // b), "idiv, wordbits " .. wb)
        H.eq(tostring(oa % ob), tostring(a % b), "mod, wordbits " .. wb)
        H.eq(tostring(oa - ob), tostring(a - b), "sub, wordbits " .. wb)
      else
        -- 264 bits: no wrap for these (< 2^240) operands' quotient/remainder.
        H.eq(tostring(oa // ob), tostring(a // b), "idiv, wordbits 24")
        H.eq(tostring(oa % ob), tostring(a % b), "mod, wordbits 24")
      end
    end
  end
end)

H.test("speed is reasonable", function()
  local t0 = os.clock()
  local acc = bint(0)
  local step = bint("123456789012345678901234567890")
  for _ = 1, 20000 do acc = acc + step end
  for _ = 1, 2000 do local _ = tostring(acc) end
  for _ = 1, 2000 do local _ = acc * step // bint("987654321987654321") end
  local elapsed = os.clock() - t0
  H.ok(elapsed < 10, ("20k adds + 2k tostring + 2k mul/div took %.2fs"):format(elapsed))
  print(("  bint speed: 20k adds + 2k tostring + 2k mul/div in %.3fs"):format(elapsed))
end)

H.done()
