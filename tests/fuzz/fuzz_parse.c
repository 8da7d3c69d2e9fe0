/*
 * fuzz_parse.c - the date, number and money parsers (pipeline/core/parse.c).
 *
 * Byte 0 chooses the number format and the date formats, the rest is the
 * value (not NUL-terminated, as ingest hands it over). Properties:
 *   - money: the rounding residual is at most half a minor unit, and the
 *     amount agrees with parse_decimal of the same text to within rounding;
 *   - a whole number reads the same as parse_integer and as money with no
 *     minor units, with no residual;
 *   - a date is a real calendar day that survives date_to_ymd/date_from_ymd;
 *   - the value taken as a format: if parse_format_check accepts it, the
 *     example it writes reads back with that format (the message a user
 *     sees must show a value the reader takes).
 */
#include "fuzz_util.h"

#include "opsreport/parse.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const char *s = (const char *)data + 1;
    size_t len = size - 1;

    static char cur0[] = "$", cur1[] = "USD";
    config_list_t currency = { { cur0, cur1 }, 2 };
    number_format_t fmt = { (sel & 1) ? ',' : '.', 0, (sel & 4) ? &currency : NULL };
    if (sel & 2)
        fmt.thousands = fmt.decimal == '.' ? ',' : '.';
    else if (sel & 8)
        fmt.thousands = ' ';
    int minor_units = (sel >> 4) & 3; /* 0..3 */

    const char *why = NULL;
    int64_t money = 0, residual = 0;
    bool money_ok = parse_money(s, len, &fmt, minor_units, &money, &residual, &why);
    FUZZ_CHECK(money_ok || why);
    if (money_ok)
        FUZZ_CHECK(residual >= -500000 && residual <= 500000);
    double dec = 0;
    bool dec_ok = parse_decimal(s, len, &fmt, &dec, &why);
    FUZZ_CHECK(dec_ok || why);
    if (money_ok && dec_ok && fabs(dec) < 1e12) {
        double scaled = dec * pow(10, minor_units);
        FUZZ_CHECK(fabs(scaled - (double)money) <= 0.5 + 1e-6 * fabs(scaled) + 1e-9);
    }
    int64_t whole = 0;
    if (parse_integer(s, len, &fmt, &whole, &why)) {
        int64_t m0 = 0, r0 = 0;
        FUZZ_CHECK(parse_money(s, len, &fmt, 0, &m0, &r0, &why));
        FUZZ_CHECK(m0 == whole && r0 == 0);
    }

    static char f_iso[] = "iso", f_excel[] = "excel", f_rfc[] = "rfc2822", f_de[] = "%d.%m.%Y",
                f_us[] = "%m/%d/%Y", f_mon[] = "%b %Y", f_year[] = "%Y", f_ts[] = "%d.%m.%Y %H:%M:%S";
    config_list_t formats;
    switch ((sel >> 6) & 3) {
    case 0: formats = (config_list_t){ { f_iso }, 1 }; break;
    case 1: formats = (config_list_t){ { f_de, f_excel }, 2 }; break;
    case 2: formats = (config_list_t){ { f_us, f_rfc, f_ts }, 3 }; break;
    default: formats = (config_list_t){ { f_mon, f_year, f_iso }, 3 }; break;
    }
    int32_t day = 0;
    int grain = -1;
    if (parse_date(s, len, &formats, &day, &grain, &why)) {
        int y, m, d;
        date_to_ymd(day, &y, &m, &d);
        FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        FUZZ_CHECK(date_from_ymd(y, m, d) == day);
        FUZZ_CHECK(grain >= PARSE_GRAIN_DAY && grain <= PARSE_GRAIN_YEAR);
        if (grain != PARSE_GRAIN_DAY)
            FUZZ_CHECK(d == 1);
    }
    int64_t ts = 0;
    (void)parse_timestamp(s, len, &formats, &ts, &why);

    /* the value as a date or timestamp format */
    char format[128];
    if (len < sizeof format && !memchr(s, '\0', len)) {
        memcpy(format, s, len);
        format[len] = '\0';
        /* room for the longest expansion ("%B" -> "September"), so the
         * example is never cut, which would be the harness's fault */
        char fwhy[300], example[1024];
        for (int t = 0; t < 2; t++) {
            if (!parse_format_check(format, t, fwhy, sizeof fwhy))
                continue;
            parse_format_example(format, t, example, sizeof example);
            config_list_t one = { { format }, 1 };
            if (t) {
                FUZZ_CHECK(parse_timestamp(example, strlen(example), &one, &ts, &why));
            } else {
                FUZZ_CHECK(parse_date(example, strlen(example), &one, &day, NULL, &why));
            }
        }
    }
    static const char *const values[] = { "open", "pending", "on_hold", NULL };
    int idx;
    (void)parse_enum(s, len, values, &idx, &why);
    static char t0[] = "yes", t1[] = "true", f0[] = "no", f1[] = "false";
    config_list_t yes = { { t0, t1 }, 2 }, no = { { f0, f1 }, 2 };
    bool bv;
    (void)parse_bool_value(s, len, &yes, &no, &bv, &why);
    return 0;
}
