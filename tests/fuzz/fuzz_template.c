/*
 * fuzz_template.c - the template engine (pipeline/core/template.c).
 *
 * The input is a template file. When it loads, every key it defines (found
 * by the same `key =` shape the format documents) is filled with a few
 * placeholder values, into a buffer whose size comes from the input's
 * length, and with template_fill_dup. Properties: a failed load leaves the
 * set as it was (a second file still loads); a fill either succeeds with a
 * NUL-terminated text or fails with "" in buf; an OPS_ERR_OUTPUT from the
 * sized fill means the text really is longer than the buffer.
 */
#include "fuzz_util.h"

#include "opsreport/template.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_write("t.txt", data, size, path, sizeof path);
    template_set_t *set = template_set_new();
    FUZZ_CHECK(set);
    ops_error_t err = { 0 };
    static const char extra[] = "fuzz_extra_key = {value}\n";
    char extra_path[256];
    if (template_set_add_file(set, path, &err) != OPS_OK) {
        /* the failed file left nothing behind: another file still loads */
        fuzz_write("u.txt", extra, sizeof extra - 1, extra_path, sizeof extra_path);
        FUZZ_CHECK(template_set_add_file(set, extra_path, &err) == OPS_OK);
        FUZZ_CHECK(template_get(set, "fuzz_extra_key") != NULL);
        template_set_free(set);
        return 0;
    }
    static const template_var_t vars[] = { { "value", "12.5%" }, { "label", "Revenue" },
                                           { "a", "{b}" }, { "b", NULL }, { "x", "" } };
    char out[256];
    size_t out_size = size % sizeof out + 1;
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *k = p;
        while (k < eol && isspace((unsigned char)*k))
            k++;
        const char *ke = k;
        while (ke < eol && (isalnum((unsigned char)*ke) || *ke == '_' || *ke == '.' || *ke == '-'))
            ke++;
        char key[128];
        if (ke > k && (size_t)(ke - k) < sizeof key) {
            memcpy(key, k, (size_t)(ke - k));
            key[ke - k] = '\0';
            const char *raw = template_get(set, key);
            if (raw) {
                ops_status_t rc = template_fill(set, key, vars, 5, out, out_size, &err);
                FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
                if (rc != OPS_OK)
                    FUZZ_CHECK(out[0] == '\0');
                char *dup = NULL;
                ops_status_t rd = template_fill_dup(set, key, vars, 5, &dup, &err);
                FUZZ_CHECK(rd == OPS_OK ? dup != NULL : dup == NULL);
                if (rc == OPS_OK && rd == OPS_OK)
                    FUZZ_CHECK(strcmp(out, dup) == 0);
                if (rc == OPS_ERR_OUTPUT && rd == OPS_OK)
                    FUZZ_CHECK(strlen(dup) >= out_size);
                free(dup);
            }
        }
        p = eol + 1;
    }
    template_set_free(set);
    return 0;
}
