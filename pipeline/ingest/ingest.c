/*
 * ingest.c - streaming reader for one CSV export.
 *
 * The file is read in blocks, hashed (SHA-256, GLib), decoded to UTF-8
 * (iconv for Windows-1252; a UTF-8 BOM is skipped) and fed to libcsv one
 * physical line at a time, so we always know the line a record starts on,
 * even when quoted fields span lines and whatever the line ends (LF, CRLF,
 * CR). libcsv runs non-strict: a stray quote inside an unquoted field is
 * kept as text (as spreadsheets do); a broken row then shows up as a wrong
 * field count and is rejected. Spaces (and tabs, unless tab is the
 * delimiter) around unquoted fields are trimmed.
 */
#include "opsreport/ingest.h"
#include "opsreport/validate.h"

#include <csv.h>
#include <errno.h>
#include <glib.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define INGEST_BLOCK (256 * 1024)
#define INGEST_MAX_COLUMNS 256

typedef struct {
    long line;
    int64_t ts;
    field_value_t values[CONFIG_MAX_FIELDS];
    char *text;
} latest_row_t;

typedef struct {
    const input_config_t *in;
    const input_schema_t *schema;
    int minor_units;
    const char *path;
    rejects_writer_t *rejects;
    ingest_record_fn sink;
    void *sink_ctx;
    ingest_stats_t *stats;
    ops_error_t *err;
    ops_status_t status;

    char *buf; /* current record's field bytes */
    size_t buf_len, buf_cap;
    size_t off[INGEST_MAX_COLUMNS], len[INGEST_MAX_COLUMNS];
    size_t n_fields;
    bool overflow;

    long line;      /* physical line being fed */
    long rec_start; /* line the current record started on, 0: none yet */

    bool header_done;
    size_t n_header;
    char *header[INGEST_MAX_COLUMNS];
    int field_col[CONFIG_MAX_FIELDS];
    int money_slot[CONFIG_MAX_FIELDS];

    GHashTable *keys;   /* key -> first line (GINT_TO_POINTER) or latest_row_t* */
    GPtrArray *latest;  /* latest_row_t*, in order of first appearance */
} ingest_state_t;

static void on_field(void *data, size_t len, void *ctx)
{
    ingest_state_t *st = ctx;
    if (st->n_fields >= INGEST_MAX_COLUMNS) {
        st->overflow = true;
        st->n_fields++;
        return;
    }
    if (st->buf_len + len + 1 > st->buf_cap) {
        size_t cap = st->buf_cap ? st->buf_cap : 4096;
        while (cap < st->buf_len + len + 1)
            cap *= 2;
        char *grown = realloc(st->buf, cap);
        if (!grown) {
            st->status = ops_error_set(st->err, OPS_ERR_NOMEM, st->path, st->line, NULL, "out of memory");
            return;
        }
        st->buf = grown;
        st->buf_cap = cap;
    }
    if (len)
        memcpy(st->buf + st->buf_len, data, len);
    st->off[st->n_fields] = st->buf_len;
    st->len[st->n_fields] = len;
    st->buf_len += len;
    st->buf[st->buf_len++] = '\0';
    st->n_fields++;
}

static const char *field_text(const ingest_state_t *st, size_t i) { return st->buf + st->off[i]; }

/* Suggest the header closest to the configured name. */
static const char *closest_header(const ingest_state_t *st, const char *want)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < st->n_header; i++) {
        size_t d = config_edit_distance(want, st->header[i]);
        if (d < best_d) {
            best_d = d;
            best = st->header[i];
        }
    }
    return best ? best : "";
}

static void headers_list(const ingest_state_t *st, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < st->n_header && n + 4 < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s'%s'", i ? ", " : "", st->header[i]);
}

static ops_status_t map_header(ingest_state_t *st)
{
    st->n_header = st->n_fields < INGEST_MAX_COLUMNS ? st->n_fields : INGEST_MAX_COLUMNS;
    for (size_t i = 0; i < st->n_header; i++) {
        const char *h = field_text(st, i);
        size_t l = st->len[i];
        if (i == 0 && l >= 3 && !memcmp(h, "\xEF\xBB\xBF", 3)) { /* BOM inside quotes */
            h += 3;
            l -= 3;
        }
        st->header[i] = g_strstrip(g_strndup(h, l));
    }
    for (size_t f = 0; f < st->schema->n_fields; f++) {
        const field_def_t *def = &st->schema->fields[f];
        const char *want = st->in->columns[f].count ? st->in->columns[f].items[0] : def->name;
        st->field_col[f] = -1;
        for (size_t i = 0; i < st->n_header && st->field_col[f] < 0; i++)
            if (!strcmp(st->header[i], want))
                st->field_col[f] = (int)i;
        for (size_t i = 0; i < st->n_header && st->field_col[f] < 0; i++)
            if (!strcasecmp(st->header[i], want))
                st->field_col[f] = (int)i;
        if (st->field_col[f] >= 0)
            continue;
        if (def->required || st->in->columns[f].count) {
            char found[600];
            headers_list(st, found, sizeof found);
            if (!st->in->columns[f].count && def->required)
                return ops_error_set(st->err, OPS_ERR_INPUT, st->path, 1, def->name,
                                     "required field '%s' of %s is not mapped: add col.%s = <header> to [input.%s]; headers found: %s; closest: '%s'",
                                     def->name, st->schema->name, def->name, st->in->name, found,
                                     closest_header(st, def->name));
            return ops_error_set(st->err, OPS_ERR_INPUT, st->path, 1, def->name,
                                 "column '%s' (col.%s of [input.%s]) not found; headers found: %s; closest: '%s'",
                                 want, def->name, st->in->name, found, closest_header(st, want));
        }
    }
    st->header_done = true;
    return OPS_OK;
}

static void note_reject(ingest_state_t *st, long line, const char *column, const char *value,
                        size_t value_len, const char *reason)
{
    ingest_stats_t *s = st->stats;
    s->rows_rejected++;
    if (s->n_first_rejects < INGEST_FIRST_REJECTS) {
        reject_summary_t *r = &s->first_rejects[s->n_first_rejects++];
        r->line = line;
        snprintf(r->column, sizeof r->column, "%s", column);
        snprintf(r->value, sizeof r->value, "%.*s", (int)(value ? value_len : 0), value ? value : "");
        snprintf(r->reason, sizeof r->reason, "%s", reason);
    }
    if (st->rejects && rejects_write(st->rejects, st->in->name, st->path, line, column, value,
                                     value_len, reason) != OPS_OK)
        st->status = ops_error_set(st->err, OPS_ERR_OUTPUT, st->path, line, NULL,
                                   "cannot write to the rejects file");
}

static ops_status_t emit(ingest_state_t *st, const field_value_t *values, long line)
{
    ingest_record_t rec = { st->in, values, line };
    st->stats->rows_accepted++;
    for (size_t f = 0; f < st->schema->n_fields; f++)
        if (st->money_slot[f] >= 0 && values[f].present)
            st->stats->money[st->money_slot[f]].total_accepted += values[f].v.money;
    return st->sink ? st->sink(st->sink_ctx, &rec, st->err) : OPS_OK;
}

static latest_row_t *latest_copy(const ingest_state_t *st, const field_value_t *values, long line)
{
    size_t total = 0;
    for (size_t f = 0; f < st->schema->n_fields; f++)
        total += values[f].len + 1;
    latest_row_t *row = calloc(1, sizeof *row);
    if (!row || !(row->text = malloc(total ? total : 1))) {
        free(row);
        return NULL;
    }
    char *p = row->text;
    for (size_t f = 0; f < st->schema->n_fields; f++) {
        row->values[f] = values[f];
        if (values[f].len)
            memcpy(p, values[f].text, values[f].len);
        p[values[f].len] = '\0';
        row->values[f].text = p;
        p += values[f].len + 1;
    }
    row->line = line;
    row->ts = values[st->in->keep_latest_by].v.ts;
    return row;
}

static void latest_free(gpointer p)
{
    latest_row_t *row = p;
    if (row)
        free(row->text);
    free(row);
}

/* Duplicate keys: reject, or for event logs keep the latest update. */
static ops_status_t handle_key(ingest_state_t *st, const field_value_t *values, long line,
                               bool *emit_now)
{
    int kf = st->schema->key_field;
    *emit_now = true;
    if (kf < 0)
        return OPS_OK;
    const field_value_t *key = &values[kf];
    if (st->in->keep_latest_by >= 0) {
        *emit_now = false;
        latest_row_t *prev = g_hash_table_lookup(st->keys, key->text);
        if (prev) {
            st->stats->rows_superseded++;
            if (values[st->in->keep_latest_by].v.ts < prev->ts)
                return OPS_OK; /* an older update arriving late */
            latest_row_t *row = latest_copy(st, values, line);
            if (!row)
                return ops_error_set(st->err, OPS_ERR_NOMEM, st->path, line, NULL, "out of memory");
            /* swap contents in place so the order array stays valid */
            free(prev->text);
            *prev = *row;
            free(row);
            return OPS_OK;
        }
        latest_row_t *row = latest_copy(st, values, line);
        if (!row)
            return ops_error_set(st->err, OPS_ERR_NOMEM, st->path, line, NULL, "out of memory");
        g_hash_table_insert(st->keys, g_strdup(key->text), row);
        g_ptr_array_add(st->latest, row);
        return OPS_OK;
    }
    gpointer first = g_hash_table_lookup(st->keys, key->text);
    if (first) {
        char reason[256];
        snprintf(reason, sizeof reason, "duplicate %s '%.*s' (first on line %ld)",
                 st->schema->fields[kf].name, (int)(key->len > 60 ? 60 : key->len), key->text,
                 (long)GPOINTER_TO_SIZE(first));
        *emit_now = false;
        note_reject(st, line, st->header[st->field_col[kf]], key->text, key->len, reason);
        /* its amounts belong to the rejected total */
        for (size_t f = 0; f < st->schema->n_fields; f++)
            if (st->money_slot[f] >= 0 && values[f].present)
                st->stats->money[st->money_slot[f]].total_rejected += values[f].v.money;
        return st->status;
    }
    g_hash_table_insert(st->keys, g_strndup(key->text, key->len), GSIZE_TO_POINTER((gsize)line));
    return OPS_OK;
}

static void process_row(ingest_state_t *st)
{
    long line = st->rec_start ? st->rec_start : st->line;
    st->stats->rows_read++;
    size_t n = st->n_fields;
    /* trailing empty columns (spreadsheet exports) are harmless */
    while (n > st->n_header && n <= INGEST_MAX_COLUMNS && st->len[n - 1] == 0)
        n--;
    if (n != st->n_header) {
        char reason[128];
        snprintf(reason, sizeof reason, "expected %zu fields as in the header, found %zu", st->n_header,
                 st->n_fields);
        note_reject(st, line, "", st->n_fields ? field_text(st, 0) : "", st->n_fields ? st->len[0] : 0, reason);
        for (size_t f = 0; f < st->schema->n_fields; f++)
            if (st->money_slot[f] >= 0)
                st->stats->money[st->money_slot[f]].unparsed++;
        return;
    }
    field_value_t values[CONFIG_MAX_FIELDS];
    const char *why = NULL;
    char why_buf[200];
    int bad = -1;
    const char *bad_why = NULL;
    char bad_buf[200];
    for (size_t f = 0; f < st->schema->n_fields; f++) {
        int col = st->field_col[f];
        const field_def_t *def = &st->schema->fields[f];
        if (col < 0) {
            memset(&values[f], 0, sizeof values[f]);
            values[f].text = "";
            continue;
        }
        if (!validate_field(def, st->in, st->minor_units, field_text(st, (size_t)col), st->len[col],
                            &values[f], why_buf, sizeof why_buf, &why) && bad < 0) {
            bad = (int)f;
            snprintf(bad_buf, sizeof bad_buf, "%s", why);
            bad_why = bad_buf;
        }
    }
    if (bad >= 0) {
        int col = st->field_col[bad];
        note_reject(st, line, st->header[col], field_text(st, (size_t)col), st->len[col], bad_why);
        for (size_t f = 0; f < st->schema->n_fields; f++) {
            if (st->money_slot[f] < 0)
                continue;
            if (values[f].present)
                st->stats->money[st->money_slot[f]].total_rejected += values[f].v.money;
            else
                st->stats->money[st->money_slot[f]].unparsed++;
        }
        return;
    }
    bool emit_now;
    ops_status_t rc = handle_key(st, values, line, &emit_now);
    if (rc == OPS_OK && emit_now)
        rc = emit(st, values, line);
    if (rc != OPS_OK && st->status == OPS_OK)
        st->status = rc;
}

static void on_record(int c, void *ctx)
{
    ingest_state_t *st = ctx;
    (void)c;
    if (st->status != OPS_OK)
        goto reset;
    /* a line of only spaces parses as one empty field: treat it as blank */
    if (st->n_fields == 1 && st->len[0] == 0)
        goto reset;
    if (!st->header_done)
        st->status = map_header(st);
    else
        process_row(st);
reset:
    st->n_fields = 0;
    st->buf_len = 0;
    st->overflow = false;
    st->rec_start = 0;
}

static int space_only(unsigned char c) { return c == ' '; }

static bool blank_segment(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Feed decoded bytes line by line; *prev_cr carries a CR that ended the
 * previous block so a CRLF split across blocks counts as one line end. */
static ops_status_t feed(ingest_state_t *st, struct csv_parser *p, const char *data, size_t n,
                         bool *prev_cr)
{
    size_t start = 0;
    if (n && *prev_cr && data[0] == '\n') {
        csv_parse(p, data, 1, on_field, on_record, st);
        start = 1;
    }
    *prev_cr = false;
    while (start < n && st->status == OPS_OK) {
        size_t i = start;
        while (i < n && data[i] != '\n' && data[i] != '\r')
            i++;
        bool ended = i < n;
        if (ended) {
            if (data[i] == '\r') {
                if (i + 1 < n && data[i + 1] == '\n')
                    i++;
                else if (i + 1 == n)
                    *prev_cr = true;
            }
            i++;
        }
        if (!st->rec_start && !blank_segment(data + start, i - start))
            st->rec_start = st->line;
        if (csv_parse(p, data + start, i - start, on_field, on_record, st) != i - start)
            return ops_error_set(st->err, OPS_ERR_INPUT, st->path, st->line, NULL,
                                 "CSV parse error: %s", csv_strerror(csv_error(p)));
        if (ended)
            st->line++;
        start = i;
    }
    return st->status;
}

static ops_status_t decode_cp1252(iconv_t cd, const char *in, size_t n, char *out, size_t cap,
                                  size_t *out_len)
{
    char *ip = (char *)in, *op = out;
    size_t il = n, ol = cap;
    while (il > 0) {
        if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
            break;
        if (errno == EILSEQ || errno == EINVAL) { /* 5 undefined cp1252 bytes */
            if (ol < 3)
                return OPS_ERR_INTERNAL;
            memcpy(op, "\xEF\xBF\xBD", 3);
            op += 3;
            ol -= 3;
            ip++;
            il--;
        } else
            return OPS_ERR_INTERNAL;
    }
    *out_len = (size_t)(op - out);
    return OPS_OK;
}

ops_status_t ingest_input(const input_config_t *in, const char *data_dir, int minor_units,
                          rejects_writer_t *rejects, ingest_record_fn sink, void *sink_ctx,
                          ingest_stats_t *stats, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ingest_state_t st = { 0 };
    struct csv_parser parser;
    bool parser_ready = false;
    FILE *fp = NULL;
    char *block = NULL, *decoded = NULL;
    GChecksum *sha = NULL;
    iconv_t cd = (iconv_t)-1;

    memset(stats, 0, sizeof *stats);
    snprintf(stats->name, sizeof stats->name, "%s", in->name);
    snprintf(stats->kind, sizeof stats->kind, "%s", in->schema->name);
    if (in->file[0] == '/' || !data_dir)
        snprintf(stats->path, sizeof stats->path, "%s", in->file);
    else
        snprintf(stats->path, sizeof stats->path, "%s/%s", data_dir, in->file);

    st.in = in;
    st.schema = in->schema;
    st.minor_units = minor_units;
    st.path = stats->path;
    st.rejects = rejects;
    st.sink = sink;
    st.sink_ctx = sink_ctx;
    st.stats = stats;
    st.err = err;
    st.line = 1;
    for (size_t f = 0; f < CONFIG_MAX_FIELDS; f++)
        st.money_slot[f] = -1;
    for (size_t f = 0; f < st.schema->n_fields; f++)
        if (st.schema->fields[f].type == FT_MONEY && stats->n_money < INGEST_MAX_MONEY) {
            st.money_slot[f] = (int)stats->n_money;
            snprintf(stats->money[stats->n_money].field, sizeof stats->money[0].field, "%s",
                     st.schema->fields[f].name);
            stats->n_money++;
        }

    fp = fopen(stats->path, "rb");
    if (!fp) {
        if (errno == ENOENT && in->optional) {
            stats->present = false;
            goto cleanup;
        }
        rc = ops_error_set(err, OPS_ERR_INPUT, stats->path, 0, NULL,
                           "cannot open input '%s' ([input.%s] file = %s): %s", stats->path,
                           in->name, in->file, strerror(errno));
        goto cleanup;
    }
    stats->present = true;
    st.keys = st.schema->key_field >= 0
                  ? g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)
                  : NULL;
    st.latest = g_ptr_array_new_with_free_func(latest_free);
    sha = g_checksum_new(G_CHECKSUM_SHA256);
    block = malloc(INGEST_BLOCK);
    if (in->encoding) {
        decoded = malloc(INGEST_BLOCK * 3);
        cd = iconv_open("UTF-8", in->encoding);
        if (cd == (iconv_t)-1) {
            rc = ops_error_set(err, OPS_ERR_INTERNAL, stats->path, 0, NULL, "iconv cannot decode Windows-1252");
            goto cleanup;
        }
    }
    if (!block || (in->encoding && !decoded)) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, stats->path, 0, NULL, "out of memory");
        goto cleanup;
    }
    if (csv_init(&parser, 0) != 0) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, stats->path, 0, NULL, "out of memory");
        goto cleanup;
    }
    parser_ready = true;
    csv_set_delim(&parser, (unsigned char)in->delimiter);
    csv_set_quote(&parser, (unsigned char)in->quote);
    /* libcsv's default already trims spaces and tabs; a tab delimiter must not be trimmed */
    if (in->delimiter == '\t')
        csv_set_space_func(&parser, space_only);

    bool first = true, prev_cr = false;
    size_t n;
    while ((n = fread(block, 1, INGEST_BLOCK, fp)) > 0) {
        stats->bytes += n;
        g_checksum_update(sha, (const guchar *)block, n);
        const char *data = block;
        size_t len = n;
        if (first && !in->encoding && len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
            data += 3;
            len -= 3;
        }
        first = false;
        if (cd != (iconv_t)-1) {
            rc = decode_cp1252(cd, data, len, decoded, INGEST_BLOCK * 3, &len);
            if (rc != OPS_OK) {
                ops_error_set(err, rc, stats->path, st.line, NULL, "cannot decode Windows-1252 text");
                goto cleanup;
            }
            data = decoded;
        }
        rc = feed(&st, &parser, data, len, &prev_cr);
        if (rc != OPS_OK)
            goto cleanup;
    }
    if (ferror(fp)) {
        rc = ops_error_set(err, OPS_ERR_INPUT, stats->path, st.line, NULL, "read error: %s", strerror(errno));
        goto cleanup;
    }
    csv_fini(&parser, on_field, on_record, &st);
    if (st.status != OPS_OK) {
        rc = st.status;
        goto cleanup;
    }
    if (!st.header_done) {
        rc = ops_error_set(err, OPS_ERR_INPUT, stats->path, 1, NULL,
                           "the file is empty: expected a header row naming the columns");
        goto cleanup;
    }
    for (guint i = 0; i < st.latest->len && rc == OPS_OK; i++) {
        latest_row_t *row = g_ptr_array_index(st.latest, i);
        rc = emit(&st, row->values, row->line);
    }
    /* superseded event rows are accepted too: rows read = accepted + rejected */
    stats->rows_accepted += stats->rows_superseded;
    if (rc != OPS_OK)
        goto cleanup;
    snprintf(stats->sha256, sizeof stats->sha256, "%s", g_checksum_get_string(sha));

cleanup:
    if (parser_ready)
        csv_free(&parser);
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    if (fp)
        fclose(fp);
    if (sha)
        g_checksum_free(sha);
    if (st.keys)
        g_hash_table_destroy(st.keys);
    if (st.latest)
        g_ptr_array_free(st.latest, TRUE);
    for (size_t i = 0; i < st.n_header; i++)
        g_free(st.header[i]);
    free(st.buf);
    free(block);
    free(decoded);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stats->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}
