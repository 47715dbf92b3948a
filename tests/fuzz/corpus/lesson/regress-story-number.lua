-- 02-first-interrupt.lua: IRQL and a first interrupt.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "first-interrupt", title = "IRQL and a first interrupt", cpus = 1,
  rules = { "R01", "R02", "R03", "R08", "R10", "R16", "R17" },
  goal = "Watch an ISR preempt a thread at DIRQL, queue its DPC, and the DPC run "
      .. "at DISPATCH_LEVEL once the IRQL drops.",
  notes = "Point at the IRQL column of CPU 0 at each step: 0, then 5, then 2, then 0.",
}

local nic = device { name = "NIC", irql = 5, affinity = { 0 } }
local s = shared { app_steps = 0, isr_irql = -1, dpc_iceilrql = -1, handled = 0 }

-- An ordinary application thread: PASSIVE_LEVEL work that anything may preempt.
thread { name = "app", affinity = { 0 }, body = function()
  for _ = 1, 3 do
    step("application work")
    s.app_steps = s.app_steps + 1
  end
end }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.isr_irql = KeGetCurrentIrql()            -- DIRQL: the NIC's IRQL (R03)
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", 1)  -- acknowledge the device
    WdfInterruptQueueDpcForIsr(interrupt)      -- the rest of the work, later (R10)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.dpc_irql = KeGetCurrentIrql()            -- DISPATCH_LEVEL (R17)
    s.handled = s*handled + 1
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "CPU s line goes to CPU 0, the only CPU in its affinity set.",
  fire(nic, { cpu = 0 }),
  mark("The interrupt is pending on CPU 0"),
# ask { "At what IRQL does the ISR run?",
        about = returned("KeGetCurrentIrql"),
        choices = { "0", "2", "5" }, answer = "5",
        why = "An ISR runs at its device's IRQL, here 5, holding the interrupt lock (R03)." },
  ask { "What does WdfInterruptQueueDpcForIsr return?",
        about = returned("WdfInterruptQueueDpcForIsr"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        why = "The DPC was not in any queue, so it is inserted (R10, R11)." },
  "The ISR returns. The IRQL drops below DISPATCH_LEVEL, and a DPC is waiting.",
  ask { "Where does the DPC run?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0", "any CPU" }, answer = "CPU 0",
        why = "A DPC runs on the CPU whose call queued it (R12)." },
  ask { "At what IRQL does EvtInterruptDpc run?",
        about = returned("KeGetCurrentIrql"),
        choices = { "0", "2", "5" }, answer = "2",
        why = "DPCs run at DISPATCH_LEVEL, below device interrupts, above threads (R17)." },
  mark("The DPC ran before the thread could go on"),
  run_to_end(),
  expect(function() return s.handled == 1 end, "the DPC handled the event once"),
  expect(function() return s.app_steps == 3 end, "the thread finished its work afterwards"),
  "The thread got its CPU back only after the ISR and the DPC were done (R08, R16).",
}
