/*
 * validate.c - field-level rules: missing tokens, types, required, ranges,
 * enum values. Each failure carries a reason a person can act on: what was
 * expected, shown as an example, and for dates the formats that were tried.
 */
#include "opsreport/validate.h"

#include "opsreport/parse.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ASCII case-insensitive: tok (NUL-terminated) equals raw[0..len). Called for
 * every field of every row, so no strlen and no locale (strncasecmp is both
 * slower and locale-dependent). */
static inline unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool token_equal(const char *tok, const char *raw, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char a = (unsigned char)tok[i], b = (unsigned char)raw[i];
        /* the token ends first (raw may hold NUL bytes of its own) */
        if (!a || (a != b && ascii_lower(a) != ascii_lower(b)))
            return false;
    }
    return tok[len] == '\0';
}

bool validate_is_missing_listed(const input_config_t *in, const char *raw, size_t len)
{
    for (size_t i = 0; i < in->missing.count; i++)
        if (token_equal(in->missing.items[i], raw, len))
            return true;
    return false;
}

/* Printable-range ASCII with no NUL: valid UTF-8 without asking GLib (most
 * cells of most exports; g_utf8_validate's call was 2% of a GL ingest). */
static bool ascii_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)(s[i] - 1) >= 0x7F) /* NUL, or a byte of 0x80 and up */
            return false;
    return true;
}

static const char *type_name(field_type_t t)
{
    switch (t) {
    case FT_TEXT: return "text";
    case FT_INT: return "a whole number";
    case FT_DECIMAL: return "a number";
    case FT_MONEY: return "an amount";
    case FT_DATE: return "a date";
    case FT_TIMESTAMP: return "a timestamp";
    case FT_ENUM: return "one of the allowed values";
    case FT_BOOL: return "yes/no";
    }
    return "a value";
}

/* Appends s to buf at *n, never past size (snprintf may report more). */
static void append(char *buf, size_t size, size_t *n, const char *s)
{
    if (*n >= size)
        return;
    int k = snprintf(buf + *n, size - *n, "%s", s);
    if (k > 0)
        *n += (size_t)k;
}

/* "expected a date like 31.10.2026; formats tried: %d.%m.%Y, iso", with the
 * parser's reason in front when a format read the value but it is no real
 * date ("day 31 does not exist in 2026-02; expected ..."). */
static const char *date_why(const config_list_t *formats, bool timestamp, const char *reason,
                            char *buf, size_t size)
{
    if (size == 0)
        return reason;
    char example[48];
    parse_format_example(formats->count ? formats->items[0] : "iso", timestamp, example,
                         sizeof example);
    size_t n = 0;
    buf[0] = '\0';
    if (strcmp(reason, PARSE_WHY_NO_FORMAT) != 0) {
        append(buf, size, &n, reason);
        append(buf, size, &n, "; ");
    }
    append(buf, size, &n, timestamp ? "expected a timestamp like " : "expected a date like ");
    append(buf, size, &n, example);
    append(buf, size, &n, "; formats tried: ");
    for (size_t i = 0; i < formats->count; i++) {
        if (i)
            append(buf, size, &n, ", ");
        append(buf, size, &n, formats->items[i]);
    }
    return buf;
}

bool validate_field(const field_def_t *def, const input_config_t *in, int minor_units,
                    const char *raw, size_t len, field_value_t *out, char *why_buf,
                    size_t why_size, const char **why)
{
    while (len && validate_space((unsigned char)*raw)) {
        raw++;
        len--;
    }
    while (len && validate_space((unsigned char)raw[len - 1]))
        len--;
    return validate_value(def, in, minor_units, raw, len, validate_is_missing(in, raw, len), out, why_buf,
                         why_size, why);
}

bool validate_value(const field_def_t *def, const input_config_t *in, int minor_units, const char *raw,
                    size_t len, bool missing, field_value_t *out, char *why_buf, size_t why_size,
                    const char **why)
{
    memset(out, 0, sizeof *out);
    out->text = raw;
    out->len = len;
    if (missing) {
        if (def->required) {
            snprintf(why_buf, why_size, "required %s is missing (expected %s)", def->name,
                     type_name(def->type));
            *why = why_buf;
            return false;
        }
        return true;
    }
    number_format_t nf = { in->decimal, in->thousands, &in->currency_symbols };
    bool ok = true;
    double range_value = 0;
    int grain = PARSE_GRAIN_DAY;
    switch (def->type) {
    case FT_TEXT:
        if (!ascii_text(raw, len) && !g_utf8_validate(raw, (gssize)len, NULL)) {
            *why = "invalid UTF-8 text (check the input's encoding setting)";
            ok = false;
        }
        break;
    case FT_INT:
        ok = parse_integer(raw, len, &nf, &out->v.i, why);
        range_value = (double)out->v.i;
        break;
    case FT_DECIMAL:
        ok = parse_decimal(raw, len, &nf, &out->v.num, why);
        range_value = out->v.num;
        break;
    case FT_MONEY:
        ok = parse_money(raw, len, &nf, minor_units, &out->v.money, &out->residual, why);
        break;
    case FT_DATE:
        ok = parse_date(raw, len, &in->date_formats, &out->v.date, &grain, why);
        if (ok)
            out->grain = (uint8_t)grain;
        else
            *why = date_why(&in->date_formats, false, *why, why_buf, why_size);
        break;
    case FT_TIMESTAMP:
        ok = parse_timestamp(raw, len, &in->timestamp_formats, &out->v.ts, why);
        if (!ok)
            *why = date_why(&in->timestamp_formats, true, *why, why_buf, why_size);
        break;
    case FT_ENUM:
        /* the ingest hands on the allowed value itself once map_vocab knew
         * it: its index without comparing texts again */
        ok = false;
        for (int i = 0; def->enum_values[i] && !ok; i++)
            if (raw == def->enum_values[i]) {
                out->v.enum_index = i;
                ok = true;
            }
        if (!ok)
            ok = parse_enum(raw, len, def->enum_values, &out->v.enum_index, why);
        if (!ok) {
            size_t n = 0;
            append(why_buf, why_size, &n, "expected one of ");
            for (size_t i = 0; def->enum_values[i]; i++) {
                if (i)
                    append(why_buf, why_size, &n, ", ");
                append(why_buf, why_size, &n, def->enum_values[i]);
            }
            *why = why_buf;
        }
        break;
    case FT_BOOL:
        ok = parse_bool_value(raw, len, &in->true_values, &in->false_values, &out->v.b, why);
        break;
    }
    /* number reasons quote the value from a per-thread buffer in parse.c:
     * keep them in the caller's buffer like every other formatted reason */
    if (!ok && (def->type == FT_INT || def->type == FT_DECIMAL || def->type == FT_MONEY)) {
        snprintf(why_buf, why_size, "%s", *why);
        *why = why_buf;
    }
    if (ok && def->has_range && (range_value < def->min || range_value > def->max)) {
        if (def->max >= 1e9)
            snprintf(why_buf, why_size, "%s out of range: expected %g or more", def->name, def->min);
        else
            snprintf(why_buf, why_size, "%s out of range: expected %g to %g", def->name, def->min,
                     def->max);
        *why = why_buf;
        ok = false;
    }
    out->present = ok;
    return ok;
}
