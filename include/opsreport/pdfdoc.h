/*
 * pdfdoc.h - a small wrapper over libharu for the executive summary PDF.
 *
 * A pdfdoc_t owns one HPDF_Doc set up the way every report page needs it:
 * an error handler that records libharu's error code, the UTF-8 encoder,
 * DejaVu Sans and DejaVu Sans Bold embedded (Liberation Sans if DejaVu is
 * missing) so names like "Zoë Müller" and "Łódź" render, compression on,
 * document info and a creation date given by the caller. Nothing in the file
 * depends on the clock, so the same content saves to the same bytes.
 *
 * Errors: libharu reports through the handler; the first error is kept
 * ("sticky") and drawing calls after it do nothing harmful. Drawing helpers
 * return nothing; functions that finish a unit of work (pdfdoc_add_page,
 * pdfdoc_table, the chart_* functions, pdfdoc_save) check the recorded error
 * and return it as an ops_error_t, so a failure is never lost.
 *
 * Coordinates are PDF points (1/72 in) with the origin at the bottom left of
 * the page, as in libharu. Text sizes below PDFDOC_MIN_FONT_SIZE are raised
 * to it: the report is read on a phone.
 */
#ifndef OPSREPORT_PDFDOC_H
#define OPSREPORT_PDFDOC_H

#include <hpdf.h>
#include <stdbool.h>
#include <stddef.h>

#include "opsreport/common.h"

#define PDFDOC_MIN_FONT_SIZE 8.0f

typedef struct pdfdoc pdfdoc_t;

typedef enum { PDFDOC_A4, PDFDOC_LETTER } pdfdoc_paper_t;
typedef enum { PDFDOC_LEFT, PDFDOC_RIGHT, PDFDOC_CENTER } pdfdoc_align_t;

typedef struct {
    float r, g, b; /* 0..1 */
} pdfdoc_rgb_t;

#define PDFDOC_BLACK ((pdfdoc_rgb_t){0.0f, 0.0f, 0.0f})
#define PDFDOC_WHITE ((pdfdoc_rgb_t){1.0f, 1.0f, 1.0f})
#define PDFDOC_GREY ((pdfdoc_rgb_t){0.35f, 0.35f, 0.35f})     /* secondary text */
#define PDFDOC_LIGHT_GREY ((pdfdoc_rgb_t){0.85f, 0.85f, 0.85f}) /* rules, grid */

/* A calendar time in UTC, for the document's creation date. */
typedef struct {
    int year, month, day, hour, minute, second;
} pdfdoc_date_t;

typedef struct {
    const char *title;       /* document info; NULL leaves a field out */
    const char *author;
    const char *subject;
    pdfdoc_date_t created;   /* required: no clock is read */
    pdfdoc_paper_t paper;
    float margin;            /* page margin in points; 0 means 40 */
    const char *font_path;   /* NULL: DejaVu Sans, then Liberation Sans */
    const char *bold_font_path;
} pdfdoc_options_t;

typedef struct {
    float size;              /* points; raised to PDFDOC_MIN_FONT_SIZE */
    bool bold;
    pdfdoc_rgb_t color;
    pdfdoc_align_t align;    /* relative to the x given */
} pdfdoc_style_t;

/* A new document with no page yet. *out is NULL on error (OPS_ERR_OUTPUT if
 * libharu or a font fails, OPS_ERR_INPUT if no font file is found). */
ops_status_t pdfdoc_new(const pdfdoc_options_t *opt, pdfdoc_t **out, ops_error_t *err);
void pdfdoc_free(pdfdoc_t *doc);

/* Adds a page of the document's paper size and makes it current. */
ops_status_t pdfdoc_add_page(pdfdoc_t *doc, ops_error_t *err);

/* The current page (NULL before the first pdfdoc_add_page), the raw libharu
 * handles, and the page geometry. */
HPDF_Page pdfdoc_page(const pdfdoc_t *doc);
HPDF_Doc pdfdoc_hpdf(const pdfdoc_t *doc);
int pdfdoc_page_count(const pdfdoc_t *doc);
float pdfdoc_page_width(const pdfdoc_t *doc);
float pdfdoc_page_height(const pdfdoc_t *doc);
float pdfdoc_margin(const pdfdoc_t *doc);

/* OPS_OK, or the first libharu error recorded so far (with its code and
 * `what` in the message). pdfdoc_reset_error forgets it. */
ops_status_t pdfdoc_check(pdfdoc_t *doc, const char *what, ops_error_t *err);
void pdfdoc_reset_error(pdfdoc_t *doc);

/* Fill and stroke colour of the current page. */
void pdfdoc_set_fill(pdfdoc_t *doc, pdfdoc_rgb_t c);
void pdfdoc_set_stroke(pdfdoc_t *doc, pdfdoc_rgb_t c);

/* Width in points of UTF-8 text in the given size and weight. */
float pdfdoc_text_width(pdfdoc_t *doc, const char *utf8, float size, bool bold);

/* Draws one line of UTF-8 text with its baseline at y; x is the left edge,
 * right edge or centre according to style->align. */
void pdfdoc_text(pdfdoc_t *doc, float x, float y, const char *utf8, const pdfdoc_style_t *style);

/* Text turned 90 degrees anticlockwise (reading upwards), for y-axis titles:
 * the baseline runs up the line x; align applies along it from y. */
void pdfdoc_text_vertical(pdfdoc_t *doc, float x, float y, const char *utf8,
                          const pdfdoc_style_t *style);

/* As pdfdoc_text, but shortens the text with "…" to fit max_width. */
void pdfdoc_text_fit(pdfdoc_t *doc, float x, float y, float max_width, const char *utf8,
                     const pdfdoc_style_t *style);

/* Wraps a paragraph at spaces (and inside words longer than the width) into
 * the box whose top-left corner is (x, top), width `width`; "\n" forces a
 * break. Draws it when draw is true, and returns the height used either way
 * (so callers can measure first). Line height is 1.3 x size. */
float pdfdoc_paragraph(pdfdoc_t *doc, float x, float top, float width, const char *utf8,
                       const pdfdoc_style_t *style, bool draw);

/* ---- tables ---------------------------------------------------------- */

typedef struct {
    const char *header;
    float width;             /* points */
    pdfdoc_align_t align;    /* numbers: PDFDOC_RIGHT */
} pdfdoc_column_t;

/* Called after the table has added a new page, to draw page furniture
 * (title, footer); returns the y where the table continues (top of its
 * header). Return a value <= 0 to use the top margin. */
typedef float (*pdfdoc_page_fn)(pdfdoc_t *doc, void *user);

enum { PDFDOC_ROW_BOLD = 1u << 0, PDFDOC_ROW_RULE_ABOVE = 1u << 1 };

typedef struct {
    const pdfdoc_column_t *columns;
    size_t n_columns;
    float font_size;          /* 0 means 9 */
    bool zebra;               /* light shading on every other row */
    pdfdoc_page_fn on_new_page; /* may be NULL */
    void *user;
} pdfdoc_table_t;

/* Draws rows of cells (row-major, n_rows x n_columns UTF-8 strings, NULL
 * means empty) starting with the header at *y (top edge), at left edge x.
 * Cells that do not fit their column are shortened with "…". When the next
 * row would cross the bottom margin, a new page is added, on_new_page runs
 * and the header is drawn again. row_flags (NULL or n_rows entries of
 * PDFDOC_ROW_*) marks total rows. On return *y is the bottom of the table on
 * the page now current. */
ops_status_t pdfdoc_table(pdfdoc_t *doc, const pdfdoc_table_t *table, float x, float *y,
                          const char *const *cells, size_t n_rows, const unsigned *row_flags,
                          ops_error_t *err);

/* ---- saving ---------------------------------------------------------- */

/* The whole PDF in memory (malloc'ed, caller frees). */
ops_status_t pdfdoc_save_to_memory(pdfdoc_t *doc, unsigned char **data, size_t *len,
                                   ops_error_t *err);

/* Writes path.tmp, fsyncs it, renames it to path and fsyncs the folder, so
 * a reader sees the old file or the whole new one, never a partial one. */
ops_status_t pdfdoc_save(pdfdoc_t *doc, const char *path, ops_error_t *err);

#endif
