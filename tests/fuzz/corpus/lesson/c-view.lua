-- c-view.lua: a test lesson for the UI's C view and hint tiers
-- (tests/unit/test_ui_panes.c, tests/ui/t_panes.sh).  CC BY 4.0.
lesson {
  api = 1, id = "c-view", title = "The C beside the Lua", cpus = 2,
  goal = "Read the ISR and the DPC in C while the Lua runs.",
}

local nic = device { name = "NIC", irql = 5, affinity = { 0 } }
local s = shared { pending = 0, handled = 0 }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.pending = s.pending + 1
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    WdfInterruptAcquireLock(interrupt)
    local n = s.pending
    s.pending = 0
    WdfInterruptReleaseLock(interrupt)
    s.handled = s.handled + n
  end,
  c_source = {
    EvtInterruptIsr = [[
BOOLEAN NicEvtInterruptIsr(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    PNIC_CONTEXT ctx = NicGetContext(WdfInterruptGetDevice(Interrupt));
    ctx->Pending++;
    WdfInterruptQueueDpcForIsr(Interrupt);
    return TRUE;
}]],
    EvtInterruptDpc = [[
VOID NicEvtInterruptDpc(WDFINTERRUPT Interrupt, WDFOBJECT Device)
{
    PNIC_CONTEXT ctx = NicGetContext(Device);
    ULONG n;
    WdfInterruptAcquireLock(Interrupt);
    n = ctx->Pending;
    ctx->Pending = 0;
    WdfInterruptReleaseLock(Interrupt);
    ctx->Handled += n;
}]],
  },
})
assert(status == STATUS_SUCCESS)

story {
  fire(nic, { cpu = 0 }),
  ask { "Which CPU runs the DPC?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0", "CPU 1" }, answer = "CPU 0",
        hint = { "Where was the DPC queued?", "The ISR ran on CPU 0 (R12)." },
        why = "The DPC runs on the CPU whose call queued it (R12)." },
  run_to_end(),
  expect(function() return s.handled == 1 end, "the event handled"),
}

challenge {
  kind = "exists", name = "two-at-once",
  goal = "Handle two events with one DPC run.",
  reach = function() return finished() and s.handled == 2 and fired(nic) == 2 end,
  reference = "v1 cpus=2: e(NIC)@0 0*2 e(NIC)@0 0*16",
  hints = { "FALSE from the queue call is not an error.",
            "Fire the second event while the first ISR still runs." },
}
