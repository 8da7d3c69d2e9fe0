/*
 * cli.c - the `inspect` and `kinds` commands: options, messages, exit codes.
 */
#include "opsreport/cli.h"
#include "opsreport/config.h"

#include "inspect/inspect_internal.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nearest_kind(const char *name)
{
    const char *best = "";
    size_t best_d = SIZE_MAX;
    for (int k = 0; k < KIND_COUNT; k++) {
        const char *n = schema_for_kind((input_kind_t)k)->name;
        size_t d = config_edit_distance(name, n);
        if (d < best_d) {
            best_d = d;
            best = n;
        }
    }
    return best;
}

static const input_schema_t *kind_or_complain(const char *name)
{
    const input_schema_t *s = schema_find(name);
    if (!s)
        fprintf(stderr, "opsreport: unknown kind '%s'; did you mean '%s'? ('opsreport kinds' lists them)\n",
                name, nearest_kind(name));
    return s;
}

static void usage_kinds(FILE *out)
{
    fprintf(out, "usage: opsreport kinds [KIND] [--markdown]\n\n"
                 "Every input kind's logical fields: required or optional, type, allowed\n"
                 "values with the spellings the built-in vocabulary accepts, the KPIs that\n"
                 "read the field, and one line of documentation.\n\n"
                 "  --markdown   the README table: kind | required fields | optional fields\n"
                 "  -h, --help   this help\n");
}

int cli_kinds_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "markdown", no_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    bool markdown = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': markdown = true; break;
        case 'h': usage_kinds(stdout); return OPS_EXIT_OK;
        default: usage_kinds(stderr); return OPS_EXIT_USAGE;
        }
    }
    if (argc - optind > 1 || (markdown && optind < argc)) {
        usage_kinds(stderr);
        return OPS_EXIT_USAGE;
    }
    if (markdown) {
        kinds_print_markdown(stdout);
        return OPS_EXIT_OK;
    }
    const input_schema_t *s = NULL;
    if (optind < argc && !(s = kind_or_complain(argv[optind])))
        return OPS_EXIT_USAGE;
    kinds_print(s, stdout);
    return OPS_EXIT_OK;
}

static void usage_inspect(FILE *out)
{
    fprintf(out, "usage: opsreport inspect FILE [--kind KIND] [--name NAME]\n\n"
                 "Sniff an export: encoding, delimiter, quote, decimal and thousands\n"
                 "separators, header row, and per column a type, its date formats and\n"
                 "three sample values. With --kind, also draft the [input.NAME] section\n"
                 "(NAME defaults to the kind) mapping the columns to the kind's fields;\n"
                 "the whole output is then a config file: the table comes as comments.\n"
                 "file = is FILE as given: relative paths are read relative to --data.\n\n"
                 "  --kind KIND   the input kind to map to ('opsreport kinds' lists them)\n"
                 "  --name NAME   the section's name (default: the kind)\n"
                 "  -h, --help    this help\n\n"
                 "Exit codes: 0 success, 2 usage, 4 the file cannot be read.\n");
}

/* Kinds whose required fields the file fills best, by name or values. */
static void print_kind_hints(const inspect_result_t *r, FILE *out)
{
    int order[KIND_COUNT];
    size_t found[KIND_COUNT], total[KIND_COUNT];
    for (int k = 0; k < KIND_COUNT; k++) {
        const input_schema_t *s = schema_for_kind((input_kind_t)k);
        inspect_match_t m;
        inspect_match(r, s, &m);
        found[k] = total[k] = 0;
        for (size_t f = 0; f < s->n_fields; f++)
            if (s->fields[f].required) {
                total[k]++;
                found[k] += m.fill[f] == FILL_COLUMN && m.score[f] >= 50;
            }
        order[k] = k;
    }
    for (int i = 1; i < KIND_COUNT; i++)
        for (int j = i; j > 0; j--) {
            int a = order[j - 1], b = order[j];
            if (found[b] * total[a] > found[a] * total[b]) {
                order[j - 1] = b;
                order[j] = a;
            }
        }
    fprintf(out, "\nKinds whose required fields this file names best:");
    for (int i = 0; i < 3; i++)
        fprintf(out, "%s %s (%zu of %zu)", i ? "," : "", schema_for_kind((input_kind_t)order[i])->name,
                found[order[i]], total[order[i]]);
    fprintf(out, "\nRun 'opsreport inspect %s --kind KIND' to draft the config section.\n", r->path);
}

int cli_inspect_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "kind", required_argument, NULL, 'k' }, { "name", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
    };
    const char *kind = NULL, *name = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': kind = optarg; break;
        case 'n': name = optarg; break;
        case 'h': usage_inspect(stdout); return OPS_EXIT_OK;
        default: usage_inspect(stderr); return OPS_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "opsreport: inspect takes one FILE\n");
        usage_inspect(stderr);
        return OPS_EXIT_USAGE;
    }
    const input_schema_t *schema = NULL;
    if (kind && !(schema = kind_or_complain(kind)))
        return OPS_EXIT_USAGE;
    if (name && (!name[0] || strpbrk(name, "[]=:; \t"))) {
        fprintf(stderr, "opsreport: --name '%s' cannot be a section name (no spaces, brackets, '=', ':' or ';')\n", name);
        return OPS_EXIT_USAGE;
    }
    inspect_result_t *r = NULL;
    ops_error_t err = { 0 };
    if (inspect_file(argv[optind], &r, &err) != OPS_OK) {
        char buf[2048];
        ops_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "opsreport: error: %s\n", buf);
        return ops_status_exit_code(err.status);
    }
    if (!schema) {
        inspect_print_columns(r, stdout);
        print_kind_hints(r, stdout);
        inspect_free(r);
        return OPS_EXIT_OK;
    }
    /* the table as comments, so the whole output is a config file */
    char *table = NULL;
    size_t table_len = 0;
    FILE *mem = open_memstream(&table, &table_len);
    if (mem) {
        inspect_print_columns(r, mem);
        fclose(mem);
        /* inih reads lines of up to 200 bytes: cut at a character boundary */
        for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) {
            size_t n = strlen(line);
            if (n > 190) {
                n = 190;
                while (n && ((unsigned char)line[n] & 0xC0) == 0x80)
                    n--;
            }
            printf("# %.*s\n", (int)n, line);
        }
        free(table);
        putchar('\n');
    }
    inspect_print_section(r, schema, name ? name : schema->name, stdout);
    inspect_free(r);
    return OPS_EXIT_OK;
}
