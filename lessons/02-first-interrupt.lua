-- 02-first-interrupt.lua: IRQL and a first interrupt.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "first-interrupt", title = "IRQL and a first interrupt", cpus = 1,
  rules = { "R01", "R02", "R03", "R04", "R08", "R10", "R11", "R12", "R16", "R17", "R70" },
  goal = "Watch an ISR at DIRQL preempt a PASSIVE_LEVEL thread (R02, R03), queue its "
      .. "DPC, and the DPC run at DISPATCH_LEVEL once the IRQL drops (R16, R17).",
  notes = "Point at the IRQL column of CPU 0 at each step: 0, then 5, then 2, then 0.",
}

local nic = device { name = "NIC", irql = 5, affinity = { 0 } }
local s = shared { app_steps = 0, isr_irql = -1, dpc_irql = -1, handled = 0 }

-- An ordinary application thread: PASSIVE_LEVEL work that anything may preempt.
thread { name = "app", affinity = { 0 }, body = function()
  for _ = 1, 3 do
    step("application work")
    s.app_steps = s.app_steps + 1
  end
end }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.isr_irql = KeGetCurrentIrql()            -- SynchronizeIrql: here the NIC's DIRQL (R03)
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", 1)  -- acknowledge the device
    WdfInterruptQueueDpcForIsr(interrupt)      -- the rest of the work, later (R10)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.dpc_irql = KeGetCurrentIrql()            -- DISPATCH_LEVEL (R17)
    s.handled = s.handled + 1
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "CPU 0 runs an application thread at PASSIVE_LEVEL, IRQL 0 (R01).",
  run_until(function() return s.app_steps == 1 end),
  "The NIC raises an interrupt. Its line goes to CPU 0, the only CPU in its affinity set (R04).",
  fire(nic, { cpu = 0 }),
  mark("The interrupt is pending on CPU 0"),
  ask { "At what IRQL does the ISR run?",
        about = returned("KeGetCurrentIrql"),
        choices = { "0", "2", "5" }, answer = "5",
        hint = "The interrupt broke in because its IRQL is above the CPU's current IRQL (R02).",
        why = "A DIRQL ISR runs at its SynchronizeIrql, normally its device's IRQL (here 5), "
           .. "holding the interrupt lock (R03)." },
  ask { "What does WdfInterruptQueueDpcForIsr return?",
        about = returned("WdfInterruptQueueDpcForIsr"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        hint = "FALSE would mean the DPC is already waiting in a queue (R11). Is it?",
        why = "The DPC was not in any queue, so it is inserted (R10, R11)." },
  "The ISR returns. The IRQL drops below DISPATCH_LEVEL with a DPC waiting: the DPC "
    .. "queue drains before the thread goes on (R08, R16).",
  ask { "Where does the DPC run?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0", "any CPU" }, answer = "CPU 0",
        hint = "Each CPU has its own DPC queue (R12, R16). Whose queue did the ISR use?",
        why = "The interrupt's DPC is untargeted (R10): it runs on the CPU whose call "
           .. "queued it (R12)." },
  ask { "At what IRQL does EvtInterruptDpc run?",
        about = returned("KeGetCurrentIrql"),
        choices = { "0", "2", "5" }, answer = "2",
        hint = "Not a device level, and not PASSIVE_LEVEL either: threads on this CPU may "
          .. "not run now (R17).",
        why = "EvtInterruptDpc, an ordinary DPC (R10), runs at DISPATCH_LEVEL: device "
           .. "interrupts preempt it, threads on its CPU do not (R17)." },
  mark("The DPC ran before the thread could go on"),
  run_to_end(),
  expect(function() return s.handled == 1 end, "the DPC handled the event once"),
  expect(function() return s.app_steps == 3 end, "the thread finished its work afterwards"),
  "The thread got its CPU back only after the ISR and the DPC were done (R08, R16).",
  "The ISR did little: it acknowledged the device and queued the DPC. The work ran "
    .. "later, at DISPATCH_LEVEL, where device interrupts can still break in (R17).",
}

challenge {
  kind = "exists", name = "before-the-thread",
  goal = "Make the DPC handle the event before the thread has done any work.",
  reach = function() return s.handled == 1 and s.app_steps == 0 end,
  reference = "v1 cpus=1: e(NIC)@0 0*11",
  hints = {
    "While its interrupt is enabled, a device can interrupt at any moment, even before "
      .. "the thread runs at all (R02, R70).",
    "In free play, press e before t: the event goes to CPU 0 while it is idle.",
    "e, NIC, CPU 0, then press 0 until the DPC has counted the event.",
  },
}
