-- Tests for .base64 (RFC 4648 vectors, custom alphabets, errors).
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
H.file("test_base64.lua")

local base64 = require(".base64")

local RFC = {
  { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
  { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
}

H.test("RFC 4648 test vectors", function()
  for _, v in ipairs(RFC) do
    H.eq(base64.encode(v[1]), v[2], "encode " .. v[1])
    H.eq(base64.decode(v[2]), v[1], "decode " .. v[2])
  end
end)

H.test("all byte values round trip, at every length", function()
  local all = {}
  for i = 0, 255 do all[#all + 1] = string.char(i) end
  all = table.concat(all)
  H.eq(base64.encode(all):sub(1, 40), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd")
  for n = 0, 256 do
    local s = all:sub(1, n)
    H.eq(base64.decode(base64.encode(s)), s, "length " .. n)
  end
  H.eq(base64.encode("\251\255\254"), "+//+", "the two last alphabet characters")
end)

H.test("large inputs", function()
  local s = string.rep("Starlane\0\255", 50000)
  local e = base64.encode(s)
  H.eq(#e, 4 * math.ceil(#s / 3))
  H.eq(base64.decode(e), s)
end)

H.test("custom alphabets: URL-safe", function()
  local enc = base64.makeencoder("-", "_")
  local dec = base64.makedecoder("-", "_")
  H.eq(base64.encode("\251\255\254", enc), "-__-")
  H.eq(base64.decode("-__-", dec), "\251\255\254")
  H.eq(enc[0], string.byte("A"))
  H.eq(enc[64], string.byte("="))
  H.eq(dec[string.byte("_")], 63)
  local noPad = base64.makeencoder(nil, nil, ".")
  H.eq(base64.encode("f", noPad), "Zg..", "custom pad character")
  H.eq(base64.decode("Zg..", base64.makedecoder(nil, nil, ".")), "f")
end)

H.test("decoding is lenient on whitespace and missing padding", function()
  H.eq(base64.decode("Zm9v\nYmFy\r\n"), "foobar")
  H.eq(base64.decode(" Zm 9v "), "foo")
  H.eq(base64.decode("Zg"), "f", "unpadded, 2 characters")
  H.eq(base64.decode("Zm8"), "fo", "unpadded, 3 characters")
  H.eq(base64.decode("Zm9vYg"), "foob")
  H.eq(base64.encode("x", nil, true), "eA==", "usecaching is accepted")
end)

H.test("invalid input raises a clear error", function()
  H.raises(function() base64.decode("Zm9v!") end, "invalid character '!' at position 5")
  H.raises(function() base64.decode("Zm\0v") end, "invalid character byte 0")
  H.raises(function() base64.decode("Z") end, "invalid length")
  H.raises(function() base64.decode("Zm9vY") end, "invalid length")
  H.raises(function() base64.decode("Zg=a") end, "data after padding")
  H.raises(function() base64.decode("Zg===") end, "too much padding")
  H.raises(function() base64.decode("Zg=") end, "padding does not complete")
  H.raises(function() base64.decode("-__-") end, "invalid character '-'", "URL-safe text with the standard decoder")
  H.raises(function() base64.decode(42) end, "expects a string")
  H.raises(function() base64.encode(nil) end, "expects a string")
end)

H.done()
