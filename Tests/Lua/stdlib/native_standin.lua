--[[
  TEST-ONLY stand-in for the host module "starlane.native".

  In a real process the host provides sha256/sha1/md5 natively (C, OpenSSL).
  Under plain lua5.4 the tests need the same functions, so this file gives slow
  pure-Lua versions (FIPS 180-4 and RFC 1321). It is never shipped in the
  Prelude. Each returns the raw digest as a binary string.
]]

local M32 = 0xFFFFFFFF

local function rotr(x, n)
  return ((x >> n) | (x << (32 - n))) & M32
end

local function rotl(x, n)
  return ((x << n) | (x >> (32 - n))) & M32
end

-- Message padding shared by the three: 0x80, zeros, then the bit length in 8
-- bytes (big-endian for SHA, little-endian for MD5).
local function pad(msg, bigEndian)
  local bitlen = #msg * 8
  local zeros = (55 - #msg) % 64
  local len = string.pack(bigEndian and ">I8" or "<I8", bitlen)
  return msg .. "\128" .. string.rep("\0", zeros) .. len
end

-- The SHA-256 constants, derived rather than typed in: the first 32 fraction
-- bits of the square roots (initial hash) and cube roots (round constants) of
-- the first primes. Doubles carry enough precision for 32 bits here; the test
-- vectors in test_crypto.lua confirm the result.
local function primes(count)
  local list, n = {}, 2
  while #list < count do
    local prime = true
    for _, p in ipairs(list) do
      if p * p > n then break end
      if n % p == 0 then prime = false break end
    end
    if prime then list[#list + 1] = n end
    n = n + 1
  end
  return list
end

local function fractionBits(x)
  return math.floor((x - math.floor(x)) * 2 ^ 32) & M32
end

local SHA256_K, SHA256_H = {}, {}
do
  local p = primes(64)
  for i = 1, 64 do SHA256_K[i] = fractionBits(p[i] ^ (1 / 3)) end
  for i = 1, 8 do SHA256_H[i] = fractionBits(math.sqrt(p[i])) end
end

local function sha256(msg)
  msg = pad(msg, true)
  local h = { table.unpack(SHA256_H) }
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 1, 16 do
      w[i] = string.unpack(">I4", msg, chunk + (i - 1) * 4)
    end
    for i = 17, 64 do
      local a, b = w[i - 15], w[i - 2]
      local s0 = rotr(a, 7) ~ rotr(a, 18) ~ (a >> 3)
      local s1 = rotr(b, 17) ~ rotr(b, 19) ~ (b >> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M32
    end
    local a, b, c, d, e, f, g, hh = table.unpack(h)
    for i = 1, 64 do
      local S1 = rotr(e, 6) ~ rotr(e, 11) ~ rotr(e, 25)
      local ch = (e & f) ~ ((~e) & g)
      local t1 = (hh + S1 + ch + SHA256_K[i] + w[i]) & M32
      local S0 = rotr(a, 2) ~ rotr(a, 13) ~ rotr(a, 22)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      local t2 = (S0 + maj) & M32
      hh, g, f, e, d, c, b, a = g, f, e, (d + t1) & M32, c, b, a, (t1 + t2) & M32
    end
    local v = { a, b, c, d, e, f, g, hh }
    for i = 1, 8 do h[i] = (h[i] + v[i]) & M32 end
  end
  return string.pack(">I4I4I4I4I4I4I4I4", table.unpack(h))
end

local function sha1(msg)
  msg = pad(msg, true)
  local h = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 }
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 1, 16 do
      w[i] = string.unpack(">I4", msg, chunk + (i - 1) * 4)
    end
    for i = 17, 80 do
      w[i] = rotl(w[i - 3] ~ w[i - 8] ~ w[i - 14] ~ w[i - 16], 1)
    end
    local a, b, c, d, e = table.unpack(h)
    for i = 1, 80 do
      local f, k
      if i <= 20 then
        f, k = (b & c) | ((~b) & d), 0x5A827999
      elseif i <= 40 then
        f, k = b ~ c ~ d, 0x6ED9EBA1
      elseif i <= 60 then
        f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
      else
        f, k = b ~ c ~ d, 0xCA62C1D6
      end
      local t = (rotl(a, 5) + (f & M32) + e + k + w[i]) & M32
      a, b, c, d, e = t, a, rotl(b, 30), c, d
    end
    local v = { a, b, c, d, e }
    for i = 1, 5 do h[i] = (h[i] + v[i]) & M32 end
  end
  return string.pack(">I4I4I4I4I4", table.unpack(h))
end

local MD5_S = {
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
}
local MD5_K = {}
for i = 1, 64 do
  MD5_K[i] = math.floor(math.abs(math.sin(i)) * 2 ^ 32) & M32
end

local function md5(msg)
  msg = pad(msg, false)
  local h = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476 }
  local m = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      m[i] = string.unpack("<I4", msg, chunk + i * 4)
    end
    local a, b, c, d = table.unpack(h)
    for i = 0, 63 do
      local f, g
      if i < 16 then
        f, g = (b & c) | ((~b) & d), i
      elseif i < 32 then
        f, g = (d & b) | ((~d) & c), (5 * i + 1) % 16
      elseif i < 48 then
        f, g = b ~ c ~ d, (3 * i + 5) % 16
      else
        f, g = c ~ (b | ((~d) & M32)), (7 * i) % 16
      end
      f = (f + a + MD5_K[i + 1] + m[g]) & M32
      a, d, c = d, c, b
      b = (b + rotl(f, MD5_S[i + 1])) & M32
    end
    h[1] = (h[1] + a) & M32
    h[2] = (h[2] + b) & M32
    h[3] = (h[3] + c) & M32
    h[4] = (h[4] + d) & M32
  end
  return string.pack("<I4I4I4I4", table.unpack(h))
end

return {
  sha256 = sha256,
  sha1 = sha1,
  md5 = md5,
  _testOnly = true,
}
