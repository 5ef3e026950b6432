-- Argo CD health of a stasis.dev/CheckpointSchedule: its Ready condition.
local hs = {status = "Progressing", message = "waiting for the operator"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    hs.message = c.message or c.reason or ""
    if c.status == "True" then
      hs.status = "Healthy"
    elseif c.reason == "Suspended" then
      hs.status = "Suspended"
    else
      hs.status = "Degraded"
    end
  end
end
return hs
