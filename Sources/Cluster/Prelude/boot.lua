-- .boot: the `_boot` handler, run once on the process's own first message (its spawn
-- message). Like aos it puts that message in the Inbox; then, if the spawn carries
-- `On-Boot = Data`, it evaluates the spawn's Data (the module source) as Eval does.
-- aos would fetch `On-Boot = <transaction id>` from Arweave; this node has no Arweave.
local NOT_SUPPORTED = "On-Boot by transaction id is not supported on this node"

return function(ao)
  local eval = require(".eval")(ao)
  return function(msg)
    if #Inbox == 0 then table.insert(Inbox, msg) end
    local onBoot = msg.Tags["On-Boot"]
    if onBoot == nil then return end
    if onBoot == "Data" then
      eval(msg)
    else
      ao.outbox.Error = NOT_SUPPORTED .. " (On-Boot = " .. tostring(onBoot) .. ")"
    end
  end
end
