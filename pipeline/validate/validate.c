/*
 * validate.c - field-level rules: missing tokens, types, required, ranges,
 * enum values. Each failure carries a reason a person can act on.
 */
#include "opsreport/validate.h"

#include "ingest/parse.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool validate_is_missing(const input_config_t *in, const char *raw, size_t len)
{
    for (size_t i = 0; i < in->missing.count; i++) {
        const char *tok = in->missing.items[i];
        if (strlen(tok) == len && strncasecmp(tok, raw, len) == 0)
            return true;
    }
    return len == 0;
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

bool validate_field(const field_def_t *def, const input_config_t *in, int minor_units,
                    const char *raw, size_t len, field_value_t *out, char *why_buf,
                    size_t why_size, const char **why)
{
    while (len && isspace((unsigned char)*raw)) {
        raw++;
        len--;
    }
    while (len && isspace((unsigned char)raw[len - 1]))
        len--;
    memset(out, 0, sizeof *out);
    out->text = raw;
    out->len = len;
    if (validate_is_missing(in, raw, len)) {
        if (def->required) {
            snprintf(why_buf, why_size, "required %s is missing (expected %s)", def->name,
                     type_name(def->type));
            *why = why_buf;
            return false;
        }
        return true;
    }
    number_format_t nf = { in->decimal, in->thousands };
    bool ok = true;
    double range_value = 0;
    switch (def->type) {
    case FT_TEXT:
        if (!g_utf8_validate(raw, (gssize)len, NULL)) {
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
        ok = parse_money(raw, len, &nf, minor_units, &out->v.money, why);
        break;
    case FT_DATE:
        ok = parse_date(raw, len, &in->date_formats, &out->v.date, why);
        break;
    case FT_TIMESTAMP:
        ok = parse_timestamp(raw, len, &in->timestamp_formats, &out->v.ts, why);
        break;
    case FT_ENUM:
        ok = parse_enum(raw, len, def->enum_values, &out->v.enum_index, why);
        if (!ok) {
            size_t n = (size_t)snprintf(why_buf, why_size, "expected one of");
            for (size_t i = 0; def->enum_values[i] && n < why_size; i++)
                n += (size_t)snprintf(why_buf + n, why_size - n, "%s %s", i ? "," : "",
                                      def->enum_values[i]);
            *why = why_buf;
        }
        break;
    case FT_BOOL:
        ok = parse_bool_value(raw, len, &in->true_values, &in->false_values, &out->v.b, why);
        break;
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
