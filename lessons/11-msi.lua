-- 11-msi.lua: MSI messages, one interrupt object each.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "msi", title = "MSI: one interrupt per message", cpus = 2,
  rules = { "R05", "R10", "R12", "R61" },
  goal = "Give a device two MSI messages, see the MessageID each ISR gets, and what runs "
      .. "in parallel: two objects, two DPCs, two locks.",
  notes = "Ask: 'the NIC has one DPC, right?' With MSI it has one per message.",
}

-- An MSI NIC: message 0 says "received", message 1 "sent". A PHY chip on a
-- wired line at IRQL 7 shares a lock with the send path. PHY is drawn as a
-- device of its own; read its interrupt as one more of the NIC's WDFDEVICE:
-- R61's source computes the shared SynchronizeIrql per device.
local nic = device { name = "NIC", irql = 5, kind = "msi", messages = 2, affinity = { 0, 1 } }
local rx = event { device = nic, name = "rx", bits = 0x1, message = 0 }
local tx = event { device = nic, name = "tx", bits = 0x2, message = 1 }
local phy = device { name = "PHY", irql = 7, affinity = { 0, 1 } }
local s = shared { in_rx = false, in_tx = false, isr_overlap = false, parallel = false,
                   rx_done = 0, rx_msg = -1, tx_done = 0, tx_msg = -1, tx_running = false }

-- One WDFSPINLOCK as the interrupt lock of both the send interrupt and the
-- PHY's: both then get the higher DIRQL, 7, as SynchronizeIrql (R61).
local _, txlock = WdfSpinLockCreate()

-- Created first, so its MessageID is 0 (R05).
local st0, rx_irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.in_rx = true
    s.rx_msg = message_id
    if s.in_tx then s.isr_overlap = true end
    WdfInterruptQueueDpcForIsr(interrupt)      -- rx's own DPC (R10)
    s.in_rx = false
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    if s.tx_running then s.parallel = true end
    s.rx_done = s.rx_done + 1
  end,
})
-- Created second: MessageID 1.
local st1, tx_irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.in_tx = true
    s.tx_msg = message_id
    KeGetCurrentIrql()                         -- the SynchronizeIrql of a shared lock (R61)
    if s.in_rx then s.isr_overlap = true end
    WdfInterruptQueueDpcForIsr(interrupt)      -- tx's own DPC
    s.in_tx = false
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.tx_running = true
    for _ = 1, 10 do step("complete a sent frame", { us = 2 }) end
    s.tx_done = s.tx_done + 1
    s.tx_running = false
  end,
  SpinLock = txlock,
})
local st2 = WdfInterruptCreate(phy, {
  EvtInterruptIsr = function(interrupt, message_id) return true end,
  SpinLock = txlock,
})
assert(st0 == STATUS_SUCCESS and st1 == STATUS_SUCCESS and st2 == STATUS_SUCCESS)

story {
  "The NIC signals with MSI: two messages, and the driver creates one WDFINTERRUPT per "
    .. "message, rx first, then tx (R05).",
  "A sent frame: message 1, to CPU 1.",
  fire(tx, { cpu = 1 }),
  ask { "What MessageID does tx's ISR receive?",
        about = value("tx_msg"),
        choices = { "0", "1", "2" }, answer = "1",
        hint = "The message number is not read from the device. What decides it?",
        why = "MessageID is the 0-based order in which the interrupt objects were created on "
           .. "the device: tx was second (R05)." },
  ask { "tx's ISR calls KeGetCurrentIrql. The NIC's DIRQL is 5. What does it return?",
        about = returned("KeGetCurrentIrql"),
        choices = { "2", "5", "7" }, answer = "7",
        hint = "tx's interrupt lock is a WDFSPINLOCK it shares with the PHY, at IRQL 7.",
        why = "Interrupts sharing one WDFSPINLOCK all get the highest DIRQL among them as "
           .. "SynchronizeIrql (R61), and an ISR runs at its SynchronizeIrql (R03): 7." },
  run_until(function() return s.tx_running end),
  mark("tx's DPC runs on CPU 1"),
  "A received frame arrives, message 0, at CPU 0, while tx's DPC runs on CPU 1.",
  fire(rx, { cpu = 0 }),
  ask { "Can rx's DPC run on CPU 0 while tx's DPC runs on CPU 1?",
        about = value("parallel"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        hint = "How many DPC objects are there? Where is each one queued?",
        why = "Each interrupt object has its own DPC, queued on the CPU whose ISR queued it: "
           .. "two objects, two CPUs, at the same time (R10, R12)." },
  run_to_end(),
  expect(function() return s.rx_done == 1 and s.tx_done == 1 end, "one run of each DPC"),
  expect(function() return s.rx_msg == 0 end, "rx got MessageID 0"),
  "So, by default, several messages mean several ISRs and DPCs with separate locks (R05, "
    .. "R03, R10).",
  "Data both paths touch needs a lock both take: a shared WDFSPINLOCK for the ISRs (R61, R63), "
    .. "or AutomaticSerialization for the DPCs (R42).",
}

challenge {
  kind = "exists", name = "two-isrs",
  goal = "Make the rx and tx ISRs run at the same moment, on two CPUs.",
  reach = function() return s.isr_overlap end,
  reference = "v1 cpus=2: e(tx)@1 1*2 e(rx)@0 0*5",
  hints = {
    "rx and tx have different interrupt locks (only tx shares its lock, with PHY) (R03, "
      .. "R61): nothing keeps their ISRs apart.",
    "Start tx's ISR on CPU 1, and before it returns, send rx to CPU 0.",
    "e tx CPU 1, press 1 twice, e rx CPU 0, then press 0 until rx's ISR checks.",
  },
}
