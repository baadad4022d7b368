--[[
  .crypto -- digests, HMAC and PBKDF2 with the API shape of aos's `.crypto`
  (process/crypto/init.lua):

      local crypto = require('.crypto')
      local s = crypto.utils.stream.fromString("ao")
      crypto.digest.sha2_256(s).asHex()   -- also .asString(), .asBytes()

  The hashing itself is done natively by the host (`starlane.native`: sha256,
  sha1, md5, written in C over OpenSSL); this file only adapts inputs and
  outputs. Provided: digest.md5, digest.sha1, digest.sha2_256 (alias sha256),
  mac.createHmac (sha1, sha256, md5), kdf.pbkdf2 (sha1, sha256), and the
  utilities utils.stream / hex / array / queue / bit.

  Not provided (they raise a clear error when called): digest.md2, md4,
  sha2_512, sha3_256, sha3_512, keccak256, keccak512, blake2b; the ciphers
  (aes, issac, morus, norx) and crypto.random.

  Differences from aos: a digest also accepts a plain string or a byte array
  where aos requires a stream; createHmac is standard RFC 2104 HMAC (aos uses a
  32-byte block, so its values match no other implementation); stream.fromHex
  raises on malformed hex instead of ending the stream early.
]]

local native = require("starlane.native")

local type = type
local error = error
local select = select
local string_byte = string.byte
local string_char = string.char
local string_format = string.format
local string_rep = string.rep
local table_concat = table.concat
local table_unpack = table.unpack

-- string.char(table.unpack(...)) is limited by the C stack: go in slices.
local SLICE = 4096

local function bytesToString(array, count)
  count = count or #array
  local parts = {}
  for i = 1, count, SLICE do
    local j = i + SLICE - 1
    if j > count then j = count end
    parts[#parts + 1] = string_char(table_unpack(array, i, j))
  end
  return table_concat(parts)
end

local function stringToBytes(s)
  local bytes = {}
  for i = 1, #s, SLICE do
    local j = i + SLICE - 1
    if j > #s then j = #s end
    local chunk = { string_byte(s, i, j) }
    for k = 1, #chunk do
      bytes[i + k - 1] = chunk[k]
    end
  end
  return bytes
end

local function toHex(s, upper)
  local fmt = upper and "%02X" or "%02x"
  return (s:gsub(".", function(c) return string_format(fmt, string_byte(c)) end))
end

---------------------------------------------------------------- utils.queue

-- A FIFO as aos builds it: a table of closures push/pop/size/getHead/getTail/
-- reset. getHead is the number of items ever pushed since the last reset.
local function Queue()
  local items, head, tail = {}, 0, 0
  local q = {}
  function q.push(obj)
    items[head] = obj
    head = head + 1
  end
  function q.pop()
    if tail < head then
      local obj = items[tail]
      items[tail] = nil
      tail = tail + 1
      return obj
    end
    return nil
  end
  function q.size() return head - tail end
  function q.getHead() return head end
  function q.getTail() return tail end
  function q.reset()
    items, head, tail = {}, 0, 0
  end
  return q
end

---------------------------------------------------------------- utils.stream

-- A stream is a function returning the next byte (0..255) or nil at the end.
local Stream = {}

function Stream.fromString(s)
  local i = 0
  return function()
    i = i + 1
    return string_byte(s, i)
  end
end

local function drain(stream)
  local bytes, n = {}, 0
  local b = stream()
  while b ~= nil do
    n = n + 1
    bytes[n] = b
    b = stream()
  end
  return bytes, n
end

function Stream.toString(stream)
  local bytes, n = drain(stream)
  return bytesToString(bytes, n)
end

-- Copies the array now (up to its first nil), as aos does through a queue.
function Stream.fromArray(array)
  local copy, n = {}, 0
  while array[n + 1] ~= nil do
    n = n + 1
    copy[n] = array[n]
  end
  local i = 0
  return function()
    if i < n then
      i = i + 1
      return copy[i]
    end
    return nil
  end
end

function Stream.toArray(stream)
  return (drain(stream))
end

local function hexToBytes(hex)
  if type(hex) ~= "string" or #hex % 2 ~= 0 or hex:find("[^0-9A-Fa-f]") then
    error("invalid hex string", 3)
  end
  local bytes = {}
  for i = 1, #hex, 2 do
    bytes[#bytes + 1] = tonumber(hex:sub(i, i + 1), 16)
  end
  return bytes
end

function Stream.fromHex(hex)
  return Stream.fromArray(hexToBytes(hex))
end

--- Upper-case hex, as aos.
function Stream.toHex(stream)
  return toHex(Stream.toString(stream), true)
end

---------------------------------------------------------------- utils.hex

local Hex = {}

--- Lower-case hex of a string; with `ln`, a newline after every ln bytes and
-- `sep` between the others.
function Hex.stringToHex(s, ln, sep)
  if #s == 0 then return "" end
  if not ln then
    return toHex(s, false)
  end
  sep = sep or ""
  local out = {}
  for i = 1, #s - 1 do
    out[#out + 1] = string_format("%02x", string_byte(s, i)) .. ((i % ln == 0) and "\n" or sep)
  end
  out[#out + 1] = string_format("%02x", string_byte(s, #s))
  return table_concat(out)
end

--- Bytes from hex; whitespace is ignored unless `unsafe` (which also skips
-- validation, reading only well-formed pairs).
function Hex.hexToString(hs, unsafe)
  if not unsafe then
    hs = hs:gsub("%s+", "")
    if hs:find("[^0-9A-Za-z]") or #hs % 2 ~= 0 then
      error("invalid hex string", 2)
    end
  end
  return (hs:gsub("(%x%x)", function(pair) return string_char(tonumber(pair, 16)) end))
end

---------------------------------------------------------------- utils.array

-- Byte arrays: 1-based tables of integers 0..255.
local Array = {}

function Array.size(array) return #array end

function Array.fromString(s) return stringToBytes(s) end

function Array.toString(bytes)
  local n = 0
  while bytes[n + 1] ~= nil do n = n + 1 end
  return bytesToString(bytes, n)
end

function Array.fromStream(stream) return (drain(stream)) end

function Array.readFromQueue(queue, size)
  local array = {}
  for i = 1, size do array[i] = queue.pop() end
  return array
end

function Array.writeToQueue(queue, array)
  for i = 1, #array do queue.push(array[i]) end
end

function Array.toStream(array) return Stream.fromArray(array) end

function Array.fromHex(hex) return hexToBytes(hex) end

--- Upper-case hex, as aos.
function Array.toHex(array) return toHex(Array.toString(array), true) end

function Array.concat(a, b)
  local out, n = {}, 0
  local i = 1
  while a[i] ~= nil do
    n = n + 1; out[n] = a[i]; i = i + 1
  end
  i = 1
  while b[i] ~= nil do
    n = n + 1; out[n] = b[i]; i = i + 1
  end
  return out
end

function Array.truncate(a, newSize)
  local out = {}
  for i = 1, newSize do out[i] = a[i] end
  return out
end

function Array.XOR(a, b)
  local out = {}
  for k, v in pairs(a) do out[k] = v ~ b[k] end
  return out
end

--- out[k] = sbox[input[k]]
function Array.substitute(input, sbox)
  local out = {}
  for k, v in pairs(input) do out[k] = sbox[v] end
  return out
end

--- out[k] = input[pbox[k]]
function Array.permute(input, pbox)
  local out = {}
  for k, v in pairs(pbox) do out[k] = input[v] end
  return out
end

function Array.copy(input)
  local out = {}
  for k, v in pairs(input) do out[k] = v end
  return out
end

--- Items start..stop (negative indexes count from the end).
function Array.slice(input, start, stop)
  local n = #input
  if start == nil then start = 1 elseif start < 0 then start = n + start + 1 end
  if stop == nil then stop = n elseif stop < 0 then stop = n + stop + 1 end
  local out = {}
  for i = start, stop do out[#out + 1] = input[i] end
  return out
end

---------------------------------------------------------------- utils.bit

-- bit32-style operations on unsigned 32-bit values, which is what aos's
-- crypto code expects from its `bit` module.
local M32 = 0xFFFFFFFF
local Bit = {}

local function fold(op, ...)
  local n = select("#", ...)
  local acc = (op == "band") and M32 or 0
  for i = 1, n do
    local v = (select(i, ...)) & M32
    if op == "band" then acc = acc & v
    elseif op == "bor" then acc = acc | v
    else acc = acc ~ v end
  end
  return acc
end

function Bit.band(...) return fold("band", ...) end
function Bit.bor(...) return fold("bor", ...) end
function Bit.bxor(...) return fold("bxor", ...) end
function Bit.bnot(x) return (~x) & M32 end
function Bit.btest(...) return fold("band", ...) ~= 0 end

function Bit.lshift(x, n)
  if n < 0 then return Bit.rshift(x, -n) end
  if n >= 32 then return 0 end
  return (x << n) & M32
end

function Bit.rshift(x, n)
  if n < 0 then return Bit.lshift(x, -n) end
  if n >= 32 then return 0 end
  return (x & M32) >> n
end

function Bit.arshift(x, n)
  x = x & M32
  if x & 0x80000000 == 0 then return Bit.rshift(x, n) end
  if n >= 32 then return M32 end
  if n <= 0 then return Bit.lshift(x, -n) end
  return ((x >> n) | (M32 << (32 - n))) & M32
end

function Bit.lrotate(x, n)
  n = n % 32
  x = x & M32
  return ((x << n) | (x >> (32 - n))) & M32
end

function Bit.rrotate(x, n) return Bit.lrotate(x, -n) end
Bit.rol = Bit.lrotate
Bit.ror = Bit.rrotate

function Bit.extract(x, field, width)
  width = width or 1
  return ((x & M32) >> field) & ((1 << width) - 1)
end

function Bit.replace(x, v, field, width)
  width = width or 1
  local mask = ((1 << width) - 1) << field
  return ((x & M32 & ~mask) | ((v << field) & mask)) & M32
end

---------------------------------------------------------------- digests

-- What aos digests return: three views of the same raw digest.
local function result(raw, upperHex)
  return {
    asString = function() return raw end,
    asHex = function() return toHex(raw, upperHex) end,
    asBytes = function() return stringToBytes(raw) end,
  }
end

-- A message as bytes: a stream (aos's form), a string or a byte array.
local function message(input, who)
  local t = type(input)
  if t == "string" then
    return input
  elseif t == "function" then
    return Stream.toString(input)
  elseif t == "table" then
    return Array.toString(input)
  end
  error(who .. ": expected a stream, string or byte array, got " .. t, 3)
end

local HASHES = {
  md5 = { fn = native.md5, block = 64 },
  sha1 = { fn = native.sha1, block = 64 },
  sha256 = { fn = native.sha256, block = 64 },
}

local function notProvided(name, hint)
  return function()
    error(name .. " is not provided in Starlane" .. (hint or ""), 2)
  end
end

local DIGEST_HINT = " (available digests: md5, sha1, sha2_256)"

local digest = {
  _version = "0.0.1",
  md5 = function(stream) return result(native.md5(message(stream, "digest.md5"))) end,
  sha1 = function(stream) return result(native.sha1(message(stream, "digest.sha1"))) end,
  sha2_256 = function(stream) return result(native.sha256(message(stream, "digest.sha2_256"))) end,
  md2 = notProvided("crypto.digest.md2", DIGEST_HINT),
  md4 = notProvided("crypto.digest.md4", DIGEST_HINT),
  sha2_512 = notProvided("crypto.digest.sha2_512", DIGEST_HINT),
  sha3_256 = notProvided("crypto.digest.sha3_256", DIGEST_HINT),
  sha3_512 = notProvided("crypto.digest.sha3_512", DIGEST_HINT),
  keccak256 = notProvided("crypto.digest.keccak256", DIGEST_HINT),
  keccak512 = notProvided("crypto.digest.keccak512", DIGEST_HINT),
  blake2b = notProvided("crypto.digest.blake2b", DIGEST_HINT),
}
digest.sha256 = digest.sha2_256

---------------------------------------------------------------- mac / kdf

local function pickHash(name, default)
  name = name or default
  local h = HASHES[name == "sha2_256" and "sha256" or name]
  if not h then
    error("Unsupported algorithm: " .. tostring(name), 3)
  end
  return h
end

-- RFC 2104: H((K ^ opad) .. H((K ^ ipad) .. message)).
local function hmacRaw(h, key, msg)
  if #key > h.block then
    key = h.fn(key)
  end
  key = key .. string_rep("\0", h.block - #key)
  local inner, outer = {}, {}
  for i = 1, h.block do
    local b = string_byte(key, i)
    inner[i] = b ~ 0x36
    outer[i] = b ~ 0x5c
  end
  local ipad, opad = string_char(table_unpack(inner)), string_char(table_unpack(outer))
  return h.fn(opad .. h.fn(ipad .. msg))
end

local mac = { _version = "0.0.1" }

--- createHmac(data, key [, algorithm]): data a stream (or string / byte array),
-- key a byte array (or string), algorithm "sha1" (default), "sha256" or "md5".
function mac.createHmac(data, key, algorithm)
  local h = pickHash(algorithm, "sha1")
  return result(hmacRaw(h, message(key, "mac.createHmac key"), message(data, "mac.createHmac")))
end

local kdf = { _version = "0.0.1" }

--- pbkdf2(password, salt, iterations, keyLen [, digest]) per RFC 8018 with
-- HMAC-sha1 (default) or HMAC-sha256. password and salt are byte arrays (or
-- strings). As in aos, asHex() of the result is upper-case.
function kdf.pbkdf2(password, salt, iterations, keyLen, digestName)
  local h = pickHash(digestName, "sha1")
  password = message(password, "kdf.pbkdf2 password")
  salt = message(salt, "kdf.pbkdf2 salt")
  assert(type(iterations) == "number" and iterations >= 1, "iterations must be a positive number")
  assert(type(keyLen) == "number" and keyLen >= 0, "keyLen must be a non-negative number")
  local out, have = {}, 0
  local block = 0
  while have < keyLen do
    block = block + 1
    local u = hmacRaw(h, password, salt .. string.pack(">I4", block))
    local acc = { string_byte(u, 1, -1) }
    for _ = 2, iterations do
      u = hmacRaw(h, password, u)
      for i = 1, #acc do
        acc[i] = acc[i] ~ string_byte(u, i)
      end
    end
    local t = string_char(table_unpack(acc))
    out[#out + 1] = t
    have = have + #t
  end
  return result(table_concat(out):sub(1, keyLen), true)
end

---------------------------------------------------------------- the module

local cipherHint = " (ciphers are not available in Starlane processes)"
local cipher = {
  _version = "0.0.1",
  aes = {
    encrypt = notProvided("crypto.cipher.aes.encrypt", cipherHint),
    decrypt = notProvided("crypto.cipher.aes.decrypt", cipherHint),
  },
  issac = {
    encrypt = notProvided("crypto.cipher.issac.encrypt", cipherHint),
    decrypt = notProvided("crypto.cipher.issac.decrypt", cipherHint),
    random = notProvided("crypto.cipher.issac.random", cipherHint),
    getRandom = notProvided("crypto.cipher.issac.getRandom", cipherHint),
    getRandomChar = notProvided("crypto.cipher.issac.getRandomChar", cipherHint),
    seedIsaac = notProvided("crypto.cipher.issac.seedIsaac", cipherHint),
  },
  morus = {
    encrypt = notProvided("crypto.cipher.morus.encrypt", cipherHint),
    decrypt = notProvided("crypto.cipher.morus.decrypt", cipherHint),
  },
  norx = {
    encrypt = notProvided("crypto.cipher.norx.encrypt", cipherHint),
    decrypt = notProvided("crypto.cipher.norx.decrypt", cipherHint),
  },
}

local crypto = {
  _version = "0.0.1",
  digest = digest,
  utils = {
    _version = "0.0.1",
    bit = Bit,
    queue = Queue,
    stream = Stream,
    hex = Hex,
    array = Array,
  },
  cipher = cipher,
  random = notProvided("crypto.random",
    " (use math.random: it is seeded deterministically for every message)"),
  mac = mac,
  kdf = kdf,
}

return crypto
