-- 08-invalid-handle.lua: an invalid handle and a stale one.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "invalid-handle", title = "Invalid and stale handles", cpus = 2,
  rules = { "R20", "R30", "R31", "R32", "R70" },
  goal = "See the WDF_VIOLATION blue screen a NULL handle causes, read its parameters, "
      .. "and see why a deleted (stale) handle is different: undefined behaviour, which "
      .. "may crash or may not (R31).",
  notes = "Ask: 'what does a WDF call do with a NULL handle: return an error?' Then show "
      .. "the blue screen and go through P1 to P4.",
  switches = { stale_handle = "fault" },
}

local nic = device { name = "NIC", irql = 5, affinity = { 1 } }
local s = shared { deleted = false, handled = 0, pending = 0, ready = false,
                   stale_call = false }
local irq

-- The driver's start-up and tear-down in one thread on CPU 0. Only after
-- its set-up does the device context hold the WDFINTERRUPT (s.ready); at
-- the end it deletes the interrupt, and the handle goes stale.
thread { name = "driver", affinity = { 0 }, body = function()
  for _ = 1, 12 do step("set up the hardware") end
  s.ready = true                           -- the context now holds the handle
  step("run")
  WdfObjectDelete(irq)
  s.deleted = true
end }

local status
status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.pending = s.pending + 1
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    -- The bug: the DPC uses the handle saved in the device context, not
    -- its own argument. Before set-up that field is still NULL.
    local h = s.ready and irq or nil
    if s.deleted then s.stale_call = true end
    WdfInterruptAcquireLock(h)
    local n = s.pending
    s.pending = 0
    WdfInterruptReleaseLock(h)
    s.handled = s.handled + n
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "CPU 0 runs the driver's set-up. In this lesson's bug the interrupt is already enabled "
    .. "(R70), and the NIC interrupts CPU 1 before the set-up has saved the interrupt "
    .. "handle in the device context.",
  fire(nic, { cpu = 1 }),
  run_until(runs_on("EvtInterruptDpc")),
  "CPU 1's DPC reads the context: the handle there is still NULL.",
  mark("A NULL WDFINTERRUPT"),
  ask { "The DPC passes NULL to WdfInterruptAcquireLock. What happens?",
        about = outcome(),
        choices = { "quiescent", "bugcheck 0x10D", "bugcheck 0xD1" },
        answer = "bugcheck 0x10D",
        hint = "A WdfInterrupt* call checks its handle before it uses it (R30). Does it "
          .. "return a status?",
        why = "A NULL or wrong-type handle to a WdfInterrupt call is bug check 0x10D "
           .. "WDF_VIOLATION, always (R30)." },
  "On its blue screen: P1 = 0x5, an invalid handle; P2 = the handle; P3 = 0x1027, "
    .. "the type expected, WDFINTERRUPT; P4 = the driver's globals (R30).",
  "A NULL callback to WdfInterruptSynchronize is 0x10D too, with P1 = 0x4 (R32).",
  "A deleted handle is another matter: undefined behaviour. It may seem to work, fail "
    .. "the check (0x10D), fault, or corrupt memory and crash later (R31).",
  "This lesson sets 'fault': 0xD1 at DISPATCH_LEVEL or above, 0x50 at PASSIVE_LEVEL. "
    .. "That is one possible outcome, not what Windows always does (R31). See the challenge.",
  mark("Before the crash"),
  run_to_end(),
  expect(function() return s.handled == 0 end, "the DPC never counted the event"),
}

challenge {
  kind = "exists", name = "stale-handle",
  goal = "Let the set-up finish, then make the DPC run after the driver deleted the "
      .. "interrupt: a call on a stale handle.",
  reach = function() return s.stale_call end,
  reference = "v1 cpus=2: t(driver)@0 0*14 e(NIC)@1 1*5 0*2 1*4",
  hints = {
    "The DPC must start after s.deleted is true, but it must have been queued before "
      .. "the delete: in the simulator a deleted interrupt gets no more requests. (A normal "
      .. "KMDF disable or power-down flushes a queued DPC first, R20, R70: this delete "
      .. "skips that.)",
    "Fire the NIC at CPU 1 after the set-up; let its ISR queue the DPC; then let CPU 0 "
      .. "delete the interrupt before CPU 1 dequeues the DPC.",
    "t driver CPU 0, 0 fourteen times, e NIC CPU 1, 1 five times, 0 twice, then 1 to the end.",
  },
}
