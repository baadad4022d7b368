-- .default: the `_default` handler, run when no handler matched with "break"
-- (aos process/default.lua semantics): keep the message in the Inbox and announce it.
-- One addition: an Eval from anyone but the Owner that no handler took is refused with
-- an Error (aos would file it in the Inbox silently), so the sender learns why.
return function(insertInbox)
  return function(msg)
    if msg.Action == "Eval" and msg.From ~= Owner then
      error("Only the owner can Eval", 0)
    end
    insertInbox(msg)

    local C = type(Colors) == "table" and Colors or {}
    local gray, green, blue, reset = C.gray or "", C.green or "", C.blue or "", C.reset or ""
    local from = type(msg.From) == "string" and (msg.From:sub(1, 3) .. "..." .. msg.From:sub(-3))
      or "unknown"
    local text = gray .. "New Message From " .. green .. from .. gray .. ": "
    if msg.Action then
      text = text .. gray .. "Action = " .. blue .. tostring(msg.Action):sub(1, 20) .. reset
    else
      local data = msg.Data
      if type(data) == "table" then data = require("json").encode(data) end
      text = text .. gray .. "Data = " .. blue .. tostring(data or ""):sub(1, 20) .. reset
    end
    print(text)
  end
end
