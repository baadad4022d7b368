--[==[
  .base64 -- RFC 4648 base64, API-compatible with the module aos ships:

      base64.encode(str [, encoder [, usecaching]])  -> padded text
      base64.decode(b64 [, decoder [, usecaching]])  -> bytes
      base64.makeencoder([c62 [, c63 [, pad]]])      -> encoder table
      base64.makedecoder([c62 [, c63 [, pad]]])      -> decoder table

  An encoder maps the codes 0..63 (and 64 = padding) to character bytes; a
  decoder maps character bytes back to codes. makeencoder('-', '_') gives the
  URL-safe alphabet. `usecaching` is accepted and ignored.

  Differences from aos: decode skips whitespace but raises on any other
  character outside the alphabet, on padding anywhere but the end and on
  impossible lengths (aos drops unknown characters silently, then fails or
  returns garbage); unpadded input is accepted.
]==]

local base64 = {}

local string_byte = string.byte
local string_char = string.char
local table_concat = table.concat
local type = type
local error = error

local STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

function base64.makeencoder(s62, s63, spad)
  local encoder = {}
  for i = 1, #STANDARD do
    encoder[i - 1] = string_byte(STANDARD, i)
  end
  encoder[62] = string_byte(s62 or "+")
  encoder[63] = string_byte(s63 or "/")
  encoder[64] = string_byte(spad or "=")
  return encoder
end

function base64.makedecoder(s62, s63, spad)
  local decoder = {}
  local encoder = base64.makeencoder(s62, s63, spad)
  for code = 0, 64 do
    decoder[encoder[code]] = code
  end
  return decoder
end

local DEFAULT_ENCODER = base64.makeencoder()
local DEFAULT_DECODER = base64.makedecoder()

-- Output is built in pieces of this many groups to keep the temporary table
-- small for large inputs.
local GROUPS_PER_PIECE = 1024

function base64.encode(str, encoder, usecaching) -- luacheck: ignore usecaching
  if type(str) ~= "string" then
    error("base64.encode expects a string, got " .. type(str), 2)
  end
  encoder = encoder or DEFAULT_ENCODER
  local n = #str
  local full = n - n % 3
  local pieces, piece, k = {}, {}, 0
  for i = 1, full, 3 do
    local a, b, c = string_byte(str, i, i + 2)
    local v = (a << 16) | (b << 8) | c
    k = k + 1
    piece[k] = string_char(encoder[v >> 18], encoder[(v >> 12) & 63],
      encoder[(v >> 6) & 63], encoder[v & 63])
    if k == GROUPS_PER_PIECE then
      pieces[#pieces + 1] = table_concat(piece)
      piece, k = {}, 0
    end
  end
  local rest = n - full
  if rest == 1 then
    local v = string_byte(str, n) << 16
    k = k + 1
    piece[k] = string_char(encoder[v >> 18], encoder[(v >> 12) & 63], encoder[64], encoder[64])
  elseif rest == 2 then
    local a, b = string_byte(str, n - 1, n)
    local v = (a << 16) | (b << 8)
    k = k + 1
    piece[k] = string_char(encoder[v >> 18], encoder[(v >> 12) & 63],
      encoder[(v >> 6) & 63], encoder[64])
  end
  pieces[#pieces + 1] = table_concat(piece, "", 1, k)
  return table_concat(pieces)
end

local WHITESPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }

local function invalid(position, why)
  error(("base64.decode: %s at position %d"):format(why, position), 3)
end

function base64.decode(b64, decoder, usecaching) -- luacheck: ignore usecaching
  if type(b64) ~= "string" then
    error("base64.decode expects a string, got " .. type(b64), 2)
  end
  decoder = decoder or DEFAULT_DECODER

  -- One pass, decoding each group of four codes as it completes, so a large
  -- input costs no more memory than its output.
  local pieces, out, k = {}, {}, 0
  local acc, have, count, pads = 0, 0, 0, 0
  for i = 1, #b64 do
    local byte = string_byte(b64, i)
    local code = decoder[byte]
    if code == nil then
      if not WHITESPACE[byte] then
        local shown = (byte >= 32 and byte < 127) and ("'" .. string_char(byte) .. "'")
          or ("byte " .. byte)
        invalid(i, "invalid character " .. shown)
      end
    elseif code == 64 then
      pads = pads + 1
      if pads > 2 then invalid(i, "too much padding") end
    else
      if pads > 0 then invalid(i, "data after padding") end
      count = count + 1
      acc = (acc << 6) | code
      have = have + 1
      if have == 4 then
        k = k + 1
        out[k] = string_char(acc >> 16, (acc >> 8) & 255, acc & 255)
        acc, have = 0, 0
        if k == GROUPS_PER_PIECE then
          pieces[#pieces + 1] = table_concat(out)
          out, k = {}, 0
        end
      end
    end
  end

  if have == 1 then
    error("base64.decode: invalid length (" .. count .. " data characters)", 2)
  end
  if pads > 0 and (count + pads) % 4 ~= 0 then
    error("base64.decode: padding does not complete the last group", 2)
  end
  -- A partial last group of 2 or 3 codes carries 1 or 2 bytes.
  if have == 2 then
    k = k + 1
    out[k] = string_char(acc >> 4)
  elseif have == 3 then
    k = k + 1
    out[k] = string_char(acc >> 10, (acc >> 2) & 255)
  end
  pieces[#pieces + 1] = table_concat(out, "", 1, k)
  return table_concat(pieces)
end

return base64
