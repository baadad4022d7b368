-- rules.util: small helpers the world, sector and player processes share.
local M = {}

-- The keys of `t`, sorted: iteration whose order never depends on insertion.
function M.sortedKeys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

-- A message's Data as a table (already decoded, or JSON text), else nil.
function M.data(m)
  if type(m.Data) == "table" then return m.Data end
  local ok, v = pcall(json.decode, m.Data or "")
  if ok and type(v) == "table" then return v end
  return nil
end

return M
