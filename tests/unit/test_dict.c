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
