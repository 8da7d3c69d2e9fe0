/* test_chart.c - chart ticks and layout helpers, the pdfdoc wrapper, and a
 * demo PDF with every chart type checked with qpdf, pdffonts and pdftotext.
 *
 * Set CHART_DEMO_DIR to keep the demo PDF (chart_demo.pdf) in that folder,
 * e.g. to look at it: pdftoppm -png -r 60 DIR/chart_demo.pdf DIR/chart_demo */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsreport/chart.h"
#include "opsreport/pdfdoc.h"

/* ---- nice ticks ------------------------------------------------------- */

static void expect_ticks(double lo, double hi, int target, const double *want, size_t n_want,
                         double want_step)
{
    double t[32], step = -1;
    size_t n = chart_nice_ticks(lo, hi, target, t, 32, &step);
    cr_assert_eq(n, n_want, "[%g, %g] target %d: %zu ticks, want %zu", lo, hi, target, n,
                 n_want);
    cr_expect_float_eq(step, want_step, 1e-12 * fabs(want_step), "step %g want %g", step,
                       want_step);
    for (size_t i = 0; i < n; i++)
        cr_expect_float_eq(t[i], want[i], 1e-9 * fabs(want_step), "tick %zu: %.17g want %g", i,
                           t[i], want[i]);
}

Test(ticks, zero_to_97)
{
    /* raw step 97/5 = 19.4; step 20 gives 0..100 in 5 intervals (exactly the
     * target); 25 would give 4, 10 would give 10 */
    const double w[] = {0, 20, 40, 60, 80, 100};
    expect_ticks(0, 97, 5, w, 6, 20);
}

Test(ticks, small_fractions)
{
    /* 0.013..0.087: step 0.01 -> 0.01..0.09 = 8 intervals; 0.02 -> 0..0.10 =
     * 5 intervals (target); 0.025 -> 0..0.1 = 4 */
    const double w[] = {0, 0.02, 0.04, 0.06, 0.08, 0.10};
    expect_ticks(0.013, 0.087, 5, w, 6, 0.02);
}

Test(ticks, negative_range)
{
    /* -37..-3 with 4: step 10 -> -40..0 = 4 intervals; 5 -> -40..0 = 8 */
    const double w[] = {-40, -30, -20, -10, 0};
    expect_ticks(-37, -3, 4, w, 5, 10);
    /* reversed bounds are accepted */
    expect_ticks(-3, -37, 4, w, 5, 10);
}

Test(ticks, mixed_sign_uses_2_5)
{
    /* -250..1250 with 6: step 250 -> -1..5 = 6 intervals; 200 -> -2..7 = 9;
     * 500 -> -1..3 = 4 */
    const double w[] = {-250, 0, 250, 500, 750, 1000, 1250};
    expect_ticks(-250, 1250, 6, w, 7, 250);
}

Test(ticks, empty_axis_is_penalised)
{
    /* 9..12 with 2. Score = |intervals - 2| + 2 x empty share of the axis:
     * step 1: 9..12, 3 intervals, 0 empty -> 1; step 2: 8..12, 2 intervals,
     * 1/4 empty -> 0.5; step 5: 5..15, 0.7 empty -> 1.4; step 10: 0..20 ->
     * 1.7. Step 2 wins. */
    const double w[] = {8, 10, 12};
    expect_ticks(9, 12, 2, w, 3, 2);
}

Test(ticks, tie_prefers_larger_step)
{
    /* 0..10 with 3: 2.5 gives 4 intervals, 5 gives 2, neither leaves the axis
     * empty: both score 1; 5 wins */
    const double w[] = {0, 5, 10};
    expect_ticks(0, 10, 3, w, 3, 5);
}

Test(ticks, zero_width_range)
{
    /* 5..5 widens by 10^0 = 1 to 4..6; step 0.5 gives exactly 4 intervals */
    const double w[] = {4, 4.5, 5, 5.5, 6};
    expect_ticks(5, 5, 4, w, 5, 0.5);
    /* 0..0 widens to -1..1 */
    const double z[] = {-1, -0.5, 0, 0.5, 1};
    expect_ticks(0, 0, 4, z, 5, 0.5);
    /* 0.2..0.2 widens by 10^-1 to 0.1..0.3; step 0.05 -> 4 intervals */
    const double s[] = {0.1, 0.15, 0.2, 0.25, 0.3};
    expect_ticks(0.2, 0.2, 4, s, 5, 0.05);
}

Test(ticks, respects_max_ticks_and_rejects_bad_input)
{
    double t[4], step;
    /* 0..97, 5, room for 4 ticks: 20 and 25 need 6 and 5; 50 gives 0, 50, 100 */
    cr_expect_eq(chart_nice_ticks(0, 97, 5, t, 4, &step), 3);
    cr_expect_float_eq(step, 50, 1e-9);
    cr_expect_float_eq(t[2], 100, 1e-9);
    cr_expect_eq(chart_nice_ticks(NAN, 1, 5, t, 4, &step), 0);
    cr_expect_eq(chart_nice_ticks(0, INFINITY, 5, t, 4, &step), 0);
    cr_expect_eq(chart_nice_ticks(0, 1, 0, t, 4, &step), 0);
}

Test(ticks, no_negative_zero)
{
    double t[16], step;
    size_t n = chart_nice_ticks(-37, -3, 4, t, 16, &step);
    cr_assert_eq(n, 5);
    cr_expect(!signbit(t[4]), "last tick is -0");
}

Test(layout, label_stride)
{
    /* 12 labels 30 pt wide in 20 pt slots: (30 + 4) / 20 = 1.7 -> every 2nd */
    cr_expect_eq(chart_label_stride(12, 20, 30), 2);
    /* 40 pt slots: all fit */
    cr_expect_eq(chart_label_stride(12, 40, 30), 1);
    /* 60 labels in 5 pt slots: 34 / 5 = 6.8 -> every 7th */
    cr_expect_eq(chart_label_stride(60, 5, 30), 7);
}

Test(palette, distinct_and_status_not_colour_only)
{
    for (size_t i = 0; i < CHART_PALETTE_SIZE; i++)
        for (size_t j = i + 1; j < CHART_PALETTE_SIZE; j++) {
            pdfdoc_rgb_t a = chart_palette(i), b = chart_palette(j);
            cr_expect(a.r != b.r || a.g != b.g || a.b != b.b, "colours %zu and %zu equal", i, j);
        }
    /* neighbouring series differ in marker shape too */
    for (size_t i = 0; i + 1 < 8; i++)
        cr_expect_neq(chart_series_marker(i), chart_series_marker(i + 1));
    /* the three status colours are the Okabe-Ito green, orange and vermillion */
    pdfdoc_rgb_t g = chart_status_color(CHART_STATUS_GREEN);
    pdfdoc_rgb_t r = chart_status_color(CHART_STATUS_RED);
    cr_expect_float_eq(g.g, 0x9E / 255.0f, 0.002);
    cr_expect_float_eq(r.r, 0xD5 / 255.0f, 0.002);
}

/* ---- pdfdoc ----------------------------------------------------------- */

static char *run(const char *cmd)
{
    static char out[65536];
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int rc = pclose(p);
    cr_assert_eq(rc, 0, "'%s' exited with %d: %s", cmd, rc, out);
    return out;
}

static pdfdoc_options_t demo_opts(void)
{
    return (pdfdoc_options_t){.title = "Chart demo", .author = "Zoë Müller",
                              .subject = "opsreport chart module",
                              .created = {2026, 10, 31, 18, 0, 0},
                              .paper = PDFDOC_A4};
}

static pdfdoc_t *new_doc(void)
{
    pdfdoc_options_t o = demo_opts();
    pdfdoc_t *doc = NULL;
    ops_error_t err = {0};
    cr_assert_eq(pdfdoc_new(&o, &doc, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(pdfdoc_add_page(doc, &err), OPS_OK, "%s", err.message);
    return doc;
}

Test(pdfdoc, text_width_and_min_size)
{
    pdfdoc_t *doc = new_doc();
    /* UTF-8 is measured per character, not per byte */
    float whole = pdfdoc_text_width(doc, "Łódź", 12, false);
    float parts = pdfdoc_text_width(doc, "Ł", 12, false) + pdfdoc_text_width(doc, "ó", 12, false) +
                  pdfdoc_text_width(doc, "d", 12, false) + pdfdoc_text_width(doc, "ź", 12, false);
    cr_expect_float_eq(whole, parts, 0.01);
    cr_expect_gt(whole, 12.0f); /* four glyphs of ~0.6 em */
    /* width scales with size; sizes below 8 pt count as 8 */
    cr_expect_float_eq(pdfdoc_text_width(doc, "abc", 16, false),
                       2 * pdfdoc_text_width(doc, "abc", 8, false), 0.01);
    cr_expect_float_eq(pdfdoc_text_width(doc, "abc", 4, false),
                       pdfdoc_text_width(doc, "abc", 8, false), 0.001);
    cr_expect_gt(pdfdoc_text_width(doc, "abc", 9, true), pdfdoc_text_width(doc, "abc", 9, false));
    pdfdoc_free(doc);
}

Test(pdfdoc, letter_paper_and_text_fit)
{
    pdfdoc_options_t o = demo_opts();
    o.paper = PDFDOC_LETTER;
    pdfdoc_t *doc = NULL;
    ops_error_t err = {0};
    cr_assert_eq(pdfdoc_new(&o, &doc, &err), OPS_OK);
    cr_assert_eq(pdfdoc_add_page(doc, &err), OPS_OK);
    /* US Letter is 8.5 x 11 in = 612 x 792 pt */
    cr_expect_float_eq(pdfdoc_page_width(doc), 612, 0.01);
    cr_expect_float_eq(pdfdoc_page_height(doc), 792, 0.01);
    cr_expect_float_eq(pdfdoc_margin(doc), 40, 0.001);
    /* a shortened text ends in the ellipsis and fits */
    pdfdoc_style_t st = {9, false, PDFDOC_BLACK, PDFDOC_LEFT};
    pdfdoc_text_fit(doc, 40, 700, 60, "Łukasz Wiśniewski-Kowalczyk", &st);
    pdfdoc_text_fit(doc, 40, 680, 300, "Fits whole", &st);
    unsigned char *pdf = NULL;
    size_t len = 0;
    cr_assert_eq(pdfdoc_save_to_memory(doc, &pdf, &len, &err), OPS_OK, "%s", err.message);
    cr_expect_gt(len, 1000);
    cr_expect(memcmp(pdf, "%PDF-", 5) == 0);
    char dir[] = "/tmp/test_fit_XXXXXX", path[64], cmd[128];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.pdf", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(pdf, 1, len, f);
    fclose(f);
    free(pdf);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 %s - 2>/dev/null", path);
    char *txt = run(cmd);
    cr_expect(strstr(txt, "Łukasz") != NULL && strstr(txt, "…") != NULL, "%s", txt);
    cr_expect(strstr(txt, "Kowalczyk") == NULL, "%s", txt);
    cr_expect(strstr(txt, "Fits whole") != NULL, "%s", txt);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
    pdfdoc_free(doc);
}

Test(pdfdoc, paragraph_height)
{
    pdfdoc_t *doc = new_doc();
    pdfdoc_style_t st = {10, false, PDFDOC_BLACK, PDFDOC_LEFT};
    /* a box exactly as wide as "aaaa bbbb": three words make two lines;
     * height = 1 x line height (13) + 1.25 x size (12.5) */
    float w = pdfdoc_text_width(doc, "aaaa bbbb", 10, false);
    cr_expect_float_eq(pdfdoc_paragraph(doc, 0, 800, w + 0.01f, "aaaa bbbb cccc", &st, false),
                       13.0f + 12.5f, 0.01);
    /* one line */
    cr_expect_float_eq(pdfdoc_paragraph(doc, 0, 800, 500, "aaaa bbbb cccc", &st, false), 12.5f,
                       0.01);
    /* "\n" forces a break: three lines */
    cr_expect_float_eq(pdfdoc_paragraph(doc, 0, 800, 500, "a\nb\nc", &st, false),
                       2 * 13.0f + 12.5f, 0.01);
    /* a word longer than the box is broken inside: "aaaaaaaa" in a box two
     * "a"s wide takes 4 lines */
    float wa = pdfdoc_text_width(doc, "aa", 10, false);
    cr_expect_float_eq(pdfdoc_paragraph(doc, 0, 800, wa + 0.01f, "aaaaaaaa", &st, false),
                       3 * 13.0f + 12.5f, 0.01);
    cr_expect_float_eq(pdfdoc_paragraph(doc, 0, 800, 100, "", &st, false), 0, 0.001);
    pdfdoc_free(doc);
}

static int pages_started;

static float on_page(pdfdoc_t *doc, void *user)
{
    (void)user;
    pages_started++;
    pdfdoc_style_t st = {9, false, PDFDOC_GREY, PDFDOC_LEFT};
    pdfdoc_text(doc, 40, 810, "continued", &st);
    return 780;
}

Test(pdfdoc, table_continues_on_new_pages)
{
    pdfdoc_t *doc = new_doc();
    ops_error_t err = {0};
    pdfdoc_column_t cols[] = {{"Site", 200, PDFDOC_LEFT}, {"Amount", 100, PDFDOC_RIGHT}};
    pdfdoc_table_t t = {cols, 2, 9, true, on_page, NULL};
    const char *cells[200];
    for (int i = 0; i < 100; i++) {
        cells[2 * i] = "Łódź plant";
        cells[2 * i + 1] = "EUR 1,234.00";
    }
    pages_started = 0;
    /* 9 pt rows are 16.2 pt; bottom margin 40. Page 1: header at 700, rows
     * from 683.8: floor((683.8 - 40) / 16.2) = 39 rows. Pages 2 and 3 start at
     * 780 (callback), header to 763.8: floor(723.8 / 16.2) = 44 rows each
     * page, so 39 + 44 = 83 and 17 rows on page 3, ending at
     * 763.8 - 17 x 16.2 = 488.4. */
    float y = 700;
    cr_assert_eq(pdfdoc_table(doc, &t, 40, &y, cells, 100, NULL, &err), OPS_OK, "%s",
                 err.message);
    cr_expect_eq(pdfdoc_page_count(doc), 3);
    cr_expect_eq(pages_started, 2);
    cr_expect_float_eq(y, 488.4f, 0.01);
    char dir[] = "/tmp/test_table_XXXXXX", path[64], cmd[160];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.pdf", dir);
    cr_assert_eq(pdfdoc_save(doc, path, &err), OPS_OK, "%s", err.message);
    /* header repeated on page 3, with the caller's furniture above it */
    snprintf(cmd, sizeof cmd, "pdftotext -f 3 -l 3 %s - 2>/dev/null", path);
    char *txt = run(cmd);
    cr_expect(strstr(txt, "continued") && strstr(txt, "Amount") && strstr(txt, "Site"), "%s",
              txt);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
    pdfdoc_free(doc);
}

Test(pdfdoc, table_header_never_alone_at_page_foot)
{
    pdfdoc_t *doc = new_doc();
    ops_error_t err = {0};
    pdfdoc_column_t cols[] = {{"Site", 200, PDFDOC_LEFT}, {"Amount", 100, PDFDOC_RIGHT}};
    pdfdoc_table_t t = {cols, 2, 9, false, on_page, NULL};
    const char *cells[] = {"a", "1", "b", "2", "c", "3"};
    pages_started = 0;
    /* at y = 60 header + one row need 32.4 pt, leaving 27.6 < 40 (margin):
     * the table starts on page 2 at 780: header to 763.8, 3 rows to 715.2 */
    float y = 60;
    cr_assert_eq(pdfdoc_table(doc, &t, 40, &y, cells, 3, NULL, &err), OPS_OK, "%s",
                 err.message);
    cr_expect_eq(pdfdoc_page_count(doc), 2);
    cr_expect_eq(pages_started, 1);
    cr_expect_float_eq(y, 715.2f, 0.01);
    /* at y = 73: 73 - 32.4 = 40.6 >= 40, so header and one row stay on page 2,
     * the other two rows go to page 3 */
    y = 73;
    cr_assert_eq(pdfdoc_table(doc, &t, 40, &y, cells, 3, NULL, &err), OPS_OK);
    cr_expect_eq(pdfdoc_page_count(doc), 3);
    cr_expect_float_eq(y, 780 - 16.2f - 2 * 16.2f, 0.01);
    pdfdoc_free(doc);
}

Test(pdfdoc, libharu_error_is_reported_and_nothing_written)
{
    pdfdoc_t *doc = new_doc();
    ops_error_t err = {0};
    /* a negative line width is rejected by libharu through the handler */
    HPDF_Page_SetLineWidth(pdfdoc_page(doc), -1);
    cr_expect_eq(pdfdoc_check(doc, "test", &err), OPS_ERR_OUTPUT);
    cr_expect(strstr(err.message, "libharu error 0x") != NULL, "%s", err.message);
    char dir[] = "/tmp/test_pdferr_XXXXXX", path[64], tmp[72];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.pdf", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cr_expect_eq(pdfdoc_save(doc, path, &err), OPS_ERR_OUTPUT);
    cr_expect_neq(access(path, F_OK), 0);
    cr_expect_neq(access(tmp, F_OK), 0);
    /* after a reset the document saves */
    pdfdoc_reset_error(doc);
    cr_expect_eq(pdfdoc_save(doc, path, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(access(path, F_OK), 0);
    cr_expect_neq(access(tmp, F_OK), 0);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
    pdfdoc_free(doc);
}

Test(pdfdoc, invalid_date_and_missing_font)
{
    ops_error_t err = {0};
    pdfdoc_t *doc = (pdfdoc_t *)1;
    pdfdoc_options_t o = demo_opts();
    o.created.month = 13;
    cr_expect_eq(pdfdoc_new(&o, &doc, &err), OPS_ERR_OUTPUT);
    cr_expect_null(doc);
    o = demo_opts();
    o.font_path = "/nonexistent/font.ttf";
    cr_expect_eq(pdfdoc_new(&o, &doc, &err), OPS_ERR_INPUT);
    cr_expect_str_eq(err.file, "/nonexistent/font.ttf");
}

/* ---- the demo: every chart type ---------------------------------------- */

static const char *months[] = {"Nov", "Dec", "Jan", "Feb", "Mar", "Apr",
                               "May", "Jun", "Jul", "Aug", "Sep", "Oct"};

static void demo_page1(pdfdoc_t *doc)
{
    ops_error_t err = {0};
    float W = pdfdoc_page_width(doc), H = pdfdoc_page_height(doc), m = pdfdoc_margin(doc);
    pdfdoc_style_t h1 = {16, true, PDFDOC_BLACK, PDFDOC_LEFT};
    pdfdoc_style_t body = {9, false, PDFDOC_BLACK, PDFDOC_LEFT};
    pdfdoc_text(doc, m, H - m - 16, "Chart demo – Łódź plant", &h1);
    pdfdoc_text(doc, W - m, H - m - 16, "Prepared for Zoë Müller",
                &(pdfdoc_style_t){9, false, PDFDOC_GREY, PDFDOC_RIGHT});

    /* status symbols with labels */
    const char *st_lab[] = {"On target", "Watch", "Off target"};
    for (int i = 0; i < 3; i++) {
        float x = m + (float)i * 110;
        chart_draw_status(doc, x + 6, H - m - 40, 12, (chart_status_t)i);
        pdfdoc_text(doc, x + 18, H - m - 43, st_lab[i], &body);
    }
    /* sparklines in a row, each with its last value */
    double sp1[] = {5, 6, 5.5, 7, 8, 7.5, 9, 10, 9.5, 11, 12, 12.5};
    double sp2[] = {3, 3.2, NAN, 3.1, 2.8, 2.9, 2.7, 2.5, 2.6, 2.4, 2.3, 2.1};
    double sp3[] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
    const double *sps[] = {sp1, sp2, sp3};
    const char *spl[] = {"Revenue 12.5M", "Scrap 2.1%", "Headcount 4"};
    for (int i = 0; i < 3; i++) {
        float x = m + 340;
        float y = H - m - 36 - (float)i * 20;
        chart_draw_sparkline(doc, &(chart_rect_t){x, y - 6, 60, 16}, sps[i], 12, &err);
        pdfdoc_text(doc, x + 66, y - 1, spl[i], &body);
    }

    double actual[] = {410, 425, 398, 440, 452, NAN, 470, 488, 479, 502, 515, 530};
    double budget[] = {400, 410, 420, 430, 440, 450, 460, 470, 480, 490, 500, 510};
    double prior[] = {380, 392, 385, 401, 415, 420, 418, 430, 441, 450, 455, 466};
    chart_series_t ls[] = {{"Actual", actual}, {"Budget", budget}, {"Prior year", prior}};
    float cw = (W - 2 * m - 20) / 2, ch = 190;
    float row1 = H - m - 110 - ch;
    chart_data_t line = {.title = "Revenue (line, markers, NaN gap)", .categories = months,
                         .n_categories = 12, .series = ls, .n_series = 3, .y_unit = "EUR k",
                         .markers = true};
    cr_expect_eq(chart_draw_line(doc, &(chart_rect_t){m, row1, cw, ch}, &line, &err), OPS_OK,
                 "%s", err.message);

    double tickets[] = {1200, 1350, 980, 1500, 1720, 1610, 1480, 1900, 2100, 1870, 2240, 2480};
    chart_series_t bs[] = {{"Tickets", tickets}};
    chart_data_t bar = {.title = "Tickets opened (bar, target line)", .categories = months,
                        .n_categories = 12, .series = bs, .n_series = 1,
                        .ref_label = "Target 2,000", .ref_value = 2000};
    cr_expect_eq(chart_draw_bar(doc, &(chart_rect_t){m + cw + 20, row1, cw, ch}, &bar, &err),
                 OPS_OK, "%s", err.message);

    const char *sites[] = {"Łódź", "Lyon", "Porto", "Brno", "Graz"};
    double v1[] = {12.5, -4.2, 8.1, 3.3, NAN};
    double v2[] = {10.1, -1.5, 9.7, -2.8, 6.4};
    double v3[] = {7.4, 2.2, 11.3, 1.1, 5.0};
    chart_series_t gs[] = {{"2024", v1}, {"2025", v2}, {"2026", v3}};
    chart_data_t grouped = {.title = "Margin by site, % (grouped, negatives)",
                            .categories = sites, .n_categories = 5, .series = gs,
                            .n_series = 3};
    float row2 = row1 - 30 - ch;
    cr_expect_eq(chart_draw_grouped_bar(doc, &(chart_rect_t){m, row2, cw, ch}, &grouped, &err),
                 OPS_OK, "%s", err.message);

    /* forecast fan: history then 6 months of forecast with 80% and 95% bands */
    static const char *fmonths[] = {"May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                    "Nov", "Dec", "Jan", "Feb", "Mar", "Apr"};
    double hist[] = {1.10e6, 1.18e6, 1.15e6, 1.24e6, 1.31e6, 1.29e6,
                     NAN, NAN, NAN, NAN, NAN, NAN};
    double fc[] = {NAN, NAN, NAN, NAN, NAN, 1.29e6, 1.33e6, 1.36e6, 1.40e6, 1.43e6, 1.47e6,
                   1.50e6};
    double lo95[12], hi95[12], lo80[12], hi80[12];
    for (int i = 0; i < 12; i++) {
        double k = i < 5 ? NAN : (i - 5) * 0.035e6;
        lo95[i] = fc[i] - 1.96 * k;
        hi95[i] = fc[i] + 1.96 * k;
        lo80[i] = fc[i] - 1.28 * k;
        hi80[i] = fc[i] + 1.28 * k;
    }
    chart_series_t fs[] = {{"Actual", hist}, {"Forecast", fc}};
    chart_band_t bands[] = {{"95% range", lo95, hi95}, {"80% range", lo80, hi80}};
    chart_data_t band = {.title = "Cash forecast (band/fan)", .categories = fmonths,
                         .n_categories = 12, .series = fs, .n_series = 2, .y_unit = "EUR"};
    cr_expect_eq(chart_draw_band(doc, &(chart_rect_t){m + cw + 20, row2, cw, ch}, &band, bands,
                                 2, &err),
                 OPS_OK, "%s", err.message);

    /* a crowded axis: 36 weekly labels get thinned */
    const char *weeks[36];
    char wk[36][16];
    double wv[36];
    for (int i = 0; i < 36; i++) {
        snprintf(wk[i], sizeof wk[i], "W%02d", i + 1);
        weeks[i] = wk[i];
        wv[i] = 50 + 20 * sin(i / 4.0) + i;
    }
    chart_series_t ws[] = {{"Orders", wv}};
    chart_data_t weekly = {.title = "Weekly orders (crowded labels thinned)", .categories = weeks,
                           .n_categories = 36, .series = ws, .n_series = 1};
    float row3 = row2 - 30 - 150;
    cr_expect_eq(chart_draw_line(doc, &(chart_rect_t){m, row3, W - 2 * m, 150}, &weekly, &err),
                 OPS_OK, "%s", err.message);
}

static void demo_page2(pdfdoc_t *doc)
{
    ops_error_t err = {0};
    float W = pdfdoc_page_width(doc), H = pdfdoc_page_height(doc), m = pdfdoc_margin(doc);
    float cw = (W - 2 * m - 20) / 2;
    /* 5 x 5 risk matrix: row 0 is likelihood 1 (bottom) */
    double risks[25] = {3, 2, 1, 0, 0,  /* likelihood 1 */
                        4, 5, 2, 1, 0,  /* 2 */
                        1, 6, 8, 3, 1,  /* 3 */
                        0, 2, 4, 9, 2,  /* 4 */
                        0, 0, 1, 3, 12}; /* 5 */
    const char *lik[] = {"Rare", "Unlikely", "Possible", "Likely", "Certain"};
    const char *imp[] = {"Minor", "Moderate", "Major", "Severe", "Critical"};
    chart_heatmap_t hm = {.title = "Open risks (heat map)", .n_rows = 5, .n_cols = 5,
                          .values = risks, .row_labels = lik, .col_labels = imp,
                          .row_title = "Likelihood", .col_title = "Impact", .decimals = 0};
    float top = H - m - 220;
    cr_expect_eq(chart_draw_heatmap(doc, &(chart_rect_t){m, top, cw, 220}, &hm, &err), OPS_OK,
                 "%s", err.message);

    double scrap[] = {2.1, 2.3, 1.9, 2.0, 2.2, 3.4, 2.1, 1.8, 2.0, NAN, 2.2, 0.6,
                      2.1, 2.4, 2.0, 1.9};
    const char *wk[] = {"W27", "W28", "W29", "W30", "W31", "W32", "W33", "W34",
                        "W35", "W36", "W37", "W38", "W39", "W40", "W41", "W42"};
    chart_control_t cc = {.title = "Scrap rate % (control chart)", .categories = wk, .n = 16,
                          .values = scrap, .name = "Scrap %", .centre = 2.08, .lcl = 1.05,
                          .ucl = 3.11};
    cr_expect_eq(chart_draw_control(doc, &(chart_rect_t){m + cw + 20, top, cw, 220}, &cc, &err),
                 OPS_OK, "%s", err.message);

    pdfdoc_style_t h2 = {12, true, PDFDOC_BLACK, PDFDOC_LEFT};
    pdfdoc_style_t body = {10, false, PDFDOC_BLACK, PDFDOC_LEFT};
    float y = top - 30;
    pdfdoc_text(doc, m, y, "What needs attention", &h2);
    y -= 8;
    y -= pdfdoc_paragraph(doc, m, y, W - 2 * m,
                          "Operating expense is 7.2% over budget YTD, driven by freight "
                          "(EUR 184k). Scrap rate at the Łódź plant was outside its control "
                          "limits in W32 (3.4%; limits 1.05% to 3.11%). Zoë Müller owns the "
                          "corrective action; this paragraph wraps to the width of the page.",
                          &body, true) + 12;
    pdfdoc_column_t cols[] = {{"", 18, PDFDOC_LEFT},
                              {"KPI", 190, PDFDOC_LEFT},
                              {"Value", 80, PDFDOC_RIGHT},
                              {"Target", 80, PDFDOC_RIGHT},
                              {"Trend", 70, PDFDOC_CENTER},
                              {"Owner", W - 2 * m - 438, PDFDOC_LEFT}};
    const char *cells[] = {
        NULL, "Operating expense vs budget", "+7.2%", "0.0%", NULL, "Zoë Müller",
        NULL, "Scrap rate, Łódź plant", "2.2%", "2.5%", NULL, "Łukasz Wiśniewski-Kowalczyk",
        NULL, "On-time in full", "94.1%", "95.0%", NULL, "Ana",
        NULL, "Total", "", "", NULL, ""};
    unsigned flags[] = {0, 0, 0, PDFDOC_ROW_BOLD | PDFDOC_ROW_RULE_ABOVE};
    pdfdoc_table_t t = {cols, 6, 9, true, NULL, NULL};
    float ty = y;
    cr_expect_eq(pdfdoc_table(doc, &t, m, &ty, cells, 4, flags, &err), OPS_OK, "%s",
                 err.message);
    /* status symbols and sparklines drawn into the table's cells */
    chart_status_t sts[] = {CHART_STATUS_RED, CHART_STATUS_GREEN, CHART_STATUS_AMBER};
    double tr[3][6] = {{1, 2, 3, 5, 6, 7.2}, {2.6, 2.4, 2.5, 2.3, 2.1, 2.2}, {96, 95, 95, 94, 94.5, 94.1}};
    for (int i = 0; i < 3; i++) {
        float rowtop = y - 16.2f * (float)(i + 1);
        chart_draw_status(doc, m + 9, rowtop - 8.1f, 10, sts[i]);
        chart_draw_sparkline(doc, &(chart_rect_t){m + 18 + 190 + 160 + 8, rowtop - 14, 54, 12},
                             tr[i], 6, &err);
    }
}

/* Edge cases, small rectangles: all NaN, one category, all negative, billions,
 * Letter-size-independent layout. Each must draw without error. */
static void demo_page3(pdfdoc_t *doc)
{
    ops_error_t err = {0};
    float H = pdfdoc_page_height(doc), m = pdfdoc_margin(doc);
    float w = 160, h = 120, gap = 17;
    const char *cat1[] = {"Oct"};
    double nan3[] = {NAN, NAN, NAN};
    double one[] = {42};
    double neg[] = {-120, -80, -95, -130};
    double big[] = {1.2e9, 2.5e9, 1.9e9, 3.1e9};
    const char *q[] = {"Q1", "Q2", "Q3", "Q4"};
    chart_series_t s_nan[] = {{"Nothing", nan3}};
    chart_series_t s_one[] = {{"One", one}};
    chart_series_t s_neg[] = {{"Loss", neg}};
    chart_series_t s_big[] = {{"Revenue", big}};
    chart_data_t d_nan = {.title = "All NaN", .categories = q, .n_categories = 3,
                          .series = s_nan, .n_series = 1};
    chart_data_t d_one = {.title = "One point", .categories = cat1, .n_categories = 1,
                          .series = s_one, .n_series = 1};
    chart_data_t d_neg = {.title = "All negative", .categories = q, .n_categories = 4,
                          .series = s_neg, .n_series = 1};
    chart_data_t d_big = {.title = "Billions, a very long title that must be shortened",
                          .categories = q, .n_categories = 4, .series = s_big, .n_series = 1,
                          .y_unit = "EUR"};
    float y = H - m - h;
    cr_expect_eq(chart_draw_line(doc, &(chart_rect_t){m, y, w, h}, &d_nan, &err), OPS_OK);
    cr_expect_eq(chart_draw_line(doc, &(chart_rect_t){m + w + gap, y, w, h}, &d_one, &err),
                 OPS_OK);
    cr_expect_eq(chart_draw_bar(doc, &(chart_rect_t){m + 2 * (w + gap), y, w, h}, &d_neg,
                                &err), OPS_OK);
    y -= h + 30;
    cr_expect_eq(chart_draw_bar(doc, &(chart_rect_t){m, y, w, h}, &d_big, &err), OPS_OK);
    double hv[6] = {1, NAN, 0, 2, 5, 3};
    chart_heatmap_t hm = {.title = "2 x 3, default labels", .n_rows = 2, .n_cols = 3,
                          .values = hv};
    cr_expect_eq(chart_draw_heatmap(doc, &(chart_rect_t){m + w + gap, y, w, h}, &hm, &err),
                 OPS_OK);
    double cv[] = {10, 11, 9, 10, 12};
    chart_control_t cc = {.title = "No limits", .n = 5, .values = cv, .name = "Value",
                          .centre = 10.4, .lcl = NAN, .ucl = NAN};
    cr_expect_eq(chart_draw_control(doc, &(chart_rect_t){m + 2 * (w + gap), y, w, h}, &cc,
                                    &err), OPS_OK);
}

/* Builds the demo and saves it to path (twice: path and path2 from the same
 * document, when path2 is not NULL). */
static void build_demo(const char *path, const char *path2)
{
    pdfdoc_options_t o = demo_opts();
    pdfdoc_t *doc = NULL;
    ops_error_t err = {0};
    cr_assert_eq(pdfdoc_new(&o, &doc, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(pdfdoc_add_page(doc, &err), OPS_OK);
    demo_page1(doc);
    cr_assert_eq(pdfdoc_add_page(doc, &err), OPS_OK);
    demo_page2(doc);
    cr_assert_eq(pdfdoc_add_page(doc, &err), OPS_OK);
    demo_page3(doc);
    cr_assert_eq(pdfdoc_save(doc, path, &err), OPS_OK, "%s", err.message);
    if (path2)
        cr_assert_eq(pdfdoc_save(doc, path2, &err), OPS_OK, "%s", err.message);
    pdfdoc_free(doc);
}

/* True when the file starts with the PDF header (a stale-buffer read once
 * returned garbage here on the second save). */
static bool has_pdf_header(const char *path)
{
    char head[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(head, 1, 5, f);
    fclose(f);
    return n == 5 && memcmp(head, "%PDF-", 5) == 0;
}

static bool same_bytes(const char *a, const char *b)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

Test(demo, every_chart_type_valid_embedded_and_reproducible, .timeout = 60)
{
    /* Saving twice from one document once returned stale bytes (libharu's
     * stream read pointer); plain malloc usually hides that by reusing the
     * buffer, so this check bites reliably under `make asan`. */
    const char *keep = getenv("CHART_DEMO_DIR");
    char dir[256];
    if (keep && *keep) {
        snprintf(dir, sizeof dir, "%s", keep);
        mkdir(dir, 0755);
    } else {
        snprintf(dir, sizeof dir, "/tmp/test_chart_XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
    }
    char a[300], b[300], c[300], cmd[700];
    snprintf(a, sizeof a, "%s/chart_demo.pdf", dir);
    snprintf(b, sizeof b, "%s/chart_demo_again.pdf", dir);
    snprintf(c, sizeof c, "%s/chart_demo_rebuilt.pdf", dir);
    build_demo(a, b);
    build_demo(c, NULL);

    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", a);
    char *out = run(cmd);
    cr_expect(strstr(out, "No syntax or stream encoding errors") != NULL, "%s", out);

    /* every font row of pdffonts must say emb = yes; the row ends with
     * "emb sub uni objnum gen", so emb is the fifth field from the end */
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", a);
    out = run(cmd);
    int fonts = 0;
    char *save = NULL;
    int lineno = 0;
    for (char *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        if (++lineno <= 2)
            continue; /* header and dashes */
        char *tok[32];
        int nt = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(ln, " ", &s2); t && nt < 32; t = strtok_r(NULL, " ", &s2))
            tok[nt++] = t;
        cr_assert_geq(nt, 6);
        cr_expect_str_eq(tok[nt - 5], "yes", "font %s is not embedded", tok[0]);
        fonts++;
    }
    cr_expect_geq(fonts, 2, "expected the regular and bold fonts");

    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", a);
    out = run(cmd);
    cr_expect(strstr(out, "Zoë Müller") != NULL, "Zoë Müller not found");
    cr_expect(strstr(out, "Łódź") != NULL, "Łódź not found");
    cr_expect(strstr(out, "Likelihood") != NULL, "vertical heat map title not found");
    cr_expect(strstr(out, "UCL 3.11") != NULL, "control limit label not found");

    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", a);
    out = run(cmd);
    cr_expect(strstr(out, "Pages:           3") != NULL, "%s", out);
    cr_expect(strstr(out, "CreationDate:    Sat Oct 31 18:00:00 2026 UTC") != NULL, "%s", out);

    cr_expect(has_pdf_header(a) && has_pdf_header(b) && has_pdf_header(c));
    cr_expect(same_bytes(a, b), "saving the same document twice differs");
    cr_expect(same_bytes(a, c), "building the document again differs");
    if (!(keep && *keep)) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        cr_expect_eq(system(cmd), 0);
    }
}
