-- .boot: the `_boot` handler, run once on the process's own first message (its spawn
-- message). Like aos it puts that message in the Inbox. Then it runs the process's
-- module: the Lua source the host passes as env.Module.Source on that message only
-- (a Starlane module is Lua source, stored by content hash). Last, if the spawn
-- carries `On-Boot = Data`, it evaluates the spawn's Data as Eval does. aos would
-- fetch `On-Boot = <transaction id>` from Arweave; this node has no Arweave.
local NOT_SUPPORTED = "On-Boot by transaction id is not supported on this node"

return function(ao)
  local eval = require(".eval")(ao)

  local function runModule(env)
    local source = env and env.Module and env.Module.Source
    if type(source) ~= "string" or source == "" then return true end
    local chunk, err = load(source, "=module", "t", _G)
    if not chunk then
      ao.outbox.Error = err
      return false
    end
    chunk()
    return true
  end

  return function(msg, env)
    if #Inbox == 0 then table.insert(Inbox, msg) end
    if not runModule(env) then return end
    local onBoot = msg.Tags["On-Boot"]
    if onBoot == nil then return end
    if onBoot == "Data" then
      eval(msg)
    else
      ao.outbox.Error = NOT_SUPPORTED .. " (On-Boot = " .. tostring(onBoot) .. ")"
    end
  end
end
