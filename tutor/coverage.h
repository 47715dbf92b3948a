/*
 * coverage.h - which lessons teach which rule: `dpctutor --list --rules`.
 *
 * Each lesson names the rules it teaches in lesson{ rules = {...} }.  The
 * coverage table reads that list from every lesson found and prints each
 * rule card with the lessons that cite it, so an author can see which
 * rules of semantics.md no lesson teaches yet.
 */
#ifndef DT_COVERAGE_H
#define DT_COVERAGE_H

#include <stdio.h>

/* Print every rule card and the lessons (found in `dir`, or the usual
 * places when NULL) whose rules list names it, then a summary line.  A
 * lesson that cannot be loaded is named on its own line.  Returns 0. */
int coverage_print(FILE *out, const char *dir);

#endif
