-- A token ledger in the style of aos's token blueprint (balances kept as
-- decimal strings, arithmetic through bint(256)), driven by many random
-- transfers: supply is conserved, no balance goes negative, and the guards the
-- blueprint relies on (bint(q) > 0, bint(q) <= balance) behave.
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "harness.lua")
H.file("test_token_flow.lua")

local bint = require(".bint")(256)

local function plus(a, b) return tostring(bint(a) + bint(b)) end
local function minus(a, b) return tostring(bint(a) - bint(b)) end

H.test("random transfers conserve supply with 30-digit balances", function()
  local rnd = H.rng(2718)
  local accounts = { "owner", "a", "b", "c", "d", "e" }
  -- 10000 tokens with 26 decimals: well past 2^64.
  local supply = tostring(bint(10000) * bint.ipow(10, 26))
  local balances = { owner = supply }
  local rejected, moved = 0, 0
  for _ = 1, 3000 do
    local from = accounts[(rnd() >> 8) % #accounts + 1]
    local to = accounts[(rnd() >> 8) % #accounts + 1]
    -- Quantities: small, huge, zero or negative, as strings off the wire.
    local choice = (rnd() >> 5) % 10
    local qty
    if choice == 0 then
      qty = "0"
    elseif choice == 1 then
      qty = "-" .. tostring((rnd() >> 40) + 1)
    elseif choice < 5 then
      qty = tostring((rnd() >> 1) % 1000000 + 1)
    else
      qty = tostring(bint.umod(bint.fromuinteger(rnd()) * bint.fromuinteger(rnd()), bint.ipow(10, 29)) + 1)
    end
    local balance = balances[from] or "0"
    if not bint.__lt(0, bint(qty)) then
      rejected = rejected + 1
    elseif bint(qty) <= bint(balance) then
      balances[from] = minus(balance, qty)
      balances[to] = plus(balances[to] or "0", qty)
      moved = moved + 1
    else
      rejected = rejected + 1
    end
  end
  local total = bint(0)
  for _, name in ipairs(accounts) do
    local b = balances[name] or "0"
    H.ok(not bint.isneg(bint(b)), name .. " is not negative")
    H.eq(b:match("^%d+$") ~= nil, true, name .. " balance stays a plain decimal string")
    total = total + bint(b)
  end
  H.eq(tostring(total), supply, "supply conserved")
  H.ok(moved > 100 and rejected > 100, ("both paths taken (%d moved, %d rejected)"):format(moved, rejected))
end)

H.test("quantities that must be refused", function()
  for _, q in ipairs({ "0", "-1", "-0", "000" }) do
    H.ok(not bint.__lt(0, bint(q)), q .. " is not positive")
  end
  for _, q in ipairs({ "1.5", "1e3", " 1", "", "0x", "ten" }) do
    H.raises(function() return bint(q) end, "value cannot be represented by a bint", q)
  end
  -- A quantity beyond 2^255 wraps negative, so the positivity guard refuses it.
  local huge = "57896044618658097711785492504343953926634992332820282019728792003956564819968"
  H.ok(not bint.__lt(0, bint(huge)), "2^255 wraps to the minimum and is refused")
end)

H.done()
