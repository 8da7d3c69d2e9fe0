/*
 * validate.h - the row rules: a raw field becomes a typed value or a reason.
 *
 * validate_field() applies the missing-value tokens, the type parser, the
 * required flag, ranges and enum lists of one logical field. Duplicate keys
 * and event-log "latest row wins" are handled by ingest, which sees the
 * whole stream; the rejects writer lives in pipeline/validate/rejects.c.
 */
#ifndef OPSREPORT_VALIDATE_H
#define OPSREPORT_VALIDATE_H

#include "opsreport/ingest.h"

/* raw/len is the field text as read (libcsv has trimmed unquoted spaces).
 * Returns true and fills out (for FT_MONEY also out->residual, for FT_DATE
 * out->grain), or false with a reason in why: a static string or one
 * formatted into why_buf (200 bytes is enough for any but the longest
 * format lists, which are cut). Amounts may carry only the input's
 * currency_symbols; dates and timestamps are tried in the order of
 * date_formats / timestamp_formats, and a failure lists them. */
bool validate_field(const field_def_t *def, const input_config_t *in, int minor_units,
                    const char *raw, size_t len, field_value_t *out, char *why_buf,
                    size_t why_size, const char **why);

/* True if the value is one of the input's missing tokens (after trimming). */
/* Whether raw[0..len) is one of the input's missing-value tokens (ASCII
 * case-insensitive; empty is missing). Inline: it is asked for every field
 * of every row, and the first byte rules out nearly all of them. */
bool validate_is_missing_listed(const input_config_t *in, const char *raw, size_t len);
static inline bool validate_is_missing(const input_config_t *in, const char *raw, size_t len)
{
    if (len == 0)
        return true;
    unsigned char c = (unsigned char)raw[0];
    if (c >= 'A' && c <= 'Z')
        c += 32;
    if (in->missing_indexed && !(in->missing_first[c >> 3] & (1u << (c & 7))))
        return false;
    return validate_is_missing_listed(in, raw, len);
}
/* validate_field for a caller that has trimmed raw (no ASCII space at either
 * end) and already asked validate_is_missing: missing is its answer. The
 * ingest's per-field path, which used to trim and look up the missing
 * tokens twice more per field. */
bool validate_value(const field_def_t *def, const input_config_t *in, int minor_units, const char *raw,
                    size_t len, bool missing, field_value_t *out, char *why_buf, size_t why_size,
                    const char **why);
/* ASCII white space (what isspace means in the C locale the program runs
 * in), without the ctype table call isspace makes per byte. */
static inline bool validate_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

#endif
