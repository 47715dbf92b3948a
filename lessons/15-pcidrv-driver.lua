-- 15-pcidrv-driver.lua: a real driver's pattern, after the PCIDRV sample.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "pcidrv-driver", title = "A real driver: PCIDRV", cpus = 2,
  rules = { "R07", "R14", "R62" },
  goal = "Follow the PCIDRV sample's pattern: the ISR masks and acknowledges the device "
      .. "(R07), the DPC drains its work in a bounded loop and unmasks through "
      .. "WdfInterruptSynchronize (R62), so only one DPC drains the device at a time (R14).",
  notes = "Press s twice for the C view. Ask why the unmask goes through "
      .. "WdfInterruptSynchronize and not a plain register write.",
  variants = { "PCIDRV", "no mask" },
  bounds = { preemptions = 1, events = 2, steps = 200 },
}

local v = variant()
-- The NIC's level line: asserted while INTSTATUS & INTENABLE is non-zero.
local nic = device { name = "NIC", irql = 5, kind = "level", affinity = { 0, 1 }, free = 2 }
-- ring: frames the ISR has acknowledged and no DPC has handled yet (a
-- simplification: the real ring also holds frames that came while masked).
local s = shared { handled = 0, in_dpc = false, isr_runs = 0, masked = false, overlaps = 0,
                   ring = 0 }

-- The sample's two callbacks in C, shortened (the sample's DPC also takes
-- its receive and send spin locks), for the C view (s).
local isr_c = [[
BOOLEAN
NICEvtInterruptIsr(WDFINTERRUPT Interrupt,
                   ULONG MessageID)
{
    PFDO_DATA fdo = FdoGetData(
        WdfInterruptGetDevice(Interrupt));
    USHORT status;

    if (!NIC_INTERRUPT_ACTIVE(fdo))
        return FALSE;       /* not ours */

    /* Mask: no more interrupts until the
       DPC has drained the device. */
    NICDisableInterrupt(fdo);

    /* Acknowledge: clear the status. */
    NIC_ACK_INTERRUPT(fdo, status);

    WdfInterruptQueueDpcForIsr(Interrupt);
    return TRUE;
}]]

local dpc_c = [[
VOID
NICEvtInterruptDpc(WDFINTERRUPT Interrupt,
                   WDFOBJECT Device)
{
    PFDO_DATA fdo = FdoGetData(Device);

    /* Drain the receive and send work,
       bounded: a DPC must not run too
       long. */
    NICHandleRecvInterrupt(fdo);
    NICHandleSendInterrupt(fdo);

    /* Unmask under the interrupt lock,
       at DIRQL, like the ISR's mask. */
    WdfInterruptSynchronize(Interrupt,
        NICEnableInterrupt, fdo);
}]]

local MAX_BATCHES = 3

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    local st = READ_REGISTER_ULONG(nic, "INTSTATUS")
    if st == 0 then return false end
    s.isr_runs = s.isr_runs + 1
    if v == "PCIDRV" then
      WRITE_REGISTER_ULONG(nic, "INTENABLE", 0)    -- mask: the line drops (R07)
      s.masked = true
    end
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", st)     -- acknowledge (R07)
    s.ring = s.ring + 1                            -- the frame waits in the ring
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    if s.in_dpc then s.overlaps = s.overlaps + 1 end
    s.in_dpc = true
    if v == "PCIDRV" then
      for _ = 1, MAX_BATCHES do                     -- a bounded drain
        if s.ring == 0 then break end
        s.ring = s.ring - 1
        s.handled = s.handled + 1
      end
      s.in_dpc = false
      WdfInterruptSynchronize(interrupt, function(i)   -- at DIRQL, under the lock (R62)
        WRITE_REGISTER_ULONG(nic, "INTENABLE", 0xFFFFFFFF)
        s.masked = false
        return true
      end)
    else
      if s.ring > 0 then
        s.ring = s.ring - 1
        s.handled = s.handled + 1
      end
      s.in_dpc = false
    end
  end,
  c_source = { EvtInterruptIsr = isr_c, EvtInterruptDpc = dpc_c },
})
assert(status == STATUS_SUCCESS)

if v ~= "PCIDRV" then
  story {
    "This is the variant 'no mask': the ISR acknowledges but does not mask. The story follows 'PCIDRV'; "
      .. "here e fires the NIC, 0 and 1 step the CPUs.",
    "dpctutor --explore --variant 'no mask' 15 finds two DPC runs at once (R14).",
  }
else
  story {
    "A frame arrives; the NIC's level line goes to CPU 0. Press s twice for the sample's C.",
    fire(nic, { cpu = 0 }),
    run_until(function() return s.handled == 1 end),
    "The ISR masked the device (INTENABLE = 0), which drops the level line, acknowledged "
      .. "it and queued the DPC (R07). The DPC has handled the first frame on CPU 0.",
    mark("The DPC drains a masked device"),
    "Another frame arrives; were the device not masked, its interrupt would go to CPU 1.",
    fire(nic, { cpu = 1 }),
    ask { "How many times will the ISR have run when the DPC unmasks the device?",
          about = value("isr_runs"),
          choices = { "1", "2" }, answer = "1",
          hint = "Can a masked device send an interrupt (R07)? Where does the frame's status go?",
          why = "A masked device does not assert its line: the status bit stays set, and the "
             .. "line asserts again at the unmask (R07)." },
    run_until(function() return not s.masked end),
    ask { "The DPC unmasks through WdfInterruptSynchronize. What does the call return?",
          about = returned("WdfInterruptSynchronize"),
          choices = { "TRUE", "FALSE" }, answer = "TRUE",
          hint = "Whose BOOLEAN does WdfInterruptSynchronize return?",
          why = "It runs the callback at DIRQL under the interrupt lock and returns the "
             .. "callback's BOOLEAN, TRUE here (R62)." },
    run_to_end(),
    expect(function() return not s.masked and s.overlaps == 0 and s.handled == 2 end,
           "unmasked again, both frames handled, never two drains at once"),
    "At the unmask the second frame's status re-asserted the line (R07): the ISR ran again, "
      .. "here on CPU 0, and queued the DPC, which handled that frame.",
    "Masking in the ISR means no second ISR can queue the DPC while it drains, so no second "
      .. "DPC drains the device at the same time (R13, R14). After the unmask a new run may "
      .. "start while the first one is returning (inference). The bound on the loop keeps "
      .. "the DPC short.",
    mark("The PCIDRV pattern"),
  }
end

challenge {
  kind = "forall", name = "one-dpc",
  goal = "Pick the driver that never runs two DPCs at once and ends with the device "
      .. "unmasked, on every schedule of up to two events (R14).",
  invariant = function() return finished() and s.overlaps == 0 and not s.masked end,
  correct = "PCIDRV",
  hints = {
    "Two DPC runs at once need a second ISR on another CPU while the first DPC runs (R14).",
    "A masked device sends no interrupt (R07): mask in the ISR, unmask when the drain is "
      .. "done.",
    "Unmask under the interrupt lock, with WdfInterruptSynchronize (R62).",
  },
}
