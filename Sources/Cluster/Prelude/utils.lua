--[[
  .utils -- small functional helpers, API-compatible with aos's process/utils.lua
  (v0.0.5): matchesPattern, matchesSpec, normalize, capitalize, curry, concat,
  reduce, map, filter, find, propEq, reverse, compose, prop, includes, keys,
  values. Functions aos curries are curried here with the same arity, so both
  utils.map(fn)(list) and utils.map(fn, list) work.

  Differences from aos (see docs/STDLIB.md): partial application keeps every
  argument given (aos drops all but the first of a multi-argument partial call);
  curry without an explicit arity needs the host's help because a process has no
  `debug` library; a Lua pattern matches if it matches as written or (as in
  aos) with both sides lower-cased, so %S / %D keep their meaning; isArray is
  exported.
]]

local utils = { _version = "0.0.5" }

local type = type
local pairs = pairs
local select = select
local error = error
local assert = assert
local tostring = tostring
local math_type = math.type
local table_unpack = table.unpack
local string_lower = string.lower

--- Pattern matching is the Handlers' own (.match): one rule for both.
-- matchesPattern(pattern, value, msg): '_' matches anything; a function is called
-- as fn(value, msg); a string is compared case-blind, as a Lua pattern when it
-- holds a magic character; a table matches when any of its entries does.
-- matchesSpec(msg, spec): a function spec returns its own verdict, a table spec
-- needs every key present on msg with a matching value, a string equals msg.Action.
local match = require(".match")
utils.matchesPattern = match.matchesPattern
utils.matchesSpec = match.matchesSpec

--- Tag-name normal form: '_' becomes '-', then Title-Case on every '-'-part
-- ("content_type" -> "Content-Type", "X-REFERENCE" -> "X-Reference").
function utils.normalize(str)
  if type(str) ~= "string" then return str end
  local s = str:gsub("_", "-"):lower()
  s = s:gsub("^%l", string.upper)
  s = s:gsub("%-(%l)", function(c) return "-" .. c:upper() end)
  return s
end

--- First letter upper-case, the rest lower-case.
function utils.capitalize(str)
  if type(str) ~= "string" or str == "" then
    return str
  end
  return str:sub(1, 1):upper() .. str:sub(2):lower()
end

--- An array here is a table whose keys are exactly 1..#t (the empty table
-- included).
local function isArray(t)
  if type(t) ~= "table" then
    return false
  end
  local count, max = 0, 0
  for k in pairs(t) do
    if math_type(k) ~= "integer" or k < 1 then
      return false
    end
    count = count + 1
    if k > max then max = k end
  end
  return max == count and max == #t
end
utils.isArray = isArray

-- The number of declared parameters of fn, when the runtime can tell.
local function paramCount(fn)
  local dbg = rawget(_G, "debug")
  if type(dbg) == "table" and dbg.getinfo then
    return dbg.getinfo(fn, "u").nparams
  end
  -- A process has no debug library; the host may offer the same fact.
  local ok, native = pcall(require, "starlane.native")
  if ok and type(native) == "table" and native.nparams then
    return native.nparams(fn)
  end
  error("utils.curry: pass the arity explicitly (utils.curry(fn, n)); " ..
    "a process cannot inspect a function's parameters", 3)
end

--- Curries fn over `arity` arguments (default: its declared parameter count).
-- Each call may supply one or more arguments; once `arity` have been given the
-- function runs with all of them. An arity below 2 returns fn itself.
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  arity = arity or paramCount(fn)
  if arity < 2 then
    return fn
  end
  local function collect(previous, count)
    return function(...)
      local n = select("#", ...)
      local args = { table_unpack(previous, 1, count) }
      for i = 1, n do
        args[count + i] = (select(i, ...))
      end
      local total = count + n
      if total >= arity then
        return fn(table_unpack(args, 1, total))
      end
      return collect(args, total)
    end
  end
  return collect({}, 0)
end

--- concat(a)(b): a new array with a's items then b's.
utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table", "first argument should be a table that is an array")
  assert(type(b) == "table", "second argument should be a table that is an array")
  assert(isArray(a), "first argument should be a table")
  assert(isArray(b), "second argument should be a table")
  local result = {}
  for i = 1, #a do result[#result + 1] = a[i] end
  for i = 1, #b do result[#result + 1] = b[i] end
  return result
end, 2)

--- reduce(fn)(initial)(t): folds t left to right with fn(acc, value, index).
-- With a nil initial value the first item seeds the accumulator (and, as in
-- aos, a nil accumulator is re-seeded by the next item).
utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function that accepts (result, value, key)")
  assert(type(t) == "table" and isArray(t), "third argument should be a table that is an array")
  local result = initial
  for i = 1, #t do
    local v = t[i]
    if result == nil then
      result = v
    else
      result = fn(result, v, i)
    end
  end
  return result
end, 3)

--- map(fn)(t): a new array of fn(value, index).
utils.map = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(data) == "table" and isArray(data), "second argument should be an Array")
  local result = {}
  for i = 1, #data do
    result[i] = fn(data[i], i)
  end
  return result
end, 2)

--- filter(fn)(t): a new array of the values for which fn(value) is truthy.
utils.filter = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(data) == "table" and isArray(data), "second argument should be an Array")
  local result = {}
  for i = 1, #data do
    local v = data[i]
    if fn(v) then
      result[#result + 1] = v
    end
  end
  return result
end, 2)

--- find(fn)(t): the first value (in pairs order) for which fn(value) is truthy.
utils.find = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table", "second argument should be a table that is an array")
  for _, v in pairs(t) do
    if fn(v) then
      return v
    end
  end
  return nil
end, 2)

--- propEq(name)(value)(object): object[name] == value. As in aos, name and
-- value must be strings.
utils.propEq = utils.curry(function(propName, value, object)
  assert(type(propName) == "string", "first argument should be a string")
  assert(type(value) == "string", "second argument should be a string")
  assert(type(object) == "table", "third argument should be a table<object>")
  return object[propName] == value
end, 3)

--- reverse(t): a new array with t's items in reverse order (not curried).
function utils.reverse(data)
  assert(type(data) == "table", "argument needs to be a table that is an array")
  assert(isArray(data), "argument needs to be a table that is an array")
  local n, result = #data, {}
  for i = 1, n do
    result[n - i + 1] = data[i]
  end
  return result
end

--- compose(f, g, ...)(v) = f(g(...(v))): the last function runs first.
-- Curried over two, so compose(f)(g) works too.
utils.compose = utils.curry(function(...)
  local fns = { ... }
  for i = 1, select("#", ...) do
    assert(type(fns[i]) == "function", "each argument needs to be a function")
  end
  local count = select("#", ...)
  return function(v)
    local result = v
    for i = count, 1, -1 do
      result = fns[i](result)
    end
    return result
  end
end, 2)

--- prop(name)(object): object[name].
utils.prop = utils.curry(function(propName, object)
  return object[propName]
end, 2)

--- includes(value)(t): is value one of the array's items?
utils.includes = utils.curry(function(val, t)
  assert(type(t) == "table", "argument needs to be a table")
  assert(isArray(t), "argument should be a table that is an array")
  for i = 1, #t do
    if t[i] == val then return true end
  end
  return false
end, 2)

--- keys(t): the table's keys as an array (in pairs order).
function utils.keys(t)
  assert(type(t) == "table", "argument needs to be a table")
  local result = {}
  for k in pairs(t) do
    result[#result + 1] = k
  end
  return result
end

--- values(t): the table's values as an array (in pairs order).
function utils.values(t)
  assert(type(t) == "table", "argument needs to be a table")
  local result = {}
  for _, v in pairs(t) do
    result[#result + 1] = v
  end
  return result
end

return utils
