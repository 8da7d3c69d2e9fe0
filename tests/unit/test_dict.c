/*
 * Unit tests for the interned-string dictionary of the analyse modules
 * (dict_t in pipeline/analyse/helpers.c): dense ids in first-seen order,
 * lookups by (pointer, length) that never confuse prefixes, NUL bytes or
 * the last-hit shortcut, and texts read back exactly.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "analyse/analyse_internal.h"

Test(dict, dense_ids_in_first_seen_order)
{
    dict_t *d = dict_new();
    cr_assert(d);
    static const struct { const char *text; size_t len; int32_t id; } cases[] = {
        { "1100 Sales", 10, 0 },
        { "1100 Sales", 10, 0 },  /* repeat: the last-hit shortcut */
        { "2000 Plant", 10, 1 },
        { "1100 Sales", 10, 0 },  /* repeat, not the last one: the table */
        { "1100 Sale", 9, 2 },    /* a prefix is another text */
        { "1100 Sales!", 11, 3 }, /* and so is a longer one */
        { "", 0, 4 },
        { "a\0b", 3, 5 },         /* NUL bytes inside count */
        { "a\0c", 3, 6 },
        { "a", 1, 7 },
        { "a\0b", 3, 5 },
        { "", 0, 4 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t id = dict_id(d, cases[i].text, cases[i].len);
        cr_expect_eq(id, cases[i].id, "case %zu: id %d, expected %d", i, id, cases[i].id);
    }
    cr_expect_eq(dict_size(d), 8);
    cr_expect_str_eq(dict_text(d, 0), "1100 Sales");
    cr_expect_str_eq(dict_text(d, 2), "1100 Sale");
    cr_expect_str_eq(dict_text(d, 4), "");
    cr_expect_eq(memcmp(dict_text(d, 5), "a\0b", 4), 0);
    /* a text not NUL-terminated where it ends: only len bytes are read */
    char buf[] = { 'x', 'y', 'z' };
    cr_expect_eq(dict_id(d, buf, 2), 8);
    cr_expect_str_eq(dict_text(d, 8), "xy");
    dict_free(d);
}

Test(dict, many_texts_round_trip)
{
    dict_t *d = dict_new();
    char text[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(text, sizeof text, "6%05d Item", i);
        cr_assert_eq(dict_id(d, text, (size_t)n), i);
    }
    for (int i = 99999; i >= 0; i -= 7) {
        int n = snprintf(text, sizeof text, "6%05d Item", i);
        cr_assert_eq(dict_id(d, text, (size_t)n), i);
        cr_assert_str_eq(dict_text(d, i), text);
    }
    cr_expect_eq(dict_size(d), 100000);
    dict_free(d);
}

Test(dict, pairs_are_distinct_keys)
{
    cr_expect_neq(dict_pair(1, 2), dict_pair(2, 1));
    cr_expect_neq(dict_pair(0, 1), dict_pair(1, 0));
    cr_expect_eq(dict_pair(3, 4), ((int64_t)3 << 32) | 4);
    cr_expect_neq(dict_pair(0x7fffffff, 0), dict_pair(0, 0x7fffffff));
}

/* Many texts of many lengths through many doublings of the index: each id
 * stays the one it got first, and reads back the same bytes. */
Test(dict, ids_stable_through_growth)
{
    dict_t *d = dict_new();
    cr_assert(d);
    char text[64];
    int32_t n = 50000;
    for (int32_t i = 0; i < n; i++) {
        int len = snprintf(text, sizeof text, "%.*s%d", (int)(i % 23), "CC-ACCOUNT-SUBLEDGER-XY", i);
        cr_assert_eq(dict_id(d, text, (size_t)len), i, "text %s", text);
        if (i % 997 == 0) /* the first ids, asked again while the index grows */
            cr_assert_eq(dict_id(d, "0", 1), 0);
    }
    cr_assert_eq(dict_size(d), (size_t)n);
    for (int32_t i = n - 1; i >= 0; i--) {
        int len = snprintf(text, sizeof text, "%.*s%d", (int)(i % 23), "CC-ACCOUNT-SUBLEDGER-XY", i);
        cr_assert_eq(dict_id(d, text, (size_t)len), i, "text %s", text);
        cr_assert_eq(strlen(dict_text(d, i)), (size_t)len);
        cr_assert_str_eq(dict_text(d, i), text);
    }
    cr_assert_eq(dict_size(d), (size_t)n);
    dict_free(d);
}

/* Every byte value but NUL, in texts that differ in one byte only; the
 * empty text and a text longer than a chunk of the text store. */
Test(dict, arbitrary_bytes_empty_and_long_texts)
{
    dict_t *d = dict_new();
    cr_assert(d);
    char text[4] = "ab?";
    for (int b = 1; b < 256; b++) {
        text[2] = (char)b;
        cr_assert_eq(dict_id(d, text, 3), b - 1, "byte %d", b);
    }
    cr_assert_eq(dict_id(d, "", 0), 255);
    cr_assert_eq(dict_id(d, NULL, 0), 255, "NULL with length 0 is the empty text");
    size_t long_len = 100000;
    char *big = malloc(long_len + 1);
    cr_assert(big);
    for (size_t i = 0; i < long_len; i++)
        big[i] = (char)(1 + i % 251);
    cr_assert_eq(dict_id(d, big, long_len), 256);
    cr_assert_eq(dict_id(d, big, long_len - 1), 257, "one byte shorter is another text");
    for (int b = 255; b >= 1; b--) {
        text[2] = (char)b;
        cr_assert_eq(dict_id(d, text, 3), b - 1, "byte %d again", b);
        cr_assert_eq(memcmp(dict_text(d, b - 1), text, 4), 0, "byte %d reads back with its NUL", b);
    }
    cr_assert_str_eq(dict_text(d, 255), "");
    cr_assert_eq(memcmp(dict_text(d, 256), big, long_len), 0);
    cr_assert_eq(dict_text(d, 256)[long_len], '\0');
    cr_assert_eq(strlen(dict_text(d, 257)), long_len - 1);
    cr_assert_eq(dict_id(d, big, long_len), 256);
    cr_assert_eq(dict_size(d), 258);
    free(big);
    dict_free(d);
}

/* A text never added is a new id, never one of the others: asked after
 * texts that share its prefix, its length or its hash. */
Test(dict, absent_texts_are_new)
{
    dict_t *d = dict_new();
    cr_assert(d);
    static const char *const known[] = { "4000 Sales", "4000 Sales-1", "4000 Sales-10", "4000 Sales-2" };
    for (int i = 0; i < 4; i++)
        cr_assert_eq(dict_id(d, known[i], strlen(known[i])), i);
    static const char *const absent[] = { "4000 Sales-3", "4000 Sale", "4000 Sales-100", "5000 Sales" };
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(dict_id(d, absent[i], strlen(absent[i])), 4 + i, "%s", absent[i]);
        cr_assert_eq(dict_size(d), (size_t)(5 + i));
    }
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(dict_text(d, i), known[i]);
    dict_free(d);
}

/* Pairs of texts with one FNV-1a hash (so the same slot and the same stored
 * hash): the bytes decide, whichever of a pair comes first. */
Test(dict, equal_hashes_are_told_apart)
{
    static const char *const pairs[][2] = {
        { "costarring", "liquid" }, { "declinate", "macallums" },
        { "altarage", "zinke" },    { "altarages", "zinkes" },
    };
    dict_t *d = dict_new();
    cr_assert(d);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(dict_id(d, pairs[i][0], strlen(pairs[i][0])), 2 * i);
        cr_assert_eq(dict_id(d, pairs[i][1], strlen(pairs[i][1])), 2 * i + 1);
    }
    for (int i = 3; i >= 0; i--) {
        cr_assert_eq(dict_id(d, pairs[i][1], strlen(pairs[i][1])), 2 * i + 1);
        cr_assert_eq(dict_id(d, pairs[i][0], strlen(pairs[i][0])), 2 * i);
        cr_assert_str_eq(dict_text(d, 2 * i), pairs[i][0]);
        cr_assert_str_eq(dict_text(d, 2 * i + 1), pairs[i][1]);
    }
    cr_assert_eq(dict_size(d), 8);
    dict_free(d);
}

/* ---- id_index_t on its own: keys of a test's choosing, hashes too ---- */

typedef struct {
    int keys[4096];
    size_t n;
    uint32_t (*hash)(int key);
} index_owner_t;

static uint32_t hash_zero(int key) { (void)key; return 0; }
static uint32_t hash_last_slots(int key) { return 0xfffffff0u | (uint32_t)(key & 15); }
static uint32_t hash_spread(int key) { return id_index_mix((uint32_t)key); }

static uint32_t owner_hash(const void *owner, uint32_t id)
{
    const index_owner_t *o = owner;
    return o->hash(o->keys[id]);
}

/* The id of key, added (as the next id) when absent: the probe callers do. */
static int index_get(id_index_t *ix, index_owner_t *o, int key)
{
    cr_assert(id_index_reserve(ix, o->n, owner_hash, o));
    size_t i = o->hash(key) & ix->mask;
    for (uint32_t slot; (slot = ix->slots[i]); i = (i + 1) & ix->mask)
        if (o->keys[slot - 1] == key)
            return (int)(slot - 1);
    o->keys[o->n] = key;
    ix->slots[i] = (uint32_t)++o->n;
    return (int)o->n - 1;
}

static void check_index(uint32_t (*hash)(int key), int n_keys)
{
    static index_owner_t o;
    memset(&o, 0, sizeof o);
    o.hash = hash;
    id_index_t ix = { 0 };
    for (int k = 0; k < n_keys; k++)
        cr_assert_eq(index_get(&ix, &o, 1000 + 7 * k), k, "key %d", k);
    size_t slots = ix.mask + 1;
    cr_assert(slots >= 2 * (size_t)n_keys, "%zu slots for %d keys: more than half full", slots, n_keys);
    cr_assert_eq(slots & (slots - 1), 0, "%zu slots: not a power of two", slots);
    size_t used = 0;
    for (size_t i = 0; i < slots; i++)
        used += ix.slots[i] != 0;
    cr_assert_eq(used, (size_t)n_keys);
    for (int k = n_keys - 1; k >= 0; k--)
        cr_assert_eq(index_get(&ix, &o, 1000 + 7 * k), k, "key %d again", k);
    cr_assert_eq(index_get(&ix, &o, 3), n_keys, "an absent key is the next id");
    cr_assert_eq(o.n, (size_t)n_keys + 1);
    id_index_free(&ix);
    cr_assert_null(ix.slots);
}

/* every key in one slot: one run of linear probing through the growths */
Test(id_index, all_keys_in_one_slot) { check_index(hash_zero, 600); }
/* home slots at the end of the table: the probe wraps around to slot 0 */
Test(id_index, probes_wrap_around) { check_index(hash_last_slots, 600); }
Test(id_index, spread_keys) { check_index(hash_spread, 4000); }

Test(id_index, first_reserve_makes_slots)
{
    id_index_t ix = { 0 };
    index_owner_t o = { .hash = hash_zero };
    cr_assert(id_index_reserve(&ix, 0, owner_hash, &o));
    cr_assert_not_null(ix.slots);
    cr_assert_eq(ix.mask + 1, 16);
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(ix.slots[i], 0);
    /* below half full nothing moves; at half the slots double */
    uint32_t *before = ix.slots;
    cr_assert(id_index_reserve(&ix, 7, owner_hash, &o));
    cr_assert_eq(ix.slots, before);
    id_index_free(&ix);
}

/* The texts outlive their dict when taken with dict_steal_texts. */
Test(dict, stolen_texts_outlive_the_dict)
{
    dict_t *d = dict_new();
    cr_assert(d);
    const char *p[3];
    static const char *const texts[] = { "1100 Sales", "", "6000 Rent" };
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(dict_id(d, texts[i], strlen(texts[i])), i);
        p[i] = dict_text(d, i);
    }
    GStringChunk *store = dict_steal_texts(d);
    cr_assert_not_null(store);
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(p[i], texts[i]);
    const char *more = g_string_chunk_insert(store, "2000 Plant"); /* and the store takes more */
    cr_assert_str_eq(more, "2000 Plant");
    cr_assert_str_eq(p[0], "1100 Sales");
    g_string_chunk_free(store);
    cr_assert_null(dict_steal_texts(NULL));
    dict_free(NULL);
}
