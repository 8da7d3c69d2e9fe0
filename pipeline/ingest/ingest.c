/*
 * ingest.c - streaming reader for one CSV export.
 *
 * The file is read in blocks, hashed (SHA-256, OpenSSL's libcrypto: with
 * the CPU's SHA instructions it hashes at over 1.5 GB/s, where GLib's
 * portable GChecksum took a quarter of the ingest time) and decoded to UTF-8
 * with iconv from any configured encoding, an invalid byte (or UTF-16/32
 * unit) becoming U+FFFD. UTF-8 input is only checked: invalid bytes stay,
 * for validation to reject their rows with a hint at the encoding. Both
 * count invalid bytes, carry a character split across two blocks over
 * whole, and drop a leading BOM. The text is fed to libcsv one
 * physical line at a time, so we always know the line a record starts on,
 * even when quoted fields span lines, whatever the line ends: LF, CRLF, a
 * lone CR (old Mac files), or a run of CRs before an LF (CR CR LF, an
 * export re-saved on Windows), which is one line end.
 *
 * libcsv runs non-strict: a stray quote inside an unquoted field is kept as
 * text (as spreadsheets do); a broken row then shows up as a wrong field
 * count and is rejected. A quote that opens a field and swallows the lines
 * after it is never merged silently: if the field spans more than
 * max_field_lines lines, or is still open at the end of the file, every
 * non-blank line it covers is read and rejected as a row of its own.
 * Spaces and tabs around unquoted fields are trimmed, except the delimiter
 * itself (tab- and space-delimited files).
 */
#include "opsreport/ingest.h"
#include "opsreport/map.h"
#include "opsreport/validate.h"

#include "opsreport/parse.h"
#include "ingest/keystore.h"

#include <csv.h>
#include <errno.h>
#include <openssl/evp.h>
#include <glib.h>
#include <ctype.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define INGEST_BLOCK (256 * 1024)
#define INGEST_MAX_COLUMNS 4096 /* wide exports (sensor logs, surveys) run to hundreds of columns */
#define INGEST_MAX_FIELD (16 * 1024 * 1024) /* bytes in one field, see field_realloc */
#define INGEST_MAX_HEADER 256 /* bytes of a header name kept, see map_header */
/* room before a block for the bytes of a character split by the previous one */
#define INGEST_CARRY 16
/* libcsv has no "no quote" setting: it compares every byte with the quote
 * char, so quote = none uses 0xFF, a byte that never occurs in UTF-8
 * (decode_utf8 turns a stray one in broken input into 0xFE) */
#define INGEST_NO_QUOTE 0xFF
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

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

    long line;        /* physical line being fed, from 1 */
    long rec_start;   /* line the current record started on, 0: none yet */
    long field_start; /* line the current field started on, 0: the record's first */
    long last_field_start; /* where the last field handed over started */
    size_t cr_run;    /* CRs ending what was fed: one line end if an LF follows */
    bool line_open;   /* bytes fed since the last line end */
    long over_first, over_last; /* a field of this record over max_field_lines, 0: none */
    bool unterminated; /* end of file inside a quoted field */
    bool fast_lines;   /* split quote-free lines without libcsv (split_line) */
    unsigned char space_a, space_b; /* the bytes libcsv trims around unquoted fields */

    bool header_done;
    size_t n_header;
    char *header[INGEST_MAX_COLUMNS];
    /* the mapping, resolved once per file (pipeline/map) */
    int field_col[CONFIG_MAX_FIELDS][CONFIG_MAX_TOKENS]; /* col. A | B: columns in order */
    size_t n_field_col[CONFIG_MAX_FIELDS];
    bool header_only, stop;          /* opsreport check: stop once the header mapped */
    bool tokenize_only;              /* records are found, not read (ingest_plan_settle) */
    bool composite[CONFIG_MAX_FIELDS];   /* col. A + B: the columns joined, one key */
    char joined[CONFIG_MAX_FIELDS][512]; /* this row's joined text of a composite field */
    char const_names[CONFIG_MAX_FIELDS][48]; /* "const.FIELD", for rejects */
    int *filter_col;                 /* per in->filters entry */
    bool derive_account_type;        /* gl: account_types classify the account */
    bool derive_first_response;      /* tickets event log without first_response_at */
    bool is_gl;
    int money_slot[CONFIG_MAX_FIELDS];

    /* key -> first line, or for event logs its packed latest row; ids in
     * order of first appearance */
    keystore_t *keys;
} ingest_state_t;

static void on_field(void *data, size_t len, void *ctx)
{
    ingest_state_t *st = ctx;
    /* a field starts on the line where the one before it ended */
    long first = st->field_start ? st->field_start : st->rec_start ? st->rec_start : st->line;
    if (st->line - first >= st->in->max_field_lines && !st->over_first) {
        st->over_first = first;
        st->over_last = st->line;
    }
    st->last_field_start = first;
    st->field_start = st->line;
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

/* Header list for messages: every name whole, "... and N more" when out of room. */
static void headers_list(const ingest_state_t *st, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < st->n_header; i++) {
        size_t need = strlen(st->header[i]) + 4 + (i ? 2 : 0);
        if (n + need + 24 >= size) {
            snprintf(out + n, size - n, ", ... and %zu more", st->n_header - i);
            return;
        }
        n += (size_t)snprintf(out + n, size - n, "%s'%s'", i ? ", " : "", st->header[i]);
    }
}

/* Column of a header (exact, then case-insensitive, then with spaces, '-'
 * and '_' alike) or, with header = false, of a 1-based column number; -1. */
static int find_column(const ingest_state_t *st, const char *want)
{
    if (!st->in->header) {
        char *end;
        long n = strtol(want, &end, 10);
        return (*end || n < 1 || (size_t)n > st->n_header) ? -1 : (int)(n - 1);
    }
    for (size_t i = 0; i < st->n_header; i++)
        if (!strcmp(st->header[i], want))
            return (int)i;
    for (size_t i = 0; i < st->n_header; i++)
        if (!strcasecmp(st->header[i], want))
            return (int)i;
    for (size_t i = 0; i < st->n_header; i++)
        if (map_text_equal(st->header[i], strlen(st->header[i]), want, strlen(want)))
            return (int)i;
    return -1;
}

/* Headers that may hold a field, by meaning first (the schema's synonyms in
 * several languages), then by spelling: "Vendor" for supplier, never
 * "Age" for name. */
static void field_candidates(const ingest_state_t *st, const field_def_t *def, char *out, size_t size)
{
    size_t n = 0, found = 0;
    out[0] = '\0';
    for (int pass = 0; pass < 3 && found < 3; pass++)
        for (size_t i = 0; i < st->n_header && found < 3; i++) {
            const char *h = st->header[i];
            size_t hl = strlen(h);
            bool hit = false;
            if (pass == 0) {
                hit = map_text_equal(h, hl, def->name, strlen(def->name));
                for (const char *p = def->synonyms; p && *p && !hit;) {
                    const char *bar = strchr(p, '|');
                    size_t sl = bar ? (size_t)(bar - p) : strlen(p);
                    hit = map_text_equal(h, hl, p, sl);
                    p = bar ? bar + 1 : p + sl;
                }
            } else if (pass == 1) {
                /* a header containing the field's name or a synonym */
                char lower[256];
                snprintf(lower, sizeof lower, "%s", h);
                for (char *c = lower; *c; c++)
                    *c = (char)tolower((unsigned char)*c);
                const char *probe = def->name;
                hit = strstr(lower, probe) != NULL;
                for (const char *p = def->synonyms; p && *p && !hit;) {
                    const char *bar = strchr(p, '|');
                    size_t sl = bar ? (size_t)(bar - p) : strlen(p);
                    char syn[128];
                    if (sl >= 4 && sl < sizeof syn) {
                        memcpy(syn, p, sl);
                        syn[sl] = '\0';
                        hit = strstr(lower, syn) != NULL;
                    }
                    p = bar ? bar + 1 : p + sl;
                }
            } else {
                size_t d = config_edit_distance(def->name, h);
                size_t len = strlen(def->name) > hl ? strlen(def->name) : hl;
                hit = d * 3 <= len && d > 0;
            }
            if (!hit || strstr(out, h))
                continue;
            n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%s'%s'", found ? ", " : "", h);
            found++;
        }
}

static ops_status_t map_header(ingest_state_t *st)
{
    const input_config_t *in = st->in;
    ops_status_t rc = OPS_OK;
    /* rows are checked against the header's field count: one over the limit
     * would reject every row with a wrong count, so say so once, here */
    if (st->n_fields > INGEST_MAX_COLUMNS)
        return ops_error_set(st->err, OPS_ERR_INPUT, st->path, st->rec_start ? st->rec_start : 1, NULL,
                             "the %s has %zu columns; at most %d are read: expected a CSV export (is the "
                             "delimiter setting right?)", in->header ? "header row" : "first row",
                             st->n_fields, INGEST_MAX_COLUMNS);
    st->n_header = st->n_fields;
    for (size_t i = 0; i < st->n_header; i++) {
        if (!in->header) { /* no header row: columns are known by number */
            st->header[i] = g_strdup_printf("column %zu", i + 1);
            continue;
        }
        const char *h = field_text(st, i);
        size_t l = st->len[i];
        if (i == 0 && l >= 3 && !memcmp(h, "\xEF\xBB\xBF", 3)) { /* BOM inside quotes */
            h += 3;
            l -= 3;
        }
        /* no column is named in more than a few words: a huge "header" (a file
         * without line ends) is kept short, so matching and messages stay cheap */
        if (l > INGEST_MAX_HEADER) {
            l = INGEST_MAX_HEADER;
            while (l > 0 && ((unsigned char)h[l] & 0xC0) == 0x80) /* whole UTF-8 characters */
                l--;
        }
        st->header[i] = g_strstrip(g_strndup(h, l));
    }
    st->is_gl = st->schema->kind == KIND_GL_ACTUALS || st->schema->kind == KIND_GL_BUDGET;
    char missing[2600] = "", unfound[1200] = "";
    size_t n_missing = 0, n_unfound = 0, ml = 0, ul = 0;
    for (size_t f = 0; f < st->schema->n_fields; f++) {
        const field_def_t *def = &st->schema->fields[f];
        const config_list_t *cols = &in->columns[f];
        st->n_field_col[f] = 0;
        if (in->const_value[f]) {
            st->stats->field_mapped[f] = true;
            continue;
        }
        if (cols->count == 1 && strstr(cols->items[0], " + ")) {
            /* col.FIELD = A + B: a key made of several columns (ids that repeat
             * across projects or departments); every part must be there */
            gchar **parts = g_strsplit(cols->items[0], " + ", CONFIG_MAX_TOKENS);
            bool all = true;
            for (size_t k = 0; parts[k] && k < CONFIG_MAX_TOKENS; k++) {
                int c = find_column(st, g_strstrip(parts[k]));
                all = all && c >= 0;
                if (c >= 0)
                    st->field_col[f][st->n_field_col[f]++] = c;
            }
            g_strfreev(parts);
            if (!all)
                st->n_field_col[f] = 0;
            st->composite[f] = all;
        } else
            for (size_t k = 0; k < cols->count; k++) {
                int c = find_column(st, cols->items[k]);
                if (c >= 0)
                    st->field_col[f][st->n_field_col[f]++] = c;
            }
        if (!cols->count) {
            int c = in->header ? find_column(st, def->name) : -1;
            if (c >= 0)
                st->field_col[f][st->n_field_col[f]++] = c;
        }
        bool derived = (st->is_gl && f == GL_ACCOUNT_TYPE && in->n_account_rules) ||
                       (st->schema->kind == KIND_TICKETS && f == TKT_FIRST_RESPONSE_AT &&
                        in->keep_latest_by >= 0);
        if (st->is_gl && f == GL_ACCOUNT_TYPE && in->n_account_rules && !st->n_field_col[f])
            st->derive_account_type = true;
        if (derived && f == TKT_FIRST_RESPONSE_AT && !st->n_field_col[f] && !cols->count)
            st->derive_first_response = true;
        st->stats->field_mapped[f] = st->n_field_col[f] > 0 || in->default_value[f] || derived;
        if (cols->count && !st->n_field_col[f]) {
            /* a configured column that is not there is always an error. The
             * messages below may outgrow their buffers: the offsets keep
             * counting, the write pointer stops at the end (past it is UB) */
            char shown[300] = "";
            for (size_t k = 0, sl = 0; k < cols->count && sl < sizeof shown; k++)
                sl += (size_t)snprintf(shown + sl, sizeof shown - sl, "%s'%s'", k ? " | " : "", cols->items[k]);
            char cand[300] = "";
            size_t cl = 0;
            /* a misspelt header first: the one closest to what was configured */
            for (size_t k = 0; k < cols->count && st->n_header; k++) {
                size_t best = 0, best_d = SIZE_MAX;
                for (size_t i = 0; i < st->n_header; i++) {
                    size_t d = config_edit_distance(cols->items[k], st->header[i]);
                    if (d < best_d) {
                        best_d = d;
                        best = i;
                    }
                }
                size_t len = strlen(cols->items[k]);
                if (best_d * 2 <= len && !strstr(cand, st->header[best]))
                    cl += (size_t)snprintf(cand + (cl < sizeof cand ? cl : sizeof cand),
                                           cl < sizeof cand ? sizeof cand - cl : 0, "%s'%s'",
                                           cl ? ", " : "", st->header[best]);
            }
            if (!cl)
                field_candidates(st, def, cand, sizeof cand);
            ul += (size_t)snprintf(unfound + (ul < sizeof unfound ? ul : sizeof unfound),
                                   ul < sizeof unfound ? sizeof unfound - ul : 0,
                                   "\n  col.%s = %s: not among the headers%s%s%s", def->name, shown,
                                   cand[0] ? " (candidates: " : "", cand, cand[0] ? ")" : "");
            n_unfound++;
        } else if (def->required && !st->stats->field_mapped[f]) {
            char cand[300];
            field_candidates(st, def, cand, sizeof cand);
            ml += (size_t)snprintf(missing + (ml < sizeof missing ? ml : sizeof missing),
                                   ml < sizeof missing ? sizeof missing - ml : 0,
                                   "\n  %s (%s): add col.%s = %s or const.%s = <value for every row>%s%s",
                                   def->name, def->doc, def->name,
                                   in->header ? "<header>" : "<column number>", def->name,
                                   cand[0] ? "; candidates: " : "", cand);
            n_missing++;
        }
    }
    if (in->n_filters) {
        st->filter_col = calloc(in->n_filters, sizeof *st->filter_col);
        if (!st->filter_col)
            return ops_error_set(st->err, OPS_ERR_NOMEM, st->path, 1, NULL, "out of memory");
    }
    for (size_t k = 0; k < in->n_filters; k++) {
        st->filter_col[k] = find_column(st, in->filters[k].header);
        if (st->filter_col[k] < 0) {
            ul += (size_t)snprintf(unfound + (ul < sizeof unfound ? ul : sizeof unfound),
                                   ul < sizeof unfound ? sizeof unfound - ul : 0,
                                   "\n  %s.%s: no such %s", in->filters[k].keep ? "where" : "skip",
                                   in->filters[k].header, in->header ? "header" : "column number");
            n_unfound++;
        }
    }
    if (n_missing || n_unfound) {
        char found[1000];
        headers_list(st, found, sizeof found);
        rc = ops_error_set(st->err, OPS_ERR_INPUT, st->path, 1, NULL,
                           "[input.%s] (%s) cannot be read as mapped:%s%s%s%s\n  headers found (%zu): %s\n"
                           "  (opsreport kinds %s lists every field; opsreport inspect %s --kind %s suggests a mapping)",
                           in->name, st->schema->name,
                           n_missing ? (n_missing == 1 ? "\n 1 required field is not mapped:" : "\n required fields not mapped:") : "",
                           missing, n_unfound ? "\n configured columns not found:" : "", unfound,
                           st->n_header, found, st->schema->name, in->file, st->schema->name);
        return rc;
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

/* Hands one row on: control totals and rounding first (as in the file),
 * then the GL conventions (sign, year-only phasing) on a copy. */
static ops_status_t emit(ingest_state_t *st, const field_value_t *values, long line)
{
    st->stats->rows_accepted++;
    for (size_t f = 0; f < st->schema->n_fields; f++)
        if (st->money_slot[f] >= 0 && values[f].present) {
            st->stats->money[st->money_slot[f]].total_accepted += values[f].v.money;
            if (values[f].residual) {
                st->stats->rounded_amounts++;
                st->stats->rounding_residual += values[f].residual;
            }
        }
    if (!st->sink)
        return OPS_OK;
    field_value_t v[CONFIG_MAX_FIELDS];
    memcpy(v, values, st->schema->n_fields * sizeof v[0]);
    ingest_record_t rec = { st->in, v, line };
    if (!st->is_gl)
        return st->sink(st->sink_ctx, &rec, st->err);
    int sign = v[GL_ACCOUNT_TYPE].v.enum_index == GL_TYPE_REVENUE ? st->in->revenue_sign
                                                                   : st->in->cost_sign;
    v[GL_AMOUNT].v.money *= sign;
    if (v[GL_DATE].grain != 2)
        return st->sink(st->sink_ctx, &rec, st->err);
    /* a year-only line: phase it over the months so annual plans compare
     * with monthly actuals; the parts add up to the amount exactly */
    int64_t parts[12];
    map_phase(v[GL_AMOUNT].v.money, st->in->phasing_set ? st->in->phasing : NULL, parts);
    int y, m, d;
    date_to_ymd(v[GL_DATE].v.date, &y, &m, &d);
    for (int k = 0; k < 12; k++) {
        v[GL_DATE].v.date = date_from_ymd(y, k + 1, 1);
        v[GL_DATE].grain = 1;
        v[GL_AMOUNT].v.money = parts[k];
        ops_status_t rc = st->sink(st->sink_ctx, &rec, st->err);
        if (rc != OPS_OK)
            return rc;
    }
    return OPS_OK;
}

/* The latest row of key id, packed in the keystore (ingest/keystore.h):
 * what emit needs, some 700 bytes less per ticket than whole field_value_t
 * structs; the head's first_response stays. */
static ops_status_t latest_copy(ingest_state_t *st, size_t id, const field_value_t *values, long line)
{
    ops_error_t e;
    if (keystore_row_put(st->keys, id, st->schema, values, &e) != OPS_OK)
        return ops_error_set(st->err, OPS_ERR_NOMEM, st->path, line, NULL, "%s", e.message);
    keystore_row_t *row = keystore_row(st->keys, id);
    row->line = line;
    row->ts = values[st->in->keep_latest_by].v.ts;
    return OPS_OK;
}

/* An event log's first response: the first update whose status has left open. */
static void note_first_response(const ingest_state_t *st, keystore_row_t *row, const field_value_t *values)
{
    if (!st->derive_first_response)
        return;
    const field_value_t *status = &values[TKT_STATUS], *at = &values[TKT_UPDATED_AT];
    if (status->present && at->present && status->v.enum_index != TKT_STATUS_OPEN &&
        at->v.ts < row->first_response)
        row->first_response = at->v.ts;
}

/* Duplicate keys: reject, or for event logs keep the latest update. Keys
 * are looked up and stored trimmed, so "A1 " and "A1" are one key. */
static ops_status_t handle_key(ingest_state_t *st, const field_value_t *values, long line,
                               bool *emit_now)
{
    int kf = st->schema->key_field;
    *emit_now = true;
    if (kf < 0)
        return OPS_OK;
    const field_value_t *key = &values[kf];
    /* keys were C strings: one with a NUL byte ends there, as before */
    size_t key_len = strnlen(key->text, key->len);
    size_t id;
    bool added;
    if (st->in->keep_latest_by >= 0) {
        *emit_now = false;
        if (!values[st->in->keep_latest_by].present) {
            char reason[200];
            snprintf(reason, sizeof reason, "%s is needed to keep the latest update (keep_latest_by)",
                     st->schema->fields[st->in->keep_latest_by].name);
            note_reject(st, line, "", key->text, key->len, reason);
            return st->status;
        }
        if (keystore_intern(st->keys, key->text, key_len, 0, &id, &added, NULL) != OPS_OK)
            return ops_error_set(st->err, OPS_ERR_NOMEM, st->path, line, NULL, "out of memory");
        if (!added) {
            keystore_row_t *prev = keystore_row(st->keys, id);
            st->stats->rows_superseded++;
            note_first_response(st, prev, values);
            if (values[st->in->keep_latest_by].v.ts < prev->ts)
                return OPS_OK; /* an older update arriving late */
        }
        ops_status_t rc = latest_copy(st, id, values, line);
        if (rc == OPS_OK && added)
            note_first_response(st, keystore_row(st->keys, id), values);
        return rc;
    }
    if (keystore_intern(st->keys, key->text, key_len, (uint64_t)line, &id, &added, NULL) != OPS_OK)
        return ops_error_set(st->err, OPS_ERR_NOMEM, st->path, line, NULL, "out of memory");
    if (!added) {
        char reason[256];
        snprintf(reason, sizeof reason, "duplicate %s '%.*s' (first on line %ld)",
                 st->schema->fields[kf].name, (int)(key->len > 60 ? 60 : key->len), key->text,
                 (long)keystore_value(st->keys, id));
        *emit_now = false;
        note_reject(st, line, st->header[st->field_col[kf][0]], key->text, key->len, reason);
        /* its amounts belong to the rejected total */
        for (size_t f = 0; f < st->schema->n_fields; f++)
            if (st->money_slot[f] >= 0 && values[f].present)
                st->stats->money[st->money_slot[f]].total_rejected += values[f].v.money;
        return st->status;
    }
    return OPS_OK;
}

/* Trimmed view of a cell. */
static const char *cell(const ingest_state_t *st, int col, size_t *len)
{
    const char *t = field_text(st, (size_t)col);
    size_t n = st->len[col];
    /* most cells need no trimming: no ctype lookups for them */
    if (!n || ((unsigned char)t[0] > ' ' && (unsigned char)t[n - 1] > ' ')) {
        *len = n;
        return t;
    }
    while (n && validate_space((unsigned char)*t)) {
        t++;
        n--;
    }
    while (n && validate_space((unsigned char)t[n - 1]))
        n--;
    *len = n;
    return t;
}

/* A text from the config or joined from cells, trimmed as a cell is. */
static void trim_view(const char **t, size_t *len)
{
    if (!*len || ((unsigned char)(*t)[0] > ' ' && (unsigned char)(*t)[*len - 1] > ' '))
        return;
    while (*len && validate_space((unsigned char)**t)) {
        (*t)++;
        (*len)--;
    }
    while (*len && validate_space((unsigned char)(*t)[*len - 1]))
        (*len)--;
}

/* Rejects the row for field f: writes the reject and books its amounts. */
static void reject_row(ingest_state_t *st, long line, const char *column, const char *value,
                       size_t len, const char *why, const field_value_t *values, size_t n_parsed)
{
    note_reject(st, line, column, value, len, why);
    for (size_t f = 0; f < st->schema->n_fields; f++) {
        if (st->money_slot[f] < 0)
            continue;
        if (f < n_parsed && values[f].present)
            st->stats->money[st->money_slot[f]].total_rejected += values[f].v.money;
        else
            st->stats->money[st->money_slot[f]].unparsed++;
    }
}

/* The text a field gets from its sources (steps 2 and 3 of map.h),
 * trimmed, and whether it is a missing-value token. Sets *column to what a
 * reject should name. false with a reason: no value of a closed vocabulary. */
static bool field_source(ingest_state_t *st, size_t f, const char **text, size_t *len,
                         const char **column, bool *is_missing, char *why, size_t why_size)
{
    const input_config_t *in = st->in;
    const field_def_t *def = &st->schema->fields[f];
    *text = "";
    *len = 0;
    *column = def->name;
    if (in->const_value[f]) {
        *text = in->const_value[f];
        *len = strlen(*text);
        snprintf(st->const_names[f], sizeof st->const_names[f], "const.%s", def->name);
        *column = st->const_names[f];
    } else if (st->composite[f]) {
        size_t n = 0;
        bool any = false;
        for (size_t k = 0; k < st->n_field_col[f]; k++) {
            size_t l;
            const char *part = cell(st, st->field_col[f][k], &l);
            any = any || !validate_is_missing(in, part, l);
            n += (size_t)snprintf(st->joined[f] + n, n < sizeof st->joined[f] ? sizeof st->joined[f] - n : 0,
                                  "%s%.*s", k ? " / " : "", (int)l, part);
        }
        *text = any ? st->joined[f] : "";
        *len = any ? strlen(st->joined[f]) : 0;
        *column = st->header[st->field_col[f][0]];
    } else if (st->n_field_col[f]) {
        for (size_t k = 0; k < st->n_field_col[f]; k++) {
            int c = st->field_col[f][k];
            *text = cell(st, c, len);
            *column = st->header[c];
            if (!validate_is_missing(in, *text, *len))
                break;
        }
    }
    trim_view(text, len);
    bool missing = validate_is_missing(in, *text, *len);
    if (missing && in->default_value[f]) {
        *text = in->default_value[f];
        *len = strlen(*text);
        trim_view(text, len);
        missing = validate_is_missing(in, *text, *len);
    }
    *is_missing = missing;
    if (missing)
        return true;
    const value_map_t *m = &in->maps[f];
    if (m->count || m->fallback) {
        const char *to = map_value(m, *text, *len);
        if (to) {
            *text = to;
            *len = strlen(to);
            trim_view(text, len);
            *is_missing = validate_is_missing(in, *text, *len);
        } else if (def->type == FT_ENUM && map_vocab(def, *text, *len) < 0) {
            char shown[300], allowed[200];
            map_describe(m, shown, sizeof shown);
            size_t n = 0;
            allowed[0] = '\0';
            for (size_t i = 0; def->enum_values[i] && n < sizeof allowed; i++)
                n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s", i ? ", " : "", def->enum_values[i]);
            snprintf(why, why_size, "'%.*s' is not in map.%s (line %ld: %s) and is not one of %s; "
                     "add '%.*s => VALUE' or '* => VALUE' to map.%s",
                     (int)(*len > 60 ? 60 : *len), *text, def->name, m->line, shown, allowed,
                     (int)(*len > 60 ? 60 : *len), *text, def->name);
            return false;
        }
    }
    if (def->type == FT_ENUM) {
        int idx = map_vocab(def, *text, *len);
        if (idx >= 0) {
            *text = def->enum_values[idx];
            *len = strlen(*text);
            *is_missing = validate_is_missing(in, *text, *len);
        }
    }
    return true;
}

static void process_row(ingest_state_t *st)
{
    const input_config_t *in = st->in;
    long line = st->rec_start ? st->rec_start : st->line;
    st->stats->rows_read++;
    size_t n = st->n_fields;
    /* trailing empty columns (spreadsheet exports) are harmless */
    while (n > st->n_header && n <= INGEST_MAX_COLUMNS && st->len[n - 1] == 0)
        n--;
    if (n != st->n_header) {
        char reason[128];
        snprintf(reason, sizeof reason, "expected %zu fields as in the %s, found %zu", st->n_header,
                 in->header ? "header" : "first row", st->n_fields);
        reject_row(st, line, "", st->n_fields ? field_text(st, 0) : "", st->n_fields ? st->len[0] : 0,
                   reason, NULL, 0);
        return;
    }
    for (size_t k = 0; k < in->n_filters; k++) {
        size_t len;
        const char *v = cell(st, st->filter_col[k], &len);
        if (!map_filter_pass(&in->filters[k], v, len)) {
            st->stats->rows_filtered++;
            return;
        }
    }
    field_value_t values[CONFIG_MAX_FIELDS];
    char why_buf[600], reason[600];
    const char *why = NULL, *bad_column = NULL, *bad_text = NULL;
    size_t bad_len = 0;
    /* every field is parsed even after a bad one, so the rejected row's
     * amounts still count in the rejected control total */
    for (size_t f = 0; f < st->schema->n_fields; f++) {
        const field_def_t *def = &st->schema->fields[f];
        const char *text, *column;
        size_t len;
        bool missing = false;
        memset(&values[f], 0, sizeof values[f]);
        values[f].text = "";
        bool ok = field_source(st, f, &text, &len, &column, &missing, why_buf, sizeof why_buf);
        if (ok && st->derive_account_type && f == GL_ACCOUNT_TYPE)
            continue; /* classified from the account below */
        if (ok)
            ok = validate_value(def, in, st->minor_units, text, len, missing, &values[f], why_buf, sizeof why_buf,
                                &why);
        else
            why = why_buf;
        if (!ok && !bad_column) {
            snprintf(reason, sizeof reason, "%s", why);
            bad_column = column;
            bad_text = text;
            bad_len = len;
        }
    }
    if (bad_column) {
        reject_row(st, line, bad_column, bad_text, bad_len, reason, values, st->schema->n_fields);
        return;
    }
    if (st->derive_account_type) {
        const field_value_t *acct = &values[GL_ACCOUNT];
        int type = map_account_type(in, acct->text, acct->len);
        if (type < 0) {
            snprintf(why_buf, sizeof why_buf,
                     "account '%.*s' matches no rule of account_types; add a range or prefix for it (or '* => opex')",
                     (int)(acct->len > 60 ? 60 : acct->len), acct->text);
            reject_row(st, line, st->n_field_col[GL_ACCOUNT] ? st->header[st->field_col[GL_ACCOUNT][0]] : "account",
                       acct->text, acct->len, why_buf, values, st->schema->n_fields);
            return;
        }
        field_value_t *t = &values[GL_ACCOUNT_TYPE];
        t->present = true;
        t->v.enum_index = type;
        t->text = st->schema->fields[GL_ACCOUNT_TYPE].enum_values[type];
        t->len = strlen(t->text);
    }
    bool emit_now;
    ops_status_t rc = handle_key(st, values, line, &emit_now);
    if (rc == OPS_OK && emit_now)
        rc = emit(st, values, line);
    if (rc != OPS_OK && st->status == OPS_OK)
        st->status = rc;
}

/* Length of the line end at s[i]: 1 for LF or a lone CR, k + 1 for k CRs
 * and an LF (CR CR LF is one line end); 0 if s[i] ends no line. */
static size_t line_end_at(const char *s, size_t n, size_t i)
{
    if (s[i] == '\n')
        return 1;
    if (s[i] != '\r')
        return 0;
    size_t j = i;
    while (j < n && s[j] == '\r')
        j++;
    return j < n && s[j] == '\n' ? j - i + 1 : 1;
}

static bool blank_segment(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* One line of a swallowing record: a row read and rejected, unless blank. */
static void reject_line(ingest_state_t *st, GString *text, long line, const char *reason)
{
    if (!blank_segment(text->str, text->len)) {
        st->stats->rows_read++;
        reject_row(st, line, "", text->str, text->len, reason, NULL, 0);
    }
    g_string_truncate(text, 0);
}

/* A quoted field that swallowed lines (more than max_field_lines, or never
 * closed) hides the records on them, most often behind one stray quote.
 * Each non-blank line it covers is read and rejected as a row of its own,
 * so rows read still counts the physical records and the rejects file
 * shows where the quote went wrong. A line's text is rebuilt from libcsv's
 * fields, one line at a time: fields joined by the delimiter, a field
 * holding a line end (or left open at the end of the file) back in quotes;
 * doubled quotes inside stay single, libcsv kept no trace of them. */
static void reject_swallowed(ingest_state_t *st, long first)
{
    char reason[300], span[64] = "";
    if (st->over_first)
        st->stats->overlong_records++;
    if (st->line > st->last_field_start)
        snprintf(span, sizeof span, " (lines %ld-%ld)", st->last_field_start, st->line);
    if (st->unterminated)
        snprintf(reason, sizeof reason,
                 "inside a quoted field opened on line %ld and never closed%s: "
                 "probably a stray quote; fix the export or set quote = none",
                 st->last_field_start, span);
    else
        snprintf(reason, sizeof reason,
                 "inside a quoted field spanning lines %ld-%ld (%ld lines, over max_field_lines = %d): "
                 "probably a stray quote; fix the export or set quote = none",
                 st->over_first, st->over_last, st->over_last - st->over_first + 1,
                 st->in->max_field_lines);
    GString *text = g_string_new(NULL);
    long line = first;
    size_t n = st->n_fields < INGEST_MAX_COLUMNS ? st->n_fields : INGEST_MAX_COLUMNS;
    for (size_t i = 0; i < n && st->status == OPS_OK; i++) {
        const char *f = field_text(st, i);
        size_t len = st->len[i];
        bool open = st->unterminated && i + 1 == n;
        bool quoted = open || memchr(f, '\n', len) || memchr(f, '\r', len);
        if (i)
            g_string_append_c(text, st->in->delimiter);
        if (quoted)
            g_string_append_c(text, st->in->quote);
        size_t start = 0;
        for (size_t j = 0; j < len && st->status == OPS_OK;) {
            size_t eol = line_end_at(f, len, j);
            if (!eol) {
                j++;
                continue;
            }
            g_string_append_len(text, f + start, (gssize)(j - start));
            reject_line(st, text, line++, reason);
            start = j += eol;
        }
        g_string_append_len(text, f + start, (gssize)(len - start));
        if (quoted && !open)
            g_string_append_c(text, st->in->quote);
    }
    if (st->status == OPS_OK)
        reject_line(st, text, line, reason);
    g_string_free(text, TRUE);
}

/* Multi-line records: counted, and the first ranges kept for the report. */
static void count_record_lines(ingest_state_t *st, long first, long last)
{
    ingest_stats_t *s = st->stats;
    if (last <= first)
        return;
    s->multiline_records++;
    if (s->n_multiline_ranges < INGEST_FIRST_REJECTS) {
        s->multiline_ranges[s->n_multiline_ranges][0] = first;
        s->multiline_ranges[s->n_multiline_ranges][1] = last;
        s->n_multiline_ranges++;
    }
}

static void on_record(int c, void *ctx)
{
    ingest_state_t *st = ctx;
    (void)c;
    if (st->status != OPS_OK)
        goto reset;
    long first = st->rec_start ? st->rec_start : st->line;
    bool swallowed = st->unterminated || st->over_first;
    /* a line of only spaces parses as one empty field (with a space
     * delimiter, as several): treat it as blank */
    if (!swallowed && ((st->n_fields == 1 && st->len[0] == 0) ||
                       (!st->rec_start && st->in->delimiter == ' ')))
        goto reset;
    if (st->stop)
        goto reset;
    if (!st->header_done) {
        st->status = map_header(st);
        if (st->status == OPS_OK && st->header_only) {
            st->stop = true; /* the header is all a check reads */
            goto reset;
        }
        if (st->status != OPS_OK || st->in->header)
            goto reset;
        /* no header row: the first record is data */
    }
    if (st->tokenize_only)
        goto reset;
    count_record_lines(st, first, st->line);
    if (swallowed)
        reject_swallowed(st, first);
    else
        process_row(st);
reset:
    st->n_fields = 0;
    st->buf_len = 0;
    st->overflow = false;
    st->rec_start = 0;
    st->field_start = 0;
    st->over_first = st->over_last = 0;
}

/* libcsv's buffer for the field being read grows through this: a field
 * longer than INGEST_MAX_FIELD (no export has one; a file with no line ends
 * or a quote that never closes does) is refused, so memory stays bounded. */
static void *field_realloc(void *p, size_t n)
{
    return n > INGEST_MAX_FIELD ? NULL : realloc(p, n);
}

static int space_only(unsigned char c) { return c == ' '; }
static int tab_only(unsigned char c) { return c == '\t'; }

static ops_status_t parse_bytes(ingest_state_t *st, struct csv_parser *p, const char *s, size_t n)
{
    if (csv_parse(p, s, n, on_field, on_record, st) != n) {
        if (csv_error(p) == CSV_ENOMEM) /* field_realloc refused to grow past the cap */
            return ops_error_set(st->err, OPS_ERR_INPUT, st->path, st->rec_start ? st->rec_start : st->line,
                                 NULL, "a field longer than %d MB: expected a CSV text file (is the delimiter "
                                 "or the quote setting wrong, or is this a binary file?)",
                                 INGEST_MAX_FIELD / (1024 * 1024));
        return ops_error_set(st->err, OPS_ERR_INPUT, st->path, st->line, NULL, "CSV parse error: %s",
                             csv_strerror(csv_error(p)));
    }
    return st->status;
}

/* A physical line with no quote character in it, begun between records,
 * split into fields here as libcsv would split it: fields end at the
 * delimiter, spaces (space_a/space_b, never the delimiter) around each are
 * trimmed, a line of only spaces is no record. libcsv's state machine
 * calls back per byte and was the largest single cost of ingest (a sixth
 * to a fifth of the CPU); memchr finds a delimiter many bytes at a time.
 * Hand-written only for this case, which no library offers as a fast path
 * of its own: anything quoted still goes through libcsv, and
 * tests/fuzz/fuzz_ingest.c checks both give the same rows on any input
 * (OPSREPORT_LIBCSV_ONLY=1 turns this off). */
static inline bool csv_space(const ingest_state_t *st, char c)
{
    return (unsigned char)c == st->space_a || (unsigned char)c == st->space_b;
}

static void split_line(ingest_state_t *st, const char *s, size_t n)
{
    const char delim = (char)st->in->delimiter;
    size_t pos = 0;
    while (pos < n && csv_space(st, s[pos]))
        pos++;
    if (pos == n)
        return; /* blank: libcsv submits no row */
    for (;;) {
        const char *d = memchr(s + pos, delim, n - pos);
        size_t end = d ? (size_t)(d - s) : n, fe = end;
        while (fe > pos && csv_space(st, s[fe - 1]))
            fe--;
        on_field((void *)(s + pos), fe - pos, st);
        if (!d)
            break;
        pos = end + 1;
        while (pos < n && csv_space(st, s[pos]))
            pos++;
    }
    on_record('\n', st);
}

/* Feeds decoded text to libcsv one physical line at a time and counts the
 * lines. The pieces may end anywhere; a run of CRs at the end of one is
 * held in st->cr_run until the next byte says whether an LF makes it one
 * line end (CR CR LF) or each CR ends a line of its own. libcsv itself
 * needs no help there: it ends a record at the first CR and skips the rest. */
static ops_status_t feed(ingest_state_t *st, struct csv_parser *p, const char *data, size_t n)
{
    ops_status_t rc = OPS_OK;
    size_t start = 0;
    if (st->cr_run && n) {
        size_t j = 0;
        while (j < n && data[j] == '\r')
            j++;
        if (j == n) {
            st->cr_run += n;
            return parse_bytes(st, p, data, n);
        }
        bool lf = data[j] == '\n';
        start = lf ? j + 1 : j;
        if ((rc = parse_bytes(st, p, data, start)) != OPS_OK)
            return rc;
        st->line += lf ? 1 : (long)(st->cr_run + j);
        st->cr_run = 0;
    }
    while (start < n) {
        /* the next line end: memchr for LF, then for a CR before it */
        const char *lf = memchr(data + start, '\n', n - start);
        size_t i = lf ? (size_t)(lf - data) : n;
        const char *cr = memchr(data + start, '\r', i - start);
        if (cr)
            i = (size_t)(cr - data);
        size_t end = i;
        long ends = 0;
        if (i < n && data[i] == '\n') {
            end = i + 1;
            ends = 1;
        } else if (i < n) { /* a run of CRs */
            size_t j = i;
            while (j < n && data[j] == '\r')
                j++;
            if (j == n) { /* the next piece decides */
                end = n;
                st->cr_run = j - i;
            } else if (data[j] == '\n') { /* CR CR LF: one line end */
                end = j + 1;
                ends = 1;
            } else { /* lone CRs: a line end each */
                end = j;
                ends = (long)(j - i);
            }
        }
        if (!st->rec_start && !blank_segment(data + start, i - start))
            st->rec_start = st->line;
        if (st->fast_lines && i < n && p->pstate == 0 && p->entry_pos == 0 && !st->n_fields &&
            !memchr(data + start, p->quote_char, i - start)) {
            /* a whole line, begun between records, no quote in it */
            split_line(st, data + start, i - start);
            if (st->status != OPS_OK)
                return st->status;
        } else if ((rc = parse_bytes(st, p, data + start, end - start)) != OPS_OK) {
            return rc;
        }
        st->line += ends;
        st->line_open = i == end && (st->line_open || end > start);
        start = end;
    }
    return OPS_OK;
}

/* Decoding state: what turns the file's bytes into the UTF-8 fed to libcsv. */
typedef struct {
    iconv_t cd;      /* (iconv_t)-1: the input is UTF-8, only validated */
    size_t unit;     /* bytes per code unit: an invalid unit is skipped whole */
    char *out;       /* iconv output, fed whenever it fills */
    size_t out_cap;
    bool bom_done;   /* the start of the text was checked for a BOM */
} decoder_t;

/* Feeds decoded text, without a BOM at its very start (UTF-8's, or the
 * U+FEFF that UTF-16LE and friends decode to). */
static ops_status_t deliver(ingest_state_t *st, decoder_t *d, struct csv_parser *p, const char *s,
                            size_t n)
{
    if (!d->bom_done && n) {
        d->bom_done = true;
        if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
            s += 3;
            n -= 3;
        }
    }
    return feed(st, p, s, n);
}

/* Bytes of the UTF-8 sequence led by c, with the range its second byte
 * must be in (no overlongs, surrogates or code points past U+10FFFF); 0
 * if c cannot lead one. */
static size_t utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0)
            *lo = 0xA0;
        if (c == 0xED)
            *hi = 0x9F;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0)
            *lo = 0x90;
        if (c == 0xF4)
            *hi = 0x8F;
        return 4;
    }
    return 0;
}

/* Length of the longest prefix of s that is whole, valid UTF-8. Exports
 * are mostly ASCII, so it skips 8 ASCII bytes at a time. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t w;
        while (i + 8 <= n && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ULL)))
            i += 8;
        if (i == n)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        unsigned char lo, hi;
        size_t len = utf8_lead(s[i], &lo, &hi);
        if (!len || i + len > n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return i;
}

/* true if s[0..n) is the valid start of a sequence cut short. */
static bool utf8_incomplete(const unsigned char *s, size_t n)
{
    unsigned char lo, hi;
    size_t len = utf8_lead(s[0], &lo, &hi);
    if (!len || n >= len || (n > 1 && (s[1] < lo || s[1] > hi)))
        return false;
    return n < 3 || (s[2] & 0xC0) == 0x80;
}

/* UTF-8 input passes through unchanged, so a row with invalid bytes still
 * fails validation ("check the input's encoding setting") instead of
 * reading as U+FFFD; the invalid bytes are only counted. A sequence cut by
 * the block end is left in *carry bytes at the end of data for the next
 * block, so it is not miscounted. */
static ops_status_t decode_utf8(ingest_state_t *st, decoder_t *d, struct csv_parser *p, char *data,
                                size_t n, bool eof, size_t *carry)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    *carry = 0;
    for (;;) {
        i += utf8_valid_prefix(s + i, n - i);
        if (i == n)
            break;
        if (!eof && utf8_incomplete(s + i, n - i)) {
            *carry = n - i;
            break;
        }
        st->stats->invalid_bytes++;
        /* with quote = none, 0xFF is libcsv's quote char: read it as 0xFE,
         * as invalid as it was, so it stays text and its row still fails */
        if (s[i] == INGEST_NO_QUOTE && !st->in->quote)
            data[i] = (char)0xFE;
        i++;
    }
    return deliver(st, d, p, data, n - *carry);
}

/* Any other encoding, through iconv. The output buffer is fed whenever it
 * fills (E2BIG), so no expansion ratio is assumed: single-byte encodings
 * grow up to 3x, UTF-16 mostly shrinks. An invalid code unit becomes
 * U+FFFD; skipping a whole unit keeps UTF-16/32 aligned. */
static ops_status_t decode_iconv(ingest_state_t *st, decoder_t *d, struct csv_parser *p,
                                 const char *data, size_t n, bool eof, size_t *carry)
{
    char *ip = (char *)data;
    size_t il = n;
    ops_status_t rc = OPS_OK;
    *carry = 0;
    while (il > 0) {
        char *op = d->out;
        size_t ol = d->out_cap;
        size_t r = iconv(d->cd, &ip, &il, &op, &ol);
        int e = errno;
        if ((rc = deliver(st, d, p, d->out, (size_t)(op - d->out))) != OPS_OK)
            return rc;
        if (r != (size_t)-1 || e == E2BIG)
            continue;
        if (e == EINVAL && !eof && il < INGEST_CARRY) { /* a character cut by the block end */
            *carry = il;
            return OPS_OK;
        }
        if (e != EILSEQ && e != EINVAL)
            return ops_error_set(st->err, OPS_ERR_INTERNAL, st->path, st->line, NULL,
                                 "cannot decode %s text: %s", st->in->encoding, strerror(e));
        size_t skip = d->unit < il ? d->unit : il;
        if ((rc = deliver(st, d, p, UTF8_REPLACEMENT, 3)) != OPS_OK)
            return rc;
        st->stats->invalid_bytes += skip;
        ip += skip;
        il -= skip;
    }
    if (eof) { /* stateful encodings may still owe a character */
        char *op = d->out;
        size_t ol = d->out_cap;
        iconv(d->cd, NULL, NULL, &op, &ol);
        rc = deliver(st, d, p, d->out, (size_t)(op - d->out));
    }
    return rc;
}

/* Code unit width of an encoding by its name: UTF-16/UCS-2 2, UTF-32/UCS-4 4. */
static size_t code_unit(const char *encoding)
{
    char name[16];
    size_t n = 0;
    for (const char *c = encoding; *c && n + 1 < sizeof name; c++)
        if (isalnum((unsigned char)*c))
            name[n++] = (char)toupper((unsigned char)*c);
    name[n] = '\0';
    if (!strncmp(name, "UTF16", 5) || !strncmp(name, "UCS2", 4) || !strncmp(name, "UNICODE", 7))
        return 2;
    if (!strncmp(name, "UTF32", 5) || !strncmp(name, "UCS4", 4))
        return 4;
    return 1;
}

/* The input's delimiter and quote. libcsv trims spaces and tabs around
 * unquoted fields, never the delimiter itself: say which explicitly for the
 * two blank delimiters. */
static void parser_set_dialect(struct csv_parser *p, const input_config_t *in)
{
    csv_set_delim(p, (unsigned char)in->delimiter);
    csv_set_quote(p, in->quote ? (unsigned char)in->quote : INGEST_NO_QUOTE);
    csv_set_realloc_func(p, field_realloc);
    csv_set_blk_size(p, 64 * 1024); /* libcsv grows by this much, not 128 bytes, per step */
    if (in->delimiter == '\t')
        csv_set_space_func(p, space_only);
    else if (in->delimiter == ' ')
        csv_set_space_func(p, tab_only);
}

/* libcsv set up for the input's dialect; false: out of memory. */
static bool parser_open(struct csv_parser *p, const input_config_t *in)
{
    if (csv_init(p, 0) != 0)
        return false;
    parser_set_dialect(p, in);
    return true;
}

/* The decoder for the input's encoding (UTF-8: none, only checked). */
static ops_status_t decoder_open(decoder_t *d, const input_config_t *in, const char *path, ops_error_t *err)
{
    *d = (decoder_t){ .cd = (iconv_t)-1, .unit = 1 };
    if (!in->encoding)
        return OPS_OK;
    d->cd = iconv_open("UTF-8", in->encoding);
    if (d->cd == (iconv_t)-1)
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL, "iconv cannot decode encoding = %s: %s",
                             in->encoding, strerror(errno));
    d->unit = code_unit(in->encoding);
    d->out_cap = INGEST_BLOCK * 3;
    if (!(d->out = malloc(d->out_cap)))
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    return OPS_OK;
}

static void decoder_close(decoder_t *d)
{
    if (d->cd != (iconv_t)-1)
        iconv_close(d->cd);
    free(d->out);
}

/* What a reader's state owns beyond the keys: header names, filter
 * columns, the record's field bytes. */
static void state_free(ingest_state_t *st)
{
    for (size_t i = 0; i < st->n_header; i++)
        g_free(st->header[i]);
    free(st->filter_col);
    free(st->buf);
}

/* A SHA-256 context (OpenSSL: the CPU's SHA instructions), or NULL. */
static EVP_MD_CTX *sha_new(void)
{
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    if (sha && !EVP_DigestInit_ex(sha, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(sha);
        sha = NULL;
    }
    return sha;
}

/* The digest as 64 hex digits into out (65 bytes). */
static void sha_hex(EVP_MD_CTX *sha, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_DigestFinal_ex(sha, md, &md_len);
    for (unsigned int i = 0; i < md_len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* An export still being written (or replaced) while it was read gives a
 * report of half a file: the size, mtime and inode at open must still hold
 * at the end, for the open file and for its path. */
static ops_status_t check_unchanged(const char *path, int fd, const struct stat *opened, uint64_t read,
                                   ops_error_t *err)
{
    struct stat now, named;
    if (fstat(fd, &now) != 0 || stat(path, &named) != 0 || now.st_size != opened->st_size ||
        now.st_mtim.tv_sec != opened->st_mtim.tv_sec || now.st_mtim.tv_nsec != opened->st_mtim.tv_nsec ||
        named.st_ino != opened->st_ino || named.st_dev != opened->st_dev ||
        read != (uint64_t)opened->st_size)
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL,
                             "changed while being read (%lld bytes at open, %llu read): the export was still "
                             "being written or was replaced; run again once it is complete",
                             (long long)opened->st_size, (unsigned long long)read);
    return OPS_OK;
}

/* A reader's stats before the first byte: names, path and money fields. */
static void stats_init(ingest_stats_t *stats, const input_config_t *in, const char *data_dir)
{
    memset(stats, 0, sizeof *stats);
    snprintf(stats->name, sizeof stats->name, "%s", in->name);
    snprintf(stats->kind, sizeof stats->kind, "%s", in->schema->name);
    if (in->file[0] == '/' || !data_dir)
        snprintf(stats->path, sizeof stats->path, "%s", in->file);
    else
        snprintf(stats->path, sizeof stats->path, "%s/%s", data_dir, in->file);
    for (size_t f = 0; f < in->schema->n_fields; f++)
        if (in->schema->fields[f].type == FT_MONEY && stats->n_money < INGEST_MAX_MONEY) {
            snprintf(stats->money[stats->n_money].field, sizeof stats->money[0].field, "%s",
                     in->schema->fields[f].name);
            stats->n_money++;
        }
}

/* st (zeroed) set up to read in's text from line 1; stats from stats_init. */
static void state_init(ingest_state_t *st, const input_config_t *in, int minor_units, rejects_writer_t *rejects,
                       ingest_record_fn sink, void *sink_ctx, ingest_stats_t *stats, ops_error_t *err)
{
    st->in = in;
    st->schema = in->schema;
    st->minor_units = minor_units;
    st->path = stats->path;
    st->rejects = rejects;
    st->sink = sink;
    st->sink_ctx = sink_ctx;
    st->stats = stats;
    st->err = err;
    st->line = 1;
    /* libcsv's spaces (parser_set_dialect): never the delimiter */
    st->space_a = in->delimiter == '\t' ? ' ' : in->delimiter == ' ' ? '\t' : ' ';
    st->space_b = in->delimiter == '\t' || in->delimiter == ' ' ? st->space_a : '\t';
    const char *only = getenv("OPSREPORT_LIBCSV_ONLY");
    st->fast_lines = !(only && *only && strcmp(only, "0") != 0);
    size_t slot = 0;
    for (size_t f = 0; f < CONFIG_MAX_FIELDS; f++)
        st->money_slot[f] = -1;
    for (size_t f = 0; f < st->schema->n_fields; f++)
        if (st->schema->fields[f].type == FT_MONEY && slot < INGEST_MAX_MONEY)
            st->money_slot[f] = (int)slot++;
}

/* The end of the text: CRs at the very end are lone CRs, each ends a line;
 * the physical lines are counted; a quoted field still open is handed over. */
static ops_status_t text_finish(ingest_state_t *st, struct csv_parser *parser)
{
    st->line += (long)st->cr_run;
    st->cr_run = 0;
    st->stats->physical_lines = (uint64_t)(st->line_open ? st->line : st->line - 1);
    if (!st->line_open && st->line > 1)
        st->line--; /* a record still open ends on the last line, not after it */
    /* CSV_STRICT_FINI makes csv_fini refuse a quoted field still open at the
     * end (and change nothing); the second call hands it over, to be
     * rejected line by line instead of hiding the lines after its quote */
    csv_set_opts(parser, CSV_STRICT | CSV_STRICT_FINI);
    if (csv_fini(parser, on_field, on_record, st) != 0) {
        st->unterminated = true;
        csv_set_opts(parser, 0);
        csv_fini(parser, on_field, on_record, st);
    }
    return st->status;
}

/* A header row longer than this is not one: a file with no line end at all. */
#define INGEST_HEADER_MAX (4 * 1024 * 1024)

/* ingest_input, or with header_only the header check: the same reader and
 * the same map_header, so check and run never disagree about a header. */
static ops_status_t ingest_read(const input_config_t *in, const char *data_dir, int minor_units,
                                rejects_writer_t *rejects, ingest_record_fn sink, void *sink_ctx,
                                ingest_stats_t *stats, ops_error_t *err, bool header_only)
{
    ops_status_t rc = OPS_OK;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ingest_state_t st = { 0 };
    struct csv_parser parser;
    bool parser_ready = false;
    FILE *fp = NULL;
    char *block = NULL;
    EVP_MD_CTX *sha = NULL;
    decoder_t dec = { .cd = (iconv_t)-1, .unit = 1 };

    stats_init(stats, in, data_dir);
    state_init(&st, in, minor_units, rejects, sink, sink_ctx, stats, err);
    st.header_only = header_only;

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
    struct stat opened;
    bool regular = fstat(fileno(fp), &opened) == 0 && S_ISREG(opened.st_mode);
    st.keys = st.schema->key_field >= 0 ? keystore_new() : NULL;
    sha = sha_new();
    block = malloc(INGEST_CARRY + INGEST_BLOCK);
    if ((rc = decoder_open(&dec, in, stats->path, err)) != OPS_OK)
        goto cleanup;
    if (!block || !sha || (st.schema->key_field >= 0 && !st.keys) || !(parser_ready = parser_open(&parser, in))) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, stats->path, 0, NULL, "out of memory");
        goto cleanup;
    }

    /* block[0..carry) holds a character cut by the previous block's end */
    size_t carry = 0;
    for (;;) {
        size_t n = fread(block + carry, 1, INGEST_BLOCK, fp);
        if (n < INGEST_BLOCK && ferror(fp)) {
            rc = ops_error_set(err, OPS_ERR_INPUT, stats->path, st.line, NULL, "read error: %s", strerror(errno));
            goto cleanup;
        }
        bool eof = n < INGEST_BLOCK;
        stats->bytes += n;
        EVP_DigestUpdate(sha, block + carry, n);
        size_t len = carry + n;
        rc = dec.cd != (iconv_t)-1 ? decode_iconv(&st, &dec, &parser, block, len, eof, &carry)
                                   : decode_utf8(&st, &dec, &parser, block, len, eof, &carry);
        if (rc != OPS_OK || st.stop)
            goto cleanup;
        if (header_only && !st.header_done && stats->bytes > INGEST_HEADER_MAX) {
            rc = ops_error_set(err, OPS_ERR_INPUT, stats->path, 1, NULL,
                               "no header row in the first %d MB: is the delimiter or the quote wrong?",
                               INGEST_HEADER_MAX / (1024 * 1024));
            goto cleanup;
        }
        if (eof)
            break;
        memmove(block, block + len - carry, carry);
    }
    if (regular && !header_only && (rc = check_unchanged(stats->path, fileno(fp), &opened, stats->bytes, err)) != OPS_OK)
        goto cleanup;
    if ((rc = text_finish(&st, &parser)) != OPS_OK)
        goto cleanup;
    if (!st.header_done) {
        rc = ops_error_set(err, OPS_ERR_INPUT, stats->path, 1, NULL,
                           "the file is empty: expected a header row naming the columns");
        goto cleanup;
    }
    /* the latest rows, in order of first appearance */
    for (size_t i = 0; !header_only && st.keys && in->keep_latest_by >= 0 && i < keystore_count(st.keys) &&
                       rc == OPS_OK; i++) {
        const keystore_row_t *row = keystore_row(st.keys, i);
        field_value_t values[CONFIG_MAX_FIELDS];
        keystore_texts_t texts;
        keystore_row_unpack(row, st.schema, values, &texts);
        if (st.derive_first_response && row->first_response != INT64_MAX) {
            values[TKT_FIRST_RESPONSE_AT].present = true;
            values[TKT_FIRST_RESPONSE_AT].v.ts = row->first_response;
        }
        rc = emit(&st, values, row->line);
    }
    if (rc != OPS_OK)
        goto cleanup;
    sha_hex(sha, stats->sha256);

cleanup:
    if (parser_ready)
        csv_free(&parser);
    decoder_close(&dec);
    if (fp)
        fclose(fp);
    EVP_MD_CTX_free(sha);
    keystore_free(st.keys);
    state_free(&st);
    free(block);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stats->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}

bool ingest_stats_reconciles(const ingest_stats_t *s)
{
    return s->rows_read == s->rows_accepted + s->rows_rejected + s->rows_filtered + s->rows_superseded;
}

ops_status_t ingest_input(const input_config_t *in, const char *data_dir, int minor_units,
                          rejects_writer_t *rejects, ingest_record_fn sink, void *sink_ctx,
                          ingest_stats_t *stats, ops_error_t *err)
{
    return ingest_read(in, data_dir, minor_units, rejects, sink, sink_ctx, stats, err, false);
}

/* opsreport check: the first record only, through the same reader (dialect,
 * encoding, BOM) and map_header as a run; no row is parsed or counted. */
ops_status_t ingest_check_header(const input_config_t *in, const char *data_dir,
                                 ingest_stats_t *stats, ops_error_t *err)
{
    return ingest_read(in, data_dir, 0, NULL, NULL, NULL, stats, err, true);
}

/* ---- one input in parts (run and validate --jobs N) -------------------------
 * A large export of a kind whose rows are independent of each other (no key
 * kept unique, no event log) is read by several threads, each from a byte
 * offset just after an LF. Such an offset starts a record only if it lies
 * outside quotes, and nothing short of parsing the bytes before it proves
 * that; so a part's start is a guess until the part before it has been read:
 * that part reads on past the guess to the first record end at or after it,
 * and where the two differ the part is read again from that true end. Each
 * guess's line number is counted in one pass first (memchr-fast), so rejects
 * and the GL detail carry real line numbers; a part read again takes the line
 * number its predecessor ended on. The file is hashed whole, as by
 * ingest_input, and the stats of the parts add up to those of one pass. */

/* smaller files are read whole: a part must be worth a thread */
#define INGEST_PART_MIN (4 * 1024 * 1024)

typedef struct {
    off_t guess;          /* first offset tried: just after an LF */
    long guess_line;      /* line number at guess */
    off_t start;          /* offset it was last read from */
    long start_line;
    off_t end;            /* where its reading stopped: a record end or the file's end */
    long end_line;        /* line number at end */
    bool hit_eof;         /* the part read to the end of the file */
    ingest_stats_t stats; /* its own counts, summed by ingest_plan_finish */
} ingest_part_t;

struct ingest_plan {
    const input_config_t *in;
    int minor_units;
    int fd;
    struct stat opened;
    size_t n;
    ingest_part_t *parts; /* n */
    ingest_stats_t base;  /* name, path, money fields */
    uint64_t hashed;      /* bytes read by ingest_plan_hash */
    char sha256[65];
    struct timespec t0;
};

/* Encodings a part can start decoding anywhere in: UTF-8, and iconv's
 * stateless single-byte ones (an LF byte is an LF there). */
static bool encoding_splits(const char *encoding)
{
    if (!encoding)
        return true;
    char name[32];
    size_t n = 0;
    for (const char *c = encoding; *c && n + 1 < sizeof name; c++)
        if (isalnum((unsigned char)*c))
            name[n++] = (char)toupper((unsigned char)*c);
    name[n] = '\0';
    static const char *const single[] = { "UTF8", "ISO8859", "LATIN", "WINDOWS125", "CP125", "CP437", "CP850",
                                          "ASCII", "USASCII", "MACROMAN", "KOI8" };
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
        if (!strncmp(name, single[i], strlen(single[i])))
            return true;
    return false;
}

/* Reads n bytes at off, fewer only at the end of the file; -1 on error. */
static ssize_t pread_full(int fd, char *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Line ends in s[0..n) as feed counts them (LF, CR LF, CR CR LF: one; a
 * lone CR: one), with *cr the CRs before s not yet counted. */
static uint64_t count_line_ends(const char *s, size_t n, size_t *cr)
{
    uint64_t ends = 0;
    if (!*cr && !memchr(s, '\r', n)) { /* the common case: LFs only */
        for (const char *p = s, *e = s + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
            ends++;
        return ends;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            (*cr)++;
        } else if (s[i] == '\n') {
            ends++;
            *cr = 0;
        } else if (*cr) {
            ends += *cr;
            *cr = 0;
        }
    }
    return ends;
}

void ingest_plan_free(ingest_plan_t *plan)
{
    if (!plan)
        return;
    if (plan->fd >= 0)
        close(plan->fd);
    free(plan->parts);
    free(plan);
}

size_t ingest_plan_parts(const ingest_plan_t *plan)
{
    return plan ? plan->n : 0;
}

/* The least part: INGEST_PART_MIN, or OPSREPORT_PART_BYTES (tests). */
static long long part_min(void)
{
    const char *least = getenv("OPSREPORT_PART_BYTES");
    return least && atoll(least) > 0 ? atoll(least) : INGEST_PART_MIN;
}

static bool kind_splits(const input_config_t *in)
{
    return in->schema->key_field < 0 && in->keep_latest_by < 0 && encoding_splits(in->encoding);
}

bool ingest_splits(const input_config_t *in, const char *data_dir)
{
    ingest_stats_t names;
    struct stat sb;
    if (!kind_splits(in))
        return false;
    stats_init(&names, in, data_dir);
    return stat(names.path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size / part_min() >= 2;
}

ops_status_t ingest_plan_new(const input_config_t *in, const char *data_dir, int minor_units, size_t want,
                             ingest_plan_t **out, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    char *block = NULL;
    ingest_plan_t *plan = NULL;
    *out = NULL;
    if (want < 2 || !kind_splits(in))
        return OPS_OK;
    plan = calloc(1, sizeof *plan);
    block = malloc(INGEST_BLOCK);
    if (!plan || !block) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    clock_gettime(CLOCK_MONOTONIC, &plan->t0);
    plan->in = in;
    plan->minor_units = minor_units;
    stats_init(&plan->base, in, data_dir);
    plan->fd = open(plan->base.path, O_RDONLY | O_CLOEXEC);
    /* anything unusual (missing, not a regular file, small): ingest_input
     * reads it whole and says what is wrong */
    if (plan->fd < 0 || fstat(plan->fd, &plan->opened) != 0 || !S_ISREG(plan->opened.st_mode))
        goto cleanup;
    off_t size = plan->opened.st_size;
    size_t n = (size_t)(size / part_min());
    if (n > want)
        n = want;
    if (n < 2)
        goto cleanup;
    plan->parts = calloc(n, sizeof *plan->parts);
    if (!plan->parts) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    /* guesses: just after the first LF at or past each k/n of the file, with
     * the line number there; a guess that lands on the one before is dropped */
    plan->parts[0].guess_line = 1;
    size_t found = 1, cr = 0;
    uint64_t lines = 0;
    /* the file's hash runs beside the parts, in whichever thread is free
     * first, at about 8 times the speed of reading rows: part 0 is smaller
     * by the hash's share, so that the threads end together */
    off_t hash_share = size / 8, share = (size + hash_share) / (off_t)n, first = share - hash_share;
    if (first < share / 4)
        first = share;
    off_t pos = 0, nominal = first;
    while (found < n && pos < size) {
        ssize_t got = pread_full(plan->fd, block, INGEST_BLOCK, pos);
        if (got <= 0)
            goto cleanup; /* read it whole: ingest_input reports the error */
        size_t i = 0;
        while (i < (size_t)got && found < n) {
            size_t from = pos + (off_t)i >= nominal ? i : (size_t)(nominal - pos);
            if (from >= (size_t)got)
                break;
            const char *lf = memchr(block + from, '\n', (size_t)got - from);
            if (!lf)
                break;
            size_t at = (size_t)(lf - block) + 1;
            lines += count_line_ends(block + i, at - i, &cr);
            i = at;
            if (pos + (off_t)at < size) {
                plan->parts[found].guess = pos + (off_t)at;
                plan->parts[found].guess_line = (long)lines + 1;
                found++;
            }
            nominal = first + share * (off_t)(found - 1);
        }
        lines += count_line_ends(block + i, (size_t)got - i, &cr);
        pos += got;
    }
    if (found < 2)
        goto cleanup;
    plan->n = found;
    for (size_t k = 0; k < plan->n; k++) {
        plan->parts[k].start = plan->parts[k].guess;
        plan->parts[k].start_line = plan->parts[k].guess_line;
    }
    *out = plan;
    plan = NULL;

cleanup:
    free(block);
    ingest_plan_free(plan);
    return rc;
}

/* Between records: libcsv has begun no row (its state 0, ROW_NOT_BEGUN,
 * with nothing buffered) and neither have we. */
static bool at_record_start(const ingest_state_t *st, const struct csv_parser *p)
{
    return p->pstate == 0 && p->entry_pos == 0 && !st->n_fields && !st->rec_start && !st->cr_run;
}

static ops_status_t decode_block(ingest_state_t *st, decoder_t *d, struct csv_parser *p, char *data, size_t n,
                                 bool eof, size_t *carry)
{
    return d->cd != (iconv_t)-1 ? decode_iconv(st, d, p, data, n, eof, carry)
                                : decode_utf8(st, d, p, data, n, eof, carry);
}

static ops_status_t plan_read(ingest_plan_t *plan, size_t k, rejects_writer_t *rejects, ingest_record_fn sink,
                              void *sink_ctx, ops_error_t *err, bool tokenize_only)
{
    ops_status_t rc = OPS_OK;
    ingest_part_t *pt = &plan->parts[k];
    const input_config_t *in = plan->in;
    ingest_state_t st = { 0 };
    struct csv_parser parser;
    bool parser_ready = false;
    decoder_t dec = { .cd = (iconv_t)-1, .unit = 1 };
    char *block = malloc(INGEST_CARRY + INGEST_BLOCK);
    off_t size = plan->opened.st_size;
    bool last = k + 1 == plan->n;
    off_t stop = last ? size : plan->parts[k + 1].guess; /* read at least to here */

    pt->stats = plan->base;
    pt->stats.present = true;
    pt->hit_eof = false;
    state_init(&st, in, plan->minor_units, rejects, sink, sink_ctx, &pt->stats, err);
    if ((rc = decoder_open(&dec, in, st.path, err)) != OPS_OK)
        goto cleanup;
    if (!block || !(parser_ready = parser_open(&parser, in))) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, st.path, 0, NULL, "out of memory");
        goto cleanup;
    }
    if (k > 0 && pt->start < size) {
        /* the header maps the columns: read it as part 0 does, then start
         * afresh at this part's offset */
        st.header_only = true;
        size_t carry = 0;
        for (off_t pos = 0; !st.stop && pos < size && pos <= INGEST_HEADER_MAX;) {
            ssize_t got = pread_full(plan->fd, block + carry, INGEST_BLOCK, pos);
            if (got < 0) {
                rc = ops_error_set(err, OPS_ERR_INPUT, st.path, 0, NULL, "read error: %s", strerror(errno));
                goto cleanup;
            }
            pos += got;
            size_t len = carry + (size_t)got;
            if ((rc = decode_block(&st, &dec, &parser, block, len, got < INGEST_BLOCK, &carry)) != OPS_OK)
                goto cleanup;
            if (got < INGEST_BLOCK) {
                /* a first record that runs to the end of the file (its quote
                 * never closed) is the header as one pass finishes it */
                if (!st.header_done && (rc = text_finish(&st, &parser)) != OPS_OK)
                    goto cleanup;
                break;
            }
            memmove(block, block + len - carry, carry);
        }
        if (!st.header_done) { /* part 0 says why */
            rc = ops_error_set(err, OPS_ERR_INPUT, st.path, 1, NULL, "no header row");
            goto cleanup;
        }
        bool mapped[CONFIG_MAX_FIELDS];
        memcpy(mapped, pt->stats.field_mapped, sizeof mapped);
        pt->stats = plan->base;
        pt->stats.present = true;
        memcpy(pt->stats.field_mapped, mapped, sizeof mapped);
        csv_free(&parser);
        if (!(parser_ready = parser_open(&parser, in))) {
            rc = ops_error_set(err, OPS_ERR_NOMEM, st.path, 0, NULL, "out of memory");
            goto cleanup;
        }
        st.header_only = st.stop = false;
        st.n_fields = st.buf_len = 0;
        st.rec_start = st.field_start = st.last_field_start = 0;
        st.over_first = st.over_last = 0;
        st.cr_run = 0;
        st.line_open = st.overflow = st.unterminated = false;
        dec.bom_done = true; /* a BOM is only at the start of the file */
        if (dec.cd != (iconv_t)-1)
            iconv(dec.cd, NULL, NULL, NULL, NULL);
    }
    st.tokenize_only = tokenize_only;
    st.line = pt->start_line;
    pt->end = pt->start;
    pt->end_line = pt->start_line;
    if (pt->start >= size) /* its predecessor read to the end */
        goto cleanup;

    /* block[0..carry) holds a character cut by the previous block's end;
     * base is the file offset of block[0] */
    size_t carry = 0;
    off_t pos = pt->start;
    bool done = false;
    while (!done) {
        size_t want = INGEST_BLOCK;
        if (pos < stop && pos + (off_t)want > stop)
            want = (size_t)(stop - pos); /* land exactly on the next part's guess */
        ssize_t got = pread_full(plan->fd, block + carry, want, pos);
        if (got < 0) {
            rc = ops_error_set(err, OPS_ERR_INPUT, st.path, st.line, NULL, "read error: %s", strerror(errno));
            goto cleanup;
        }
        off_t base = pos - (off_t)carry;
        bool eof = (size_t)got < want || pos + got >= size;
        size_t len = carry + (size_t)got;
        if (last || pos + got <= stop) {
            pos += got;
            if ((rc = decode_block(&st, &dec, &parser, block, len, eof, &carry)) != OPS_OK)
                goto cleanup;
            if (!last && pos == stop && !carry && at_record_start(&st, &parser)) {
                pt->end = pos;
                pt->end_line = st.line;
                break; /* the guess after it was a record start */
            }
        } else {
            /* past the guess inside a record: on line by line to its end */
            size_t i = 0;
            carry = 0;
            while (i < len) {
                const char *lf = memchr(block + i, '\n', len - i);
                size_t to = lf ? (size_t)(lf - block) + 1 : len;
                if ((rc = decode_block(&st, &dec, &parser, block + i, to - i, eof && to == len, &carry)) != OPS_OK)
                    goto cleanup;
                i = to - carry;
                if (carry)
                    break;
                if (lf && at_record_start(&st, &parser)) {
                    pt->end = base + (off_t)to;
                    pt->end_line = st.line;
                    done = true;
                    break;
                }
            }
            if (done && pt->end >= size) /* that record end is the file's: finish it as the last part would */
                goto at_eof;
            if (done)
                break;
            memmove(block, block + i, carry);
            pos = base + (off_t)len;
            if (eof)
                goto at_eof;
            continue;
        }
        if (eof)
            goto at_eof;
        memmove(block, block + len - carry, carry);
        continue;
    at_eof:
        if ((rc = text_finish(&st, &parser)) != OPS_OK)
            goto cleanup;
        pt->end = size;
        pt->end_line = st.line;
        pt->hit_eof = true;
        done = true;
    }
    if (st.status != OPS_OK)
        rc = st.status;

cleanup:
    if (parser_ready)
        csv_free(&parser);
    decoder_close(&dec);
    state_free(&st);
    free(block);
    return rc;
}

ops_status_t ingest_plan_read(ingest_plan_t *plan, size_t k, rejects_writer_t *rejects, ingest_record_fn sink,
                              void *sink_ctx, ops_error_t *err)
{
    return plan_read(plan, k, rejects, sink, sink_ctx, err, false);
}

ops_status_t ingest_plan_settle(ingest_plan_t *plan, size_t k, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    char *block = NULL;
    if (!k || !plan->in->quote) /* no quoting: every LF ends a record */
        return OPS_OK;
    /* no quote char before the guess: no field can be open there */
    off_t guess = plan->parts[k].guess;
    bool quoted = false;
    if (!(block = malloc(INGEST_BLOCK)))
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (off_t pos = 0; pos < guess && !quoted;) {
        size_t want = guess - pos < INGEST_BLOCK ? (size_t)(guess - pos) : INGEST_BLOCK;
        ssize_t got = pread_full(plan->fd, block, want, pos);
        if (got <= 0) {
            rc = ops_error_set(err, OPS_ERR_INPUT, plan->base.path, 0, NULL, "read error: %s",
                               got < 0 ? strerror(errno) : "the file is shorter than when it was opened");
            goto cleanup;
        }
        quoted = memchr(block, plan->in->quote, (size_t)got) != NULL;
        pos += got;
    }
    /* else find the record ends the parts before would: their records
     * found, not read, each from where the one before ended */
    for (size_t j = 0; quoted && j < k; j++) {
        if (j > 0)
            ingest_plan_joined(plan, j);
        if ((rc = plan_read(plan, j, NULL, NULL, NULL, err, true)) != OPS_OK)
            goto cleanup;
    }
    if (quoted)
        ingest_plan_joined(plan, k);
cleanup:
    free(block);
    return rc;
}

void ingest_plan_part(const ingest_plan_t *plan, size_t k, ingest_stats_t *stats, ingest_span_t *span)
{
    const ingest_part_t *pt = &plan->parts[k];
    *stats = pt->stats;
    if (plan->hashed || plan->sha256[0]) {
        stats->bytes = plan->hashed;
        snprintf(stats->sha256, sizeof stats->sha256, "%s", plan->sha256);
    }
    span->size = (int64_t)plan->opened.st_size;
    span->start = (int64_t)pt->start;
    span->start_line = pt->start_line;
    span->end = (int64_t)pt->end;
    span->end_line = pt->end_line;
    span->hit_eof = pt->hit_eof;
}

bool ingest_plan_joined(ingest_plan_t *plan, size_t k)
{
    ingest_part_t *pt = &plan->parts[k], *prev = &plan->parts[k - 1];
    if (pt->start == prev->end && pt->start_line == prev->end_line)
        return true;
    pt->start = prev->end;
    pt->start_line = prev->end_line;
    return false;
}

ops_status_t ingest_plan_hash(ingest_plan_t *plan, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    char *block = malloc(INGEST_BLOCK);
    EVP_MD_CTX *sha = sha_new();
    if (!block || !sha) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, plan->base.path, 0, NULL, "out of memory");
        goto cleanup;
    }
    plan->hashed = 0;
    for (;;) {
        ssize_t got = pread_full(plan->fd, block, INGEST_BLOCK, (off_t)plan->hashed);
        if (got < 0) {
            rc = ops_error_set(err, OPS_ERR_INPUT, plan->base.path, 0, NULL, "read error: %s", strerror(errno));
            goto cleanup;
        }
        if (!got)
            break;
        EVP_DigestUpdate(sha, block, (size_t)got);
        plan->hashed += (uint64_t)got;
    }
    sha_hex(sha, plan->sha256);

cleanup:
    EVP_MD_CTX_free(sha);
    free(block);
    return rc;
}

ops_status_t ingest_plan_finish(ingest_plan_t *plan, ingest_stats_t *stats, ops_error_t *err)
{
    *stats = plan->base;
    stats->present = true;
    stats->bytes = plan->hashed;
    snprintf(stats->sha256, sizeof stats->sha256, "%s", plan->sha256);
    memcpy(stats->field_mapped, plan->parts[0].stats.field_mapped, sizeof stats->field_mapped);
    for (size_t k = 0; k < plan->n; k++) {
        const ingest_stats_t *p = &plan->parts[k].stats;
        stats->rows_read += p->rows_read;
        stats->rows_accepted += p->rows_accepted;
        stats->rows_rejected += p->rows_rejected;
        stats->rows_filtered += p->rows_filtered;
        stats->rows_superseded += p->rows_superseded;
        if (plan->parts[k].hit_eof)
            stats->physical_lines = p->physical_lines;
        stats->multiline_records += p->multiline_records;
        for (size_t i = 0; i < p->n_multiline_ranges && stats->n_multiline_ranges < INGEST_FIRST_REJECTS; i++) {
            stats->multiline_ranges[stats->n_multiline_ranges][0] = p->multiline_ranges[i][0];
            stats->multiline_ranges[stats->n_multiline_ranges++][1] = p->multiline_ranges[i][1];
        }
        stats->overlong_records += p->overlong_records;
        stats->invalid_bytes += p->invalid_bytes;
        stats->rounded_amounts += p->rounded_amounts;
        stats->rounding_residual += p->rounding_residual;
        for (size_t m = 0; m < stats->n_money; m++) {
            stats->money[m].total_accepted += p->money[m].total_accepted;
            stats->money[m].total_rejected += p->money[m].total_rejected;
            stats->money[m].unparsed += p->money[m].unparsed;
        }
        for (size_t i = 0; i < p->n_first_rejects && stats->n_first_rejects < INGEST_FIRST_REJECTS; i++)
            stats->first_rejects[stats->n_first_rejects++] = p->first_rejects[i];
    }
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stats->seconds = (double)(t1.tv_sec - plan->t0.tv_sec) + (double)(t1.tv_nsec - plan->t0.tv_nsec) / 1e9;
    /* as ingest_input: the file read is the file named, whole and unchanged */
    return check_unchanged(stats->path, plan->fd, &plan->opened, plan->hashed, err);
}
