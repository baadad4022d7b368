--[[
  .pretty -- an indented "key: value" listing of a table, as aos's pretty.tprint:

      pretty.tprint({ a = 1, b = { c = true } })
      -->  a: 1
      -->  b: 
      -->   c: true

  One line per entry, one space of indent per nesting level, a nested table as
  "key: " followed by its own lines. Returns the text; prints nothing.
  Unlike aos, keys and values of any type are shown with tostring instead of
  raising on booleans-as-keys or functions, and a table met again while
  printing itself is shown as <cycle> instead of recursing forever.
]]

local pretty = { _version = "0.0.1" }

local function render(tbl, indent, out, open)
  open[tbl] = true
  for k, v in pairs(tbl) do
    local line = string.rep(" ", indent) .. tostring(k) .. ": "
    if type(v) == "table" then
      if open[v] then
        out[#out + 1] = line .. "<cycle>\n"
      else
        out[#out + 1] = line .. "\n"
        render(v, indent + 1, out, open)
      end
    else
      out[#out + 1] = line .. tostring(v) .. "\n"
    end
  end
  open[tbl] = nil
end

function pretty.tprint(tbl, indent)
  local out = {}
  render(tbl, indent or 0, out, {})
  return table.concat(out)
end

return pretty
