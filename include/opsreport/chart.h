/*
 * chart.h - charts drawn with libharu primitives into a rectangle of a page.
 *
 * Every chart function draws on the current page of a pdfdoc_t, inside the
 * given rectangle (which holds everything: title, legend, axes and labels),
 * and returns the first libharu error as an ops_error_t. Nothing is kept
 * between calls; the caller owns all the arrays passed in.
 *
 * Readability rules built in, so page code cannot get them wrong:
 *   - one palette, Okabe-Ito (safe for the common colour-vision deficiencies)
 *     ordered so that neighbouring series also differ in greyscale lightness;
 *     series are told apart by dash pattern and marker shape as well (lines)
 *     or by hatching (every second bar series), never by colour alone;
 *   - status is a shape plus a colour: green circle with a tick, amber
 *     triangle with "!", red square with a cross;
 *   - y axes use "nice" ticks (steps 1, 2, 2.5, 5 x 10^k) labelled with k/M/bn;
 *     x category labels are thinned when crowded, always keeping the last
 *     (most recent) one;
 *   - NaN values are gaps: no point, no bar, the line is broken;
 *   - no text smaller than 8 pt.
 * The charts are laid out for a rectangle of roughly 240 x 150 pt and up;
 * sparklines for about 60 x 16 pt.
 */
#ifndef OPSREPORT_CHART_H
#define OPSREPORT_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "opsreport/common.h"
#include "opsreport/pdfdoc.h"

/* A rectangle in page points, (x, y) its bottom-left corner. */
typedef struct {
    float x, y, w, h;
} chart_rect_t;

typedef struct {
    const char *name;        /* legend label */
    const double *values;    /* one per category; NaN is a gap */
} chart_series_t;

/* Data and options for the line, bar, grouped bar and band charts. */
typedef struct {
    const char *title;                /* NULL for none */
    const char *const *categories;    /* x labels, n_categories of them (NULL: none) */
    size_t n_categories;
    const chart_series_t *series;
    size_t n_series;
    const char *y_unit;               /* e.g. "EUR", written above the y axis; NULL: none */
    bool markers;                     /* line charts: a marker at every point */
    bool include_zero;                /* y axis includes 0 (bar charts always do) */
    bool hide_legend;                 /* default: legend when there are 2+ entries */
    const char *ref_label;            /* horizontal reference line, e.g. "Target"; */
    double ref_value;                 /*   drawn when ref_label is not NULL */
} chart_data_t;

/* A shaded interval between lo and hi, e.g. a forecast's 95% range. */
typedef struct {
    const char *name;        /* legend label, "95% range" */
    const double *lo, *hi;   /* one per category; NaN where there is no band */
} chart_band_t;

typedef struct {
    const char *title;
    size_t n_rows, n_cols;
    const double *values;              /* n_rows x n_cols, row-major; row 0 at the BOTTOM */
    const char *const *row_labels;     /* n_rows (NULL: 1, 2, ...) */
    const char *const *col_labels;     /* n_cols (NULL: 1, 2, ...) */
    const char *row_title;             /* e.g. "Likelihood", written up the left side */
    const char *col_title;             /* e.g. "Impact", under the columns */
    int decimals;                      /* of the number written in each cell */
} chart_heatmap_t;

typedef struct {
    const char *title;
    const char *const *categories;
    size_t n;
    const double *values;    /* n values; NaN is a gap */
    const char *name;        /* legend label of the values */
    double centre, lcl, ucl; /* lcl/ucl NaN: that limit is not drawn */
    const bool *flagged;     /* points breaking a rule; NULL: outside [lcl, ucl] */
    const char *centre_label;  /* legend texts; NULL: "Centre line", */
    const char *limits_label;  /*   "Control limits", "Outside limits" */
    const char *flagged_label;
    const char *y_unit;
} chart_control_t;

typedef enum { CHART_STATUS_GREEN, CHART_STATUS_AMBER, CHART_STATUS_RED } chart_status_t;

typedef enum {
    CHART_MARKER_CIRCLE,
    CHART_MARKER_SQUARE,
    CHART_MARKER_TRIANGLE,
    CHART_MARKER_DIAMOND,
    CHART_MARKER_CROSS,
    CHART_MARKER_COUNT
} chart_marker_t;

#define CHART_PALETTE_SIZE 7

/* Series colour i (wraps around), and its marker shape and dash pattern. */
pdfdoc_rgb_t chart_palette(size_t i);
chart_marker_t chart_series_marker(size_t i);
pdfdoc_rgb_t chart_status_color(chart_status_t status);

/* "Nice" axis ticks covering [lo, hi]: multiples of a step from 1, 2, 2.5, 5
 * x 10^k. Of the candidate steps, the one whose number of intervals is
 * closest to target_intervals wins, with a penalty of 2 x the fraction of the
 * axis left empty (so 9..12 gets 8, 10, 12 rather than 0, 10, 20); ties go to
 * the larger step. A variant of Heckbert's "nice numbers" (Graphics Gems,
 * 1990) that scores candidates instead of rounding once. Writes at most max_ticks values (ascending, first
 * <= lo, last >= hi) and returns how many; *step gets the step. A zero-width
 * range is widened around its value; NaN/infinite bounds or target < 1
 * return 0. Example: 0..97 with 5 -> 0, 20, 40, 60, 80, 100. */
size_t chart_nice_ticks(double lo, double hi, int target_intervals, double *ticks,
                        size_t max_ticks, double *step);

/* Which of n category labels to show so none overlaps: returns k, and label
 * i is shown when (n - 1 - i) % k == 0 (the last one always is). */
size_t chart_label_stride(size_t n, float slot_width, float max_label_width);

ops_status_t chart_draw_line(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                             ops_error_t *err);
/* Bars for series 0 only (further series are ignored). */
ops_status_t chart_draw_bar(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                            ops_error_t *err);
/* One bar per series in each category, side by side. */
ops_status_t chart_draw_grouped_bar(pdfdoc_t *doc, const chart_rect_t *r,
                                    const chart_data_t *d, ops_error_t *err);
/* Bands (in the order given, so pass the widest first), then d's series as
 * lines on top. */
ops_status_t chart_draw_band(pdfdoc_t *doc, const chart_rect_t *r, const chart_data_t *d,
                             const chart_band_t *bands, size_t n_bands, ops_error_t *err);
/* A tiny line, no axes or text, with the last point marked. */
ops_status_t chart_draw_sparkline(pdfdoc_t *doc, const chart_rect_t *r, const double *values,
                                  size_t n, ops_error_t *err);
ops_status_t chart_draw_heatmap(pdfdoc_t *doc, const chart_rect_t *r, const chart_heatmap_t *h,
                                ops_error_t *err);
ops_status_t chart_draw_control(pdfdoc_t *doc, const chart_rect_t *r, const chart_control_t *c,
                                ops_error_t *err);

/* A bridge from one total to another: values[0] the starting total,
 * values[1 .. n-2] the changes, values[n-1] the closing total (drawn as
 * given, so a caller's parts that do not add up show). Totals are solid bars,
 * increases and decreases float on the running total (decreases hatched, so
 * colour is not the only cue), each bar labelled with its value. The y axis
 * spans the running totals, not zero: the steps would vanish beside the
 * totals otherwise; the note under the chart says so. */
typedef struct {
    const char *title;
    const char *const *categories;     /* n labels */
    const double *values;              /* n values, see above; n >= 2 */
    size_t n;
    const char *y_unit;
    const char *total_label, *up_label, *down_label; /* legend: "Outlook", "Increase", "Decrease" */
} chart_waterfall_t;

ops_status_t chart_draw_waterfall(pdfdoc_t *doc, const chart_rect_t *r, const chart_waterfall_t *w,
                                  ops_error_t *err);

/* A status symbol of the given size (points) centred on (cx, cy). */
void chart_draw_status(pdfdoc_t *doc, float cx, float cy, float size, chart_status_t status);

/* A legend swatch of series i's line style, marker and colour, 16 x 8 pt, at
 * (x, y) bottom-left: for tables that refer to chart series. */
void chart_draw_line_swatch(pdfdoc_t *doc, float x, float y, size_t series);

#endif
