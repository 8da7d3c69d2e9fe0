/*
 * fuzz_ingest.c - the CSV reader (ingest_input) under many dialects.
 *
 * Input layout: byte 0 and byte 1 choose the dialect, the rest is the file.
 *   byte 0: bits 0-1 delimiter (comma, semicolon, tab, pipe)
 *           bits 2-3 quote (", ', none, ")
 *           bit 4    decimal comma with '.' thousands
 *           bit 5    header = false (columns by number)
 *           bit 6-7  kind: GL actuals, GL budget, tickets event log with
 *                    keep_latest_by, tickets without
 *   byte 1: bits 0-1 encoding (utf-8, windows-1252, utf-16le, latin-1)
 *           bits 2-3 date formats (iso, %d.%m.%Y, %m/%d/%Y | excel, %Y-%m | %Y)
 *           bit 4    max_field_lines = 2 instead of the default
 *           bit 5    currency symbols $ and EUR allowed around amounts
 *           bit 6    a skip. row filter and a map. value map
 *           bit 7    revenue booked negative (revenue_sign = negative)
 * Each input goes through config_load too, so the config's dialect checks
 * see the same combinations.
 *
 * Properties, from ingest.h: rows read = accepted + rejected + filtered +
 * superseded; the sink sees exactly the accepted rows (12 parts for a
 * year-only budget line) and their amounts add up to the accepted money
 * total after the sign convention; no more rejected rows lack an amount
 * than there are rejected rows. And the reader's own splitting of
 * quote-free lines (split_line in ingest.c) gives what libcsv alone gives
 * (OPSREPORT_LIBCSV_ONLY=1): the same rows, field texts and line numbers
 * in the same order, the same counts and the same first rejects.
 */
#include "fuzz_util.h"

#include "opsreport/config.h"
#include "opsreport/ingest.h"
#include "opsreport/schema.h"

#define HASH_P 0x100000001B3ULL

typedef struct {
    bool gl;
    size_t n_fields;
    uint64_t chain;            /* hash of every row's line and field texts, in order */
    uint64_t records;          /* sink calls */
    int64_t amount;            /* sum of GL amounts as handed on */
    int64_t amount_as_written; /* the same, sign convention undone */
    int revenue_sign;
} sink_t;

static ops_status_t sink(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    sink_t *s = ctx;
    s->records++;
    s->chain = s->chain * HASH_P + (uint64_t)rec->line;
    for (size_t f = 0; f < s->n_fields; f++) {
        const field_value_t *v = &rec->values[f];
        s->chain = s->chain * HASH_P + (v->present ? 2 : 1);
        for (size_t i = 0; i < v->len; i++)
            s->chain = s->chain * HASH_P + (unsigned char)v->text[i];
    }
    if (!s->gl)
        return OPS_OK;
    /* a year-only budget line arrives as 12 monthly parts that add up to it */
    const field_value_t *v = rec->values;
    int64_t a = v[GL_AMOUNT].present ? v[GL_AMOUNT].v.money : 0;
    s->amount += a;
    s->amount_as_written += v[GL_ACCOUNT_TYPE].v.enum_index == GL_TYPE_REVENUE ? a * s->revenue_sign : a;
    return OPS_OK;
}

static const char *const gl_headers[] = { "Date", "Entity", "Cost Centre", "Account",
                                          "Account Type", "Amount" };
static const char *const gl_cols[] = { "date", "entity", "cost_centre", "account",
                                       "account_type", "amount" };
static const char *const tk_headers[] = { "Ticket", "Updated", "Opened", "Resolved", "Priority",
                                          "Status" };
static const char *const tk_cols[] = { "ticket_id", "updated_at", "created_at", "resolved_at",
                                       "priority", "status" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t a = data[0], b = data[1];
    static const char *const delims[] = { "comma", "semicolon", "tab", "pipe" };
    static const char *const quotes[] = { "\"", "'", "none", "\"" };
    static const char *const encodings[] = { "utf-8", "windows-1252", "utf-16le", "latin-1" };
    static const char *const dates[] = { "iso", "%d.%m.%Y", "%m/%d/%Y, excel", "%Y-%m, %Y" };
    int kind = (a >> 6) & 3;
    bool gl = kind < 2, header = !(a & 0x20);

    char ini[4096];
    size_t n = 0;
#define PUT(...) n += (size_t)snprintf(ini + n, sizeof ini - n, __VA_ARGS__)
    PUT("[report]\norganisation = Fuzz\ncurrency = EUR\nminor_units = 2\n\n");
    PUT("[input.x]\nkind = %s\nfile = x.csv\n", kind == 0 ? "gl_actuals" : kind == 1 ? "gl_budget" : "tickets");
    PUT("delimiter = %s\nquote = %s\nencoding = %s\nheader = %s\n", delims[a & 3],
        quotes[(a >> 2) & 3], encodings[b & 3], header ? "true" : "false");
    if (a & 0x10)
        PUT("decimal = ,\nthousands = .\n");
    PUT("date_formats = %s\n", dates[(b >> 2) & 3]);
    PUT("timestamp_formats = iso, %%d.%%m.%%Y %%H:%%M\n");
    if (b & 0x10)
        PUT("max_field_lines = 2\n");
    if (b & 0x20)
        PUT("currency_symbols = $, EUR\n");
    if (b & 0x80)
        PUT("revenue_sign = negative\n");
    if (kind == 2)
        PUT("keep_latest_by = updated_at\n");
    const char *const *hdr = gl ? gl_headers : tk_headers;
    const char *const *cols = gl ? gl_cols : tk_cols;
    for (int i = 0; i < 6; i++) {
        if (header)
            PUT("col.%s = %s\n", cols[i], hdr[i]);
        else
            PUT("col.%s = %d\n", cols[i], i + 1);
    }
    if (b & 0x40) {
        PUT("skip.%s = x, y\n", header ? hdr[1] : "2");
        PUT("map.%s = a => b, * => c\n", cols[1]);
    }
#undef PUT
    char ini_path[256], csv_path[256];
    fuzz_write("x.ini", ini, n, ini_path, sizeof ini_path);
    fuzz_write("x.csv", data + 2, size - 2, csv_path, sizeof csv_path);

    config_t *cfg = NULL;
    ops_error_t err = { 0 };
    if (config_load(ini_path, &cfg, &err) != OPS_OK) {
        /* every combination above is a valid config: a failure is a bug */
        fprintf(stderr, "fuzz_ingest: config rejected: %s\n%s", err.message, ini);
        abort();
    }
    ingest_stats_t stats;
    memset(&stats, 0, sizeof stats);
    sink_t s = { .gl = gl, .revenue_sign = (b & 0x80) ? -1 : 1, .n_fields = cfg->inputs[0].schema->n_fields };
    ops_status_t rc = ingest_input(&cfg->inputs[0], fuzz_scratch(), cfg->minor_units, NULL, sink,
                                   &s, &stats, &err);
    if (rc == OPS_OK) {
        FUZZ_CHECK(ingest_stats_reconciles(&stats));
        FUZZ_CHECK(stats.rows_read == stats.rows_accepted + stats.rows_rejected +
                                          stats.rows_filtered + stats.rows_superseded);
        if (!gl)
            FUZZ_CHECK(s.records == stats.rows_accepted);
        if (gl) {
            FUZZ_CHECK(stats.n_money >= 1);
            FUZZ_CHECK(s.amount_as_written == stats.money[0].total_accepted);
            FUZZ_CHECK(stats.money[0].unparsed <= stats.rows_rejected);
        }
        FUZZ_CHECK(stats.n_first_rejects <= INGEST_FIRST_REJECTS);
        FUZZ_CHECK(stats.n_first_rejects <= stats.rows_rejected);
    }

    /* libcsv alone: the same result */
    ingest_stats_t ref;
    memset(&ref, 0, sizeof ref);
    sink_t r = { .gl = gl, .revenue_sign = s.revenue_sign, .n_fields = s.n_fields };
    ops_error_t rerr = { 0 };
    setenv("OPSREPORT_LIBCSV_ONLY", "1", 1);
    ops_status_t rrc = ingest_input(&cfg->inputs[0], fuzz_scratch(), cfg->minor_units, NULL, sink, &r, &ref,
                                    &rerr);
    unsetenv("OPSREPORT_LIBCSV_ONLY");
    FUZZ_CHECK(rc == rrc);
    if (rc != OPS_OK)
        FUZZ_CHECK(!strcmp(err.message, rerr.message) && err.line == rerr.line);
    FUZZ_CHECK(s.records == r.records && s.chain == r.chain && s.amount == r.amount);
    FUZZ_CHECK(stats.rows_read == ref.rows_read && stats.rows_accepted == ref.rows_accepted &&
               stats.rows_rejected == ref.rows_rejected && stats.rows_filtered == ref.rows_filtered &&
               stats.rows_superseded == ref.rows_superseded);
    FUZZ_CHECK(stats.physical_lines == ref.physical_lines && stats.multiline_records == ref.multiline_records &&
               stats.overlong_records == ref.overlong_records);
    FUZZ_CHECK(stats.n_first_rejects == ref.n_first_rejects);
    for (size_t i = 0; i < stats.n_first_rejects; i++) {
        const reject_summary_t *x = &stats.first_rejects[i], *y = &ref.first_rejects[i];
        FUZZ_CHECK(x->line == y->line && !strcmp(x->column, y->column) && !strcmp(x->value, y->value) &&
                   !strcmp(x->reason, y->reason));
    }
    config_free(cfg);
    return 0;
}
