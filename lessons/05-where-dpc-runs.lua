-- 05-where-dpc-runs.lua: where the DPC runs.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "where-dpc-runs", title = "Where the DPC runs", cpus = 3,
  rules = { "R04", "R10", "R12", "R13", "R14", "R19" },
  goal = "See who picks the CPU an interrupt goes to, and that its DPC then runs on "
      .. "that same CPU, not on CPU 0.",
  notes = "Ask 'where do DPCs run?' first: 'CPU 0' and 'any idle CPU' are both common.",
}

-- The NIC's line may go to CPUs 1 and 2 only: its affinity set.
local nic = device { name = "NIC", irql = 5, affinity = { 1, 2 } }
local s = shared { dpc_cpu = -1, handled = 0, running = 0 }

-- CPU 0 is busy with a thread; the NIC can never interrupt it.
thread { name = "app", affinity = { 0 }, body = function()
  for _ = 1, 3 do step("application work") end
end }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", 1)  -- acknowledge the device
    WdfInterruptQueueDpcForIsr(interrupt)      -- onto THIS CPU's queue (R12)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.running = s.running + 1
    s.dpc_cpu = KeGetCurrentProcessorNumber()
    step("handle the frame")
    s.handled = s.handled + 1
    s.running = s.running - 1
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "Three CPUs. The NIC's affinity set is CPUs 1 and 2: each of its interrupts goes to "
    .. "exactly one of them (R04).",
  "On real hardware the interrupt controller picks that CPU; lowest-priority delivery "
    .. "prefers one at a lower IRQL. That policy is not modelled: each pick is an explicit "
    .. "choice, and here the story makes it (R04).",
  fire(nic, { cpu = 2 }),
  ask { "The NIC's interrupt went to CPU 2. Where does EvtInterruptDpc run?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0", "CPU 1", "CPU 2" }, answer = "CPU 2",
        hint = "Which CPU's DPC queue did the ISR put the DPC on?",
        why = "The ISR on CPU 2 queued the DPC on CPU 2's own queue, and it runs there (R12)." },
  run_until(function() return s.handled == 1 end),
  mark("The DPC ran on CPU 2"),
  "A second event; this time the story picks CPU 1, standing in for the controller (R04).",
  fire(nic, { cpu = 1 }),
  ask { "Where does the DPC run now?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 1", "CPU 2, where it ran before" }, answer = "CPU 1",
        hint = "The interrupt's DPC object has no target CPU (R10): what counts is which "
          .. "CPU queues it (R12).",
        why = "The DPC follows the CPU whose call queued it, each time (R12)." },
  run_to_end(),
  expect(function() return s.handled == 2 end, "both events handled"),
  "KMDF's interrupt DPC is never targeted at a CPU (R10). A plain KDPC can be, with "
    .. "KeSetTargetProcessorDpc (R19): a later lesson.",
}

challenge {
  kind = "exists", name = "two-cpus-at-once",
  goal = "Make the NIC's DPC run on CPU 1 and CPU 2 at the same moment.",
  reach = function() return s.running == 2 end,
  reference = "v1 cpus=3: e(NIC)@1 1*7 e(NIC)@2 2*7",
  hints = {
    "The DPC runs where it was queued (R12). Once CPU 1's run has started it is no longer "
      .. "queued, so an interrupt on CPU 2 queues it again there (R13, R14).",
    "Fire the NIC at CPU 1, step CPU 1 into its DPC, then fire at CPU 2.",
    "e NIC CPU 1, press 1 until the DPC is in 'handle the frame', then e NIC CPU 2 "
      .. "and press 2.",
  },
}
