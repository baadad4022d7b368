-- A bank account as a process, for the crash test and the bank benchmark.
-- Transfer (from the owner): debit here, then a Credit message to the recipient
-- account, which applies each transfer id once and counts any duplicate.
Balance = Balance or 1000
Applied = Applied or {}
Duplicates = Duplicates or 0

Handlers.add('Transfer', 'Transfer', function(msg)
  local q = math.tointeger(tonumber(msg.Quantity))
  if not q or q <= 0 then return msg.reply({ Action = 'Transfer-Error', Error = 'bad quantity' }) end
  if q > Balance then return msg.reply({ Action = 'Transfer-Error', Error = 'insufficient balance' }) end
  Balance = Balance - q
  Send({ Target = msg.Recipient, Action = 'Credit', Quantity = tostring(q), ['Transfer-Id'] = msg.Id })
end)

Handlers.add('Credit', 'Credit', function(msg)
  local id = msg['Transfer-Id']
  if Applied[id] then Duplicates = Duplicates + 1 return end
  Applied[id] = true
  Balance = Balance + math.tointeger(tonumber(msg.Quantity))
end)
