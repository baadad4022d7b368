-- An aos-style fungible token process.
--
-- Balances are decimal strings of big integers (.bint) keyed by address, as aos
-- tokens keep them. Handlers answer Info, Balance, Balances, Transfer and Mint;
-- a transfer notifies both sides with Debit-Notice and Credit-Notice.
--   starlane run examples/token.lua --msgs examples/token-transfers.jsonl

local bint = require('.bint')(256)

Name = Name or 'Starlane Credits'
Ticker = Ticker or 'SLC'
Denomination = Denomination or 12
Logo = Logo or ''
-- The owner holds the whole initial supply.
Balances = Balances or { [ao.id] = '0', [Owner] = '1000000' }

--- A quantity tag as a bint, or nil and why not.
local function quantity(msg)
  local text = msg.Quantity
  if type(text) ~= 'string' or not text:match('^%d+$') then
    return nil, 'Quantity is required and must be a whole number'
  end
  local q = bint(text)
  if not bint.__lt(0, q) then return nil, 'Quantity must be greater than 0' end
  return q
end

local function balanceOf(address)
  return bint(Balances[address] or '0')
end

local function fail(msg, action, message)
  msg.reply({ Action = action, Error = message, ['Message-Id'] = msg.Id })
end

Handlers.add('Info', 'Info', function(msg)
  msg.reply({ Name = Name, Ticker = Ticker, Logo = Logo, Denomination = tostring(Denomination) })
end)

Handlers.add('Balance', 'Balance', function(msg)
  local who = msg.Recipient or msg.From
  msg.reply({ Balance = Balances[who] or '0', Ticker = Ticker, Account = who, Data = Balances[who] or '0' })
end)

Handlers.add('Balances', 'Balances', function(msg)
  msg.reply({ Data = json.encode(Balances) })
end)

Handlers.add('Transfer', 'Transfer', function(msg)
  if type(msg.Recipient) ~= 'string' or msg.Recipient == '' then
    return fail(msg, 'Transfer-Error', 'Recipient is required')
  end
  local q, why = quantity(msg)
  if not q then return fail(msg, 'Transfer-Error', why) end
  local from = balanceOf(msg.From)
  if bint.__lt(from, q) then
    return fail(msg, 'Transfer-Error', 'Insufficient Balance!')
  end
  Balances[msg.From] = tostring(from - q)
  Balances[msg.Recipient] = tostring(balanceOf(msg.Recipient) + q)
  if not msg.Cast then
    Send({ Target = msg.From, Action = 'Debit-Notice', Recipient = msg.Recipient,
           Quantity = msg.Quantity, Data = 'You transferred ' .. msg.Quantity .. ' to ' .. msg.Recipient })
    Send({ Target = msg.Recipient, Action = 'Credit-Notice', Sender = msg.From,
           Quantity = msg.Quantity, Data = 'You received ' .. msg.Quantity .. ' from ' .. msg.From })
  end
end)

Handlers.add('Mint', 'Mint', function(msg)
  if msg.From ~= Owner and msg.From ~= ao.id then
    return fail(msg, 'Mint-Error', 'Only the owner can mint')
  end
  local q, why = quantity(msg)
  if not q then return fail(msg, 'Mint-Error', why) end
  Balances[msg.From] = tostring(balanceOf(msg.From) + q)
  msg.reply({ Data = 'Successfully minted ' .. msg.Quantity })
end)

Handlers.add('Total-Supply', 'Total-Supply', function(msg)
  local total = bint(0)
  for _, balance in pairs(Balances) do total = total + bint(balance) end
  msg.reply({ Action = 'Total-Supply', Data = tostring(total), Ticker = Ticker })
end)
