-- .handlers-utils: pattern and handler builders (Handlers.utils in aos).
local match = require(".match")

local hutils = { _version = "starlane-1" }

-- Pattern: tag `name` equals `value` exactly (msg.Tags is the name -> first value map).
function hutils.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string",
    "invalid arguments: (name : string, value : string)")
  return function(msg) return msg.Tags[name] == value end
end

-- Pattern: tag `name` equals one of `values`.
function hutils.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table",
    "invalid arguments: (name : string, values : string[])")
  return function(msg)
    for _, value in ipairs(values) do
      if msg.Tags[name] == value then return true end
    end
    return 0
  end
end

-- Pattern: Data equals `value`.
function hutils.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)")
  return function(msg) return msg.Data == value end
end

-- Handler: reply with a string (as Data) or a table (as the reply message).
function hutils.reply(input)
  assert(type(input) == "table" or type(input) == "string",
    "invalid arguments: (input : table or string)")
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
    else
      msg.reply(input)
    end
  end
end

-- Pattern: like `pattern`, but a match lets the next handlers run too.
function hutils.continue(pattern)
  return function(msg)
    local result = match.matchesSpec(msg, pattern)
    if not result or result == 0 or result == "skip" then return result end
    return 1
  end
end

return hutils
