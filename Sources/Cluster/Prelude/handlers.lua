-- .handlers: the ordered handler pipeline of a process (aos process/handlers.lua semantics).
local match = require(".match")
local json = require("json")

local handlers = { _version = "starlane-1" }
handlers.utils = require(".handlers-utils")
-- Reloading keeps the registered handlers and pending coroutines.
handlers.list = Handlers and Handlers.list or {}
handlers.coroutines = Handlers and Handlers.coroutines or {}
handlers.onceNonce = Handlers and Handlers.onceNonce or 0

-- The evaluation whose handler is running: { msg = ..., name = <handler name> }.
-- Receive captures it so an error after resuming names the right handler.
local current = nil

local function findIndex(name)
  for i, h in ipairs(handlers.list) do
    if h.name == name then return i end
  end
  return nil
end

local function findEntry(entry)
  for i, h in ipairs(handlers.list) do
    if h == entry then return i end
  end
  return nil
end

-- (name, pattern, handle [, maxRuns]) or (nameAndPattern, handle): aos's two forms.
local function parseArgs(...)
  local n = select("#", ...)
  local name, pattern, handle, maxRuns
  if n == 2 then
    name, handle = ...
    pattern = name
  else
    name, pattern, handle, maxRuns = ...
  end
  local pk = type(pattern)
  assert(type(name) == "string" and (pk == "function" or pk == "table" or pk == "string"),
    "Invalid arguments given. Expected: name : string, pattern : Action string | tag table"
    .. " | function(msg), handle : function(msg) | resolver table, maxRuns? : number | \"inf\"")
  assert(type(handle) == "function" or type(handle) == "table",
    "Invalid arguments given: handle must be a function or a resolver table")
  if maxRuns ~= nil and maxRuns ~= "inf" then
    maxRuns = assert(tonumber(maxRuns), 'maxRuns must be a number or "inf"')
  end
  return name, pattern, handlers.generateResolver(handle), maxRuns
end

-- A handle may be a function (used as it is), or a table { [pattern] = function }
-- (the first match runs).
function handlers.generateResolver(spec)
  if type(spec) == "function" then return spec end
  return function(msg, env)
    for pattern, fn in pairs(spec) do
      if match.matchesSpec(msg, pattern) then return fn(msg, env) end
    end
  end
end

-- Insert or, when the name exists, update in place (position kept), as aos does.
local function upsert(position, ...)
  local name, pattern, handle, maxRuns = parseArgs(...)
  local idx = findIndex(name)
  if idx then
    local h = handlers.list[idx]
    h.pattern, h.handle, h.maxRuns = pattern, handle, maxRuns
  else
    local entry = { name = name, pattern = pattern, handle = handle, maxRuns = maxRuns }
    table.insert(handlers.list, position == "first" and 1 or #handlers.list + 1, entry)
  end
  return #handlers.list
end

function handlers.add(...) return upsert("last", ...) end
function handlers.append(...) return upsert("last", ...) end
function handlers.prepend(...) return upsert("first", ...) end

-- once([name,] pattern, handle): prepended, runs at most once.
function handlers.once(...)
  local name, pattern, handle
  if select("#", ...) >= 3 then
    name, pattern, handle = ...
  else
    name = "_once_" .. tostring(handlers.onceNonce)
    handlers.onceNonce = handlers.onceNonce + 1
    pattern, handle = ...
  end
  return handlers.prepend(name, pattern, handle, 1)
end

-- before(target).add(...) / after(target).add(...). The target is looked up when add is
-- called; a handler of the same name is moved (never duplicated); an unknown target is
-- an error (aos silently ignores it, which hides typos).
local function relative(target, offset)
  assert(type(target) == "string", "Handler name MUST be a string")
  return {
    add = function(...)
      local name, pattern, handle, maxRuns = parseArgs(...)
      local existing = findIndex(name)
      if existing and name ~= target then table.remove(handlers.list, existing) end
      local idx = findIndex(target)
      if not idx then error('no handler named "' .. target .. '"', 2) end
      table.insert(handlers.list, idx + offset,
        { name = name, pattern = pattern, handle = handle, maxRuns = maxRuns })
      return #handlers.list
    end,
  }
end
function handlers.before(target) return relative(target, 0) end
function handlers.after(target) return relative(target, 1) end

function handlers.remove(name)
  assert(type(name) == "string", "name MUST be string")
  local idx = findIndex(name)
  if idx then table.remove(handlers.list, idx) end
end

-- Errors are wrapped once, with the handler that raised them, so that an error travelling
-- out of a resumed Receive is not re-labelled by the handler that resumed it.
local Failure = { __tostring = function(f) return f.text end }

local function errorText(err)
  if type(err) == "string" then return err end
  local mt = getmetatable(err)
  if mt and mt.__tostring then return tostring(err) end
  local ok, encoded = pcall(json.encode, err)
  return ok and ("error object " .. encoded) or ("error object (" .. type(err) .. ")")
end

-- The prelude's own handlers report Lua's message as is (what Eval users expect).
local RAW = { _eval = true, _boot = true, _default = true }

function handlers._failure(ctx, err)
  if getmetatable(err) == Failure then return err end
  local text = errorText(err)
  local name = ctx and ctx.name
  if name and not RAW[name] then
    local action = ctx.msg and ctx.msg.Action
    text = 'handler "' .. name .. '" failed'
      .. (action and (" (Action = " .. tostring(action) .. ")") or "") .. ": " .. text
  end
  return setmetatable({ text = text }, Failure)
end

-- Receive(pattern): park the running handler's coroutine until a message matching
-- `pattern` arrives; that message resumes it (and reaches no other handler) and is
-- returned. Must run inside a handler.
function handlers.receive(pattern)
  local self, isMain = coroutine.running()
  if isMain then error("Receive can only wait inside a handler", 2) end
  local waiter = current
  handlers.once(pattern, function(msg)
    local ok, err = coroutine.resume(self, msg)
    if not ok then error(handlers._failure(waiter, err), 0) end
  end)
  return coroutine.yield(pattern)
end

-- Pattern result -> 0 skip, < 0 run and stop, > 0 run and go on.
local function decision(result)
  local kind = type(result)
  if result == nil or result == false then return 0 end
  if result == true then return -1 end
  if kind == "number" then return result end
  if kind == "string" then
    if result == "continue" then return 1 end
    if result == "break" then return -1 end
    return 0
  end
  error("Pattern result is not valid, it MUST be string, number, or boolean", 0)
end

local function countRun(entry)
  if entry.maxRuns == nil or entry.maxRuns == "inf" then return end
  entry.maxRuns = entry.maxRuns - 1
  if entry.maxRuns <= 0 then
    local idx = findEntry(entry)
    if idx then table.remove(handlers.list, idx) end
  end
end

-- Run the pipeline for one message. The list is walked as it was when the message
-- arrived (handlers added meanwhile wait for the next message; removed ones are skipped:
-- usually still at their position, else searched for). `_default` runs only when no
-- handler matched with "break". The prelude calls it for every message (no argument
-- checks); Handlers.evaluate is the checked entry.
local function evaluate(msg, env, ctx)
  local outer = current
  local snapshot = { table.unpack(handlers.list) } -- (sized at once)
  local handled = false
  for i = 1, #snapshot do
    local h = snapshot[i]
    if h == nil then break end -- (as ipairs: a list with a hole ends there)
    if h.name ~= "_default" and (handlers.list[i] == h or findEntry(h)) then
      current, ctx.name = ctx, h.name
      local result = match.matchesSpec(msg, h.pattern)
      local d
      if result == true then d = -1 elseif not result then d = 0 else d = decision(result) end
      if d ~= 0 then
        if d < 0 then handled = true end
        -- counted before the call: a handler parked in Receive has still run once
        if h.maxRuns ~= nil then countRun(h) end
        h.handle(msg, env)
      end
      if d < 0 then break end
    end
  end

  if not handled then
    local idx = findIndex("_default")
    if idx then
      current, ctx.name = ctx, "_default"
      handlers.list[idx].handle(msg, env)
    end
  end
  current = outer
  return handled
end
handlers._evaluate = evaluate

function handlers.evaluate(msg, env, ctx)
  assert(type(msg) == "table", "msg is not valid")
  assert(type(env) == "table", "env is not valid")
  return evaluate(msg, env, ctx or { msg = msg })
end

return handlers
