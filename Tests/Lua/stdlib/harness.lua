--[[
  Test harness for the Prelude standard libraries under plain lua5.4.

  - Registers package.preload[".NAME"] for Sources/Cluster/Prelude/NAME.lua,
    as the host does, loading each module in an environment without io, os
    (except time/clock), debug, dofile, loadfile and print, so a module that
    leans on something a process lacks fails here too.
  - Registers "starlane.native" with the TEST-ONLY pure-Lua digests from
    native_standin.lua (the host's real one is C over OpenSSL).
  - Provides test/eq/ok/raises and a summary.

  Usage from a test file:
    local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
]]

if rawget(_G, "__STDLIB_HARNESS") then
  return _G.__STDLIB_HARNESS
end

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local prelude = here .. "../../../Sources/Cluster/Prelude/"

local H = { here = here, prelude = prelude, passed = 0, failed = 0, failures = {} }
_G.__STDLIB_HARNESS = H

-- What a process sees as globals (roughly): the standard library minus the
-- parts the sandbox removes.
local function processEnv()
  local env = {}
  for k, v in pairs(_G) do env[k] = v end
  env.debug, env.io, env.dofile, env.loadfile, env.print = nil, nil, nil, nil, nil
  env.__STDLIB_HARNESS = nil
  env.os = { time = os.time, clock = os.clock }
  env._G = env
  return env
end
H.processEnv = processEnv

local MODULES = { "match", "utils", "bint", "base64", "crypto", "pretty", "dump" }
for _, name in ipairs(MODULES) do
  package.preload["." .. name] = function(...)
    local chunk = assert(loadfile(prelude .. name .. ".lua", "t", processEnv()))
    return chunk(...)
  end
end

package.preload["starlane.native"] = function()
  return dofile(here .. "native_standin.lua") -- TEST-ONLY stand-in
end

---------------------------------------------------------------- assertions

local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" or depth > 3 then return tostring(v) end
  local mt = getmetatable(v)
  if mt and mt.__tostring then return "<" .. tostring(v) .. ">" end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
    return type(a) < type(b)
  end)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = "[" .. show(k, depth + 1) .. "]=" .. show(v[k], depth + 1)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
H.show = show

local function deepEqual(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then
    -- Same-valued NaNs and the like are not expected here.
    return false
  end
  for k, v in pairs(a) do
    if not deepEqual(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
H.deepEqual = deepEqual

function H.eq(actual, expected, what)
  if math.type(actual) ~= math.type(expected) and type(actual) == "number" and type(expected) == "number" then
    error(("%s: expected %s (%s), got %s (%s)"):format(what or "value", show(expected),
      math.type(expected), show(actual), math.type(actual)), 2)
  end
  if not deepEqual(actual, expected) then
    error(("%s: expected %s, got %s"):format(what or "value", show(expected), show(actual)), 2)
  end
end

function H.ok(cond, what)
  if not cond then
    error((what or "condition") .. " is false", 2)
  end
end

--- Expects fn to raise an error whose text contains `fragment` (plain).
function H.raises(fn, fragment, what)
  local ok, err = pcall(fn)
  if ok then
    error((what or "call") .. ": expected an error" ..
      (fragment and (" containing " .. show(fragment)) or ""), 2)
  end
  if fragment and not tostring(err):find(fragment, 1, true) then
    error(("%s: error %s does not contain %s"):format(what or "call", show(tostring(err)), show(fragment)), 2)
  end
  return err
end

local currentFile = "?"
function H.file(name)
  currentFile = name
end

function H.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    H.passed = H.passed + 1
  else
    H.failed = H.failed + 1
    H.failures[#H.failures + 1] = currentFile .. " :: " .. name .. "\n    " .. tostring(err):gsub("\n", "\n    ")
    io.stderr:write("FAIL ", currentFile, " :: ", name, "\n    ", tostring(err), "\n")
  end
end

--- Prints the summary; exits non-zero on failures unless run_all collects.
function H.done()
  if H.collecting then return end
  print(("%s: %d passed, %d failed"):format(currentFile, H.passed, H.failed))
  if H.failed > 0 then os.exit(1) end
end

--- A deterministic PRNG for the randomised tests (xorshift64*), independent
-- of math.random so runs are reproducible.
function H.rng(seed)
  local s = seed or 0x9E3779B97F4A7C15
  if s == 0 then s = 1 end
  return function()
    s = s ~ (s >> 12)
    s = s ~ (s << 25)
    s = s ~ (s >> 27)
    return s * 0x2545F4914F6CDD1D
  end
end

return H
