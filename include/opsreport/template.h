/*
 * template.h - report wording read at run time from the text files in templates/.
 *
 * Changing a sentence needs no rebuild: the wording lives in text files, one
 * template per key. File format (UTF-8):
 *
 *     # a comment; blank lines are ignored
 *     kpi_over_target = {label} is {value}, {delta} {direction} target ({target}).
 *     body = """
 *     Several lines, kept as written
 *     (without the opening and closing quote lines).
 *     """
 *
 * A key is letters, digits, '_', '.' and '-'. Spaces around '=' and at the
 * ends of a one-line text are dropped. In a text, {name} is a placeholder
 * (name: letters, digits, '_'); "{{" and "}}" write a literal brace; "\n" in a
 * one-line text is a line break and "\\" a backslash.
 *
 * A set can hold the templates of several files (template_set_add_file once
 * per file); every template remembers its file and line, so every error names
 * them: a missing placeholder value is reported with the line the placeholder
 * is on, e.g. "templates/narrative.txt:12: template 'budget_variance':
 * placeholder {driver} has no value".
 */
#ifndef OPSREPORT_TEMPLATE_H
#define OPSREPORT_TEMPLATE_H

#include <stddef.h>

#include "opsreport/common.h"

typedef struct template_set template_set_t;

/* One placeholder value. A NULL value counts as "no value". */
typedef struct {
    const char *name;
    const char *value;
} template_var_t;

/* An empty set; NULL only when out of memory. Free with template_set_free. */
template_set_t *template_set_new(void);
void template_set_free(template_set_t *set);

/* Reads one template file into the set. Errors (OPS_ERR_CONFIG, with file and
 * line): unreadable file, a line that is not `key = text`, a key defined twice
 * (in this or an earlier file), an unterminated """ block, a malformed
 * placeholder or stray brace. On error the set is left as it was. */
ops_status_t template_set_add_file(template_set_t *set, const char *path, ops_error_t *err);

/* Convenience: a new set holding one file. *out is NULL on error. */
ops_status_t template_set_load(const char *path, template_set_t **out, ops_error_t *err);

/* The raw text of a key (placeholders unfilled), or NULL. Owned by the set. */
const char *template_get(const template_set_t *set, const char *key);

/* Fills template `key` into buf. Each {name} takes the value of the first var
 * with that name; vars not used by the template are ignored. Errors
 * (OPS_ERR_CONFIG): unknown key, placeholder without a value; OPS_ERR_OUTPUT:
 * the result does not fit in size bytes. buf is "" after an error. */
ops_status_t template_fill(const template_set_t *set, const char *key,
                           const template_var_t *vars, size_t n_vars, char *buf,
                           size_t size, ops_error_t *err);

/* As template_fill, into a malloc'ed string the caller frees (*out NULL on error). */
ops_status_t template_fill_dup(const template_set_t *set, const char *key,
                               const template_var_t *vars, size_t n_vars, char **out,
                               ops_error_t *err);

/* ---- where the templates folder is ------------------------------------------ */

/* The files a run reads from its templates folder, NULL-terminated:
 * narrative.txt and titles.txt (PDF), email_subject.txt and email_body.txt. */
extern const char *const template_files[];

#define TEMPLATE_MAX_PLACES 5

/* The folders a run may take its templates from, in the order they are tried. */
typedef struct {
    size_t n;
    char dir[TEMPLATE_MAX_PLACES][1100];
    const char *what[TEMPLATE_MAX_PLACES]; /* "--templates", "[report] templates_dir", ... */
} template_places_t;

/* The places, in order, skipping those not given:
 *   1. flag_dir (--templates), as given;
 *   2. config_dir ([report] templates_dir); a relative one is taken from the
 *      folder of config_path, so a config and its templates travel together;
 *   3. the installed folder, OPSREPORT_DATADIR "/templates" (compile-time,
 *      default /usr/local/share/opsreport);
 *   4. "templates" in the parent of the executable's folder (build/opsreport
 *      -> templates/), exe_path NULL meaning /proc/self/exe; left out when it
 *      cannot be read;
 *   5. "templates" in the working directory. */
void template_places(template_places_t *places, const char *flag_dir, const char *config_dir,
                     const char *config_path, const char *exe_path);

/* Copies into out the first place that holds every one of template_files
 * (readable). None does: OPS_ERR_INPUT whose message names every place looked
 * in and what it lacks; out is "". */
ops_status_t template_places_find(const template_places_t *places, char *out, size_t size,
                                  ops_error_t *err);

#endif
