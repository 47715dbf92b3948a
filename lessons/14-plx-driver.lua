-- 14-plx-driver.lua: a real driver's pattern, after the PLX9x5x sample.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "plx-driver", title = "A real driver: PLX9x5x", cpus = 2,
  rules = { "R03", "R06", "R07", "R18", "R42", "R60" },
  goal = "Follow the PLX9x5x sample's pattern: the ISR saves the DMA status at DIRQL (R03) "
      .. "and acknowledges it (R07); the DPC reads and clears the saved copy under the "
      .. "interrupt lock (R60) and completes the transfers outside it.",
  notes = "Press s twice for the C view: the Lua is the same logic. Point out what runs "
      .. "under the lock and what does not.",
  variants = { "PLX9x5x", "clear outside the lock" },
  bounds = { preemptions = 1, events = 2, steps = 200 },
}

local v = variant()
-- The PCI 9x5x bridge: a level-triggered line; INTSTATUS stands for INTCSR,
-- bit 0x1 "DMA channel 0 (read) done", bit 0x2 "DMA channel 1 (write) done".
local plx = device { name = "PLX", irql = 6, kind = "level", affinity = { 0, 1 },
                     synchronization_scope = "device" }
local read_done = event { device = plx, name = "read_done", bits = 0x1, free = 1 }
local write_done = event { device = plx, name = "write_done", bits = 0x2, free = 1 }
-- saved: the device context's copy of the status; isr_saw and dpc_did:
-- every channel bit the ISR saved and the DPC completed.
local s = shared { dpc_did = 0, dpc_in_lock = false, isr_during_lock = false,
                   isr_saw = 0, reads = 0, saved = 0, writes = 0 }

-- The sample's two callbacks in C (shortened), for the C view (s).
local isr_c = [[
BOOLEAN
PLxEvtInterruptIsr(WDFINTERRUPT Interrupt,
                   ULONG MessageID)
{
    PDEVICE_EXTENSION devExt =
        PLxGetDeviceContext(
            WdfInterruptGetDevice(Interrupt));
    ULONG csr;

    csr = READ_REGISTER_ULONG(
              &devExt->Regs->Int_Csr);
    if (!(csr & (DMA0_DONE | DMA1_DONE)))
        return FALSE;   /* not ours */

    /* Under the interrupt lock, at DIRQL:
       save a copy for the DPC. */
    devExt->IntCsr |= csr;

    /* Acknowledge: a level line stays
       asserted until we do. */
    WRITE_REGISTER_ULONG(
        &devExt->Regs->Int_Csr, csr);

    WdfInterruptQueueDpcForIsr(Interrupt);
    return TRUE;
}]]

local dpc_c = [[
VOID
PLxEvtInterruptDpc(WDFINTERRUPT Interrupt,
                   WDFOBJECT Device)
{
    PDEVICE_EXTENSION devExt =
        PLxGetDeviceContext(Device);
    ULONG csr;

    /* Read and clear the saved copy
       under the interrupt lock. */
    WdfInterruptAcquireLock(Interrupt);
    csr = devExt->IntCsr;
    devExt->IntCsr = 0;
    WdfInterruptReleaseLock(Interrupt);

    /* Complete outside it, at DISPATCH. */
    if (csr & DMA0_DONE)
        PLxReadRequestComplete(devExt,
                               STATUS_SUCCESS);
    if (csr & DMA1_DONE)
        PLxWriteRequestComplete(devExt,
                                STATUS_SUCCESS);
}]]

local status, irq = WdfInterruptCreate(plx, {
  EvtInterruptIsr = function(interrupt, message_id)
    local csr = READ_REGISTER_ULONG(plx, "INTSTATUS")
    if csr == 0 then return false end
    if s.dpc_in_lock then s.isr_during_lock = true end
    s.saved = s.saved | csr                    -- at DIRQL, under the interrupt lock (R03)
    s.isr_saw = s.isr_saw | csr
    WRITE_REGISTER_ULONG(plx, "INTSTATUS", csr)   -- acknowledge (R07)
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)  -- device: the WDFDEVICE (R18)
    local csr
    if v == "PLX9x5x" then
      WdfInterruptAcquireLock(interrupt)
      s.dpc_in_lock = true
      csr = s.saved
      s.saved = 0
      s.dpc_in_lock = false
      WdfInterruptReleaseLock(interrupt)
    else
      csr = s.saved                            -- the bug: no lock around read and clear
      s.saved = 0
    end
    if csr & 0x1 ~= 0 then s.reads = s.reads + 1 end
    if csr & 0x2 ~= 0 then s.writes = s.writes + 1 end
    s.dpc_did = s.dpc_did | csr
  end,
  AutomaticSerialization = true,               -- as the sample: one DPC at a time (R42)
  c_source = { EvtInterruptIsr = isr_c, EvtInterruptDpc = dpc_c },
})
assert(status == STATUS_SUCCESS)

if v ~= "PLX9x5x" then
  story {
    "This is the variant '" .. v .. "'. The story follows 'PLX9x5x'; here you are the "
      .. "scheduler: e fires read_done or write_done, 0 and 1 step the CPUs.",
    "dpctutor --explore --variant '" .. v .. "' 14 finds the schedule that loses a transfer.",
  }
else
  story {
    "A PLX bridge finishes two DMA transfers, a read and a write, before CPU 0 takes its "
      .. "level-triggered interrupt. Press s twice for the sample's C.",
    fire(read_done, { cpu = 0 }),
    fire(write_done, { cpu = 0 }),
    ask { "What does the ISR read from INTCSR (INTSTATUS here)?",
          about = returned("READ_REGISTER_ULONG"),
          choices = { "1", "2", "3" }, answer = "3",
          hint = "Two events, one asserted line. Does the status hold one bit or both?",
          why = "Both bits: one request for the asserted line, and the ISR handles everything "
             .. "the status register reports (R06, R07)." },
    "The ISR saves the copy at DIRQL under the interrupt lock, writes the bits back to "
      .. "acknowledge them, and the line drops (R03, R07).",
    "Its FALSE for a status of 0 matters on a shared (chained) line, which is not simulated "
      .. "(R07).",
    run_until(function() return s.dpc_in_lock end),
    mark("The DPC holds the interrupt lock"),
    "EvtInterruptDpc got (Interrupt, Device), the device whose context holds the copy (R18). "
      .. "Another read finishes; its interrupt goes to CPU 1.",
    fire(read_done, { cpu = 1 }),
    ask { "Will CPU 1's ISR run while the DPC holds the interrupt lock?",
          about = value("isr_during_lock"),
          choices = { "TRUE", "FALSE" }, answer = "FALSE",
          hint = "What does an ISR hold while it runs, and who holds it now?",
          why = "The ISR needs the interrupt lock: CPU 1 spins for it at DIRQL until the DPC "
             .. "releases it (R03, R60)." },
    run_to_end(),
    expect(function() return s.reads == 2 and s.writes == 1 end, "two reads, one write completed"),
    "The completions ran outside the lock, at DISPATCH_LEVEL (R17). AutomaticSerialization "
      .. "with a device-scope lock kept the two DPC runs apart. It never wraps the ISR, which "
      .. "only the interrupt lock excludes (R42, R03).",
    mark("The PLX9x5x pattern"),
  }
end

challenge {
  kind = "forall", name = "no-lost-transfer",
  goal = "Pick the DPC that completes every transfer the ISR saved, on every schedule of one "
      .. "read and one write (R60).",
  invariant = function() return finished() and s.dpc_did == s.isr_saw end,
  correct = "PLX9x5x",
  hints = {
    "AutomaticSerialization keeps the device's DPCs apart, but not the ISR (R42), and the "
      .. "ISR writes the saved copy.",
    "Between the DPC's read of the copy and its clear, an ISR, on this CPU or another, can "
      .. "add a bit (R17).",
    "Read and clear the copy under WdfInterruptAcquireLock, as the sample does.",
  },
}
