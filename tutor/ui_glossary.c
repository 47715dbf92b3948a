/*
 * ui_glossary.c - two reference pages: the glossary (G) and every rule
 * card (K), the cards that "why?" shows one at a time.  Both scroll
 * (ui_pager.c).
 */
#include "glossary.h"
#include "rules.h"
#include "ui_pager.h"

void ui_glossary_draw(struct ui *u)
{
	struct ui_page p = { 0 };
	size_t n;
	const struct glossary_entry *e = glossary(&n);
	for (size_t i = 0; i < n; i++) {
		ui_page_add(&p, UI_S_BOLD, 0, "%s", e[i].term);
		ui_page_add(&p, UI_S_NORMAL, 2, "%s", e[i].text);
	}
	ui_page_add(&p, UI_S_DIM, 0, "%s", "");
	ui_page_add(&p, UI_S_DIM, 0, "K lists every rule card; w shows the card of a log line.");
	ui_page_show(u, &p, "glossary (G)");
}

void ui_rules_draw(struct ui *u)
{
	struct ui_page p = { 0 };
	size_t n;
	const struct rule_card *c = rule_cards(&n);
	ui_page_add(&p, UI_S_DIM, 0,
		    "S: the engine simulates the rule; N: lessons only tell it.");
	for (size_t i = 0; i < n; i++) {
		ui_page_add(&p, UI_S_BOLD, 0, "%s [%c] %s", c[i].id, c[i].tag, c[i].title);
		ui_page_add(&p, UI_S_NORMAL, 2, "%s", c[i].sentence);
	}
	ui_page_show(u, &p, "rule cards (K)");
}
