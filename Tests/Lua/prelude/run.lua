-- Runs every test_*.lua here with lua5.4 (each in its own interpreter, as each process
-- has its own lua_State). Usage: lua5.4 Tests/Lua/prelude/run.lua
local dir = arg[0]:match("^(.*/)") or "./"
local lua = arg[-1] or "lua5.4"
local files = {}
for f in io.popen('ls "' .. dir .. '"'):lines() do
  if f:match("^test_.*%.lua$") then files[#files + 1] = f end
end
table.sort(files)
local failed = 0
for _, f in ipairs(files) do
  print("== " .. f)
  local ok = os.execute(lua .. ' "' .. dir .. f .. '"')
  if not ok then failed = failed + 1 end
end
print(failed == 0 and "ALL PASSED" or (failed .. " file(s) FAILED"))
os.exit(failed == 0 and 0 or 1)
