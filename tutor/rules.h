/*
 * rules.h - the rule cards: one student-facing sentence per rule of
 * semantics.md (R01..R80).
 *
 * Every trace event names the rule that governs it (dt_trace.h `rule`),
 * and the narrator cites it as "(R13)".  When a student asks "why?" about
 * a log line, the UI shows the card of that rule: its ID, whether the
 * engine simulates it ('S') or lessons only tell it ('N', the sentence
 * then ends in "(not simulated)"), a short title and one sentence.
 * The table is data only: no engine, curses or Lua dependency.
 */
#ifndef DT_RULES_H
#define DT_RULES_H

#include <stddef.h>

struct rule_card {
	unsigned number;      /* 13 for R13 */
	const char *id;       /* "R13" */
	char tag;             /* 'S' simulated, 'N' narrated only */
	const char *title;    /* 2-6 words */
	const char *sentence; /* one plain-English sentence teaching the rule */
};

/* The card of rule `number` (13 = R13); NULL when semantics.md has none. */
const struct rule_card *rule_card(unsigned number);

/* Every card in rule order; *count receives how many (count may be NULL). */
const struct rule_card *rule_cards(size_t *count);

#endif /* DT_RULES_H */
