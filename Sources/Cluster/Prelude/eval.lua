-- .eval: the `_eval` handler (aos process/eval.lua semantics). Runs msg.Data as Lua in
-- the process's global environment: first as an expression (`return <Data>`), else as
-- a chunk. The value, if any, is shown in the Output; a syntax error becomes the
-- message's Error; a runtime error propagates (and fails the message).
local function render(value)
  local t = type(value)
  if t == "string" then return value end
  if t == "number" or t == "boolean" then return tostring(value) end
  if t == "table" then return require(".stringify").format(value) end
  return "<" .. t .. ">" -- never an address: Output must replay identically
end

return function(ao)
  return function(msg)
    local source = msg.Data
    if type(source) ~= "string" then
      ao.outbox.Error = "Eval expects Lua source text in Data"
      return
    end
    local chunk, err = load("return " .. source, "aos", "t", _G)
    if not chunk then chunk, err = load(source, "aos", "t", _G) end
    if not chunk then
      ao.outbox.Error = err
      return
    end
    local value, failure = chunk()
    -- Lua's (nil, message) convention: `Eval: io.open(x)` style failures are errors.
    -- (aos treats any second value as an error; `return 1, 2` is not one here.)
    if value == nil and failure ~= nil then
      ao.outbox.Error = tostring(failure)
      return
    end
    if value ~= nil then
      HANDLER_PRINT_LOGS = HANDLER_PRINT_LOGS or {}
      table.insert(HANDLER_PRINT_LOGS, render(value))
    end
  end
end
