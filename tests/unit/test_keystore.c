/* Unit tests for the ingest keystore: the key set (ids, first values,
 * growth) and packed latest rows (every field type back exactly). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ingest/keystore.h"

/* One step of a key table case: insert key with value, expect id/added and
 * the value stored under the key afterwards (the first insert's). */
typedef struct {
    const char *key;
    size_t len; /* 0 with key "": the empty key; else strlen unless given */
    uint64_t value;
    size_t want_id;
    bool want_added;
    uint64_t want_value;
} key_step_t;

typedef struct {
    const char *name;
    key_step_t steps[6];
    size_t n_steps;
    size_t want_count;
} key_case_t;

static const key_case_t KEY_CASES[] = {
    { "insert and lookup",
      { { "A1", 0, 2, 0, true, 2 }, { "A2", 0, 3, 1, true, 3 }, { "A1", 0, 4, 0, false, 2 },
        { "A2", 0, 9, 1, false, 3 } },
      4, 2 },
    { "duplicate keeps the first line",
      { { "PO-1", 0, 10, 0, true, 10 }, { "PO-1", 0, 11, 0, false, 10 }, { "PO-1", 0, 12, 0, false, 10 } },
      3, 1 },
    { "case and spaces are other keys",
      { { "ab", 0, 1, 0, true, 1 }, { "AB", 0, 2, 1, true, 2 }, { "ab ", 0, 3, 2, true, 3 } },
      3, 3 },
    { "empty key",
      { { "", 0, 7, 0, true, 7 }, { "", 0, 8, 0, false, 7 }, { " ", 0, 9, 1, true, 9 } },
      3, 2 },
    { "bytes after a NUL count",
      { { "a\0b", 3, 1, 0, true, 1 }, { "a\0c", 3, 2, 1, true, 2 }, { "a", 1, 3, 2, true, 3 },
        { "a\0b", 3, 4, 0, false, 1 } },
      4, 3 },
};

Test(keystore, key_table)
{
    for (size_t c = 0; c < sizeof KEY_CASES / sizeof KEY_CASES[0]; c++) {
        const key_case_t *kc = &KEY_CASES[c];
        keystore_t *ks = keystore_new();
        cr_assert_not_null(ks);
        for (size_t i = 0; i < kc->n_steps; i++) {
            const key_step_t *s = &kc->steps[i];
            size_t len = s->len ? s->len : strlen(s->key);
            size_t id = 99;
            bool added = !s->want_added;
            ops_error_t err = { 0 };
            cr_assert_eq(keystore_intern(ks, s->key, len, s->value, &id, &added, &err), OPS_OK, "%s", kc->name);
            cr_assert_eq(id, s->want_id, "%s step %zu: id %zu", kc->name, i, id);
            cr_assert_eq(added, s->want_added, "%s step %zu", kc->name, i);
            cr_assert_eq(keystore_value(ks, id), s->want_value, "%s step %zu", kc->name, i);
            size_t klen;
            const char *k = keystore_key(ks, id, &klen);
            cr_assert_eq(klen, len, "%s step %zu", kc->name, i);
            cr_assert(!memcmp(k, s->key, len) && k[len] == '\0', "%s step %zu", kc->name, i);
        }
        cr_assert_eq(keystore_count(ks), kc->want_count, "%s", kc->name);
        keystore_free(ks);
    }
}

Test(keystore, long_keys)
{
    /* the old code copied keys of 256 bytes or more to the heap: both sides */
    char a[300], b[300];
    memset(a, 'x', sizeof a);
    memcpy(b, a, sizeof b);
    b[299] = 'y';
    keystore_t *ks = keystore_new();
    size_t id;
    bool added;
    cr_assert_eq(keystore_intern(ks, a, 300, 1, &id, &added, NULL), OPS_OK);
    cr_assert(added);
    cr_assert_eq(keystore_intern(ks, b, 300, 2, &id, &added, NULL), OPS_OK);
    cr_assert(added, "differs in the last byte only");
    cr_assert_eq(id, 1);
    cr_assert_eq(keystore_intern(ks, a, 299, 3, &id, &added, NULL), OPS_OK);
    cr_assert(added, "a prefix is another key");
    cr_assert_eq(keystore_intern(ks, a, 300, 4, &id, &added, NULL), OPS_OK);
    cr_assert_not(added);
    cr_assert_eq(id, 0);
    cr_assert_eq(keystore_value(ks, id), 1);
    keystore_free(ks);
}

Test(keystore, many_keys_grow_and_keep_order)
{
    enum { N = 200000 }; /* far past the first 1024 slots and 64 KB of key bytes */
    keystore_t *ks = keystore_new();
    char key[32];
    size_t id;
    bool added;
    for (size_t i = 0; i < N; i++) {
        int len = snprintf(key, sizeof key, "PO-%07zu", i * 7919 % 1000003);
        cr_assert_eq(keystore_intern(ks, key, (size_t)len, i + 2, &id, &added, NULL), OPS_OK);
        cr_assert(added, "%s", key);
        cr_assert_eq(id, i);
    }
    cr_assert_eq(keystore_count(ks), N);
    for (size_t i = 0; i < N; i++) {
        int len = snprintf(key, sizeof key, "PO-%07zu", i * 7919 % 1000003);
        cr_assert_eq(keystore_intern(ks, key, (size_t)len, 0, &id, &added, NULL), OPS_OK);
        cr_assert_not(added, "%s", key);
        cr_assert_eq(id, i, "ids are the order of first insertion");
        cr_assert_eq(keystore_value(ks, id), i + 2);
        size_t klen;
        cr_assert_str_eq(keystore_key(ks, id, &klen), key);
    }
    keystore_set_value(ks, 5, 77);
    cr_assert_eq(keystore_value(ks, 5), 77);
    keystore_free(ks);
}

/* ---- packed rows ---- */

static const char *const STATES[] = { "open", "closed", NULL };

static const field_def_t ROW_FIELDS[] = {
    { .name = "text", .type = FT_TEXT },
    { .name = "int", .type = FT_INT },
    { .name = "decimal", .type = FT_DECIMAL },
    { .name = "money", .type = FT_MONEY },
    { .name = "date", .type = FT_DATE },
    { .name = "ts", .type = FT_TIMESTAMP },
    { .name = "state", .type = FT_ENUM, .enum_values = STATES },
    { .name = "bool", .type = FT_BOOL },
    { .name = "state2", .type = FT_ENUM, .enum_values = STATES },
    { .name = "missing", .type = FT_MONEY },
};

static const input_schema_t ROW_SCHEMA = {
    .kind = KIND_TICKETS, .name = "test", .fields = ROW_FIELDS,
    .n_fields = sizeof ROW_FIELDS / sizeof ROW_FIELDS[0], .key_field = 0,
};

static void row_values(field_value_t *v, const char *text)
{
    memset(v, 0, sizeof *v * ROW_SCHEMA.n_fields);
    v[0] = (field_value_t){ .present = true, .text = text, .len = strlen(text) };
    v[1] = (field_value_t){ .present = true, .text = "-42", .len = 3, .v.i = -42 };
    v[2] = (field_value_t){ .present = true, .text = "0.1", .len = 3, .v.num = 0.1 };
    v[3] = (field_value_t){ .present = true, .text = "1.234567", .len = 8, .v.money = 123,
                            .residual = 456700 }; /* 1.234567 = 123 cents + 0.4567 */
    v[4] = (field_value_t){ .present = true, .text = "1969", .len = 4, .v.date = -365, .grain = 2 };
    v[5] = (field_value_t){ .present = true, .text = "2026-10-01 12:00:00", .len = 19,
                            .v.ts = 20727LL * 86400 + 12 * 3600 };
    v[6] = (field_value_t){ .present = true, .text = STATES[1], .len = 6, .v.enum_index = 1 };
    v[7] = (field_value_t){ .present = true, .text = "yes", .len = 3, .v.b = true };
    /* an enum whose text is not the name (kept as written) */
    v[8] = (field_value_t){ .present = true, .text = "Open ", .len = 5, .v.enum_index = 0 };
    /* absent: a missing token, its text kept */
    v[9] = (field_value_t){ .present = false, .text = "N/A", .len = 3, .residual = -3 };
}

static void assert_same(const field_value_t *got, const field_value_t *want)
{
    for (size_t f = 0; f < ROW_SCHEMA.n_fields; f++) {
        const char *name = ROW_FIELDS[f].name;
        cr_assert_eq(got[f].present, want[f].present, "%s", name);
        cr_assert_eq(got[f].len, want[f].len, "%s", name);
        cr_assert(!memcmp(got[f].text, want[f].text, want[f].len), "%s", name);
        cr_assert_eq(got[f].text[got[f].len], '\0', "%s: NUL-terminated", name);
        switch (ROW_FIELDS[f].type) {
        case FT_INT: cr_assert_eq(got[f].v.i, want[f].v.i, "%s", name); break;
        case FT_MONEY: cr_assert_eq(got[f].v.money, want[f].v.money, "%s", name); break;
        case FT_DATE: cr_assert_eq(got[f].v.date, want[f].v.date, "%s", name); break;
        case FT_TIMESTAMP: cr_assert_eq(got[f].v.ts, want[f].v.ts, "%s", name); break;
        case FT_ENUM: cr_assert_eq(got[f].v.enum_index, want[f].v.enum_index, "%s", name); break;
        case FT_BOOL: cr_assert_eq(got[f].v.b, want[f].v.b, "%s", name); break;
        case FT_DECIMAL: /* the same bits: -0.0 and NaNs too */
            cr_assert(!memcmp(&got[f].v.num, &want[f].v.num, sizeof got[f].v.num), "%s", name);
            break;
        case FT_TEXT: break;
        }
        cr_assert_eq(got[f].residual, want[f].residual, "%s", name);
        cr_assert_eq(got[f].grain, want[f].grain, "%s", name);
    }
}

Test(keystore, row_round_trip_every_type)
{
    field_value_t in[16], out[16];
    keystore_texts_t texts;
    row_values(in, "T-1");
    keystore_t *ks = keystore_new();
    size_t id;
    bool added;
    ops_error_t err = { 0 };
    cr_assert_eq(keystore_intern(ks, "T-1", 3, 0, &id, &added, &err), OPS_OK);
    cr_assert_null(keystore_row(ks, id), "no row before the first put");
    cr_assert_eq(keystore_row_put(ks, id, &ROW_SCHEMA, in, &err), OPS_OK);
    keystore_row_t *row = keystore_row(ks, id);
    cr_assert_eq(row->first_response, INT64_MAX, "a new row has no first response");
    cr_assert_eq(row->id, id);
    keystore_row_unpack(row, &ROW_SCHEMA, out, &texts);
    assert_same(out, in);
    cr_assert_eq(out[2].v.num, 0.1);
    cr_assert_eq(out[3].residual, 456700);
    cr_assert_eq(out[4].grain, 2);
    cr_assert_eq(out[6].text, STATES[1], "an enum's own name is not stored: the schema's");
    cr_assert_str_eq(out[8].text, "Open ");
    cr_assert_str_eq(out[5].text, "2026-10-01 12:00:00", "rebuilt from the value");
    cr_assert_eq(out[5].text, texts.text[5]);
    /* 10 flag bytes; 7 stored texts (not "-42" nor the timestamp, their
     * values' own spelling, nor "closed"): 29 bytes + a length byte and a
     * NUL each = 43; values: int 1, decimal 8, money 2 + residual 3, date 2,
     * timestamp 5, enums 1 + 1, absent money 1 + residual 1 = 25 (bool in
     * its flags). 78 bytes, 80 with the row's 8-byte alignment, where one
     * field_value_t alone is 48. */
    cr_assert_eq(row->room, 80, "%u", row->room);

    /* a newer update, longer: the row moves, its head goes with it */
    row->line = 12;
    row->ts = 5;
    row->first_response = 99;
    char long_text[400];
    memset(long_text, 'z', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    row_values(in, long_text);
    in[2].v.num = -0.0;
    in[3].v.money = -9000000000LL;
    in[3].residual = -1;
    in[4].grain = 1;
    in[4].v.date = 20727;
    in[7].v.b = false;
    cr_assert_eq(keystore_row_put(ks, id, &ROW_SCHEMA, in, &err), OPS_OK);
    row = keystore_row(ks, id);
    cr_assert_eq(row->line, 12);
    cr_assert_eq(row->ts, 5);
    cr_assert_eq(row->first_response, 99);
    keystore_row_unpack(row, &ROW_SCHEMA, out, &texts);
    assert_same(out, in);
    cr_assert(signbit(out[2].v.num), "-0.0 stays negative");
    cr_assert_eq(out[0].len, 399);
    keystore_free(ks);
}

/* Many updates of a few thousand keys, each a different length from the
 * last: the replaced rows pile up and are compacted away several times;
 * every key still has its own latest row and head, in id order. */
Test(keystore, rows_survive_compaction)
{
    enum { KEYS = 3000, ROUNDS = 12 };
    keystore_t *ks = keystore_new();
    ops_error_t err = { 0 };
    field_value_t in[16], out[16];
    keystore_texts_t texts;
    char key[32], text[64];
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < KEYS; k++) {
            int kl = snprintf(key, sizeof key, "INC%07d", k);
            /* 8 more bytes a round: never the same footprint as the last */
            snprintf(text, sizeof text, "%.*s", 8 * (r % 6) + k % 3, "abcdefghijklmnopqrstuvwxyz0123456789"
                                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            size_t id;
            bool added;
            cr_assert_eq(keystore_intern(ks, key, (size_t)kl, 0, &id, &added, &err), OPS_OK);
            cr_assert_eq(added, r == 0);
            cr_assert_eq(id, (size_t)k);
            row_values(in, text);
            in[1].v.i = r * KEYS + k;
            cr_assert_eq(keystore_row_put(ks, id, &ROW_SCHEMA, in, &err), OPS_OK);
            keystore_row_t *row = keystore_row(ks, id);
            if (r == 0)
                row->first_response = k; /* set once: must follow every move */
            row->line = r * KEYS + k + 2;
        }
    cr_assert_eq(keystore_count(ks), KEYS);
    for (int k = 0; k < KEYS; k++) {
        const keystore_row_t *row = keystore_row(ks, (size_t)k);
        cr_assert_eq(row->id, (uint32_t)k);
        cr_assert_eq(row->first_response, k);
        cr_assert_eq(row->line, (ROUNDS - 1) * KEYS + k + 2);
        keystore_row_unpack(row, &ROW_SCHEMA, out, &texts);
        cr_assert_eq(out[1].v.i, (ROUNDS - 1) * KEYS + k, "key %d has its last update", k);
        cr_assert_eq(out[0].len, (size_t)(8 * ((ROUNDS - 1) % 6) + k % 3));
    }
    keystore_free(ks);
}

/* Texts rebuilt from their values only when they are the value's own
 * spelling: every other spelling is kept as written. room: the packed
 * bytes (flags, text if stored, value) rounded up to 8. */
typedef struct {
    field_type_t type;
    const char *text;
    int64_t value; /* i, ts, date or b */
    uint8_t grain;
    uint32_t want_room;
} canon_case_t;

static const canon_case_t CANON_CASES[] = {
    { FT_TIMESTAMP, "2026-10-01 12:00:00", 20727LL * 86400 + 12 * 3600, 0, 8 }, /* 1 + 5 */
    { FT_TIMESTAMP, "2026-10-01T12:00:00", 20727LL * 86400 + 12 * 3600, 0, 32 }, /* + 1 + 19 + 1 */
    { FT_TIMESTAMP, "1969-12-31 23:59:59", -1, 0, 8 },
    { FT_TIMESTAMP, "0999-12-31 00:00:00", -30610310400LL - 86400, 0, 32 }, /* before 1000: kept */
    { FT_DATE, "2026-10-01", 20727, 0, 8 },
    { FT_DATE, "01/10/2026", 20727, 0, 16 },
    { FT_DATE, "2026-10", 20727, 1, 16 }, /* a month: kept */
    { FT_INT, "1234567", 1234567, 0, 8 },
    { FT_INT, "1,234,567", 1234567, 0, 16 },
    { FT_INT, "-9223372036854775808", INT64_MIN, 0, 16 }, /* 1 + 10 */
    { FT_INT, "042", 42, 0, 8 },
    { FT_BOOL, "true", 1, 0, 8 },
    { FT_BOOL, "not at all, no way", 0, 0, 24 },
};

Test(keystore, canonical_texts_table)
{
    for (size_t c = 0; c < sizeof CANON_CASES / sizeof CANON_CASES[0]; c++) {
        const canon_case_t *cc = &CANON_CASES[c];
        field_def_t def = { .name = "f", .type = cc->type };
        input_schema_t schema = { .name = "one", .fields = &def, .n_fields = 1, .key_field = 0 };
        field_value_t in = { .present = true, .text = cc->text, .len = strlen(cc->text), .grain = cc->grain };
        switch (cc->type) {
        case FT_TIMESTAMP: in.v.ts = cc->value; break;
        case FT_DATE: in.v.date = (int32_t)cc->value; break;
        case FT_BOOL: in.v.b = cc->value != 0; break;
        default: in.v.i = cc->value; break;
        }
        keystore_t *ks = keystore_new();
        size_t id;
        bool added;
        cr_assert_eq(keystore_intern(ks, "k", 1, 0, &id, &added, NULL), OPS_OK);
        cr_assert_eq(keystore_row_put(ks, id, &schema, &in, NULL), OPS_OK);
        const keystore_row_t *row = keystore_row(ks, id);
        cr_assert_eq(row->room, cc->want_room, "'%s': room %u", cc->text, row->room);
        field_value_t out;
        keystore_texts_t texts;
        keystore_row_unpack(row, &schema, &out, &texts);
        cr_assert_eq(out.len, in.len, "'%s'", cc->text);
        cr_assert_str_eq(out.text, cc->text);
        cr_assert_eq(out.grain, cc->grain, "'%s'", cc->text);
        int64_t got = cc->type == FT_TIMESTAMP ? out.v.ts
                      : cc->type == FT_DATE    ? out.v.date
                      : cc->type == FT_BOOL    ? out.v.b
                                               : out.v.i;
        cr_assert_eq(got, cc->value, "'%s'", cc->text);
        keystore_free(ks);
    }
}
