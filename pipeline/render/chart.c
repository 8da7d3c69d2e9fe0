/*
 * chart.c - line, bar, band, sparkline, heat map and control charts drawn
 * with libharu path primitives.
 *
 * Hand-written, because nothing on the stack draws charts into a libharu page
 * (libxlsxwriter's charts live in Excel only). The axis charts share one
 * frame: the rectangle is cut, top down, into title, legend, unit caption and
 * plot area; the left edge gives way to the widest y tick label and the
 * bottom to the category labels. Values map to the plot area linearly; a
 * category i sits at the centre of slot i of n equal slots, so lines and bars
 * line up under the same labels.
 *
 * Every chart runs between HPDF_Page_GSave and GRestore, so line width, dash
 * and colour changes never leak into the caller's drawing, and ends with
 * pdfdoc_check so a libharu failure surfaces as an ops_error_t.
 */
#include "opsreport/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opsreport/numfmt.h"

#define TICK_FONT 8.0f
#define TITLE_FONT 10.0f
#define LEGEND_FONT 8.0f
#define MAX_TICKS 16

/* Okabe & Ito (2008) colours, ordered so consecutive series also differ in
 * lightness (greyscale ~ 87, 162, 106, 151, 158, 119, 0 of 255). Yellow is
 * left out: too light on white paper. */
static const pdfdoc_rgb_t palette[CHART_PALETTE_SIZE] = {
    {0.000f, 0.447f, 0.698f}, /* blue #0072B2 */
    {0.902f, 0.624f, 0.000f}, /* orange #E69F00 */
    {0.000f, 0.620f, 0.451f}, /* bluish green #009E73 */
    {0.800f, 0.475f, 0.655f}, /* reddish purple #CC79A7 */
    {0.337f, 0.706f, 0.914f}, /* sky blue #56B4E9 */
    {0.835f, 0.369f, 0.000f}, /* vermillion #D55E00 */
    {0.000f, 0.000f, 0.000f}, /* black */
};

/* Dash patterns in points (libharu takes whole numbers): solid, dashed,
 * dotted, dash-dot. */
static const HPDF_UINT16 dash_pat[4][4] = {{0}, {6, 3}, {2, 2}, {7, 2, 2, 2}};
static const HPDF_UINT dash_len[4] = {0, 2, 2, 4};

static const pdfdoc_rgb_t ink = {0.20f, 0.20f, 0.20f};   /* axis text */
static const pdfdoc_rgb_t grid = {0.86f, 0.86f, 0.86f};

pdfdoc_rgb_t chart_palette(size_t i) { return palette[i % CHART_PALETTE_SIZE]; }
chart_marker_t chart_series_marker(size_t i) { return (chart_marker_t)(i % CHART_MARKER_COUNT); }

pdfdoc_rgb_t chart_status_color(chart_status_t status)
{
    switch (status) {
    case CHART_STATUS_GREEN: return palette[2];
    case CHART_STATUS_AMBER: return palette[1];
    default: return palette[5];
    }
}

/* ---- ticks ------------------------------------------------------------ */

size_t chart_nice_ticks(double lo, double hi, int target, double *ticks, size_t max_ticks,
                        double *step)
{
    if (!isfinite(lo) || !isfinite(hi) || target < 1 || max_ticks < 2)
        return 0;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi - lo <= fabs(hi) * 1e-12) { /* zero width: one unit of its magnitude each side */
        double m = hi != 0 ? pow(10.0, floor(log10(fabs(hi)))) : 1.0;
        lo -= m;
        hi += m;
    }
    static const double mult[] = {1.0, 2.0, 2.5, 5.0};
    double raw = (hi - lo) / target;
    double p0 = pow(10.0, floor(log10(raw)));
    double best_s = 0, best_score = INFINITY;
    long best_i0 = 0, best_i1 = 0;
    /* candidates around the raw step: decades p0/10 .. p0*10 */
    for (int e = -1; e <= 1; e++) {
        for (size_t m = 0; m < sizeof mult / sizeof mult[0]; m++) {
            double s = mult[m] * p0 * pow(10.0, e);
            long i0 = (long)floor(lo / s + 1e-9);
            long i1 = (long)ceil(hi / s - 1e-9);
            long intervals = i1 - i0;
            if (intervals < 1 || (size_t)(intervals + 1) > max_ticks)
                continue;
            /* distance from the target, plus a penalty for the share of the
             * axis left empty: 9..12 in 2 intervals is 8..12, not 0..20 */
            double span = (double)intervals * s;
            double waste = (span - (hi - lo)) / span;
            double score = fabs((double)intervals - target) + 2.0 * waste;
            /* ties go to the larger step: fewer, less crowded labels */
            if (score < best_score - 1e-9 || (fabs(score - best_score) <= 1e-9 && s > best_s)) {
                best_score = score;
                best_s = s;
                best_i0 = i0;
                best_i1 = i1;
            }
        }
    }
    if (best_s == 0)
        return 0;
    size_t n = 0;
    for (long i = best_i0; i <= best_i1; i++) {
        double v = (double)i * best_s; /* multiply, never accumulate */
        ticks[n++] = v == 0 ? 0.0 : v;   /* no -0 */
    }
    if (step)
        *step = best_s;
    return n;
}

size_t chart_label_stride(size_t n, float slot_width, float max_label_width)
{
    if (n == 0 || slot_width <= 0)
        return 1;
    size_t k = (size_t)ceilf((max_label_width + 4.0f) / slot_width);
    return k < 1 ? 1 : k;
}

/* ---- small drawing helpers --------------------------------------------- */

static void set_dash(HPDF_Page page, size_t style)
{
    style %= 4;
    HPDF_Page_SetDash(page, dash_len[style] ? dash_pat[style] : NULL, dash_len[style], 0);
}

static void text(pdfdoc_t *doc, float x, float y, const char *s, float size, bool bold,
                 pdfdoc_rgb_t c, pdfdoc_align_t align)
{
    pdfdoc_style_t st = {size, bold, c, align};
    pdfdoc_text(doc, x, y, s, &st);
}

static void marker(HPDF_Page page, chart_marker_t m, float x, float y, float size,
                   pdfdoc_rgb_t c)
{
    float h = size / 2;
    HPDF_Page_SetRGBFill(page, c.r, c.g, c.b);
    HPDF_Page_SetRGBStroke(page, 1, 1, 1);
    HPDF_Page_SetLineWidth(page, 0.5f);
    HPDF_Page_SetDash(page, NULL, 0, 0);
    switch (m) {
    case CHART_MARKER_CIRCLE:
        HPDF_Page_Circle(page, x, y, h);
        break;
    case CHART_MARKER_SQUARE:
        HPDF_Page_Rectangle(page, x - h * 0.9f, y - h * 0.9f, size * 0.9f, size * 0.9f);
        break;
    case CHART_MARKER_TRIANGLE:
        HPDF_Page_MoveTo(page, x - h * 1.1f, y - h * 0.8f);
        HPDF_Page_LineTo(page, x + h * 1.1f, y - h * 0.8f);
        HPDF_Page_LineTo(page, x, y + h * 1.1f);
        HPDF_Page_ClosePath(page);
        break;
    case CHART_MARKER_DIAMOND:
        HPDF_Page_MoveTo(page, x, y - h * 1.2f);
        HPDF_Page_LineTo(page, x + h * 1.2f, y);
        HPDF_Page_LineTo(page, x, y + h * 1.2f);
        HPDF_Page_LineTo(page, x - h * 1.2f, y);
        HPDF_Page_ClosePath(page);
        break;
    default: /* cross: stroked in the series colour */
        HPDF_Page_SetRGBStroke(page, c.r, c.g, c.b);
        HPDF_Page_SetLineWidth(page, size * 0.28f);
        HPDF_Page_MoveTo(page, x - h, y - h);
        HPDF_Page_LineTo(page, x + h, y + h);
        HPDF_Page_MoveTo(page, x - h, y + h);
        HPDF_Page_LineTo(page, x + h, y - h);
        HPDF_Page_Stroke(page);
        return;
    }
    HPDF_Page_FillStroke(page);
}

/* Diagonal white lines over a rectangle, to tell bar series apart without
 * colour. */
static void hatch(HPDF_Page page, float x, float y, float w, float h)
{
    if (w <= 0 || h <= 0)
        return;
    HPDF_Page_GSave(page);
    HPDF_Page_Rectangle(page, x, y, w, h);
    HPDF_Page_Clip(page);
    HPDF_Page_EndPath(page);
    HPDF_Page_SetRGBStroke(page, 1, 1, 1);
    HPDF_Page_SetLineWidth(page, 1.0f);
    HPDF_Page_SetDash(page, NULL, 0, 0);
    for (float d = -h; d < w; d += 4.0f) {
        HPDF_Page_MoveTo(page, x + d, y);
        HPDF_Page_LineTo(page, x + d + h, y + h);
    }
    HPDF_Page_Stroke(page);
    HPDF_Page_GRestore(page);
}

static pdfdoc_rgb_t tint(pdfdoc_rgb_t c, float f) /* f = 1: colour, 0: white */
{
    return (pdfdoc_rgb_t){1 - f * (1 - c.r), 1 - f * (1 - c.g), 1 - f * (1 - c.b)};
}

static pdfdoc_rgb_t band_color(size_t k, size_t n)
{
    float f = n <= 1 ? 0.3f : 0.2f + 0.25f * (float)k / (float)(n - 1);
    return tint(palette[0], f);
}

/* ---- legend ----------------------------------------------------------- */

typedef enum { LEG_LINE, LEG_BOX, LEG_MARKER, LEG_REF } leg_kind_t;

typedef struct {
    leg_kind_t kind;
    const char *label;
    pdfdoc_rgb_t color;
    size_t style;          /* dash pattern index */
    bool with_marker;
    chart_marker_t marker;
    bool hatched;
    float line_width;
} legend_item_t;

#define SWATCH_W 16.0f

static void legend_swatch(HPDF_Page page, const legend_item_t *it, float x, float y)
{
    /* (x, y): bottom-left of a 16 x 8 pt swatch */
    switch (it->kind) {
    case LEG_BOX:
        HPDF_Page_SetRGBFill(page, it->color.r, it->color.g, it->color.b);
        HPDF_Page_Rectangle(page, x + 3, y, 10, 8);
        HPDF_Page_Fill(page);
        if (it->hatched)
            hatch(page, x + 3, y, 10, 8);
        break;
    case LEG_MARKER:
        marker(page, it->marker, x + 8, y + 4, 7, it->color);
        break;
    case LEG_LINE:
    case LEG_REF:
        HPDF_Page_SetRGBStroke(page, it->color.r, it->color.g, it->color.b);
        HPDF_Page_SetLineWidth(page, it->line_width);
        set_dash(page, it->style);
        HPDF_Page_MoveTo(page, x, y + 4);
        HPDF_Page_LineTo(page, x + SWATCH_W, y + 4);
        HPDF_Page_Stroke(page);
        HPDF_Page_SetDash(page, NULL, 0, 0);
        if (it->with_marker)
            marker(page, it->marker, x + 8, y + 4, 5, it->color);
        break;
    }
}

/* Lays the items out left to right from (x, top), wrapping at width; draws
 * them if draw. Returns the height used. */
static float legend(pdfdoc_t *doc, const legend_item_t *items, size_t n, float x, float top,
                    float width, bool draw)
{
    if (n == 0)
        return 0;
    const float row_h = 12.0f, gap = 10.0f;
    float cx = x, rows = 1;
    for (size_t i = 0; i < n; i++) {
        const char *label = items[i].label ? items[i].label : "";
        float w = SWATCH_W + 3 + pdfdoc_text_width(doc, label, LEGEND_FONT, false);
        if (cx > x && cx + w > x + width) {
            cx = x;
            rows++;
        }
        if (draw) {
            float base = top - rows * row_h + 3;
            legend_swatch(pdfdoc_page(doc), &items[i], cx, base - 1);
            text(doc, cx + SWATCH_W + 3, base, label, LEGEND_FONT, false, ink, PDFDOC_LEFT);
        }
        cx += w + gap;
    }
    return rows * row_h;
}

/* ---- the axis frame --------------------------------------------------- */

typedef struct {
    pdfdoc_t *doc;
    HPDF_Page page;
    float px, py, pw, ph;      /* plot area */
    double ticks[MAX_TICKS];
    size_t nt;
    double step, ymin, ymax;
    size_t n;                  /* categories */
} frame_t;

static float fy(const frame_t *f, double v)
{
    return f->py + (float)((v - f->ymin) / (f->ymax - f->ymin)) * f->ph;
}

static float fx(const frame_t *f, size_t i)
{
    return f->px + ((float)i + 0.5f) * f->pw / (float)f->n;
}

typedef struct {
    double lo, hi;
    bool any;
} range_t;

static void range_add(range_t *r, double v)
{
    if (!isfinite(v))
        return;
    if (!r->any) {
        r->lo = r->hi = v;
        r->any = true;
    } else {
        r->lo = fmin(r->lo, v);
        r->hi = fmax(r->hi, v);
    }
}

/* Title, legend, unit caption, y ticks/grid, category labels. Returns false
 * when there is nothing to plot ("No data" is written instead). */
static bool frame_layout(frame_t *f, pdfdoc_t *doc, const chart_rect_t *r, const char *title,
                         const legend_item_t *items, size_t n_items, const char *y_unit,
                         range_t yr, bool include_zero, const char *const *cats, size_t n,
                         float right_pad)
{
    memset(f, 0, sizeof *f);
    f->doc = doc;
    f->page = pdfdoc_page(doc);
    f->n = n;
    float top = r->y + r->h;
    if (title) {
        pdfdoc_style_t st = {TITLE_FONT, true, PDFDOC_BLACK, PDFDOC_LEFT};
        pdfdoc_text_fit(doc, r->x, top - TITLE_FONT, r->w, title, &st);
        top -= TITLE_FONT + 6;
    }
    if (n_items > 0)
        top -= legend(doc, items, n_items, r->x, top, r->w, true) + 2;
    if (!yr.any || n == 0) {
        text(doc, r->x + r->w / 2, r->y + (top - r->y) / 2, "No data", 9, false, PDFDOC_GREY,
             PDFDOC_CENTER);
        return false;
    }
    if (y_unit) {
        text(doc, r->x, top - TICK_FONT, y_unit, TICK_FONT, false, ink, PDFDOC_LEFT);
        top -= TICK_FONT + 4;
    }
    if (include_zero)
        range_add(&yr, 0.0);
    float bottom = r->y + (cats ? 13.0f : 4.0f);
    float est_h = top - 4 - bottom;
    int target = (int)lroundf(est_h / 32.0f);
    target = target < 2 ? 2 : target > 8 ? 8 : target;
    f->nt = chart_nice_ticks(yr.lo, yr.hi, target, f->ticks, MAX_TICKS, &f->step);
    if (f->nt < 2) {
        text(doc, r->x + r->w / 2, r->y + (top - r->y) / 2, "No data", 9, false, PDFDOC_GREY,
             PDFDOC_CENTER);
        return false;
    }
    f->ymin = f->ticks[0];
    f->ymax = f->ticks[f->nt - 1];
    double max_abs = fmax(fabs(f->ymin), fabs(f->ymax));
    char labels[MAX_TICKS][32];
    float lw = 0;
    for (size_t i = 0; i < f->nt; i++) {
        numfmt_tick(labels[i], sizeof labels[i], f->ticks[i], f->step, max_abs);
        lw = fmaxf(lw, pdfdoc_text_width(doc, labels[i], TICK_FONT, false));
    }
    f->px = r->x + lw + 5;
    f->pw = r->x + r->w - right_pad - f->px;
    f->py = bottom;
    f->ph = top - 4 - bottom;
    if (f->pw < 10 || f->ph < 10)
        return false;

    HPDF_Page page = f->page;
    HPDF_Page_SetLineWidth(page, 0.5f);
    HPDF_Page_SetDash(page, NULL, 0, 0);
    for (size_t i = 0; i < f->nt; i++) {
        float y = fy(f, f->ticks[i]);
        bool zero = f->ticks[i] == 0;
        pdfdoc_set_stroke(doc, zero ? ink : grid);
        HPDF_Page_SetLineWidth(page, zero ? 0.8f : 0.5f);
        HPDF_Page_MoveTo(page, f->px, y);
        HPDF_Page_LineTo(page, f->px + f->pw, y);
        HPDF_Page_Stroke(page);
        text(doc, f->px - 4, y - 2.8f, labels[i], TICK_FONT, false, ink, PDFDOC_RIGHT);
    }
    /* baseline of the plot when zero is not on the axis */
    if (f->ymin != 0) {
        pdfdoc_set_stroke(doc, ink);
        HPDF_Page_SetLineWidth(page, 0.8f);
        HPDF_Page_MoveTo(page, f->px, f->py);
        HPDF_Page_LineTo(page, f->px + f->pw, f->py);
        HPDF_Page_Stroke(page);
    }
    if (cats) {
        float maxw = 0;
        for (size_t i = 0; i < n; i++)
            if (cats[i])
                maxw = fmaxf(maxw, pdfdoc_text_width(doc, cats[i], TICK_FONT, false));
        size_t k = chart_label_stride(n, f->pw / (float)n, maxw);
        for (size_t i = 0; i < n; i++) {
            if ((n - 1 - i) % k != 0 || !cats[i])
                continue;
            float x = fx(f, i);
            /* keep the end labels inside the chart rectangle */
            float w = pdfdoc_text_width(doc, cats[i], TICK_FONT, false);
            x = fmaxf(x, r->x + w / 2);
            x = fminf(x, r->x + r->w - w / 2);
            text(doc, x, r->y + 3, cats[i], TICK_FONT, false, ink, PDFDOC_CENTER);
        }
    }
    return true;
}

static void draw_series_line(const frame_t *f, const double *v, pdfdoc_rgb_t c, size_t style,
                             float width, bool markers, chart_marker_t m, float msize)
{
    HPDF_Page page = f->page;
    HPDF_Page_SetRGBStroke(page, c.r, c.g, c.b);
    HPDF_Page_SetLineWidth(page, width);
    HPDF_Page_SetLineJoin(page, HPDF_ROUND_JOIN);
    set_dash(page, style);
    bool in = false;
    for (size_t i = 0; i < f->n; i++) {
        if (!isfinite(v[i])) {
            in = false;
            continue;
        }
        if (!in)
            HPDF_Page_MoveTo(page, fx(f, i), fy(f, v[i]));
        else
            HPDF_Page_LineTo(page, fx(f, i), fy(f, v[i]));
        in = true;
    }
    HPDF_Page_Stroke(page);
    HPDF_Page_SetDash(page, NULL, 0, 0);
    for (size_t i = 0; i < f->n; i++) {
        if (!isfinite(v[i]))
            continue;
        bool alone = (i == 0 || !isfinite(v[i - 1])) && (i + 1 == f->n || !isfinite(v[i + 1]));
        if (markers || alone) /* a point between two gaps would be invisible */
            marker(page, m, fx(f, i), fy(f, v[i]), msize, c);
    }
}

static void draw_ref(const frame_t *f, double value)
{
    if (!isfinite(value))
        return;
    HPDF_Page page = f->page;
    HPDF_Page_SetRGBStroke(page, ink.r, ink.g, ink.b);
    HPDF_Page_SetLineWidth(page, 1.0f);
    set_dash(page, 1);
    float y = fy(f, value);
    HPDF_Page_MoveTo(page, f->px, y);
    HPDF_Page_LineTo(page, f->px + f->pw, y);
    HPDF_Page_Stroke(page);
    HPDF_Page_SetDash(page, NULL, 0, 0);
}

static void add_ref_item(const chart_data_t *d, legend_item_t *items, size_t *n)
{
    if (d->ref_label)
        items[(*n)++] = (legend_item_t){LEG_REF, d->ref_label, ink, 1, false, 0, false, 1.0f};
}

#define MAX_LEGEND 24

/* Series-to-legend for line styles; keeps at most MAX_LEGEND - 4 entries. */
static size_t line_items(const chart_data_t *d, bool markers, legend_item_t *items)
{
    size_t n = 0;
    for (size_t s = 0; s < d->n_series && n < MAX_LEGEND - 4; s++)
        items[n++] = (legend_item_t){LEG_LINE, d->series[s].name, chart_palette(s), s % 4,
                                     markers, chart_series_marker(s), false, 1.5f};
    return n;
}

static range_t data_range(const chart_data_t *d, size_t n_series)
{
    range_t yr = {0, 0, false};
    for (size_t s = 0; s < n_series; s++)
        for (size_t i = 0; i < d->n_categories; i++)
            range_add(&yr, d->series[s].values[i]);
    if (d->ref_label)
        range_add(&yr, d->ref_value);
    return yr;
}

static size_t shown(size_t n_items, bool hide)
{
    return hide || n_items < 2 ? 0 : n_items;
}

ops_status_t chart_draw_line(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                             ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    legend_item_t items[MAX_LEGEND];
    size_t ni = line_items(d, d->markers, items);
    add_ref_item(d, items, &ni);
    frame_t f;
    HPDF_Page_GSave(page);
    if (frame_layout(&f, doc, r, d->title, items, shown(ni, d->hide_legend), d->y_unit,
                     data_range(d, d->n_series), d->include_zero, d->categories,
                     d->n_categories, 4)) {
        if (d->ref_label)
            draw_ref(&f, d->ref_value);
        for (size_t s = 0; s < d->n_series; s++)
            draw_series_line(&f, d->series[s].values, chart_palette(s), s % 4, 1.5f,
                             d->markers, chart_series_marker(s), 5);
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a line chart", err);
}

static ops_status_t bars(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                         size_t n_series, ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    legend_item_t items[MAX_LEGEND];
    size_t ni = 0;
    for (size_t s = 0; s < n_series && ni < MAX_LEGEND - 4; s++)
        items[ni++] = (legend_item_t){LEG_BOX, d->series[s].name, chart_palette(s), 0, false,
                                      0, s % 2 == 1, 1};
    add_ref_item(d, items, &ni);
    frame_t f;
    HPDF_Page_GSave(page);
    if (frame_layout(&f, doc, r, d->title, items, shown(ni, d->hide_legend), d->y_unit,
                     data_range(d, n_series), true, d->categories, d->n_categories, 4)) {
        float slot = f.pw / (float)f.n;
        float group = slot * (n_series > 1 ? 0.8f : 0.65f);
        float bw = group / (float)n_series;
        float base = fy(&f, fmin(fmax(0.0, f.ymin), f.ymax));
        for (size_t i = 0; i < f.n; i++) {
            for (size_t s = 0; s < n_series; s++) {
                double v = d->series[s].values[i];
                if (!isfinite(v))
                    continue;
                float x0 = f.px + (float)i * slot + (slot - group) / 2 + (float)s * bw;
                float y1 = fy(&f, v);
                float y0 = fminf(base, y1), h = fabsf(y1 - base);
                float gap = bw > 4 ? 0.6f : 0.0f; /* hairline between neighbouring bars */
                pdfdoc_rgb_t c = chart_palette(s);
                HPDF_Page_SetRGBFill(page, c.r, c.g, c.b);
                HPDF_Page_Rectangle(page, x0 + gap / 2, y0, bw - gap, h);
                HPDF_Page_Fill(page);
                if (s % 2 == 1)
                    hatch(page, x0 + gap / 2, y0, bw - gap, h);
            }
        }
        if (d->ref_label)
            draw_ref(&f, d->ref_value);
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a bar chart", err);
}

ops_status_t chart_draw_bar(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                            ops_error_t *err)
{
    return bars(doc, r, d, d->n_series > 0 ? 1 : 0, err);
}

ops_status_t chart_draw_grouped_bar(pdfdoc_t *doc, const chart_rect_t *r,
                                    const chart_data_t *d, ops_error_t *err)
{
    return bars(doc, r, d, d->n_series, err);
}

ops_status_t chart_draw_waterfall(pdfdoc_t *doc, const chart_rect_t *r, const chart_waterfall_t *w,
                                  ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    if (w->n < 2)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "waterfall: needs two totals");
    const pdfdoc_rgb_t c_total = chart_palette(0), c_up = chart_palette(2), c_down = chart_palette(1);
    legend_item_t items[3] = {
        {LEG_BOX, w->total_label ? w->total_label : "Total", c_total, 0, false, 0, false, 1},
        {LEG_BOX, w->up_label ? w->up_label : "Increase", c_up, 0, false, 0, false, 1},
        {LEG_BOX, w->down_label ? w->down_label : "Decrease", c_down, 0, false, 0, true, 1}};
    range_t yr = {0, 0, false};
    double run = w->values[0];
    range_add(&yr, run);
    for (size_t i = 1; i + 1 < w->n; i++) {
        run += w->values[i];
        range_add(&yr, run);
    }
    range_add(&yr, w->values[w->n - 1]);
    /* room below the lowest step so the smallest total still shows as a bar */
    double span = yr.hi - yr.lo;
    if (span <= 0)
        span = fabs(yr.hi) * 0.01 + 1;
    range_add(&yr, yr.lo - span * 0.5);
    frame_t f;
    HPDF_Page_GSave(page);
    if (frame_layout(&f, doc, r, w->title, items, 3, w->y_unit, yr, false, w->categories, w->n, 4)) {
        float slot = f.pw / (float)f.n, bw = slot * 0.6f;
        double prev_top = NAN;
        run = 0;
        for (size_t i = 0; i < w->n; i++) {
            bool total = i == 0 || i + 1 == w->n;
            double v = w->values[i], from, to;
            if (total) {
                from = f.ymin;
                to = v;
                run = v;
            } else {
                from = run;
                to = run + v;
                run = to;
            }
            pdfdoc_rgb_t c = total ? c_total : v >= 0 ? c_up : c_down;
            float x0 = f.px + (float)i * slot + (slot - bw) / 2;
            float y0 = fy(&f, fmin(from, to)), y1 = fy(&f, fmax(from, to));
            float h = fmaxf(y1 - y0, 0.8f); /* a zero step is still a visible line */
            HPDF_Page_SetRGBFill(page, c.r, c.g, c.b);
            HPDF_Page_Rectangle(page, x0, y0, bw, h);
            HPDF_Page_Fill(page);
            if (!total && v < 0)
                hatch(page, x0, y0, bw, h);
            if (isfinite(prev_top)) { /* connector from the previous bar's end */
                pdfdoc_set_stroke(doc, PDFDOC_GREY);
                HPDF_Page_SetLineWidth(page, 0.5f);
                HPDF_Page_MoveTo(page, x0 - (slot - bw), fy(&f, prev_top));
                HPDF_Page_LineTo(page, x0, fy(&f, prev_top));
                HPDF_Page_Stroke(page);
            }
            prev_top = total ? v : to;
            char label[32];
            numfmt_short(label, sizeof label, v, total ? 0 : NUMFMT_SIGNED);
            text(doc, x0 + bw / 2, y0 + h + 2, label, TICK_FONT, !total, ink, PDFDOC_CENTER);
        }
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a waterfall chart", err);
}

ops_status_t chart_draw_band(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                             const chart_band_t *bands, size_t n_bands, ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    legend_item_t items[MAX_LEGEND];
    size_t ni = line_items(d, d->markers, items);
    for (size_t b = 0; b < n_bands && ni < MAX_LEGEND - 1; b++)
        items[ni++] = (legend_item_t){LEG_BOX, bands[b].name, band_color(b, n_bands), 0, false,
                                      0, false, 1};
    add_ref_item(d, items, &ni);
    range_t yr = data_range(d, d->n_series);
    for (size_t b = 0; b < n_bands; b++)
        for (size_t i = 0; i < d->n_categories; i++) {
            range_add(&yr, bands[b].lo[i]);
            range_add(&yr, bands[b].hi[i]);
        }
    frame_t f;
    HPDF_Page_GSave(page);
    if (frame_layout(&f, doc, r, d->title, items, shown(ni, d->hide_legend), d->y_unit, yr,
                     d->include_zero, d->categories, d->n_categories, 4)) {
        for (size_t b = 0; b < n_bands; b++) {
            const double *lo = bands[b].lo, *hi = bands[b].hi;
            pdfdoc_rgb_t c = band_color(b, n_bands);
            HPDF_Page_SetRGBFill(page, c.r, c.g, c.b);
            size_t i = 0;
            while (i < f.n) { /* one polygon per run of points with both bounds */
                while (i < f.n && !(isfinite(lo[i]) && isfinite(hi[i])))
                    i++;
                size_t a = i;
                while (i < f.n && isfinite(lo[i]) && isfinite(hi[i]))
                    i++;
                if (a == i)
                    break;
                if (i - a == 1) { /* a lone point: a thin bar */
                    float y0 = fy(&f, fmin(lo[a], hi[a])), y1 = fy(&f, fmax(lo[a], hi[a]));
                    HPDF_Page_Rectangle(page, fx(&f, a) - 1.5f, y0, 3.0f, y1 - y0);
                    HPDF_Page_Fill(page);
                    continue;
                }
                HPDF_Page_MoveTo(page, fx(&f, a), fy(&f, lo[a]));
                for (size_t j = a + 1; j < i; j++)
                    HPDF_Page_LineTo(page, fx(&f, j), fy(&f, lo[j]));
                for (size_t j = i; j-- > a;)
                    HPDF_Page_LineTo(page, fx(&f, j), fy(&f, hi[j]));
                HPDF_Page_ClosePath(page);
                HPDF_Page_Fill(page);
            }
        }
        if (d->ref_label)
            draw_ref(&f, d->ref_value);
        for (size_t s = 0; s < d->n_series; s++)
            draw_series_line(&f, d->series[s].values, chart_palette(s), s % 4, 1.5f,
                             d->markers, chart_series_marker(s), 5);
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a band chart", err);
}

ops_status_t chart_draw_sparkline(pdfdoc_t *doc, const chart_rect_t *r, const double *values,
                                  size_t n, ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    range_t yr = {0, 0, false};
    size_t last = n;
    for (size_t i = 0; i < n; i++) {
        range_add(&yr, values[i]);
        if (isfinite(values[i]))
            last = i;
    }
    if (!yr.any)
        return OPS_OK;
    HPDF_Page_GSave(page);
    const float pad = 2.5f; /* room for the end dot */
    float x0 = r->x + pad, w = r->w - 2 * pad, y0 = r->y + pad, h = r->h - 2 * pad;
    double span = yr.hi - yr.lo;
    frame_t f = {.doc = doc, .page = page, .px = x0, .pw = w, .n = n};
    /* a flat series sits in the middle */
    f.ymin = span > 0 ? yr.lo : yr.lo - 1;
    f.ymax = span > 0 ? yr.hi : yr.hi + 1;
    f.py = y0;
    f.ph = h;
    if (n == 1) { /* a single value: just the dot */
        marker(page, CHART_MARKER_CIRCLE, x0 + w / 2, fy(&f, values[last]), 4, palette[0]);
    } else {
        HPDF_Page_SetRGBStroke(page, 0.35f, 0.35f, 0.35f);
        HPDF_Page_SetLineWidth(page, 1.0f);
        HPDF_Page_SetLineJoin(page, HPDF_ROUND_JOIN);
        bool in = false;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(values[i])) {
                in = false;
                continue;
            }
            float x = x0 + (float)i * w / (float)(n - 1);
            if (in)
                HPDF_Page_LineTo(page, x, fy(&f, values[i]));
            else
                HPDF_Page_MoveTo(page, x, fy(&f, values[i]));
            in = true;
        }
        HPDF_Page_Stroke(page);
        marker(page, CHART_MARKER_CIRCLE, x0 + (float)last * w / (float)(n - 1),
               fy(&f, values[last]), 4, palette[0]);
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a sparkline", err);
}

/* Sequential blues (light to dark, monotonic in lightness for greyscale). */
static pdfdoc_rgb_t heat_color(double t)
{
    static const pdfdoc_rgb_t lo = {0.94f, 0.96f, 0.99f}, hi = {0.03f, 0.19f, 0.42f};
    float u = (float)fmin(fmax(t, 0.0), 1.0);
    return (pdfdoc_rgb_t){lo.r + u * (hi.r - lo.r), lo.g + u * (hi.g - lo.g),
                          lo.b + u * (hi.b - lo.b)};
}

ops_status_t chart_draw_heatmap(pdfdoc_t *doc, const chart_rect_t *r, const chart_heatmap_t *h,
                                ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    HPDF_Page_GSave(page);
    float top = r->y + r->h;
    if (h->title) {
        pdfdoc_style_t st = {TITLE_FONT, true, PDFDOC_BLACK, PDFDOC_LEFT};
        pdfdoc_text_fit(doc, r->x, top - TITLE_FONT, r->w, h->title, &st);
        top -= TITLE_FONT + 8;
    }
    if (h->n_rows == 0 || h->n_cols == 0) {
        text(doc, r->x + r->w / 2, r->y + (top - r->y) / 2, "No data", 9, false, PDFDOC_GREY,
             PDFDOC_CENTER);
        HPDF_Page_GRestore(page);
        return pdfdoc_check(doc, "drawing a heat map", err);
    }
    char num[16][24];
    float lw = 0;
    for (size_t i = 0; i < h->n_rows; i++) {
        const char *l = h->row_labels ? h->row_labels[i] : NULL;
        if (!l) {
            snprintf(num[i % 16], sizeof num[0], "%zu", i + 1);
            l = num[i % 16];
        }
        lw = fmaxf(lw, pdfdoc_text_width(doc, l, TICK_FONT, false));
    }
    float left = r->x + (h->row_title ? 14.0f : 0.0f) + lw + 5;
    float bottom = r->y + 13 + (h->col_title ? 12.0f : 0.0f);
    float gw = r->x + r->w - left, gh = top - bottom;
    float cw = gw / (float)h->n_cols, ch = gh / (float)h->n_rows;
    double vmax = 0;
    for (size_t i = 0; i < h->n_rows * h->n_cols; i++)
        if (isfinite(h->values[i]))
            vmax = fmax(vmax, h->values[i]);
    for (size_t i = 0; i < h->n_rows; i++) {
        float y = bottom + (float)i * ch;
        for (size_t j = 0; j < h->n_cols; j++) {
            double v = h->values[i * h->n_cols + j];
            float x = left + (float)j * cw;
            double t = isfinite(v) && vmax > 0 ? v / vmax : 0;
            pdfdoc_rgb_t c = isfinite(v) ? heat_color(t) : PDFDOC_LIGHT_GREY;
            HPDF_Page_SetRGBFill(page, c.r, c.g, c.b);
            HPDF_Page_SetRGBStroke(page, 1, 1, 1);
            HPDF_Page_SetLineWidth(page, 1.5f);
            HPDF_Page_Rectangle(page, x, y, cw, ch);
            HPDF_Page_FillStroke(page);
            char cell[32];
            if (isfinite(v))
                numfmt_number(cell, sizeof cell, v, h->decimals, 0);
            else
                snprintf(cell, sizeof cell, "\xE2\x80\x93"); /* en dash: no value */
            float fs = fminf(10.0f, fmaxf(TICK_FONT, ch * 0.4f));
            text(doc, x + cw / 2, y + ch / 2 - fs * 0.35f, cell, fs, true,
                 t > 0.5 ? PDFDOC_WHITE : PDFDOC_BLACK, PDFDOC_CENTER);
        }
        const char *l = h->row_labels ? h->row_labels[i] : NULL;
        if (!l) {
            snprintf(num[0], sizeof num[0], "%zu", i + 1);
            l = num[0];
        }
        text(doc, left - 4, y + ch / 2 - 2.8f, l, TICK_FONT, false, ink, PDFDOC_RIGHT);
    }
    for (size_t j = 0; j < h->n_cols; j++) {
        const char *l = h->col_labels ? h->col_labels[j] : NULL;
        char b[24];
        if (!l) {
            snprintf(b, sizeof b, "%zu", j + 1);
            l = b;
        }
        pdfdoc_style_t st = {TICK_FONT, false, ink, PDFDOC_CENTER};
        pdfdoc_text_fit(doc, left + ((float)j + 0.5f) * cw, bottom - 10, cw, l, &st);
    }
    if (h->col_title)
        text(doc, left + gw / 2, r->y + 3, h->col_title, TICK_FONT, true, ink, PDFDOC_CENTER);
    if (h->row_title) {
        pdfdoc_style_t st = {TICK_FONT, true, ink, PDFDOC_CENTER};
        pdfdoc_text_vertical(doc, r->x + 8, bottom + gh / 2, h->row_title, &st);
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a heat map", err);
}

/* Point i breaks a rule: the caller's flag, or outside the limits. */
static bool control_flagged(const chart_control_t *c, size_t i)
{
    double v = c->values[i];
    if (!isfinite(v))
        return false;
    if (c->flagged)
        return c->flagged[i];
    return (isfinite(c->ucl) && v > c->ucl) || (isfinite(c->lcl) && v < c->lcl);
}

ops_status_t chart_draw_control(pdfdoc_t *doc, const chart_rect_t *r, const chart_control_t *c,
                                ops_error_t *err)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "chart: no page");
    const pdfdoc_rgb_t flag_c = palette[5], line_c = palette[0];
    const pdfdoc_rgb_t centre_c = {0.45f, 0.45f, 0.45f};
    legend_item_t items[4];
    size_t ni = 0;
    items[ni++] = (legend_item_t){LEG_LINE, c->name, line_c, 0, true, CHART_MARKER_CIRCLE,
                                  false, 1.2f};
    items[ni++] = (legend_item_t){LEG_LINE, c->centre_label ? c->centre_label : "Centre line",
                                  centre_c, 0, false, 0, false, 1.0f};
    if (isfinite(c->lcl) || isfinite(c->ucl))
        items[ni++] = (legend_item_t){LEG_REF,
                                      c->limits_label ? c->limits_label : "Control limits",
                                      ink, 1, false, 0, false, 1.0f};
    size_t n_flagged = 0;
    for (size_t i = 0; i < c->n; i++)
        n_flagged += control_flagged(c, i);
    if (n_flagged > 0) /* explain the symbol only where it appears */
        items[ni++] = (legend_item_t){LEG_MARKER,
                                      c->flagged_label ? c->flagged_label : "Outside limits",
                                      flag_c, 0, false, CHART_MARKER_DIAMOND, false, 1};
    range_t yr = {0, 0, false};
    for (size_t i = 0; i < c->n; i++)
        range_add(&yr, c->values[i]);
    if (yr.any) {
        range_add(&yr, c->centre);
        range_add(&yr, c->lcl);
        range_add(&yr, c->ucl);
    }
    /* right margin for the "UCL 12.3" labels */
    char lab[3][48];
    double ref[3] = {c->ucl, c->centre, c->lcl};
    const char *tag[3] = {"UCL", "CL", "LCL"};
    double span = yr.any ? fmax(yr.hi - yr.lo, fabs(yr.hi)) : 1;
    double lstep = span > 0 ? pow(10.0, floor(log10(span)) - 2) : 0.01;
    float rw = 0;
    for (int k = 0; k < 3; k++) {
        char v[32];
        numfmt_tick(v, sizeof v, ref[k], lstep, span);
        snprintf(lab[k], sizeof lab[k], "%s %s", tag[k], v);
        if (isfinite(ref[k]))
            rw = fmaxf(rw, pdfdoc_text_width(doc, lab[k], TICK_FONT, false));
    }
    frame_t f;
    HPDF_Page_GSave(page);
    if (frame_layout(&f, doc, r, c->title, items, ni, c->y_unit, yr, false, c->categories, c->n,
                     rw + 6)) {
        float ly[3] = {0, 0, 0};
        for (int k = 0; k < 3; k++) {
            if (!isfinite(ref[k]))
                continue;
            float y = fy(&f, ref[k]);
            HPDF_Page_SetRGBStroke(page, k == 1 ? centre_c.r : ink.r, k == 1 ? centre_c.g : ink.g,
                                   k == 1 ? centre_c.b : ink.b);
            HPDF_Page_SetLineWidth(page, 1.0f);
            set_dash(page, k == 1 ? 0 : 1);
            HPDF_Page_MoveTo(page, f.px, y);
            HPDF_Page_LineTo(page, f.px + f.pw, y);
            HPDF_Page_Stroke(page);
            ly[k] = y - 2.8f;
        }
        HPDF_Page_SetDash(page, NULL, 0, 0);
        /* keep the three labels at least 9 pt apart (UCL above CL above LCL) */
        if (isfinite(ref[0]) && ly[0] < ly[1] + 9)
            ly[0] = ly[1] + 9;
        if (isfinite(ref[2]) && ly[2] > ly[1] - 9)
            ly[2] = ly[1] - 9;
        for (int k = 0; k < 3; k++)
            if (isfinite(ref[k]))
                text(doc, f.px + f.pw + 4, ly[k], lab[k], TICK_FONT, false, ink, PDFDOC_LEFT);
        draw_series_line(&f, c->values, line_c, 0, 1.2f, true, CHART_MARKER_CIRCLE, 3.5f);
        for (size_t i = 0; i < c->n; i++)
            if (control_flagged(c, i))
                marker(page, CHART_MARKER_DIAMOND, fx(&f, i), fy(&f, c->values[i]), 7.5f,
                       flag_c);
    }
    HPDF_Page_GRestore(page);
    return pdfdoc_check(doc, "drawing a control chart", err);
}

void chart_draw_status(pdfdoc_t *doc, float cx, float cy, float s, chart_status_t status)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return;
    pdfdoc_rgb_t c = chart_status_color(status);
    HPDF_Page_GSave(page);
    HPDF_Page_SetDash(page, NULL, 0, 0);
    HPDF_Page_SetRGBFill(page, c.r, c.g, c.b);
    HPDF_Page_SetLineCap(page, HPDF_ROUND_END);
    HPDF_Page_SetLineJoin(page, HPDF_ROUND_JOIN);
    switch (status) {
    case CHART_STATUS_GREEN: /* circle with a tick */
        HPDF_Page_Circle(page, cx, cy, s / 2);
        HPDF_Page_Fill(page);
        HPDF_Page_SetRGBStroke(page, 1, 1, 1);
        HPDF_Page_SetLineWidth(page, s * 0.13f);
        HPDF_Page_MoveTo(page, cx - s * 0.24f, cy + s * 0.01f);
        HPDF_Page_LineTo(page, cx - s * 0.07f, cy - s * 0.17f);
        HPDF_Page_LineTo(page, cx + s * 0.24f, cy + s * 0.18f);
        HPDF_Page_Stroke(page);
        break;
    case CHART_STATUS_AMBER: /* triangle with "!" (dark, as on a warning sign) */
        HPDF_Page_MoveTo(page, cx - s * 0.55f, cy - s * 0.45f);
        HPDF_Page_LineTo(page, cx + s * 0.55f, cy - s * 0.45f);
        HPDF_Page_LineTo(page, cx, cy + s * 0.52f);
        HPDF_Page_ClosePath(page);
        HPDF_Page_Fill(page);
        HPDF_Page_SetRGBStroke(page, 0, 0, 0);
        HPDF_Page_SetRGBFill(page, 0, 0, 0);
        HPDF_Page_SetLineWidth(page, s * 0.11f);
        HPDF_Page_MoveTo(page, cx, cy + s * 0.2f);
        HPDF_Page_LineTo(page, cx, cy - s * 0.1f);
        HPDF_Page_Stroke(page);
        HPDF_Page_Circle(page, cx, cy - s * 0.27f, s * 0.065f);
        HPDF_Page_Fill(page);
        break;
    default: /* red: square with a cross */
        HPDF_Page_Rectangle(page, cx - s * 0.44f, cy - s * 0.44f, s * 0.88f, s * 0.88f);
        HPDF_Page_Fill(page);
        HPDF_Page_SetRGBStroke(page, 1, 1, 1);
        HPDF_Page_SetLineWidth(page, s * 0.13f);
        HPDF_Page_MoveTo(page, cx - s * 0.2f, cy - s * 0.2f);
        HPDF_Page_LineTo(page, cx + s * 0.2f, cy + s * 0.2f);
        HPDF_Page_MoveTo(page, cx - s * 0.2f, cy + s * 0.2f);
        HPDF_Page_LineTo(page, cx + s * 0.2f, cy - s * 0.2f);
        HPDF_Page_Stroke(page);
        break;
    }
    HPDF_Page_GRestore(page);
}

void chart_draw_line_swatch(pdfdoc_t *doc, float x, float y, size_t series)
{
    HPDF_Page page = pdfdoc_page(doc);
    if (!page)
        return;
    legend_item_t it = {LEG_LINE, NULL, chart_palette(series), series % 4, true,
                        chart_series_marker(series), false, 1.5f};
    HPDF_Page_GSave(page);
    legend_swatch(page, &it, x, y);
    HPDF_Page_GRestore(page);
}
