/*
 * map.h - the mapping layer between the CSV reader and validation.
 *
 * A real export names, spells and books things its own way; the config
 * says how to read it (README, "Mapping an export"). Ingest resolves the
 * columns once per file and calls these per row, in this order:
 *   1. row filters (where./skip.)       -> the row is counted as filtered
 *   2. the field's text: const., else the first non-empty of col. A | B,
 *      else default.
 *   3. map.FIELD (alias.FIELD) value maps, then the built-in vocabulary of
 *      enum fields (Jira, ServiceNow, High/Medium/Low, budget labels)
 *   4. validation (pipeline/validate) of the resulting text
 *   5. GL conventions: account type from the account number, sign flips,
 *      and phasing of a year-only budget line into 12 months.
 * Nothing here allocates or keeps state: every function reads the config.
 */
#ifndef OPSREPORT_MAP_H
#define OPSREPORT_MAP_H

#include "opsreport/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Case-insensitive comparison where runs of spaces, '-' and '_' are one
 * separator and Latin-1 letters fold too ("1 - Critical" = "1-critical",
 * "ERLÖSE" = "erlöse"). */
bool map_text_equal(const char *a, size_t alen, const char *b, size_t blen);

/* The target of value s in m (an entry, else the "*" fallback), or NULL
 * when m has no entry for it. The returned string belongs to the config. */
const char *map_value(const value_map_t *m, const char *s, size_t len);

/* Index into def->enum_values of s spelled as a canonical value or as one
 * of def->vocab's spellings; -1 if neither. */
int map_vocab(const field_def_t *def, const char *s, size_t len);

/* true if the value passes filter f (where.: listed; skip.: not listed). */
bool map_filter_pass(const row_filter_t *f, const char *s, size_t len);

/* GL account type (GL_TYPE_*) from in->account_rules for an account
 * number or code, -1 if no rule matches. Ranges compare numerically when
 * both ends and the account are whole numbers, else as text. */
int map_account_type(const input_config_t *in, const char *account, size_t len);

/* Splits amount (minor units) into 12 monthly parts by weights (NULL:
 * even) so that the parts add up to amount exactly: each part is rounded
 * down and the remaining units go to the months with the largest
 * remainders, earliest first on ties. */
void map_phase(int64_t amount, const double *weights, int64_t out[12]);

/* Writes "a => b, c => d, * => e" (cut with "..." to fit) for messages. */
void map_describe(const value_map_t *m, char *buf, size_t size);

#endif
