-- Tests for .crypto (and for the test-only native stand-in it runs on here).
-- Expected values were computed with Python's hashlib/hmac (OpenSSL).
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
H.file("test_crypto.lua")

local crypto = require(".crypto")
local native = require("starlane.native")

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local A55, A56, A64, A1000 = ("a"):rep(55), ("a"):rep(56), ("a"):rep(64), ("a"):rep(1000)
local ALLBYTES = {}
for i = 0, 255 do ALLBYTES[#ALLBYTES + 1] = string.char(i) end
ALLBYTES = table.concat(ALLBYTES)
local FOX = "The quick brown fox jumps over the lazy dog"

-- { message, md5, sha1, sha256 }
local VECTORS = {
  { "", "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { "abc", "900150983cd24fb0d6963f7d28e17f72", "a9993e364706816aba3e25717850c26c9cd0d89d",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
  { "ao", "adac5e63f80f8629e9573527b25891d3", "c29dd6c83b67a1d6d3b28588a1f068b68689aa1d",
    "2dd411308b37266d33c9246821adc5aa4002f0091f5e2aece1953789930ad924" },
  { FOX, "9e107d9d372bb6826bd81d3542a419d6", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592" },
  { A55, "ef1772b6dff9a122358552954ad0df65", "c1c8bbdc22796e28c0e15163d20899b65621d65a",
    "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
  { A56, "3b0c8ac703f828b04c6c197006d17218", "c2db330f6083854c99d4b5bfb6e8f29f201be699",
    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
  { A64, "014842d480b571495a4a0363793f7367", "0098ba824b5c16427bd7a1122a5a442a25ec644d",
    "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
  { A1000, "cabe45dcc9ae5b66ba86600cca6b8ba8", "291e9a6c66994949b57ba5e650361e98fc36b1ba",
    "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3" },
  { ALLBYTES, "e2c865db4162bed963bfaa9ef6ac18f0", "4916d6bdb7f78e6803698cab32d1586ea457dfc8",
    "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880" },
}

H.test("test-only native stand-in matches OpenSSL", function()
  for _, v in ipairs(VECTORS) do
    H.eq(hex(native.md5(v[1])), v[2], "md5 of " .. #v[1] .. " bytes")
    H.eq(hex(native.sha1(v[1])), v[3], "sha1 of " .. #v[1] .. " bytes")
    H.eq(hex(native.sha256(v[1])), v[4], "sha256 of " .. #v[1] .. " bytes")
  end
end)

H.test("digests over streams, as aos is called", function()
  local stream = crypto.utils.stream
  for _, v in ipairs(VECTORS) do
    H.eq(crypto.digest.md5(stream.fromString(v[1])).asHex(), v[2], "md5")
    H.eq(crypto.digest.sha1(stream.fromString(v[1])).asHex(), v[3], "sha1")
    H.eq(crypto.digest.sha2_256(stream.fromString(v[1])).asHex(), v[4], "sha2_256")
  end
end)

H.test("digest result views: asHex, asString, asBytes", function()
  local r = crypto.digest.sha2_256(crypto.utils.stream.fromString("abc"))
  H.eq(#r.asString(), 32, "raw length")
  H.eq(hex(r.asString()), r.asHex(), "asString is the raw digest")
  local bytes = r.asBytes()
  H.eq(#bytes, 32, "asBytes length")
  H.eq(bytes[1], 0xba, "first byte")
  H.eq(bytes[32], 0xad, "last byte")
  H.eq(crypto.digest.sha1(crypto.utils.stream.fromString("abc")).asBytes()[20], 0x9d)
end)

H.test("digests accept strings, byte arrays and hex streams too", function()
  H.eq(crypto.digest.sha256("abc").asHex(), VECTORS[2][4], "sha256 alias on a string")
  H.eq(crypto.digest.sha2_256({ 97, 98, 99 }).asHex(), VECTORS[2][4], "byte array")
  H.eq(crypto.digest.md5(crypto.utils.stream.fromHex("616263")).asHex(), VECTORS[2][2], "hex stream")
  H.eq(crypto.digest.sha1(crypto.utils.stream.fromArray({ 97, 111 })).asHex(), VECTORS[3][3], "array stream")
  H.raises(function() crypto.digest.sha1(42) end, "expected a stream")
end)

H.test("unprovided digests and ciphers raise a clear error", function()
  for _, name in ipairs({ "md2", "md4", "sha2_512", "sha3_256", "sha3_512", "keccak256", "keccak512", "blake2b" }) do
    H.ok(type(crypto.digest[name]) == "function", name .. " exists")
    H.raises(function() crypto.digest[name]("ao") end, "is not provided in Starlane", name)
  end
  H.raises(function() crypto.cipher.aes.encrypt("ao", "k") end, "not provided")
  H.raises(function() crypto.cipher.issac.random(1, 2) end, "not provided")
  H.raises(function() crypto.random(0, 10) end, "math.random")
end)

H.test("HMAC is RFC 2104", function()
  local data = crypto.utils.stream.fromString(FOX)
  local key = crypto.utils.array.fromString("key")
  H.eq(crypto.mac.createHmac(data, key, "sha256").asHex(),
    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", "hmac-sha256")
  H.eq(crypto.mac.createHmac(crypto.utils.stream.fromString(FOX), key).asHex(),
    "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9", "hmac-sha1 is the default")
  H.eq(crypto.mac.createHmac(FOX, "key", "md5").asHex(), "80070713463e7749b90c2dc24911e275", "hmac-md5")
  -- A key longer than the block is hashed first.
  H.eq(crypto.mac.createHmac("msg", ("k"):rep(100), "sha256").asHex(),
    "bd56a1782c2830e8abc6ed866a57a1230661e650b84c62f7ee3accc5fa5af491", "long key")
  H.raises(function() crypto.mac.createHmac("x", "k", "sha3") end, "Unsupported algorithm: sha3")
end)

H.test("PBKDF2 (RFC 6070 vectors), upper-case hex like aos", function()
  local arr = crypto.utils.array
  H.eq(crypto.kdf.pbkdf2(arr.fromString("password"), arr.fromString("salt"), 4, 16).asHex(),
    "C4C21BF2BBF61541408EC2A49C89B9C6", "aos's own example")
  H.eq(hex(crypto.kdf.pbkdf2("password", "salt", 1, 20).asString()),
    "0c60c80f961f0e71f3a9b524af6012062fe037a6", "c=1")
  H.eq(hex(crypto.kdf.pbkdf2("password", "salt", 4096, 20, "sha1").asString()),
    "4b007901b765489abead49d926f721d065a429c1", "c=4096")
  H.eq(hex(crypto.kdf.pbkdf2("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25).asString()),
    "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038", "multi-block sha1")
  H.eq(hex(crypto.kdf.pbkdf2("password", "salt", 2, 50, "sha256").asString()),
    "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43830651afcb5c862f0b249bd031f7a67520d1",
    "multi-block sha256")
  H.eq(#crypto.kdf.pbkdf2("p", "s", 1, 7).asBytes(), 7, "asBytes length")
end)

H.test("utils.stream", function()
  local stream = crypto.utils.stream
  H.eq(stream.toString(stream.fromString("ao")), "ao")
  H.eq(stream.toArray(stream.fromString("ao")), { 97, 111 })
  H.eq(stream.toArray(stream.fromArray({ 97, 111 })), { 97, 111 })
  H.eq(stream.toHex(stream.fromHex("616f")), "616F", "toHex is upper-case, as aos")
  H.eq(stream.toString(stream.fromHex("616F")), "ao")
  local s = stream.fromString("a")
  H.eq(s(), 97)
  H.eq(s(), nil)
  H.eq(s(), nil, "an ended stream stays ended")
  H.raises(function() stream.fromHex("61z") end, "invalid hex string")
end)

H.test("utils.hex", function()
  local h = crypto.utils.hex
  H.eq(h.stringToHex("ao"), "616f")
  H.eq(h.stringToHex(""), "")
  H.eq(h.stringToHex("abcd", 2, " "), "61 62\n63 64")
  H.eq(h.hexToString("616f"), "ao")
  H.eq(h.hexToString("61 6F\n"), "ao", "whitespace ignored")
  H.raises(function() h.hexToString("616") end, "invalid hex string")
end)

H.test("utils.array", function()
  local a = crypto.utils.array
  H.eq(a.fromString("ao"), { 97, 111 })
  H.eq(a.toString({ 97, 111 }), "ao")
  H.eq(a.size({ 1, 2, 3 }), 3)
  H.eq(a.fromHex("616f"), { 97, 111 })
  H.eq(a.toHex({ 97, 111, 255 }), "616FFF")
  H.eq(a.concat({ 1, 2 }, { 3 }), { 1, 2, 3 })
  H.eq(a.truncate({ 1, 2, 3 }, 2), { 1, 2 })
  H.eq(a.XOR({ 0x0f, 0xff }, { 0xf0, 0x0f }), { 0xff, 0xf0 })
  H.eq(a.substitute({ 1, 2 }, { 10, 20 }), { 10, 20 })
  H.eq(a.permute({ 10, 20, 30 }, { 3, 1 }), { 30, 10 })
  H.eq(a.copy({ 1, 2 }), { 1, 2 })
  H.eq(a.slice({ 1, 2, 3, 4 }, 2, 3), { 2, 3 })
  H.eq(a.slice({ 1, 2, 3, 4 }, -2), { 3, 4 })
  H.eq(a.fromStream(crypto.utils.stream.fromString("ao")), { 97, 111 })
  H.eq(crypto.utils.stream.toString(a.toStream({ 97, 111 })), "ao")
  local q = crypto.utils.queue()
  a.writeToQueue(q, { 5, 6, 7 })
  H.eq(a.readFromQueue(q, 2), { 5, 6 })
end)

H.test("utils.queue", function()
  local q = crypto.utils.queue()
  q.push(1)
  q.push(2)
  H.eq(q.pop(), 1)
  H.eq(q.size(), 1)
  H.eq(q.getHead(), 2)
  H.eq(q.getTail(), 1)
  q.reset()
  H.eq(q.size(), 0)
  H.eq(q.pop(), nil)
end)

H.test("utils.bit behaves as bit32", function()
  local b = crypto.utils.bit
  H.eq(b.band(0xF0F0, 0xFF00), 0xF000)
  H.eq(b.bor(1, 2, 4), 7)
  H.eq(b.bxor(0xFF, 0x0F), 0xF0)
  H.eq(b.bnot(0), 0xFFFFFFFF)
  H.eq(b.lshift(1, 31), 0x80000000)
  H.eq(b.lshift(1, 32), 0)
  H.eq(b.rshift(0x80000000, 31), 1)
  H.eq(b.arshift(0x80000000, 4), 0xF8000000)
  H.eq(b.arshift(0x40000000, 4), 0x04000000)
  H.eq(b.lrotate(0x80000001, 1), 0x00000003)
  H.eq(b.rrotate(0x00000003, 1), 0x80000001)
  H.eq(b.rol, b.lrotate)
  H.eq(b.extract(0xABCD, 4, 8), 0xBC)
  H.eq(b.replace(0xABCD, 0x0, 4, 8), 0xA00D)
  H.ok(b.btest(6, 2), "btest")
end)

H.test("module shape matches aos", function()
  for _, k in ipairs({ "digest", "utils", "cipher", "mac", "kdf", "random", "_version" }) do
    H.ok(crypto[k] ~= nil, "crypto." .. k)
  end
  for _, k in ipairs({ "bit", "queue", "stream", "hex", "array" }) do
    H.ok(crypto.utils[k] ~= nil, "crypto.utils." .. k)
  end
  H.eq(type(crypto.mac.createHmac), "function")
  H.eq(type(crypto.kdf.pbkdf2), "function")
end)

H.done()
