-- Runs every stdlib test file under plain Lua 5.4:
--   lua5.4 Tests/Lua/stdlib/run_all.lua
-- Exits non-zero when any test fails.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local H = dofile(here .. "harness.lua")
H.collecting = true

local FILES = {
  "test_utils.lua",
  "test_bint.lua",
  "test_token_flow.lua",
  "test_base64.lua",
  "test_crypto.lua",
  "test_pretty_dump.lua",
}

for _, name in ipairs(FILES) do
  local before = H.passed + H.failed
  local failedBefore = H.failed
  local ok, err = pcall(dofile, here .. name)
  if not ok then
    H.failed = H.failed + 1
    io.stderr:write("ERROR loading ", name, ": ", tostring(err), "\n")
  end
  print(("%-24s %3d passed, %d failed"):format(name,
    (H.passed + H.failed - before) - (H.failed - failedBefore), H.failed - failedBefore))
end

print(("stdlib: %d passed, %d failed"):format(H.passed, H.failed))
if H.failed > 0 then
  os.exit(1)
end
