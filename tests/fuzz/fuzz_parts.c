/*
 * fuzz_parts.c - one file read in parts (ingest_plan_*, run --jobs N and the
 * slices of shards) against one pass (ingest_input), on any bytes.
 *
 * Input layout: byte 0 and byte 1 choose the dialect as in fuzz_ingest.c
 * (GL actuals or budget only: the kinds that split), byte 2 the number of
 * parts (2-9) and the least part size (1-64 bytes, so every input splits);
 * the rest is the file.
 *
 * Properties: read in parts, each part after the first joined to the one
 * before or read again, the rows handed on are those of one pass, in the
 * same order, with the same line numbers, dates and amounts; the stats
 * (rows read, accepted, rejected, filtered, physical lines, multi-line
 * records, money totals, invalid bytes, rounding, the first rejects' lines,
 * hash and bytes) are one pass's; and the last part alone, its start made
 * certain by ingest_plan_settle as a shard does, hands on the rows it had
 * when read after its predecessors.
 */
#include "fuzz_util.h"

#include "opsreport/config.h"
#include "opsreport/ingest.h"
#include "opsreport/schema.h"

#define HASH_P 0x100000001B3ULL

typedef struct {
    uint64_t records;
    uint64_t chain; /* polynomial hash of the rows' (line, date, amount, type), in order */
} sink_t;

static ops_status_t sink(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    sink_t *s = ctx;
    const field_value_t *v = rec->values;
    uint64_t x = (uint64_t)rec->line * 0x9E3779B97F4A7C15ULL ^ (uint64_t)v[GL_AMOUNT].v.money ^
                 ((uint64_t)(uint32_t)v[GL_DATE].v.date << 20) ^ (uint64_t)v[GL_ACCOUNT_TYPE].v.enum_index << 56;
    s->chain = s->chain * HASH_P + (x | 1);
    s->records++;
    return OPS_OK;
}

/* The hash of rows a then rows b, from their own hashes: h(a) P^|b| + h(b). */
static uint64_t chain_join(uint64_t ha, uint64_t hb, uint64_t nb)
{
    uint64_t p = 1, base = HASH_P;
    for (; nb; nb >>= 1, base *= base)
        if (nb & 1)
            p *= base;
    return ha * p + hb;
}

static const char *const headers[] = { "Date", "Entity", "Cost Centre", "Account", "Account Type", "Amount" };
static const char *const cols[] = { "date", "entity", "cost_centre", "account", "account_type", "amount" };

static void check_same(const ingest_stats_t *a, const ingest_stats_t *b)
{
    if (getenv("FUZZ_PARTS_DEBUG"))
        fprintf(stderr, "read %llu/%llu lines %llu/%llu rejected %llu/%llu\n", (unsigned long long)a->rows_read,
                (unsigned long long)b->rows_read, (unsigned long long)a->physical_lines,
                (unsigned long long)b->physical_lines, (unsigned long long)a->rows_rejected,
                (unsigned long long)b->rows_rejected);
    FUZZ_CHECK(a->rows_read == b->rows_read);
    FUZZ_CHECK(a->rows_accepted == b->rows_accepted);
    FUZZ_CHECK(a->rows_rejected == b->rows_rejected);
    FUZZ_CHECK(a->rows_filtered == b->rows_filtered);
    FUZZ_CHECK(a->physical_lines == b->physical_lines);
    FUZZ_CHECK(a->multiline_records == b->multiline_records);
    FUZZ_CHECK(a->overlong_records == b->overlong_records);
    FUZZ_CHECK(a->invalid_bytes == b->invalid_bytes);
    FUZZ_CHECK(a->rounded_amounts == b->rounded_amounts);
    FUZZ_CHECK(a->rounding_residual == b->rounding_residual);
    FUZZ_CHECK(a->money[0].total_accepted == b->money[0].total_accepted);
    FUZZ_CHECK(a->money[0].total_rejected == b->money[0].total_rejected);
    FUZZ_CHECK(a->money[0].unparsed == b->money[0].unparsed);
    FUZZ_CHECK(a->n_first_rejects == b->n_first_rejects);
    for (size_t i = 0; i < a->n_first_rejects; i++)
        FUZZ_CHECK(a->first_rejects[i].line == b->first_rejects[i].line);
    FUZZ_CHECK(a->bytes == b->bytes);
    FUZZ_CHECK(!strcmp(a->sha256, b->sha256));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint8_t a = data[0], b = data[1], c = data[2];
    static const char *const delims[] = { "comma", "semicolon", "tab", "pipe" };
    static const char *const quotes[] = { "\"", "'", "none", "\"" };
    static const char *const encodings[] = { "utf-8", "windows-1252", "utf-8", "latin-1" };
    static const char *const dates[] = { "iso", "%d.%m.%Y", "%m/%d/%Y, excel", "%Y-%m, %Y" };
    bool header = !(a & 0x20);
    size_t want = 2 + (c & 7);
    char least[16];
    snprintf(least, sizeof least, "%d", 1 + (c >> 3 & 63));

    char ini[4096];
    size_t n = 0;
#define PUT(...) n += (size_t)snprintf(ini + n, sizeof ini - n, __VA_ARGS__)
    PUT("[report]\norganisation = Fuzz\ncurrency = EUR\nminor_units = 2\n\n");
    PUT("[input.x]\nkind = %s\nfile = x.csv\n", a & 0x40 ? "gl_budget" : "gl_actuals");
    PUT("delimiter = %s\nquote = %s\nencoding = %s\nheader = %s\n", delims[a & 3], quotes[(a >> 2) & 3],
        encodings[b & 3], header ? "true" : "false");
    if (a & 0x10)
        PUT("decimal = ,\nthousands = .\n");
    PUT("date_formats = %s\n", dates[(b >> 2) & 3]);
    if (b & 0x10)
        PUT("max_field_lines = 2\n");
    if (b & 0x20)
        PUT("currency_symbols = $, EUR\n");
    for (int i = 0; i < 6; i++) {
        if (header)
            PUT("col.%s = %s\n", cols[i], headers[i]);
        else
            PUT("col.%s = %d\n", cols[i], i + 1);
    }
    if (b & 0x40)
        PUT("skip.%s = x, y\n", header ? headers[1] : "2");
#undef PUT
    char ini_path[256], csv_path[256];
    fuzz_write("x.ini", ini, n, ini_path, sizeof ini_path);
    fuzz_write("x.csv", data + 3, size - 3, csv_path, sizeof csv_path);

    config_t *cfg = NULL;
    ops_error_t err = { 0 };
    if (config_load(ini_path, &cfg, &err) != OPS_OK) {
        fprintf(stderr, "fuzz_parts: config rejected: %s\n%s", err.message, ini);
        abort();
    }
    const input_config_t *in = &cfg->inputs[0];
    ingest_stats_t one;
    sink_t ref = { 0 };
    ops_status_t rc = ingest_input(in, fuzz_scratch(), cfg->minor_units, NULL, sink, &ref, &one, &err);

    setenv("OPSREPORT_PART_BYTES", least, 1);
    ingest_plan_t *plan = NULL, *alone = NULL;
    FUZZ_CHECK(ingest_plan_new(in, fuzz_scratch(), cfg->minor_units, want, &plan, &err) == OPS_OK);
    FUZZ_CHECK(ingest_plan_new(in, fuzz_scratch(), cfg->minor_units, want, &alone, &err) == OPS_OK);
    unsetenv("OPSREPORT_PART_BYTES");
    size_t parts = ingest_plan_parts(plan);
    if (!plan || parts < 2) /* too small a file to split: nothing to compare */
        goto done;
    FUZZ_CHECK(ingest_plan_parts(alone) == parts);

    /* every part at once (as the threads do), then joined in order */
    sink_t got[16] = { { 0 } };
    ops_status_t prc[16];
    for (size_t k = 0; k < parts; k++)
        prc[k] = ingest_plan_read(plan, k, NULL, sink, &got[k], &err);
    ops_status_t parts_rc = OPS_OK;
    for (size_t k = 0; k < parts && parts_rc == OPS_OK; k++) {
        if (k > 0 && !ingest_plan_joined(plan, k)) {
            memset(&got[k], 0, sizeof got[k]);
            prc[k] = ingest_plan_read(plan, k, NULL, sink, &got[k], &err);
            FUZZ_CHECK(ingest_plan_joined(plan, k));
        }
        parts_rc = prc[k];
    }
    /* one pass fails (a field over 16 MB cannot happen here; a header that
     * does not map can): so do the parts, at part 0 */
    if (getenv("FUZZ_PARTS_DEBUG"))
        fprintf(stderr, "one pass %d, parts %d: %s\n", rc, parts_rc, err.message);
    FUZZ_CHECK((rc == OPS_OK) == (parts_rc == OPS_OK));
    if (rc != OPS_OK)
        goto done;
    FUZZ_CHECK(ingest_plan_hash(plan, &err) == OPS_OK);
    ingest_stats_t split;
    FUZZ_CHECK(ingest_plan_finish(plan, &split, &err) == OPS_OK);
    check_same(&one, &split);
    /* the rows, in order: chain the parts' sequences as one */
    sink_t all = { 0 };
    for (size_t k = 0; k < parts; k++) {
        all.chain = chain_join(all.chain, got[k].chain, got[k].records);
        all.records += got[k].records;
    }
    FUZZ_CHECK(all.records == ref.records);
    FUZZ_CHECK(all.chain == ref.chain);

    /* the last part alone, as a shard reads its slice */
    size_t last = parts - 1;
    sink_t solo = { 0 };
    FUZZ_CHECK(ingest_plan_settle(alone, last, &err) == OPS_OK);
    FUZZ_CHECK(ingest_plan_read(alone, last, NULL, sink, &solo, &err) == OPS_OK);
    FUZZ_CHECK(solo.records == got[last].records);
    FUZZ_CHECK(solo.chain == got[last].chain);
    ingest_stats_t s1, s2;
    ingest_span_t p1, p2;
    ingest_plan_part(plan, last, &s1, &p1);
    ingest_plan_part(alone, last, &s2, &p2);
    FUZZ_CHECK(p1.start == p2.start && p1.start_line == p2.start_line && p1.end == p2.end);
    FUZZ_CHECK(s1.rows_read == s2.rows_read && s1.rows_rejected == s2.rows_rejected);
done:
    ingest_plan_free(plan);
    ingest_plan_free(alone);
    config_free(cfg);
    return 0;
}
