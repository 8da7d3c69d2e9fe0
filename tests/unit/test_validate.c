/*
 * Unit tests for validate_field (pipeline/validate/validate.c): missing
 * tokens, required fields, types, ranges, enum lists, currency symbols,
 * money residuals, date grain, and the reasons a person reads in the
 * rejects file — compared word for word.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "opsreport/parse.h"
#include "opsreport/validate.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define L(...) { { __VA_ARGS__ }, sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *) }

static const char *const ACCOUNT_TYPES[] = { "revenue", "cogs", "opex", NULL };

static const field_def_t AMOUNT = { .name = "amount", .type = FT_MONEY, .required = true };
static const field_def_t COST = { .name = "cost", .type = FT_MONEY };
static const field_def_t QTY = { .name = "qty", .type = FT_INT, .has_range = true, .min = 0,
                                 .max = 100 };
static const field_def_t HOURS = { .name = "hours", .type = FT_DECIMAL, .has_range = true,
                                   .min = 0, .max = 1e12 };
static const field_def_t RATE = { .name = "rate", .type = FT_DECIMAL };
static const field_def_t DAY = { .name = "date", .type = FT_DATE, .required = true };
static const field_def_t CEASE = { .name = "cease_date", .type = FT_DATE };
static const field_def_t CREATED = { .name = "created_at", .type = FT_TIMESTAMP };
static const field_def_t TYPE = { .name = "account_type", .type = FT_ENUM,
                                  .enum_values = ACCOUNT_TYPES };
static const field_def_t ACTIVE = { .name = "active", .type = FT_BOOL };
static const field_def_t NAME = { .name = "name", .type = FT_TEXT, .required = true };

/* UK GL export: dd/mm/yyyy or ISO dates, plain amounts, no symbols */
static input_config_t UK = {
    .decimal = '.', .thousands = ',',
    .date_formats = L((char *)"iso", (char *)"%d/%m/%Y"),
    .timestamp_formats = L((char *)"iso"),
    .missing = L((char *)"n/a", (char *)"-"),
    .true_values = L((char *)"yes"),
    .false_values = L((char *)"no"),
};

/* Philadelphia: "$5,227,100.00" amounts, yyyymmdd dates */
static input_config_t PHILLY = {
    .decimal = '.', .thousands = ',',
    .date_formats = L((char *)"%Y%m%d"),
    .timestamp_formats = L((char *)"%m/%d/%Y %I:%M:%S %p", (char *)"iso"),
    .currency_symbols = L((char *)"$"),
};

/* German budget with a decimal comma and no thousands; DETE cease dates */
static input_config_t DE = {
    .decimal = ',', .thousands = 0,
    .date_formats = L((char *)"%y-%b", (char *)"%Y"),
    .timestamp_formats = L((char *)"iso"),
    .missing = L((char *)"Not Stated"),
};

typedef struct {
    const field_def_t *def;
    const input_config_t *in;
    const char *raw;
    bool present;    /* false: a missing value, accepted */
    int64_t i;       /* FT_INT, FT_MONEY, FT_TIMESTAMP, FT_ENUM index, FT_BOOL */
    double num;      /* FT_DECIMAL */
    int y, m, d;     /* FT_DATE */
    int grain;       /* FT_DATE */
    int64_t residual; /* FT_MONEY */
} accept_case_t;

Test(validate_field, accepted_values)
{
    static const accept_case_t cases[] = {
        /* missing tokens, case-insensitive after trimming; not required */
        { &COST, &UK, "", .present = false },
        { &COST, &UK, "N/A", .present = false },
        { &COST, &UK, "  n/a  ", .present = false },
        { &COST, &UK, "-", .present = false },
        { &CEASE, &DE, "Not Stated", .present = false },
        /* money: residual = as written - rounded, millionths of a cent */
        { &AMOUNT, &UK, " 1,234.56 ", true, .i = 123456 },
        { &AMOUNT, &UK, "957.5775", true, .i = 95758, .residual = -250000 },
        { &AMOUNT, &UK, "0.125", true, .i = 12, .residual = 500000 },
        { &AMOUNT, &UK, "(12.50)", true, .i = -1250 },
        { &AMOUNT, &PHILLY, "$5,227,100.00", true, .i = 522710000 },
        { &AMOUNT, &PHILLY, "-$5.00", true, .i = -500 },
        { &AMOUNT, &PHILLY, "2115246.44", true, .i = 211524644 },
        { &AMOUNT, &DE, "1,5", true, .i = 150 }, /* decimal comma, no thousands */
        { &AMOUNT, &DE, "-130000", true, .i = -13000000 },
        { &RATE, &DE, "1,5", true, .num = 1.5 },
        { &QTY, &UK, "100", true, .i = 100 },
        { &QTY, &UK, "0", true, .i = 0 },
        { &HOURS, &UK, "7.5", true, .num = 7.5 },
        /* dates: grain from the pattern that read the value */
        { &DAY, &UK, "31/10/2026", true, .y = 2026, .m = 10, .d = 31, .grain = PARSE_GRAIN_DAY },
        { &DAY, &UK, "2017-02-16 00:00:00", true, .y = 2017, .m = 2, .d = 16 },
        { &DAY, &PHILLY, "20130215", true, .y = 2013, .m = 2, .d = 15 },
        { &CEASE, &DE, "13-Dec", true, .y = 2013, .m = 12, .d = 1, .grain = PARSE_GRAIN_MONTH },
        { &CEASE, &DE, "2012", true, .y = 2012, .m = 1, .d = 1, .grain = PARSE_GRAIN_YEAR },
        /* timestamps: 2019-02-11 is day 17938 (2019-01-01 = 17897, + 41) */
        { &CREATED, &PHILLY, "02/11/2019 12:00:00 PM", true, .i = 17938LL * 86400 + 12 * 3600 },
        { &CREATED, &UK, "2021-02-17T02:45:29Z", true,
          .i = 18675LL * 86400 + 2 * 3600 + 45 * 60 + 29 }, /* 2021-01-01 = 18628, + 47 */
        { &TYPE, &UK, "OpEx", true, .i = 2 },
        { &ACTIVE, &UK, "Yes", true, .i = 1 },
        { &ACTIVE, &UK, "no", true, .i = 0 },
        { &NAME, &UK, "M\xC3\xBCller", .present = true },
    };
    for (size_t k = 0; k < N_OF(cases); k++) {
        const accept_case_t *c = &cases[k];
        field_value_t v;
        char buf[200];
        const char *why = "";
        bool ok = validate_field(c->def, c->in, 2, c->raw, strlen(c->raw), &v, buf, sizeof buf, &why);
        cr_expect(ok, "%s '%s': %s", c->def->name, c->raw, why);
        if (!ok)
            continue;
        cr_expect_eq(v.present, c->present, "%s '%s': present", c->def->name, c->raw);
        if (!c->present)
            continue;
        switch (c->def->type) {
        case FT_MONEY:
            cr_expect_eq(v.v.money, c->i, "'%s': %lld", c->raw, (long long)v.v.money);
            cr_expect_eq(v.residual, c->residual, "'%s': residual %lld", c->raw,
                         (long long)v.residual);
            break;
        case FT_INT:
            cr_expect_eq(v.v.i, c->i, "'%s'", c->raw);
            break;
        case FT_TIMESTAMP:
            cr_expect_eq(v.v.ts, c->i, "'%s': %lld", c->raw, (long long)v.v.ts);
            break;
        case FT_DECIMAL:
            cr_expect_float_eq(v.v.num, c->num, 1e-12, "'%s'", c->raw);
            break;
        case FT_DATE:
            cr_expect_eq(v.v.date, date_from_ymd(c->y, c->m, c->d), "'%s'", c->raw);
            cr_expect_eq(v.grain, c->grain, "'%s': grain %d", c->raw, v.grain);
            break;
        case FT_ENUM:
            cr_expect_eq(v.v.enum_index, (int)c->i, "'%s'", c->raw);
            break;
        case FT_BOOL:
            cr_expect_eq(v.v.b, c->i == 1, "'%s'", c->raw);
            break;
        case FT_TEXT:
            cr_expect_eq(v.len, strlen(c->raw));
            break;
        }
    }
}

typedef struct {
    const field_def_t *def;
    const input_config_t *in;
    const char *raw;
    const char *why; /* word for word */
} reject_case_t;

Test(validate_field, rejected_values)
{
    static const reject_case_t cases[] = {
        { &AMOUNT, &UK, "", "required amount is missing (expected an amount)" },
        { &AMOUNT, &UK, "n/a", "required amount is missing (expected an amount)" },
        { &DAY, &UK, "-", "required date is missing (expected a date)" },
        { &NAME, &UK, "", "required name is missing (expected text)" },
        { &QTY, &UK, "101", "qty out of range: expected 0 to 100" },
        { &QTY, &UK, "-1", "qty out of range: expected 0 to 100" },
        { &HOURS, &UK, "-0.5", "hours out of range: expected 0 or more" },
        { &QTY, &UK, "2.5",
          "expected a whole number like 1,234: '2.5' has a decimal separator '.'" },
        { &TYPE, &UK, "sales", "expected one of revenue, cogs, opex" },
        { &DAY, &UK, "31.10.2026",
          "expected a date like 2026-10-31; formats tried: iso, %d/%m/%Y" },
        { &DAY, &UK, "30/02/2026",
          "day 30 does not exist in 2026-02; expected a date like 2026-10-31; formats tried: "
          "iso, %d/%m/%Y" },
        { &DAY, &PHILLY, "2013-02-15", "expected a date like 20261031; formats tried: %Y%m%d" },
        { &CEASE, &DE, "Dec-13", "expected a date like 26-Oct; formats tried: %y-%b, %Y" },
        { &CREATED, &UK, "2021-02-17 02:45 PST",
          "expected a timestamp like 2026-10-31T14:05:00Z; formats tried: iso" },
        { &CREATED, &PHILLY, "02/11/2019 13:00:00 PM",
          "expected a timestamp like 10/31/2026 02:05:00 PM; formats tried: "
          "%m/%d/%Y %I:%M:%S %p, iso" },
        /* letters are not dropped any more; symbols only through currency_symbols */
        { &AMOUNT, &UK, "1.5k",
          "expected an amount like 1,234.56: 'k' is not part of a number (currency symbols are "
          "accepted only through currency_symbols)" },
        { &AMOUNT, &UK, "USD 5.00",
          "expected an amount like 1,234.56: 'USD' is not part of a number (currency symbols are "
          "accepted only through currency_symbols)" },
        { &AMOUNT, &PHILLY, "USD 5.00",
          "expected an amount like 1,234.56: 'USD' is not part of a number (currency_symbols: $)" },
        { &AMOUNT, &DE, "1.234,5", "expected an amount like 1234,56: '.' is not part of a number" },
        { &ACTIVE, &UK, "maybe", "expected a yes/no value from true_values or false_values" },
        { &NAME, &UK, "M\xFCller", "invalid UTF-8 text (check the input's encoding setting)" },
    };
    for (size_t k = 0; k < N_OF(cases); k++) {
        const reject_case_t *c = &cases[k];
        field_value_t v;
        char buf[200];
        const char *why = NULL;
        cr_expect_not(validate_field(c->def, c->in, 2, c->raw, strlen(c->raw), &v, buf,
                                     sizeof buf, &why),
                      "%s '%s' should be rejected", c->def->name, c->raw);
        cr_expect_str_eq(why ? why : "(none)", c->why, "%s '%s'", c->def->name, c->raw);
        cr_expect_not(v.present);
    }
}

/* Reasons that quote the value live in the caller's buffer, so they survive
 * the next field's validation (ingest validates a whole row, then reports). */
Test(validate_field, reasons_survive_the_next_field)
{
    field_value_t v;
    char buf1[200], buf2[200];
    const char *why1 = NULL, *why2 = NULL;
    cr_assert_not(validate_field(&AMOUNT, &UK, 2, "12abc", 5, &v, buf1, sizeof buf1, &why1));
    cr_assert_not(validate_field(&AMOUNT, &UK, 2, "1.5k", 4, &v, buf2, sizeof buf2, &why2));
    cr_expect_eq(why1, buf1);
    cr_expect(strstr(why1, "'abc'") != NULL, "%s", why1);
}

/* A short buffer cuts the reason; it never overflows. */
Test(validate_field, short_buffer_cuts_the_reason)
{
    field_value_t v;
    char buf[24];
    const char *why = NULL;
    cr_assert_not(validate_field(&DAY, &UK, 2, "31.10.2026", 10, &v, buf, sizeof buf, &why));
    cr_expect_str_eq(why, "expected a date like 20");
    cr_assert_not(validate_field(&TYPE, &UK, 2, "sales", 5, &v, buf, sizeof buf, &why));
    cr_expect_str_eq(why, "expected one of revenue");
    cr_assert_not(validate_field(&AMOUNT, &UK, 2, "1.5k", 4, &v, buf, sizeof buf, &why));
    cr_expect_str_eq(why, "expected an amount like");
}

/* Text is checked as UTF-8 with a fast path for plain ASCII: a NUL byte or
 * a bad sequence still rejects the cell, good non-ASCII text still passes. */
Test(validate_field, text_utf8_fast_path)
{
    static const struct {
        const char *raw;
        size_t len;
        bool ok;
    } cases[] = {
        { "Leeds", 5, true },          { "Z\xC3\xB6" "e", 4, true },   { "\xC5\x81\xC3\xB3" "d\xC5\xBA", 7, true },
        { "ab\0cd", 5, false },        { "M\xFC" "ller", 6, false }, { "\x7F", 1, true },
        { "\xEF\xBF\xBD", 3, true },   { "\xC0\xAF", 2, false },    { "tab\tin", 6, true },
    };
    for (size_t k = 0; k < N_OF(cases); k++) {
        field_value_t v;
        char buf[200];
        const char *why = NULL;
        bool ok = validate_field(&NAME, &UK, 2, cases[k].raw, cases[k].len, &v, buf, sizeof buf, &why);
        cr_expect_eq(ok, cases[k].ok, "case %zu", k);
    }
}
