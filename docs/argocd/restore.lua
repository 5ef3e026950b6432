-- Argo CD health of a stasis.dev/Restore.
local hs = {status = "Progressing", message = "waiting for the operator"}
if obj.status == nil or obj.status.phase == nil then
  return hs
end
local phase = obj.status.phase
if phase == "Running" then
  hs.status = "Healthy"
  if obj.status.restoredPod ~= nil then
    hs.message = "pod " .. obj.status.restoredPod .. " is Running"
  else
    hs.message = "Running"
  end
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = obj.status.message or "the restore failed"
else
  hs.message = phase .. (obj.status.message ~= nil and (": " .. obj.status.message) or "")
end
return hs
