/*
 * suites.h - the list of Check suites in the unit-test binary.
 * Each entry names a function `Suite *NAME_suite(void)` defined in
 * tests/unit/test_NAME.c.  Add one line per new test file.
 */
DT_SUITE(rng)
DT_SUITE(schedule)
DT_SUITE(smoke)
DT_SUITE(props)
DT_SUITE(rules_dpc)
DT_SUITE(rules_irq)
DT_SUITE(history)
DT_SUITE(badinput)
DT_SUITE(rules_locks)
DT_SUITE(rules_workitem)
DT_SUITE(rules_kdpc)
DT_SUITE(rules_passive)
DT_SUITE(narrate)
DT_SUITE(props_threads)
DT_SUITE(sandbox)
DT_SUITE(script)
DT_SUITE(script_story)
DT_SUITE(explore)
DT_SUITE(ui_grid)
DT_SUITE(rules_stale)
DT_SUITE(ui_screens)
DT_SUITE(coverage)
