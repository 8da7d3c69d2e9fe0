/* Unit tests for config loading: one table of broken configs with the exact
 * message, key and line each must give, and the keys of the mapping layer. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "opsreport/config.h"
#include "opsreport/model.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/opsreport-config-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static config_t *load(const char *ini, ops_error_t *err)
{
    char path[400];
    snprintf(path, sizeof path, "%s/test.ini", dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(ini, fp);
    fclose(fp);
    config_t *cfg = NULL;
    memset(err, 0, sizeof *err);
    config_load(path, &cfg, err);
    return cfg;
}

TestSuite(config, .init = setup, .fini = teardown);

#define GL "[input.gl_actuals]\nfile = a.csv\n"

Test(config, errors_table)
{
    static const struct {
        const char *ini;
        long line;
        const char *key;
        const char *message; /* substring of the message */
    } cases[] = {
        { GL "map.priority = a => b\n", 3, "map.priority",
          "gl_actuals has no field 'priority'; did you mean 'map." },
        { GL "map.account_type = Income\n", 3, "map.account_type",
          "expected 'From => To' pairs separated by commas (and '* => To' for every other value), found 'Income'" },
        { GL "map.account_type = Income => revenue, income => opex\n", 3, "map.account_type",
          "'income' is mapped twice ('revenue' and 'opex')" },
        { GL "account_types = 4000-4999 => sales\n", 3, "account_types",
          "unknown account type 'sales' in '4000-4999 => sales': expected revenue, cogs or opex" },
        { GL "account_types = 4000\n", 3, "account_types",
          "expected 'FIRST-LAST => type' or 'PREFIX* => type' items, found '4000'" },
        { "[input.tickets]\nfile = t.csv\naccount_types = 4* => revenue\n", 3, "account_types",
          "account_types applies to gl_actuals and gl_budget inputs only" },
        { GL "revenue_sign = minus\n", 3, "revenue_sign",
          "expected positive or negative (how the export books them), found 'minus'" },
        { GL "phasing = 1,2,3\n", 3, "phasing",
          "expected 'even' or 12 weights (one per month from January), found 3" },
        { GL "phasing = 0,0,0,0,0,0,0,0,0,0,0,0\n", 3, "phasing", "the 12 weights add up to 0" },
        { GL "header = maybe\n", 3, "header", "expected true or false, found 'maybe'" },
        { GL "max_field_lines = 0\n", 3, "max_field_lines",
          "expected the most lines one quoted field may span (1 or more), found '0'" },
        { GL "encoding = klingon-8\n", 3, "encoding", "unknown encoding 'klingon-8'" },
        { GL "where. = a\n", 3, "where.", "expected where.<header as exported> = values" },
        { GL "const.entity = X\ncol.entity = Y\n", 2, "entity",
          "[input.gl_actuals]: const.entity gives every row one value; drop col.entity and default.entity" },
        { GL "header = false\ncol.amount = Amount\n", 2, "amount",
          "[input.gl_actuals] has header = false: col.amount must be a column number (1 = first), found 'Amount'" },
        { GL "col.amount = A | | B\n", 3, "col.amount", "empty column name in 'A | | B'" },
        { GL "delimiter = ,\nquote = ,\n", 2, "delimiter",
          "the delimiter and the quote, and the decimal and thousands separators, must differ" },
        { "[forecast.people]\nseries = headcont\n", 2, "series",
          "unknown series 'headcont'; did you mean 'headcount'?" },
        { "[kpi.otif]\ndirection = up\n", 2, "direction", "expected higher or lower, found 'up'" },
        { GL "colour = red\n", 3, "colour", "unknown key 'colour' in [input.gl_actuals]; did you mean" },
        { GL "date_formats = iso, %d.%Q.%Y\n", 3, "date_formats", "unknown directive %Q in '%d.%Q.%Y'" },
        { GL "timestamp_formats = %d/%m/%Y %I:%M\n", 3, "timestamp_formats", "%I" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        ops_error_t err;
        config_t *cfg = load(cases[i].ini, &err);
        cr_expect_null(cfg, "case %zu loads but should fail: %s", i, cases[i].ini);
        config_free(cfg);
        cr_expect_eq(err.status, OPS_ERR_CONFIG, "case %zu", i);
        cr_expect_eq(err.line, cases[i].line, "case %zu: line %ld, expected %ld (%s)", i, err.line,
                     cases[i].line, err.message);
        cr_expect_str_eq(err.column, cases[i].key, "case %zu", i);
        cr_expect(strstr(err.message, cases[i].message) != NULL, "case %zu: '%s' lacks '%s'", i,
                  err.message, cases[i].message);
    }
}

Test(config, mapping_keys_load)
{
    ops_error_t err;
    config_t *cfg = load(GL "col.account = Konto | Account No\n"
                            "map.account_type = Erlöse => revenue, \"Material, Waren\" => cogs, * => opex\n"
                            "alias.entity = HQ => Head office\n"
                            "where.Scenario = Actual, Final\nskip.Status = Void\n"
                            "account_types = 4000-4999 => revenue, 5* => cogs\n"
                            "revenue_sign = negative\n"
                            "phasing = 6,6,8,8,8,9,9,9,9,9,9,10\n"
                            "const.cost_centre = All\ndefault.entity = Group\n"
                            "quote = none\ndecimal = ,\nencoding = latin-1\ncurrency_symbols = €, EUR\n"
                            "[report]\ntemplates_dir = /opt/t\n",
                         &err);
    cr_assert_not_null(cfg, "%s", err.message);
    const input_config_t *in = &cfg->inputs[0];
    cr_expect_eq(in->columns[GL_ACCOUNT].count, 2);
    cr_expect_str_eq(in->columns[GL_ACCOUNT].items[1], "Account No");
    const value_map_t *m = &in->maps[GL_ACCOUNT_TYPE];
    cr_assert_eq(m->count, 2);
    cr_expect_str_eq(m->from[1], "Material, Waren", "a quoted value keeps its comma");
    cr_expect_str_eq(m->to[1], "cogs");
    cr_expect_str_eq(m->fallback, "opex");
    cr_expect_str_eq(in->maps[GL_ENTITY].to[0], "Head office");
    cr_assert_eq(in->n_filters, 2);
    cr_expect(in->filters[0].keep);
    cr_expect_str_eq(in->filters[0].header, "Scenario");
    cr_expect_eq(in->filters[0].count, 2);
    cr_expect_not(in->filters[1].keep);
    cr_assert_eq(in->n_account_rules, 2);
    cr_expect_str_eq(in->account_rules[0].hi, "4999");
    cr_expect(in->account_rules[1].prefix);
    cr_expect_eq(in->revenue_sign, -1);
    cr_expect_eq(in->cost_sign, 1);
    cr_expect(in->phasing_set);
    cr_expect_float_eq(in->phasing[11], 10.0, 1e-12);
    cr_expect_str_eq(in->const_value[GL_COST_CENTRE], "All");
    cr_expect_str_eq(in->default_value[GL_ENTITY], "Group");
    cr_expect_eq(in->quote, 0);
    cr_expect_eq(in->decimal, ',', "a decimal comma with a comma delimiter is allowed");
    cr_expect_str_eq(in->encoding, "latin1", "iconv's name for latin-1");
    cr_expect_eq(in->currency_symbols.count, 2);
    cr_expect_str_eq(cfg->templates_dir, "/opt/t");
    cr_expect(in->header);
    cr_expect_eq(in->max_field_lines, CONFIG_MAX_FIELD_LINES);
    config_free(cfg);
}

Test(config, kpi_sections_override_only_what_they_set)
{
    ops_error_t err;
    config_t *cfg = load("[kpi.stockouts]\ntile = true\n[kpi.otif]\ntarget = 95\n", &err);
    cr_assert_not_null(cfg, "%s", err.message);
    const kpi_config_t *k = config_find_kpi(cfg, "stockouts");
    cr_expect(k->has_tile);
    cr_expect_not(k->has_target, "tile alone must not wipe the built-in target");
    cr_expect_not(k->has_direction, "no direction key: the KPI keeps its own direction");
    k = config_find_kpi(cfg, "otif");
    cr_expect(k->has_target);
    cr_expect_not(k->has_amber);
    cr_expect_not(k->has_direction);
    config_free(cfg);
}

/* Regression: a [kpi.X] section without direction used to reset the KPI's
 * built-in direction (5 stock-outs against a target of 0 showed green), and
 * one with only tile = true wiped the built-in target. */
Test(config, kpi_partial_sections_keep_builtin_settings)
{
    ops_error_t err;
    config_t *cfg = load("[kpi.stockouts]\ntarget = 0\namber = 2\n[kpi.otif]\ntile = true\n", &err);
    cr_assert_not_null(cfg, "%s", err.message);
    report_model_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    kpi_t *so = model_add_kpi(m, "stockouts", "Stock-outs", AREA_INVENTORY, UNIT_COUNT);
    so->direction = KPI_LOWER_IS_BETTER;
    so->value = 5;
    kpi_t *otif = model_add_kpi(m, "otif", "OTIF", AREA_PROCUREMENT, UNIT_PERCENT);
    otif->has_target = true;
    otif->target = 95;
    otif->amber = 90;
    otif->direction = KPI_HIGHER_IS_BETTER;
    otif->value = 96;
    model_apply_targets(m, cfg);
    so = &m->kpis[0];
    otif = &m->kpis[1];
    cr_expect_eq(so->direction, KPI_LOWER_IS_BETTER);
    cr_expect_eq(so->status, RAG_RED, "5 stock-outs against a target of 0 (amber to 2) is red");
    cr_expect(otif->tile);
    cr_expect(otif->has_target);
    cr_expect_float_eq(otif->target, 95.0, 1e-12, "tile = true alone keeps the target");
    cr_expect_eq(otif->status, RAG_GREEN);
    report_model_free(m);
    config_free(cfg);
}

/* The key tables (what "did you mean" and the man page offer) against the
 * loader's handlers: every key in a table is taken, never "unknown key". A
 * value the key does not accept may fail; only an unknown key fails this. */
Test(config, every_listed_key_is_handled)
{
    static const struct {
        const char *section, *header;
    } sections[] = {
        { "report", "[report]\n" },
        { "output", "[output]\n" },
        { "analysis", "[analysis]\n" },
        { "email", "[email]\n" },
        { "input", "[input.gl_actuals]\n" },
        { "kpi", "[kpi.revenue_vs_budget_pct]\n" },
        { "recipient", "[recipient.ops]\n" },
        { "forecast", "[forecast.revenue]\n" },
    };
    size_t checked = 0;
    for (size_t s = 0; s < N(sections); s++) {
        const char *const *keys = config_section_keys(sections[s].section);
        cr_assert_not_null(keys, "no key table for [%s]", sections[s].section);
        for (size_t k = 0; keys[k]; k++) {
            /* a family: "col.<field>" is tried as col.date */
            char key[80];
            snprintf(key, sizeof key, "%s", keys[k]);
            char *lt = strchr(key, '<');
            if (lt)
                snprintf(lt, sizeof key - (size_t)(lt - key), "date");
            char ini[400];
            snprintf(ini, sizeof ini, "%s%s = 1\n", sections[s].header, key);
            ops_error_t err;
            config_t *cfg = load(ini, &err);
            cr_expect(!strstr(err.message, "unknown key"), "[%s] %s: %s", sections[s].section, key, err.message);
            config_free(cfg);
            checked++;
        }
    }
    cr_expect_geq(checked, 88); /* the tables hold 88 keys today */
    cr_expect_null(config_section_keys("nosuch"));
}
