/* inspect_internal.h - what sniff.c, match.c, section.c and kinds.c share. */
#ifndef OPSREPORT_INSPECT_INTERNAL_H
#define OPSREPORT_INSPECT_INTERNAL_H

#include "opsreport/inspect.h"

/* The missing-value tokens a new input gets by default (config.c). */
extern const char *const inspect_default_missing[];

/* true if s (trimmed) is empty or one of the default missing tokens, or
 * one of the sentinels the sniffer found. */
bool inspect_is_blank(const inspect_result_t *r, const char *s);

/* An input config carrying the sniffed dialect, with the column's own
 * date/timestamp formats (col may be NULL: the file-wide ones). Free the
 * lists with inspect_input_clear. */
void inspect_input_init(const inspect_result_t *r, const inspect_column_t *col, input_config_t *in);
void inspect_input_clear(input_config_t *in);

/* Only digits, separators, signs and currency symbols, and a digit. */
bool inspect_numeric_shape(const char *s);

/* The dialect's currency symbols as a list (free the items with g_free). */
void inspect_currency_list(const inspect_dialect_t *d, config_list_t *list);

/* Appends item to list unless present (case-sensitive); false when full. */
bool inspect_list_add(config_list_t *list, const char *item);

/* Config spelling of a separator character: "comma", "tab", "\"", "none". */
const char *inspect_char_name(char c, char *buf, size_t size);

#endif
