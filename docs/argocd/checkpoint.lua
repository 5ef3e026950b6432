-- Argo CD health of a stasis.dev/Checkpoint.
local hs = {status = "Progressing", message = "waiting for the operator"}
if obj.status == nil or obj.status.phase == nil then
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  hs.message = "the operator has not seen the latest spec yet"
  return hs
end
local phase = obj.status.phase
if phase == "Completed" then
  hs.status = "Healthy"
  hs.message = "stored at " .. (obj.status.path or "?") .. " (" .. (obj.status.displaySize or "?") .. ")"
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == "Expired" and c.status == "True" then
        hs.message = "expired: " .. (c.message or "ttl reached")
      end
    end
  end
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = obj.status.message or "the checkpoint failed"
else
  hs.message = phase .. (obj.status.message ~= nil and (": " .. obj.status.message) or "")
end
return hs
