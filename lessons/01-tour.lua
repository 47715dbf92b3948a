-- 01-tour.lua: a tour of the screen and the keys.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "tour", title = "A tour of dpctutor", cpus = 2,
  rules = { "R01", "R02", "R03", "R04", "R12" },
  goal = "Learn the screen and the keys: follow the story, step back, step a CPU "
      .. "yourself and fire a device event.",
  notes = "Run it on the projector first. Stop at each mark and point at the pane the "
      .. "story names. Ask 'which CPU?' before each reveal: many say CPU 0.",
}

local nic = device { name = "NIC", irql = 5, affinity = { 0, 1 } }
local s = shared { dpc_cpu = -1, handled = 0, isr_cpu = -1 }

-- An application thread that only runs on CPU 0.
thread { name = "app", affinity = { 0 }, body = function()
  step("application work")
  step("more application work")
end }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.isr_cpu = KeGetCurrentProcessorNumber()
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", 1)  -- acknowledge the device
    WdfInterruptQueueDpcForIsr(interrupt)      -- the rest of the work, later
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.dpc_cpu = KeGetCurrentProcessorNumber()
    s.handled = s.handled + 1
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "Left: a pane per CPU. IRQL is that CPU's interrupt level (R02). On x64: 0 PASSIVE, "
    .. "1 APC, 2 DISPATCH, 3-12 device levels, 13-15 CLOCK, IPI, HIGH (R01).",
  "'next' is what a CPU does at its next step. Below: the interrupt, threads, values.",
  "Right: this story, then the log of engine events. Space: one piece of story; "
    .. "Enter: on to the next pause.",
  run_until(runs_on("app")),
  mark("The thread app runs on CPU 0"),
  "b steps back, f redoes: you view the past, nothing re-runs. w: why? for a log line.",
  "The NIC may interrupt CPU 0 or 1. The interrupt controller picks one; here the "
    .. "story picks CPU 1 (R04).",
  fire(nic, { cpu = 1 }),
  ask { "Which CPU runs the NIC's ISR?",
        about = runs_on("EvtInterruptIsr"),
        choices = { "CPU 0", "CPU 1" }, answer = "CPU 1",
        hint = "A DIRQL ISR runs where the interrupt was delivered (R03).",
        why = "A DIRQL ISR runs on the CPU that took the interrupt (R03)." },
  ask { "And which CPU runs its DPC?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0", "CPU 1" }, answer = "CPU 1",
        hint = "Look at which CPU's queue line shows the DPC.",
        why = "The DPC joins the queue of the CPU that called WdfInterruptQueueDpcForIsr: "
           .. "here the ISR on CPU 1 (R12)." },
  mark("The DPC ran on CPU 1"),
  run_to_end(),
  expect(function() return s.handled == 1 end, "the DPC ran once"),
  "Now play: 0-9 steps a CPU, e fires an event, t runs a thread, R restarts, ? keys.",
}

challenge {
  kind = "exists", name = "fire-at-cpu0",
  goal = "In free play, make the NIC's DPC run on CPU 0.",
  reach = function() return s.dpc_cpu == 0 end,
  reference = "v1 cpus=2: e(NIC)@0 0*9",
  hints = {
    "The interrupt's DPC runs on the CPU that queued it (R12), so the ISR must run on "
      .. "CPU 0 (R03).",
    "Press e, pick NIC, then CPU 0; then press 0 until the DPC has run.",
  },
}
