-- rules.orders: parsing the tags of an order into a checked table. Pure: the player
-- process and the sector both use it, and it runs standalone under lua5.4.
local config = require("rules.config")
local grid = require("rules.grid")
local M = {}

M.ACTIONS = { "Move", "Stop", "Attack", "Mine", "Capture", "Sell", "Build", "Say" }
local KNOWN = {}
for _, a in ipairs(M.ACTIONS) do KNOWN[a] = true end

function M.isOrder(action) return KNOWN[action] == true end

-- A whole number from a tag value; decimals, signs other than '-', blanks and huge
-- values are refused with a sentence naming the tag.
function M.int(value, name)
  if value == nil or value == "" then return nil, "missing tag " .. name end
  if math.type(value) == "integer" then return value end
  if type(value) ~= "string" or not value:match("^%-?%d+$") or #value > 9 then
    return nil, name .. " must be a whole number, got '" .. tostring(value) .. "'"
  end
  return math.tointeger(tonumber(value))
end

local function shipID(value)
  if value == nil or value == "" then return nil, "missing tag Ship (the id of one of your ships)" end
  if type(value) ~= "string" or #value > 40 or not value:match("^[%w%.%-_]+$") then
    return nil, "Ship must be a ship id like P1.2, got '" .. tostring(value) .. "'"
  end
  return value
end

local function xy(o, m, optional)
  if optional and (m.X == nil or m.X == "") and (m.Y == nil or m.Y == "") then return true end
  local err
  o.x, err = M.int(m.X, "X")
  if not o.x then return nil, err end
  o.y, err = M.int(m.Y, "Y")
  if not o.y then return nil, err end
  return true
end

-- Parses an order. `action` is its Action, `m` the message (tags hoisted on it).
-- Returns { kind, ship?, x?, y?, dir?, target?, sector?, text? } or nil, error.
function M.parse(action, m)
  if not KNOWN[action] then
    return nil, "unknown action '" .. tostring(action) .. "'; orders are " .. table.concat(M.ACTIONS, ", ")
  end
  local o, ok, err = { kind = action }, true, nil
  if action ~= "Build" and action ~= "Say" then
    o.ship, err = shipID(m.Ship)
    if not o.ship then return nil, err end
  end
  if action == "Move" then
    if m.Dir ~= nil and m.Dir ~= "" then
      if m.X ~= nil or m.Y ~= nil then return nil, "Move takes either Dir or X and Y, not both" end
      if not grid.DIRS[m.Dir] then return nil, "Dir must be N, E, S or W, got '" .. tostring(m.Dir) .. "'" end
      o.dir = m.Dir
    else
      if (m.X == nil or m.X == "") and (m.Y == nil or m.Y == "") then
        return nil, "Move needs Dir (N, E, S, W) or a target cell X and Y"
      end
      ok, err = xy(o, m)
    end
  elseif action == "Attack" then
    local t = m["Target-Ship"]
    if t == nil or t == "" then return nil, "missing tag Target-Ship (the id of the ship to attack)" end
    o.target, err = shipID(t)
    if not o.target then return nil, (err:gsub("^Ship", "Target-Ship")) end
  elseif action == "Capture" then
    ok, err = xy(o, m, true)
  elseif action == "Build" then
    if type(m.Sector) ~= "string" or m.Sector == "" then return nil, "missing tag Sector (where your planet is)" end
    o.sector = m.Sector
    ok, err = xy(o, m)
  elseif action == "Say" then
    local text = m.Data
    if type(text) ~= "string" or text == "" then return nil, "Say needs the text to say as Data" end
    if #text > config.SAY_MAX then return nil, "Say is limited to " .. config.SAY_MAX .. " bytes, got " .. #text end
    o.text = text
    o.sector = (m.Sector ~= "" and m.Sector) or nil
    o.ship = (m.Ship ~= "" and m.Ship) or nil
  end
  if not ok then return nil, err end
  return o
end

return M
