/*
 * glossary.h - the terms a student meets in the lessons, each explained
 * in one to three sentences that cite the rules of semantics.md they
 * state.  Data only: the G screen (ui_glossary.c) shows it.
 */
#ifndef DT_GLOSSARY_H
#define DT_GLOSSARY_H

#include <stddef.h>

struct glossary_entry {
	const char *term;
	const char *text;
};

/* Every entry, in the order a student needs them; *count their number. */
const struct glossary_entry *glossary(size_t *count);

#endif
