/*
 * template.c - loads the text files in templates/ and fills {placeholders}.
 *
 * Each template is parsed once, at load time, into a list of segments: a
 * literal run of text or a placeholder name together with the file line it
 * is written on. Load therefore catches every syntax problem (bad brace,
 * unknown escape, unterminated block) with its line, and filling is a plain
 * walk over the segments that can name the exact line of a placeholder that
 * has no value. Templates live in a glib hash table keyed by template key.
 *
 * The file format is our own (documented in template.h), small enough that a
 * hand-written line parser is simpler than bending an INI parser to it.
 */
#include "opsreport/template.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where an installed opsreport keeps its data; -DOPSREPORT_DATADIR=... (make
 * DATADIR=...) bakes in another. */
#ifndef OPSREPORT_DATADIR
#define OPSREPORT_DATADIR "/usr/local/share/opsreport"
#endif

typedef struct {
    char *text;   /* literal text (NULL for a placeholder) */
    char *name;   /* placeholder name (NULL for literal text) */
    long line;    /* file line the segment starts on */
} segment_t;

typedef struct {
    char *key;
    char *file;
    long line;         /* line of `key =` */
    char *raw;         /* the text as written, for template_get */
    GPtrArray *segs;   /* of segment_t*, owned */
} entry_t;

struct template_set {
    GHashTable *entries; /* key (owned by the entry) -> entry_t*, owned */
};

static void segment_free(gpointer p)
{
    segment_t *s = p;
    if (!s)
        return;
    g_free(s->text);
    g_free(s->name);
    g_free(s);
}

static void entry_free(gpointer p)
{
    entry_t *e = p;
    if (!e)
        return;
    g_free(e->key);
    g_free(e->file);
    g_free(e->raw);
    if (e->segs)
        g_ptr_array_free(e->segs, TRUE);
    g_free(e);
}

template_set_t *template_set_new(void)
{
    template_set_t *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
    return set;
}

void template_set_free(template_set_t *set)
{
    if (!set)
        return;
    g_hash_table_destroy(set->entries);
    free(set);
}

static bool is_key_char(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
}

static bool is_name_char(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

static void flush_literal(GPtrArray *segs, GString *lit, long line)
{
    if (lit->len == 0)
        return;
    segment_t *s = g_new0(segment_t, 1);
    s->text = g_strndup(lit->str, lit->len);
    s->line = line;
    g_ptr_array_add(segs, s);
    g_string_truncate(lit, 0);
}

/* Splits text (which starts on file line `line`) into segments. Backslash
 * escapes apply to one-line texts only; block texts are verbatim. */
static ops_status_t parse_text(const char *text, long line, bool one_line,
                               const char *path, const char *key, GPtrArray *segs,
                               ops_error_t *err)
{
    GString *lit = g_string_new(NULL);
    long lit_line = line;
    ops_status_t st = OPS_OK;
    for (const char *p = text; *p; p++) {
        if (lit->len == 0)
            lit_line = line;
        if (*p == '\n') {
            line++;
            g_string_append_c(lit, '\n');
        } else if (one_line && *p == '\\') {
            if (p[1] == 'n') {
                g_string_append_c(lit, '\n');
            } else if (p[1] == '\\') {
                g_string_append_c(lit, '\\');
            } else {
                st = ops_error_set(err, OPS_ERR_CONFIG, path, line, NULL,
                                   "template '%s': unknown escape '\\%c' (use \\n or \\\\)",
                                   key, p[1] ? p[1] : ' ');
                goto cleanup;
            }
            p++;
        } else if (*p == '{' && p[1] == '{') {
            g_string_append_c(lit, '{');
            p++;
        } else if (*p == '}' && p[1] == '}') {
            g_string_append_c(lit, '}');
            p++;
        } else if (*p == '{') {
            const char *q = p + 1;
            while (is_name_char(*q))
                q++;
            if (*q != '}' || q == p + 1) {
                st = ops_error_set(err, OPS_ERR_CONFIG, path, line, NULL,
                                   "template '%s': malformed placeholder at \"%.20s\" "
                                   "(expected {name} with letters, digits, '_'; "
                                   "write {{ for a literal brace)", key, p);
                goto cleanup;
            }
            flush_literal(segs, lit, lit_line);
            segment_t *s = g_new0(segment_t, 1);
            s->name = g_strndup(p + 1, (gsize)(q - p - 1));
            s->line = line;
            g_ptr_array_add(segs, s);
            p = q;
        } else if (*p == '}') {
            st = ops_error_set(err, OPS_ERR_CONFIG, path, line, NULL,
                               "template '%s': stray '}' (write }} for a literal brace)", key);
            goto cleanup;
        } else {
            g_string_append_c(lit, *p);
        }
    }
    flush_literal(segs, lit, lit_line);
cleanup:
    g_string_free(lit, TRUE);
    return st;
}

static entry_t *entry_new(const char *key, const char *path, long line)
{
    entry_t *e = g_new0(entry_t, 1);
    e->key = g_strdup(key);
    e->file = g_strdup(path);
    e->line = line;
    e->segs = g_ptr_array_new_with_free_func(segment_free);
    return e;
}

/* Parses the whole file into `parsed` (key -> entry_t*, owned). */
static ops_status_t parse_file(const char *path, const char *data, const template_set_t *set,
                               GHashTable *parsed, ops_error_t *err)
{
    ops_status_t st = OPS_OK;
    gchar **lines = g_strsplit(data, "\n", -1);
    entry_t *e = NULL;
    GString *block = NULL;
    for (long i = 0; lines[i]; i++) {
        long lineno = i + 1;
        char *ln = lines[i];
        size_t len = strlen(ln);
        if (len > 0 && ln[len - 1] == '\r')
            ln[--len] = '\0';
        if (i == 0 && strncmp(ln, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte order mark */
            ln += 3;
        char *s = g_strstrip(ln);
        if (*s == '\0' || *s == '#')
            continue;
        char *k = s;
        while (is_key_char(*s))
            s++;
        char *keyend = s;
        while (*s == ' ' || *s == '\t')
            s++;
        if (keyend == k || *s != '=') {
            st = ops_error_set(err, OPS_ERR_CONFIG, path, lineno, NULL,
                               "expected 'key = text' (key: letters, digits, '_', '.', '-'), "
                               "found \"%.40s\"", k);
            goto cleanup;
        }
        *keyend = '\0';
        char *text = g_strstrip(s + 1);
        if (g_hash_table_contains(parsed, k)) {
            const entry_t *prev = g_hash_table_lookup(parsed, k);
            st = ops_error_set(err, OPS_ERR_CONFIG, path, lineno, NULL,
                               "template '%s' defined twice (first on line %ld)", k,
                               prev->line);
            goto cleanup;
        }
        if (set && g_hash_table_contains(set->entries, k)) {
            const entry_t *prev = g_hash_table_lookup(set->entries, k);
            st = ops_error_set(err, OPS_ERR_CONFIG, path, lineno, NULL,
                               "template '%s' already defined in %s:%ld", k, prev->file,
                               prev->line);
            goto cleanup;
        }
        e = entry_new(k, path, lineno);
        if (strcmp(text, "\"\"\"") == 0) {
            /* block: verbatim lines up to a line that is exactly """ */
            block = g_string_new(NULL);
            long j = i + 1;
            for (; lines[j]; j++) {
                char *bl = lines[j];
                size_t bn = strlen(bl);
                if (bn > 0 && bl[bn - 1] == '\r')
                    bl[--bn] = '\0';
                char *probe = g_strdup(bl);
                bool end = strcmp(g_strstrip(probe), "\"\"\"") == 0;
                g_free(probe);
                if (end)
                    break;
                if (j > i + 1)
                    g_string_append_c(block, '\n');
                g_string_append(block, bl);
            }
            if (!lines[j]) {
                st = ops_error_set(err, OPS_ERR_CONFIG, path, lineno, NULL,
                                   "template '%s': block opened with \"\"\" is never closed",
                                   e->key);
                goto cleanup;
            }
            st = parse_text(block->str, lineno + 1, false, path, e->key, e->segs, err);
            e->raw = g_string_free(block, FALSE);
            block = NULL;
            i = j;
        } else {
            st = parse_text(text, lineno, true, path, e->key, e->segs, err);
            e->raw = g_strdup(text);
        }
        if (st != OPS_OK)
            goto cleanup;
        g_hash_table_insert(parsed, e->key, e);
        e = NULL;
    }
cleanup:
    if (block)
        g_string_free(block, TRUE);
    entry_free(e);
    g_strfreev(lines);
    return st;
}

ops_status_t template_set_add_file(template_set_t *set, const char *path, ops_error_t *err)
{
    gchar *data = NULL;
    GError *gerr = NULL;
    ops_status_t st = OPS_OK;
    GHashTable *parsed = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
    if (!g_file_get_contents(path, &data, NULL, &gerr)) {
        st = ops_error_set(err, OPS_ERR_CONFIG, path, 0, NULL, "cannot read template file: %s",
                           gerr->message);
        goto cleanup;
    }
    if (!g_utf8_validate(data, -1, NULL)) {
        st = ops_error_set(err, OPS_ERR_CONFIG, path, 0, NULL, "template file is not UTF-8");
        goto cleanup;
    }
    st = parse_file(path, data, set, parsed, err);
    if (st != OPS_OK)
        goto cleanup;
    /* all good: move the parsed entries into the set */
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, parsed);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_hash_table_iter_steal(&it);
        g_hash_table_insert(set->entries, ((entry_t *)v)->key, v);
    }
cleanup:
    if (gerr)
        g_error_free(gerr);
    g_free(data);
    g_hash_table_destroy(parsed);
    return st;
}

ops_status_t template_set_load(const char *path, template_set_t **out, ops_error_t *err)
{
    *out = NULL;
    template_set_t *set = template_set_new();
    if (!set)
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    ops_status_t st = template_set_add_file(set, path, err);
    if (st != OPS_OK) {
        template_set_free(set);
        return st;
    }
    *out = set;
    return OPS_OK;
}

/* Appends the filled template to out. */
static ops_status_t fill(const template_set_t *set, const char *key,
                         const template_var_t *vars, size_t n_vars, GString *out,
                         ops_error_t *err)
{
    const entry_t *e = key ? g_hash_table_lookup(set->entries, key) : NULL;
    if (!e) {
        /* name the files that were searched */
        GString *files = g_string_new(NULL);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, set->entries);
        GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const char *f = ((const entry_t *)v)->file;
            if (!g_hash_table_contains(seen, f)) {
                g_hash_table_add(seen, (gpointer)f);
                g_string_append_printf(files, "%s%s", files->len ? ", " : "", f);
            }
        }
        g_hash_table_destroy(seen);
        ops_status_t st = ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, NULL,
                                        "no template '%s' in %s", key ? key : "(null)",
                                        files->len ? files->str : "(no template files loaded)");
        g_string_free(files, TRUE);
        return st;
    }
    for (guint i = 0; i < e->segs->len; i++) {
        const segment_t *s = g_ptr_array_index(e->segs, i);
        if (s->text) {
            g_string_append(out, s->text);
            continue;
        }
        const char *val = NULL;
        for (size_t j = 0; j < n_vars && !val; j++)
            if (vars[j].name && strcmp(vars[j].name, s->name) == 0)
                val = vars[j].value;
        if (!val)
            return ops_error_set(err, OPS_ERR_CONFIG, e->file, s->line, NULL,
                                 "template '%s': placeholder {%s} has no value", e->key,
                                 s->name);
        g_string_append(out, val);
    }
    return OPS_OK;
}

const char *template_get(const template_set_t *set, const char *key)
{
    const entry_t *e = key ? g_hash_table_lookup(set->entries, key) : NULL;
    if (!e)
        return NULL;
    return e->raw;
}

ops_status_t template_fill(const template_set_t *set, const char *key,
                           const template_var_t *vars, size_t n_vars, char *buf,
                           size_t size, ops_error_t *err)
{
    if (size > 0)
        buf[0] = '\0';
    GString *out = g_string_new(NULL);
    ops_status_t st = fill(set, key, vars, n_vars, out, err);
    if (st == OPS_OK) {
        if (out->len + 1 > size) {
            const entry_t *e = g_hash_table_lookup(set->entries, key);
            st = ops_error_set(err, OPS_ERR_OUTPUT, e->file, e->line, NULL,
                               "template '%s': filled text needs %zu bytes, buffer has %zu",
                               key, out->len + 1, size);
        } else {
            memcpy(buf, out->str, out->len + 1);
        }
    }
    g_string_free(out, TRUE);
    return st;
}

ops_status_t template_fill_dup(const template_set_t *set, const char *key,
                               const template_var_t *vars, size_t n_vars, char **out,
                               ops_error_t *err)
{
    *out = NULL;
    GString *s = g_string_new(NULL);
    ops_status_t st = fill(set, key, vars, n_vars, s, err);
    if (st == OPS_OK) {
        *out = malloc(s->len + 1);
        if (!*out)
            st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        else
            memcpy(*out, s->str, s->len + 1);
    }
    g_string_free(s, TRUE);
    return st;
}

/* ---- where the templates folder is ------------------------------------------ */

const char *const template_files[] = { "narrative.txt", "titles.txt", "email_subject.txt", "email_body.txt",
                                       NULL };

static void place_add(template_places_t *p, const char *what, const char *dir)
{
    if (p->n == TEMPLATE_MAX_PLACES)
        return;
    snprintf(p->dir[p->n], sizeof p->dir[0], "%s", dir);
    p->what[p->n++] = what;
}

void template_places(template_places_t *places, const char *flag_dir, const char *config_dir,
                     const char *config_path, const char *exe_path)
{
    memset(places, 0, sizeof *places);
    if (flag_dir && *flag_dir)
        place_add(places, "--templates", flag_dir);
    if (config_dir && *config_dir) {
        if (g_path_is_absolute(config_dir) || !config_path) {
            place_add(places, "[report] templates_dir", config_dir);
        } else {
            gchar *base = g_path_get_dirname(config_path);
            gchar *dir = strcmp(base, ".") ? g_build_filename(base, config_dir, NULL) : g_strdup(config_dir);
            place_add(places, "[report] templates_dir", dir);
            g_free(dir);
            g_free(base);
        }
    }
    place_add(places, "installed", OPSREPORT_DATADIR "/templates");
    /* the program's own checkout: build/opsreport finds templates/ whatever the working directory */
    char exe[1024];
    const char *self = exe_path;
    if (!self) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            self = exe;
        }
    }
    if (self && g_path_is_absolute(self)) {
        gchar *bin = g_path_get_dirname(self);
        gchar *top = g_path_get_dirname(bin);
        gchar *dir = g_build_filename(top, "templates", NULL);
        place_add(places, "beside the program", dir);
        g_free(dir);
        g_free(top);
        g_free(bin);
    }
    place_add(places, "working directory", "templates");
}

/* Appends to buf what dir lacks ("" when it holds every template file). */
static void place_lacks(const char *dir, GString *buf)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        g_string_append(buf, "no such folder");
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_string_append(buf, "not a folder");
        return;
    }
    size_t missing = 0;
    for (size_t i = 0; template_files[i]; i++) {
        gchar *path = g_build_filename(dir, template_files[i], NULL);
        if (access(path, R_OK) != 0)
            g_string_append_printf(buf, "%s%s", missing++ ? ", " : "no ", template_files[i]);
        g_free(path);
    }
}

ops_status_t template_places_find(const template_places_t *places, char *out, size_t size,
                                  ops_error_t *err)
{
    if (size)
        out[0] = '\0';
    GString *looked = g_string_new(NULL), *lacks = g_string_new(NULL);
    ops_status_t st = OPS_OK;
    for (size_t i = 0; i < places->n; i++) {
        g_string_truncate(lacks, 0);
        place_lacks(places->dir[i], lacks);
        if (lacks->len == 0) {
            if (strlen(places->dir[i]) >= size) {
                st = ops_error_set(err, OPS_ERR_INPUT, places->dir[i], 0, NULL, "templates folder path too long");
                goto cleanup;
            }
            snprintf(out, size, "%s", places->dir[i]);
            goto cleanup;
        }
        g_string_append_printf(looked, "%s%s (%s): %s", i ? "; " : "", places->dir[i], places->what[i], lacks->str);
    }
    st = ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                       "no templates folder holds narrative.txt, titles.txt, email_subject.txt and "
                       "email_body.txt; looked in %s. Give one with --templates DIR or [report] templates_dir",
                       looked->str);
cleanup:
    g_string_free(looked, TRUE);
    g_string_free(lacks, TRUE);
    return st;
}
