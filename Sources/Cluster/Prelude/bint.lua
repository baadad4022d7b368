--[[
  .bint -- fixed-width big integers for Starlane processes.

  API-compatible with edubart's lua-bint as aos vendors it (process/bint.lua):

      local bint = require('.bint')(256)     -- a class of 256-bit integers
      local a = bint('123456789012345678901234567890')
      print(tostring(a * 3 // 7), bint.tobase(a, 16))

  Semantics follow Lua's own integers, as lua-bint does: two's complement,
  arithmetic wraps around at `bits`, `//` and `%` round towards minus infinity,
  `/` and `^` always produce floats, and any operation that mixes in a
  non-integral float falls back to float arithmetic. Strings holding integers
  ("42", "-0x2a", "0b101010") mix with bints as if they were bints.

  Representation: a bint is a table of `bits // wordbits` little-endian words
  (default 32 bits each) at integer keys 1..N, with the class as metatable and
  __index. Code that reads words directly (x[1]) therefore sees what it would
  see under lua-bint.

  Written for Starlane from lua-bint's documented behaviour; no lua-bint code.
]]

local math_type = math.type
local math_tointeger = math.tointeger
local math_abs = math.abs
local math_floor = math.floor
local math_ceil = math.ceil
local math_modf = math.modf
local math_max = math.max
local math_min = math.min
local math_mininteger = math.mininteger
local math_maxinteger = math.maxinteger
local string_char = string.char
local string_byte = string.byte
local table_concat = table.concat
local setmetatable = setmetatable
local getmetatable = getmetatable
local tonumber = tonumber
local tostring = tostring
local type = type
local error = error

local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

-- One class per (bits, wordbits), shared by every require: bints made by
-- different modules of the same size are interchangeable.
local memo = {}

-- Exact conversion of a number (or numeric string) to a Lua integer, or nil.
local function luainteger(x)
  x = tonumber(x)
  if x then
    return math_tointeger(x)
  end
  return nil
end

-- Largest k with base^k < limit: how many digits fit in one small chunk.
local function chunkdigits(base, limit)
  local k, p = 0, 1
  while p * base < limit do
    p = p * base
    k = k + 1
  end
  return k, p
end

local function newmodule(bits, wordbits)
  bits = bits or 256
  wordbits = wordbits or 32

  local memokey = bits * 64 + wordbits
  if memo[memokey] then
    return memo[memokey]
  end

  assert(math_type(bits) == 'integer' and math_type(wordbits) == 'integer',
    'bitsize and word bitsize must be integers')
  -- Words are whole bytes (for tole/tobe) and at most 32 bits, so a product of
  -- two words is exact when read as an unsigned 64-bit value.
  assert(wordbits >= 8 and wordbits <= 32 and wordbits % 8 == 0,
    'word bitsize must be 8, 16, 24 or 32')
  assert(bits % wordbits == 0, 'bitsize is not multiple of word bitsize')
  assert(bits >= 64, 'bitsize must be >= 64')

  local W = wordbits
  local N = bits // W              -- words per bint
  local BASE = 1 << W
  local MASK = BASE - 1
  local SIGN = 1 << (W - 1)         -- sign bit inside the top word
  local NBYTES = bits // 8
  local WBYTES = W // 8
  -- Division runs on half-words ("digits") so every intermediate of Knuth's
  -- algorithm D stays far below 2^63.
  local D = (W % 16 == 0) and 16 or 8
  local DBASE = 1 << D
  local DMASK = DBASE - 1
  local DPERW = W // D
  local DHALF = 1 << (D - 1)
  -- Small divisors/multipliers stay below 2^31, so (remainder << W) | word and
  -- word * multiplier + carry never leave the non-negative integers.
  local SMALL_LIMIT = 1 << (63 - W)
  if SMALL_LIMIT > (1 << 31) then SMALL_LIMIT = 1 << 31 end

  local bint = {}
  bint.__index = bint
  bint.bits = bits

  ---------------------------------------------------------------- primitives

  local function raw()
    return setmetatable({}, bint)
  end

  local function zero()
    local z = raw()
    for i = 1, N do z[i] = 0 end
    return z
  end

  local function copy(x)
    local z = raw()
    for i = 1, N do z[i] = x[i] end
    return z
  end

  local function isbint(x)
    return getmetatable(x) == bint
  end

  local function negative(x)
    return x[N] & SIGN ~= 0
  end

  local function iszero(x)
    for i = 1, N do
      if x[i] ~= 0 then return false end
    end
    return true
  end

  -- Two's complement from a Lua integer: floor division by BASE is an
  -- arithmetic shift, so the sign extends into the words above bit 64.
  local function from_signed(x)
    local z = raw()
    for i = 1, N do
      z[i] = x & MASK
      x = x // BASE
    end
    return z
  end

  -- The integer's 64 bits read as unsigned: a logical shift, no sign extension.
  local function from_unsigned(x)
    local z = raw()
    for i = 1, N do
      z[i] = x & MASK
      x = x >> W
    end
    return z
  end

  -- In-place helpers return their target so they chain like lua-bint's.
  local function add_into(z, a, b)
    local carry = 0
    for i = 1, N do
      local s = a[i] + b[i] + carry
      z[i] = s & MASK
      carry = s >> W
    end
    return z
  end

  local function sub_into(z, a, b)
    local borrow = 0
    for i = 1, N do
      local d = a[i] - b[i] - borrow
      if d < 0 then
        z[i] = d + BASE
        borrow = 1
      else
        z[i] = d
        borrow = 0
      end
    end
    return z
  end

  local function not_into(z, a)
    for i = 1, N do z[i] = (~a[i]) & MASK end
    return z
  end

  local function inc_into(z)
    for i = 1, N do
      local v = (z[i] + 1) & MASK
      z[i] = v
      if v ~= 0 then break end
    end
    return z
  end

  local function dec_into(z)
    for i = 1, N do
      local v = z[i] - 1
      if v >= 0 then
        z[i] = v
        break
      end
      z[i] = MASK
    end
    return z
  end

  local function neg_into(z, a)
    return inc_into(not_into(z, a))
  end

  local function negate(a)
    return neg_into(raw(), a)
  end

  -- Index of the highest non-zero word (0 when the value is zero).
  local function topword(x)
    for i = N, 1, -1 do
      if x[i] ~= 0 then return i end
    end
    return 0
  end

  -- Product modulo 2^bits. Signedness does not matter for a wrapped product.
  -- ai * b[j] may exceed 2^63 but never 2^64, so reading it through & and the
  -- logical >> gives its exact unsigned low and high words.
  local function mul(a, b)
    local z = zero()
    local na, nb = topword(a), topword(b)
    for i = 1, na do
      local ai = a[i]
      if ai ~= 0 then
        local carry = 0
        local jmax = nb
        if jmax > N - i + 1 then jmax = N - i + 1 end
        local k = i
        for j = 1, jmax do
          local p = ai * b[j]
          local t = z[k] + (p & MASK) + carry
          z[k] = t & MASK
          carry = (p >> W) + (t >> W)
          k = k + 1
        end
        while carry ~= 0 and k <= N do
          local t = z[k] + carry
          z[k] = t & MASK
          carry = t >> W
          k = k + 1
        end
      end
    end
    return z
  end

  local function ult(a, b)
    for i = N, 1, -1 do
      local x, y = a[i], b[i]
      if x ~= y then return x < y end
    end
    return false
  end

  local function ule(a, b)
    for i = N, 1, -1 do
      local x, y = a[i], b[i]
      if x ~= y then return x < y end
    end
    return true
  end

  local function slt(a, b)
    local an, bn = negative(a), negative(b)
    if an ~= bn then return an end
    return ult(a, b)
  end

  local function sle(a, b)
    local an, bn = negative(a), negative(b)
    if an ~= bn then return an end
    return ule(a, b)
  end

  -- x = x * m + c in place (mod 2^bits), for 0 < m < SMALL_LIMIT, 0 <= c < m.
  local function muladd_small(x, m, c)
    local carry = c
    for i = 1, N do
      local cur = x[i] * m + carry
      x[i] = cur & MASK
      carry = cur >> W
    end
    return x
  end

  -- x = x // d in place (unsigned), returns x % d, for 0 < d < SMALL_LIMIT.
  local function divmod_small(x, d)
    local rem = 0
    for i = topword(x), 1, -1 do
      local cur = (rem << W) | x[i]
      x[i] = cur // d
      rem = cur % d
    end
    return rem
  end

  -- Logical shifts by 0 <= k < bits, returning new bints.
  local function shl_bits(x, k)
    local z = zero()
    local ws, bs = k // W, k % W
    if bs == 0 then
      for i = N, ws + 1, -1 do z[i] = x[i - ws] end
    else
      for i = N, ws + 1, -1 do
        local lo = 0
        if i - ws - 1 >= 1 then lo = x[i - ws - 1] end
        z[i] = ((x[i - ws] << bs) | (lo >> (W - bs))) & MASK
      end
    end
    return z
  end

  local function shr_bits(x, k)
    local z = zero()
    local ws, bs = k // W, k % W
    if bs == 0 then
      for i = 1, N - ws do z[i] = x[i + ws] end
    else
      for i = 1, N - ws do
        local hi = 0
        if i + ws + 1 <= N then hi = x[i + ws + 1] end
        z[i] = ((x[i + ws] >> bs) | (hi << (W - bs))) & MASK
      end
    end
    return z
  end

  ------------------------------------------------------------ unsigned division

  -- Splits a bint into `count` little-endian digits (0-based) of D bits.
  local function todigits(x)
    local d, k = {}, 0
    for i = 1, N do
      local w = x[i]
      for _ = 1, DPERW do
        d[k] = w & DMASK
        w = w >> D
        k = k + 1
      end
    end
    return d, k
  end

  local function fromdigits(d, count)
    local z = zero()
    for k = 0, count - 1 do
      local v = d[k]
      if v and v ~= 0 then
        local i = k // DPERW + 1
        z[i] = z[i] | (v << ((k % DPERW) * D))
      end
    end
    return z
  end

  -- Knuth, TAOCP vol. 2, 4.3.1, algorithm D, on D-bit digits.
  -- u has ul digits, v has vl >= 2 digits with v[vl-1] ~= 0 and u >= v.
  local function knuth(u, ul, v, vl)
    -- Normalise so the divisor's top digit has its high bit set; then the
    -- estimated quotient digit is at most two too large.
    local s = 0
    local top = v[vl - 1]
    while top < DHALF do
      top = top << 1
      s = s + 1
    end
    local vn, un = {}, {}
    for i = vl - 1, 1, -1 do
      vn[i] = ((v[i] << s) | (v[i - 1] >> (D - s))) & DMASK
    end
    vn[0] = (v[0] << s) & DMASK
    un[ul] = u[ul - 1] >> (D - s)
    for i = ul - 1, 1, -1 do
      un[i] = ((u[i] << s) | (u[i - 1] >> (D - s))) & DMASK
    end
    un[0] = (u[0] << s) & DMASK

    local q = {}
    local vtop, vnext = vn[vl - 1], vn[vl - 2]
    for j = ul - vl, 0, -1 do
      local num = un[j + vl] * DBASE + un[j + vl - 1]
      local qhat = num // vtop
      local rhat = num - qhat * vtop
      while qhat >= DBASE or qhat * vnext > rhat * DBASE + un[j + vl - 2] do
        qhat = qhat - 1
        rhat = rhat + vtop
        if rhat >= DBASE then break end
      end
      -- un[j .. j+vl] -= qhat * vn
      local borrow, carry = 0, 0
      for i = 0, vl - 1 do
        local p = qhat * vn[i] + carry
        carry = p >> D
        local t = un[i + j] - (p & DMASK) - borrow
        if t < 0 then
          un[i + j] = t + DBASE
          borrow = 1
        else
          un[i + j] = t
          borrow = 0
        end
      end
      local t = un[j + vl] - carry - borrow
      if t < 0 then
        -- qhat was one too large (rare): add the divisor back once.
        qhat = qhat - 1
        local c = 0
        for i = 0, vl - 1 do
          local sum = un[i + j] + vn[i] + c
          un[i + j] = sum & DMASK
          c = sum >> D
        end
        t = t + c
      end
      un[j + vl] = t & DMASK
      q[j] = qhat
    end
    -- The remainder is the low vl digits, shifted back.
    local r = {}
    for i = 0, vl - 2 do
      r[i] = ((un[i] >> s) | (un[i + 1] << (D - s))) & DMASK
    end
    r[vl - 1] = un[vl - 1] >> s
    return q, ul - vl + 1, r, vl
  end

  -- Unsigned quotient and remainder of two bints, as new bints.
  local function udivmod_core(a, b)
    local nb = topword(b)
    if nb == 0 then
      error('attempt to divide by zero', 0)
    end
    if nb == 1 and b[1] < SMALL_LIMIT then
      local q = copy(a)
      local r = divmod_small(q, b[1])
      local rz = zero()
      rz[1] = r
      return q, rz
    end
    if ult(a, b) then
      return zero(), copy(a)
    end
    local u, ucount = todigits(a)
    local v, vcount = todigits(b)
    while ucount > 0 and u[ucount - 1] == 0 do ucount = ucount - 1 end
    while vcount > 0 and v[vcount - 1] == 0 do vcount = vcount - 1 end
    if vcount == 1 then
      -- One digit divisor (only reachable with small words): schoolbook.
      local d, rem, q = v[0], 0, {}
      for k = ucount - 1, 0, -1 do
        local cur = rem * DBASE + u[k]
        q[k] = cur // d
        rem = cur % d
      end
      local rz = zero()
      rz[1] = rem
      return fromdigits(q, ucount), rz
    end
    local q, qcount, r, rcount = knuth(u, ucount, v, vcount)
    return fromdigits(q, qcount), fromdigits(r, rcount)
  end

  ---------------------------------------------------------------- conversions

  local tobint, fromstring, frombase

  --- A new bint 0.
  function bint.zero()
    return zero()
  end

  --- A new bint 1.
  function bint.one()
    local z = zero()
    z[1] = 1
    return z
  end

  --- From a value convertible to a Lua integer, read as unsigned; nil otherwise.
  function bint.fromuinteger(x)
    x = luainteger(x)
    if x then return from_unsigned(x) end
    return nil
  end

  --- From a value convertible to a Lua integer, keeping the sign; nil otherwise.
  function bint.frominteger(x)
    x = luainteger(x)
    if x then return from_signed(x) end
    return nil
  end

  --- From a string of alphanumeric digits in `base` (2..36, default 10), with an
  -- optional sign. Values beyond the bit size wrap around. nil when invalid.
  function bint.frombase(s, base)
    if type(s) ~= 'string' then return nil end
    base = base or 10
    if math_type(base) ~= 'integer' then base = luainteger(base) end
    if not base or base < 2 or base > 36 then return nil end
    local sign, digits = s:lower():match('^([+-]?)(%w+)$')
    if not digits then return nil end
    local k, chunkpow = chunkdigits(base, SMALL_LIMIT)
    local z = zero()
    -- The first chunk takes the remainder so the rest are all k digits long.
    local first = #digits % k
    if first == 0 then first = k end
    local pos = 1
    local len = first
    while pos <= #digits do
      local part = digits:sub(pos, pos + len - 1)
      local value = tonumber(part, base)
      if not value then return nil end
      local mult = (len == k) and chunkpow or base ^ len
      muladd_small(z, math_tointeger(mult), value)
      pos = pos + len
      len = k
    end
    if sign == '-' then neg_into(z, z) end
    return z
  end
  frombase = bint.frombase

  --- From a decimal string, or hexadecimal with 0x, or binary with 0b (each may
  -- carry a sign). nil when the string is none of these.
  function bint.fromstring(s)
    if type(s) ~= 'string' then return nil end
    if s:find('^[+-]?[0-9]+$') then
      return frombase(s, 10)
    elseif s:find('^[+-]?0[xX][0-9a-fA-F]+$') then
      return frombase((s:gsub('0[xX]', '', 1)), 16)
    elseif s:find('^[+-]?0[bB][01]+$') then
      return frombase((s:gsub('0[bB]', '', 1)), 2)
    end
    return nil
  end
  fromstring = bint.fromstring

  --- From little-endian bytes; longer buffers are cut, shorter ones zero-filled.
  function bint.fromle(buffer)
    assert(type(buffer) == 'string', 'buffer is not a string')
    local z = zero()
    local n = #buffer
    if n > NBYTES then n = NBYTES end
    for b = 1, n do
      local i = (b - 1) // WBYTES + 1
      z[i] = z[i] | (string_byte(buffer, b) << (((b - 1) % WBYTES) * 8))
    end
    return z
  end

  --- From big-endian bytes; longer buffers keep their last bytes.
  function bint.frombe(buffer)
    assert(type(buffer) == 'string', 'buffer is not a string')
    if #buffer > NBYTES then
      buffer = buffer:sub(-NBYTES)
    end
    return bint.fromle(buffer:reverse())
  end

  --- A new bint from a bint (copied), a number or a string; raises when the
  -- value is not an integer representable this way.
  function bint.new(x)
    if isbint(x) then
      return copy(x)
    end
    local t = type(x)
    local z
    if t == 'number' then
      z = bint.frominteger(x)
    elseif t == 'string' then
      z = fromstring(x)
    end
    if not z then
      error('value cannot be represented by a bint', 0)
    end
    return z
  end
  local new = bint.new

  --- Like new but returns nil instead of raising; bints are returned as they
  -- are unless `clone` is true.
  function bint.tobint(x, clone)
    if isbint(x) then
      if clone then return copy(x) end
      return x
    end
    local t = type(x)
    if t == 'number' then
      return bint.frominteger(x)
    elseif t == 'string' then
      return fromstring(x)
    end
    return nil
  end
  tobint = bint.tobint

  --- A bint when possible, else a Lua number (tonumber), else nil.
  function bint.parse(x, clone)
    local z = tobint(x, clone)
    if z then return z end
    return tonumber(x)
  end

  -- tobint that raises, with lua-bint's message.
  local function convert(x)
    local z = tobint(x)
    if not z then
      error('value has not integer representation', 0)
    end
    return z
  end

  -- The low 64 bits as a Lua integer.
  local function low64(x)
    local n = 0
    for i = 1, N do
      local shift = W * (i - 1)
      if shift >= 64 then break end
      n = n | (x[i] << shift)
    end
    return n
  end

  --- To a Lua integer, reading the low 64 bits as unsigned (wraps).
  function bint.touinteger(x)
    if isbint(x) then return low64(x) end
    return luainteger(x)
  end

  --- To a Lua integer keeping the sign; wraps when out of the 64-bit range.
  function bint.tointeger(x)
    if isbint(x) then
      if negative(x) then
        return -low64(negate(x))
      end
      return low64(x)
    end
    return luainteger(x)
  end
  local tointeger = bint.tointeger

  local function assert_tointeger(x)
    local n = tointeger(x)
    if not n then
      error('value has no integer representation', 0)
    end
    return n
  end

  local BMAXI, BMINI -- math.maxinteger / math.mininteger as bints (set below)

  local function fitsinteger(x)
    return sle(x, BMAXI) and sle(BMINI, x)
  end

  --- To a Lua number: an integer when it fits in 64 bits, else a float.
  function bint.tonumber(x)
    if isbint(x) then
      if fitsinteger(x) then
        return tointeger(x)
      end
      return tonumber(bint.tobase(x, 10))
    end
    return tonumber(x)
  end
  local tonum = bint.tonumber

  --- To a string in `base` (2..36, default 10). `unsigned` defaults to false in
  -- base 10 and true otherwise; a signed negative value gets a '-' prefix.
  -- nil when x is not an integer or the base is invalid.
  function bint.tobase(x, base, unsigned)
    x = tobint(x)
    if not x then return nil end
    base = base or 10
    if math_type(base) ~= 'integer' then base = luainteger(base) end
    if not base or base < 2 or base > 36 then return nil end
    if unsigned == nil then
      unsigned = base ~= 10
    end
    local neg = (not unsigned) and negative(x)
    if base == 10 and not unsigned and fitsinteger(x) then
      return tostring(tointeger(x))  -- the common case, and much faster
    end
    local mag = neg and negate(x) or copy(x)
    if iszero(mag) then return '0' end
    local k, chunkpow = chunkdigits(base, SMALL_LIMIT)
    local chunks = {}
    while not iszero(mag) do
      chunks[#chunks + 1] = divmod_small(mag, chunkpow)
    end
    -- Most significant chunk unpadded, the rest padded to k digits.
    local out = {}
    for c = #chunks, 1, -1 do
      local v = chunks[c]
      local digits = {}
      for d = k, 1, -1 do
        local r = v % base
        digits[d] = DIGITS:sub(r + 1, r + 1)
        v = v // base
      end
      local s = table_concat(digits)
      if c == #chunks then
        s = s:gsub('^0+', '')
      end
      out[#out + 1] = s
    end
    local s = table_concat(out)
    if neg then s = '-' .. s end
    return s
  end

  --- Little-endian bytes (bits // 8 of them); `trim` drops high zero bytes.
  function bint.tole(x, trim)
    x = convert(x)
    local bytes = {}
    for b = 1, NBYTES do
      local i = (b - 1) // WBYTES + 1
      bytes[b] = string_char((x[i] >> (((b - 1) % WBYTES) * 8)) & 0xff)
    end
    local s = table_concat(bytes)
    if trim then
      s = s:gsub('\0+$', '')
      if s == '' then s = '\0' end
    end
    return s
  end

  --- Big-endian bytes; `trim` drops leading zero bytes.
  function bint.tobe(x, trim)
    local s = bint.tole(x, false):reverse()
    if trim then
      s = s:gsub('^\0+', '')
      if s == '' then s = '\0' end
    end
    return s
  end

  ---------------------------------------------------------------- predicates

  function bint.iszero(x)
    if isbint(x) then return iszero(x) end
    return x == 0
  end

  function bint.isone(x)
    if isbint(x) then
      if x[1] ~= 1 then return false end
      for i = 2, N do
        if x[i] ~= 0 then return false end
      end
      return true
    end
    return x == 1
  end

  function bint.isminusone(x)
    if isbint(x) then
      for i = 1, N do
        if x[i] ~= MASK then return false end
      end
      return true
    end
    return x == -1
  end

  function bint.isbint(x)
    return isbint(x)
  end

  --- A bint or a Lua integer.
  function bint.isintegral(x)
    return isbint(x) or math_type(x) == 'integer'
  end

  --- A bint or any Lua number.
  function bint.isnumeric(x)
    return isbint(x) or type(x) == 'number'
  end

  --- 'bint', 'integer', 'float' or nil.
  function bint.type(x)
    if isbint(x) then return 'bint' end
    return math_type(x)
  end

  function bint.isneg(x)
    if isbint(x) then return negative(x) end
    return x < 0
  end

  function bint.ispos(x)
    if isbint(x) then
      return not negative(x) and not iszero(x)
    end
    return x > 0
  end

  function bint.iseven(x)
    if isbint(x) then return x[1] & 1 == 0 end
    return math_abs(x) % 2 == 0
  end

  function bint.isodd(x)
    if isbint(x) then return x[1] & 1 == 1 end
    return math_abs(x) % 2 == 1
  end

  function bint.maxinteger()
    local z = raw()
    for i = 1, N - 1 do z[i] = MASK end
    z[N] = MASK ~ SIGN
    return z
  end

  function bint.mininteger()
    local z = zero()
    z[N] = SIGN
    return z
  end

  ------------------------------------------------ in-place methods (x:_op())

  function bint:_shlone()
    for i = N, 2, -1 do
      self[i] = ((self[i] << 1) | (self[i - 1] >> (W - 1))) & MASK
    end
    self[1] = (self[1] << 1) & MASK
    return self
  end

  function bint:_shrone()
    for i = 1, N - 1 do
      self[i] = ((self[i] >> 1) | (self[i + 1] << (W - 1))) & MASK
    end
    self[N] = self[N] >> 1
    return self
  end

  --- Shift left by whole words (in place).
  function bint:_shlwords(n)
    if n >= N then
      for i = 1, N do self[i] = 0 end
      return self
    end
    for i = N, n + 1, -1 do self[i] = self[i - n] end
    for i = 1, n do self[i] = 0 end
    return self
  end

  --- Shift right by whole words (in place).
  function bint:_shrwords(n)
    if n >= N then
      for i = 1, N do self[i] = 0 end
      return self
    end
    for i = 1, N - n do self[i] = self[i + n] end
    for i = N - n + 1, N do self[i] = 0 end
    return self
  end

  function bint:_inc() return inc_into(self) end
  function bint:_dec() return dec_into(self) end

  function bint:_assign(y)
    y = convert(y)
    for i = 1, N do self[i] = y[i] end
    return self
  end

  function bint:_abs()
    if negative(self) then neg_into(self, self) end
    return self
  end

  function bint:_add(y) return add_into(self, self, convert(y)) end
  function bint:_sub(y) return sub_into(self, self, convert(y)) end

  function bint:_band(y)
    y = convert(y)
    for i = 1, N do self[i] = self[i] & y[i] end
    return self
  end

  function bint:_bor(y)
    y = convert(y)
    for i = 1, N do self[i] = self[i] | y[i] end
    return self
  end

  function bint:_bxor(y)
    y = convert(y)
    for i = 1, N do self[i] = self[i] ~ y[i] end
    return self
  end

  function bint:_bnot() return not_into(self, self) end
  function bint:_unm() return neg_into(self, self) end

  ------------------------------------------------------- functions on values

  --- x + 1 (a new bint for integers, a number for floats).
  function bint.inc(x)
    local z = tobint(x, true)
    if z then return inc_into(z) end
    return x + 1
  end

  function bint.dec(x)
    local z = tobint(x, true)
    if z then return dec_into(z) end
    return x - 1
  end

  function bint.abs(x)
    local z = tobint(x, true)
    if z then
      if negative(z) then neg_into(z, z) end
      return z
    end
    return math_abs(x)
  end
  local abs = bint.abs

  function bint.floor(x)
    if isbint(x) then return copy(x) end
    return new(math_floor(tonumber(x)))
  end

  function bint.ceil(x)
    if isbint(x) then return copy(x) end
    return new(math_ceil(tonumber(x)))
  end

  --- Keeps the low y bits of x.
  function bint.bwrap(x, y)
    x = convert(x)
    if y <= 0 then
      return zero()
    elseif y < bits then
      -- y may itself be a bint: let << convert it.
      local m = dec_into(bint.one() << y)
      local z = copy(x)
      for i = 1, N do z[i] = z[i] & m[i] end
      return z
    end
    return copy(x)
  end

  --- Rotations, composed from shifts exactly as lua-bint defines them
  -- (so rotating by bits or more behaves as lua-bint does, too).
  function bint.brol(x, y)
    x, y = convert(x), assert_tointeger(y)
    if y > 0 then
      return (x << y) | (x >> (bits - y))
    elseif y < 0 and y ~= math_mininteger then
      return bint.bror(x, -y)
    end
    return copy(x)
  end

  function bint.bror(x, y)
    x, y = convert(x), assert_tointeger(y)
    if y > 0 then
      return (x >> y) | (x << (bits - y))
    elseif y < 0 and y ~= math_mininteger then
      return bint.brol(x, -y)
    end
    return copy(x)
  end

  --- A bint from a number with its fraction dropped; nil when impossible.
  function bint.trunc(x)
    if isbint(x) then return copy(x) end
    x = tonumber(x)
    if x then
      if math_type(x) == 'float' then
        x = math_modf(x)
      end
      return bint.frominteger(x)
    end
    return nil
  end

  function bint.max(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return copy(slt(a, b) and b or a)
    end
    return bint.parse(math_max(x, y))
  end

  function bint.min(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return copy(slt(b, a) and b or a)
    end
    return bint.parse(math_min(x, y))
  end

  function bint.eq(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      for i = 1, N do
        if a[i] ~= b[i] then return false end
      end
      return true
    end
    return x == y
  end

  --- Unsigned comparisons (raise when an operand is not an integer).
  function bint.ult(x, y)
    return ult(convert(x), convert(y))
  end

  function bint.ule(x, y)
    return ule(convert(x), convert(y))
  end

  --- Unsigned quotient and remainder (both bints).
  function bint.udivmod(x, y)
    return udivmod_core(new(x), convert(y))
  end

  function bint.udiv(x, y)
    return (udivmod_core(new(x), convert(y)))
  end

  function bint.umod(x, y)
    local _, r = udivmod_core(new(x), convert(y))
    return r
  end
  local umod = bint.umod

  --- Division truncating towards zero; the remainder takes the dividend's sign.
  function bint.tdivmod(x, y)
    local ax, ay = abs(x), abs(y)
    local ix, iy = tobint(ax), tobint(ay)
    local q, r
    if ix and iy then
      assert(not (bint.eq(x, bint.mininteger()) and bint.isminusone(y)), 'division overflow')
      q, r = udivmod_core(ix, iy)
    else
      q, r = ax // ay, ax % ay
    end
    local xneg, yneg = bint.isneg(x), bint.isneg(y)
    if xneg ~= yneg then q = -q end
    if xneg then r = -r end
    return q, r
  end

  function bint.tdiv(x, y)
    return (bint.tdivmod(x, y))
  end

  function bint.tmod(x, y)
    local _, r = bint.tdivmod(x, y)
    return r
  end

  -- Floor division of two bints. Also returns the raw remainder of the
  -- magnitudes, which is what lua-bint's __idiv returns second.
  local function floordiv(a, b)
    local aneg, bneg = negative(a), negative(b)
    local am = aneg and negate(a) or a
    local bm = bneg and negate(b) or b
    local q, r = udivmod_core(am, bm)
    if aneg ~= bneg then
      neg_into(q, q)
      if not iszero(r) then dec_into(q) end
    end
    return q, r, am, bm, aneg, bneg
  end

  --- Floor division and modulo: q = floor(x / y), r = x - q*y (sign of y).
  function bint.idivmod(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      local q, r, _, bm, aneg, bneg = floordiv(a, b)
      if aneg ~= bneg then
        if not iszero(r) then
          r = sub_into(r, bm, r)        -- |y| - r
          if bneg then neg_into(r, r) end
        end
      elseif aneg then
        neg_into(r, r)
      end
      return q, r
    end
    local nx, ny = tonum(x), tonum(y)
    return nx // ny, nx % ny
  end

  ---------------------------------------------------------------- metamethods

  function bint.__add(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return add_into(raw(), a, b) end
    return tonum(x) + tonum(y)
  end

  function bint.__sub(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return sub_into(raw(), a, b) end
    return tonum(x) - tonum(y)
  end

  function bint.__mul(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return mul(a, b) end
    return tonum(x) * tonum(y)
  end

  function bint.__idiv(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      local q, r = floordiv(a, b)
      return q, r
    end
    return tonum(x) // tonum(y)
  end

  --- `/` is float division, as for Lua integers.
  function bint.__div(x, y)
    return tonum(x) / tonum(y)
  end

  function bint.__mod(x, y)
    local _, r = bint.idivmod(x, y)
    return r
  end

  --- Integer power modulo 2^bits; a negative exponent is read as unsigned.
  function bint.ipow(x, y)
    y = convert(y)
    if iszero(y) then
      return bint.one()
    elseif bint.isone(y) then
      return new(x)
    end
    local base = new(x)
    local e = copy(y)
    local result = bint.one()
    while not iszero(e) do
      if e[1] & 1 == 1 then
        result = mul(result, base)
      end
      e:_shrone()
      if not iszero(e) then
        base = mul(base, base)
      end
    end
    return result
  end

  --- (x ^ y) mod m on unsigned values. Like lua-bint, the products are taken
  -- modulo 2^bits before reduction, so m should fit in half the bits.
  function bint.upowmod(x, y, m)
    m = convert(m)
    if bint.isone(m) then
      return zero()
    end
    local base, e = new(x), new(y)
    local result = bint.one()
    base = umod(base, m)
    while not iszero(e) do
      if e[1] & 1 == 1 then
        result = umod(mul(result, base), m)
      end
      e:_shrone()
      base = umod(mul(base, base), m)
    end
    return result
  end

  --- `^` is float power, as for Lua integers; use bint.ipow for integers.
  function bint.__pow(x, y)
    return tonum(x) ^ tonum(y)
  end

  function bint.__shl(x, y)
    x, y = new(x), assert_tointeger(y)
    if y == math_mininteger or math_abs(y) >= bits then
      return zero()
    end
    if y < 0 then return shr_bits(x, -y) end
    return shl_bits(x, y)
  end

  function bint.__shr(x, y)
    x, y = new(x), assert_tointeger(y)
    if y == math_mininteger or math_abs(y) >= bits then
      return zero()
    end
    if y < 0 then return shl_bits(x, -y) end
    return shr_bits(x, y)
  end

  function bint.__band(x, y) return new(x):_band(y) end
  function bint.__bor(x, y) return new(x):_bor(y) end
  function bint.__bxor(x, y) return new(x):_bxor(y) end

  function bint.__bnot(x)
    return not_into(raw(), x)
  end

  function bint.__unm(x)
    return negate(x)
  end

  --- Only called by Lua when both operands are tables: compares the words.
  function bint.__eq(x, y)
    for i = 1, N do
      if x[i] ~= y[i] then return false end
    end
    return true
  end

  function bint.__lt(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return slt(a, b) end
    return tonum(x) < tonum(y)
  end

  function bint.__le(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then return sle(a, b) end
    return tonum(x) <= tonum(y)
  end

  function bint.__tostring(x)
    return bint.tobase(x, 10)
  end

  -- bint(x) is bint.new(x).
  setmetatable(bint, {
    __call = function(_, x)
      return new(x)
    end,
  })

  BMAXI = from_signed(math_maxinteger)
  BMINI = from_signed(math_mininteger)

  memo[memokey] = bint
  return bint
end

return newmodule
