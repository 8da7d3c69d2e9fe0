/*
 * fuzz_map.c - the mapping layer (include/opsreport/map.h).
 *
 * Input: 8 bytes of amount, 12 bytes of phasing weights, 1 selector byte,
 * then newline-separated strings: the value, then map entries (from, to
 * pairs), which also serve as filter values and account rule bounds.
 * Properties:
 *   - map_text_equal is reflexive and symmetric;
 *   - map_value returns an entry's target only for a value equal to its
 *     source, the fallback otherwise, NULL without one;
 *   - where. and skip. with the same values disagree on every value;
 *   - map_phase parts add up to the amount and share its sign;
 *   - map_describe stays inside a buffer of any size and terminates it.
 */
#include "fuzz_util.h"

#include "opsreport/map.h"
#include "opsreport/schema.h"

#include <math.h>

#define MAX_PIECES 9

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 21)
        return 0;
    int64_t amount;
    memcpy(&amount, data, 8);
    if (amount == INT64_MIN) /* map.h: never reaches map_phase (no amount parses to it) */
        amount++;
    double weights[12];
    bool any = false;
    for (int m = 0; m < 12; m++) {
        /* config accepts any finite weight >= 0 with a sum > 0; spread them
         * over many magnitudes, up to the largest a config can hold */
        uint8_t b = data[8 + m];
        weights[m] = b == 0 ? 0 : ldexp((double)(b & 15) + 1, (b >> 4) * 68 - 50);
        if (b >= 0xF0)
            weights[m] = 1.7e308;
        any = any || weights[m] > 0;
    }
    uint8_t sel = data[20];
    data += 21;
    size -= 21;

    char buf[4096];
    if (size >= sizeof buf)
        size = sizeof buf - 1;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *piece[MAX_PIECES];
    size_t n = 0;
    for (char *p = buf; n < MAX_PIECES;) {
        piece[n++] = p;
        char *nl = memchr(p, '\n', (size_t)(buf + size - p));
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    const char *v = piece[0];
    size_t vlen = strlen(v);

    for (size_t k = 0; k < n; k++) {
        size_t kl = strlen(piece[k]);
        FUZZ_CHECK(map_text_equal(piece[k], kl, piece[k], kl));
        FUZZ_CHECK(map_text_equal(v, vlen, piece[k], kl) == map_text_equal(piece[k], kl, v, vlen));
    }

    char *from[MAX_PIECES], *to[MAX_PIECES];
    size_t pairs = 0;
    for (size_t k = 1; k + 1 < n; k += 2, pairs++) {
        from[pairs] = piece[k];
        to[pairs] = piece[k + 1];
    }
    static char fallback[] = "other";
    value_map_t m = { from, to, pairs, (sel & 1) ? fallback : NULL, 1 };
    const char *target = map_value(&m, v, vlen);
    if (!target) {
        FUZZ_CHECK(!m.fallback);
    } else if (target != m.fallback) {
        bool found = false;
        for (size_t k = 0; k < pairs && !found; k++)
            found = to[k] == target && map_text_equal(from[k], strlen(from[k]), v, vlen);
        FUZZ_CHECK(found);
    }
    size_t dsize = (size_t)(sel >> 1) % 64 + 1;
    char *desc = malloc(dsize); /* exact size, so ASan sees any overrun */
    FUZZ_CHECK(desc);
    map_describe(&m, desc, dsize);
    FUZZ_CHECK(memchr(desc, '\0', dsize) != NULL);
    free(desc);

    row_filter_t keep = { piece[0], true, piece + 1, n - 1, 1 };
    row_filter_t skip = keep;
    skip.keep = false;
    for (size_t k = 0; k < n; k++)
        FUZZ_CHECK(map_filter_pass(&keep, piece[k], strlen(piece[k])) !=
                   map_filter_pass(&skip, piece[k], strlen(piece[k])));

    /* enum vocabularies of every kind */
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        const input_schema_t *sc = schema_for_kind((input_kind_t)kind);
        for (size_t f = 0; f < sc->n_fields; f++)
            if (sc->fields[f].type == FT_ENUM) {
                int idx = map_vocab(&sc->fields[f], v, vlen);
                if (idx >= 0) {
                    int count = 0;
                    while (sc->fields[f].enum_values[count])
                        count++;
                    FUZZ_CHECK(idx < count);
                }
            }
    }

    account_rule_t rules[MAX_PIECES];
    size_t n_rules = 0;
    for (size_t k = 1; k < n; k++) {
        bool prefix = piece[k][0] && piece[k][strlen(piece[k]) - 1] == '*';
        if (prefix) {
            rules[n_rules++] = (account_rule_t){ piece[k], NULL, true, (int)(k % 3) };
        } else if (k + 1 < n) {
            rules[n_rules++] = (account_rule_t){ piece[k], piece[k + 1], false, (int)(k % 3) };
            k++;
        }
    }
    input_config_t in;
    memset(&in, 0, sizeof in);
    in.account_rules = rules;
    in.n_account_rules = n_rules;
    int type = map_account_type(&in, v, vlen);
    FUZZ_CHECK(type >= -1 && type <= 2);

    int64_t parts[12];
    map_phase(amount, (sel & 0x80) || !any ? NULL : weights, parts);
    int64_t sum = 0;
    for (int k = 0; k < 12; k++) {
        FUZZ_CHECK(amount >= 0 ? parts[k] >= 0 : parts[k] <= 0);
        sum += parts[k];
    }
    FUZZ_CHECK(sum == amount);
    return 0;
}
