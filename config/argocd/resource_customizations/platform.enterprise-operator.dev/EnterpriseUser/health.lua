-- Argo CD health check for the kinds of platform.enterprise-operator.dev.
--
-- Every kind shares these semantics, so every kind gets an identical copy of this file:
-- edit config/argocd/health.lua, then run
--   go test ./test/health/ -run TestGeneratedFiles -update
-- to rewrite resource_customizations/*/*/health.lua and argocd-cm-patch.yaml.
--
-- It only uses the base and table libraries, so it runs in argocd-cm without
-- resource.customizations.useOpenLibs.
--
--   Suspended    the paused annotation is "true" (every kind but PlatformConfig, which
--                does not honour it): the operator makes no platform call.
--   Degraded     Stalled=True, or Ready=False with a reason that does not clear without
--                a change by a person (spec, Secret, DNS record, platform permissions).
--                A stalled spec change counts at once: the operator sets
--                status.observedGeneration to the generation it stalled on (as Flux's
--                controllers do), so kstatus reads Failed too.
--   Progressing  no status yet, Reconciling=True (creating, retrying, waiting for a
--                dependency, DNS verification, deleting; an update of a Ready object that
--                is being retried), metadata.generation newer than
--                status.observedGeneration, or Ready not True for another reason the
--                operator retries or waits out.
--   Healthy      Ready=True and status.observedGeneration == metadata.generation.
local hs = {}

local pausedAnnotation = "platform.enterprise-operator.dev/paused"
local pausedMessage = "reconciliation is paused by the " .. pausedAnnotation ..
  " annotation; no platform call is made"

-- Ready=False reasons that stay until someone changes something. Reasons not listed
-- (Creating, Deleting, WaitingForDependency, VerificationPending, ReconcileError,
-- RateLimited, Unauthorized, PlatformUnavailable, DeletionBlocked while waiting...) are
-- retried or waited out by the operator.
local terminalReasons = {
  InvalidSpec = true,
  Forbidden = true,
  CredentialsInvalid = true,
  SecretNotFound = true,
  SecretNotAllowed = true,
  VerificationFailed = true,
  Drifted = true,
  NotFound = true,
  AlreadyManaged = true,
  AdoptionDenied = true,
}

local function findCondition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function messageOf(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

local function health()
  local metadata = obj.metadata or {}
  local generation = metadata.generation
  local annotations = metadata.annotations or {}
  local status = obj.status or {}
  local conditions = status.conditions or {}
  local ready = findCondition(conditions, "Ready")
  local synced = findCondition(conditions, "Synced")
  local stalled = findCondition(conditions, "Stalled")
  local reconciling = findCondition(conditions, "Reconciling")

  -- A condition is about the current spec when it was written for this generation.
  local function current(c)
    return c ~= nil and (generation == nil or c.observedGeneration == nil or c.observedGeneration >= generation)
  end

  if obj.kind ~= "PlatformConfig" and annotations[pausedAnnotation] == "true" then
    if synced ~= nil and synced.reason == "Paused" then
      return "Suspended", messageOf(synced, pausedMessage)
    end
    return "Suspended", pausedMessage
  end

  if ready == nil and synced == nil and stalled == nil then
    return "Progressing", "waiting for the operator to report status"
  end

  if synced ~= nil and synced.reason == "Paused" then
    return "Progressing", "the paused annotation was removed; waiting for the operator to resume reconciliation"
  end

  if stalled ~= nil and stalled.status == "True" and current(stalled) then
    return "Degraded", messageOf(stalled, "reconciliation is stalled: " .. tostring(stalled.reason))
  end

  if ready ~= nil and ready.status == "False" and terminalReasons[ready.reason] and current(ready) then
    return "Degraded", messageOf(ready, "not ready: " .. tostring(ready.reason))
  end

  -- The operator's own word that the object is on its way, with the latest outcome
  -- (the retried error, what it waits for); kstatus reads the same condition.
  if reconciling ~= nil and reconciling.status == "True" and current(reconciling) then
    return "Progressing", messageOf(reconciling, "reconciling: " .. tostring(reconciling.reason))
  end

  local observed = status.observedGeneration
  if generation ~= nil and (observed == nil or observed < generation) then
    if synced ~= nil and synced.status ~= "True" and current(synced) then
      return "Progressing", messageOf(synced, "applying generation " .. generation)
    end
    if ready ~= nil and ready.status ~= "True" and current(ready) then
      return "Progressing", messageOf(ready, "applying generation " .. generation)
    end
    local seen = "not set"
    if observed ~= nil then
      seen = tostring(observed)
    end
    return "Progressing", "waiting for the operator to apply generation " .. generation ..
      " (status.observedGeneration is " .. seen .. ")"
  end

  if ready == nil then
    return "Progressing", "waiting for the Ready condition"
  end
  if ready.status == "True" then
    return "Healthy", messageOf(ready, "Ready")
  end
  return "Progressing", messageOf(ready, "not ready yet: " .. tostring(ready.reason))
end

hs.status, hs.message = health()
return hs
