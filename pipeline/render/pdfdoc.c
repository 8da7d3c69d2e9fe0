/*
 * pdfdoc.c - libharu document wrapper: fonts, text, paragraphs, tables, save.
 *
 * libharu reports errors through a callback; ours stores the first error code
 * in the pdfdoc_t and pdfdoc_check turns it into an ops_error_t at the points
 * where a unit of work ends. Text always goes through the two embedded
 * TrueType fonts with the UTF-8 encoder (base-14 fonts cannot show "Łódź").
 *
 * Determinism: libharu 2.3.0 writes a creation date only when asked, and no
 * document ID unless encryption is on, so with the caller's fixed date the
 * bytes depend only on the content (checked by a test that saves twice).
 *
 * Line breaking, "…" shortening and the paginated table are hand-written:
 * libharu has HPDF_Page_TextRect, but it neither reports the height used nor
 * breaks words longer than the box, and it has no tables.
 */
#include "opsreport/pdfdoc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 */

struct pdfdoc {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font regular, bold;
    pdfdoc_paper_t paper;
    float margin;
    int pages;
    HPDF_STATUS error_no;  /* first libharu error, 0 if none */
    HPDF_STATUS detail_no;
};

static const char *const regular_fonts[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    NULL};
static const char *const bold_fonts[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    NULL};

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    pdfdoc_t *doc = user;
    if (doc->error_no == 0) {
        doc->error_no = error_no;
        doc->detail_no = detail_no;
    }
}

ops_status_t pdfdoc_check(pdfdoc_t *doc, const char *what, ops_error_t *err)
{
    if (doc->error_no == 0)
        return OPS_OK;
    return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL,
                         "PDF: %s failed: libharu error 0x%04X (detail %u)",
                         what ? what : "drawing", (unsigned)doc->error_no,
                         (unsigned)doc->detail_no);
}

void pdfdoc_reset_error(pdfdoc_t *doc)
{
    doc->error_no = 0;
    doc->detail_no = 0;
    HPDF_ResetError(doc->pdf);
}

static const char *first_existing(const char *given, const char *const *list)
{
    if (given)
        return access(given, R_OK) == 0 ? given : NULL;
    for (size_t i = 0; list[i]; i++)
        if (access(list[i], R_OK) == 0)
            return list[i];
    return NULL;
}

static ops_status_t load_font(pdfdoc_t *doc, const char *given, const char *const *list,
                              HPDF_Font *out, ops_error_t *err)
{
    const char *path = first_existing(given, list);
    if (!path)
        return ops_error_set(err, OPS_ERR_INPUT, given ? given : list[0], 0, NULL,
                             "font file not found (install fonts-dejavu-core)");
    const char *name = HPDF_LoadTTFontFromFile(doc->pdf, path, HPDF_TRUE);
    if (name)
        *out = HPDF_GetFont(doc->pdf, name, "UTF-8");
    if (!name || !*out || doc->error_no)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL,
                             "cannot load TrueType font: libharu error 0x%04X",
                             (unsigned)doc->error_no);
    return OPS_OK;
}

ops_status_t pdfdoc_new(const pdfdoc_options_t *opt, pdfdoc_t **out, ops_error_t *err)
{
    ops_status_t st = OPS_OK;
    *out = NULL;
    pdfdoc_t *doc = calloc(1, sizeof *doc);
    if (!doc)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    doc->paper = opt->paper;
    doc->margin = opt->margin > 0 ? opt->margin : 40.0f;
    doc->pdf = HPDF_New(on_hpdf_error, doc);
    if (!doc->pdf) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "PDF: cannot create document");
        goto cleanup;
    }
    HPDF_SetCompressionMode(doc->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(doc->pdf);
    HPDF_SetCurrentEncoder(doc->pdf, "UTF-8");
    if ((st = pdfdoc_check(doc, "setting up UTF-8 encoding", err)) != OPS_OK)
        goto cleanup;
    if ((st = load_font(doc, opt->font_path, regular_fonts, &doc->regular, err)) != OPS_OK)
        goto cleanup;
    if ((st = load_font(doc, opt->bold_font_path, bold_fonts, &doc->bold, err)) != OPS_OK)
        goto cleanup;

    /* Info strings go through the current (UTF-8) encoder. */
    if (opt->title)
        HPDF_SetInfoAttr(doc->pdf, HPDF_INFO_TITLE, opt->title);
    if (opt->author)
        HPDF_SetInfoAttr(doc->pdf, HPDF_INFO_AUTHOR, opt->author);
    if (opt->subject)
        HPDF_SetInfoAttr(doc->pdf, HPDF_INFO_SUBJECT, opt->subject);
    HPDF_SetInfoAttr(doc->pdf, HPDF_INFO_CREATOR, "opsreport " OPSREPORT_VERSION);
    HPDF_Date d = {opt->created.year, opt->created.month, opt->created.day,
                   opt->created.hour, opt->created.minute, opt->created.second, 'Z', 0, 0};
    HPDF_SetInfoDateAttr(doc->pdf, HPDF_INFO_CREATION_DATE, d);
    if ((st = pdfdoc_check(doc, "setting document info (is the creation date valid?)", err)) !=
        OPS_OK)
        goto cleanup;
    *out = doc;
    doc = NULL;
cleanup:
    pdfdoc_free(doc);
    return st;
}

void pdfdoc_free(pdfdoc_t *doc)
{
    if (!doc)
        return;
    if (doc->pdf)
        HPDF_Free(doc->pdf);
    free(doc);
}

ops_status_t pdfdoc_add_page(pdfdoc_t *doc, ops_error_t *err)
{
    HPDF_Page page = HPDF_AddPage(doc->pdf);
    if (page)
        HPDF_Page_SetSize(page, doc->paper == PDFDOC_LETTER ? HPDF_PAGE_SIZE_LETTER
                                                            : HPDF_PAGE_SIZE_A4,
                          HPDF_PAGE_PORTRAIT);
    if (!page || doc->error_no)
        return pdfdoc_check(doc, "adding a page", err);
    doc->page = page;
    doc->pages++;
    return OPS_OK;
}

HPDF_Page pdfdoc_page(const pdfdoc_t *doc) { return doc->page; }
HPDF_Doc pdfdoc_hpdf(const pdfdoc_t *doc) { return doc->pdf; }
int pdfdoc_page_count(const pdfdoc_t *doc) { return doc->pages; }
float pdfdoc_margin(const pdfdoc_t *doc) { return doc->margin; }

float pdfdoc_page_width(const pdfdoc_t *doc)
{
    return doc->page ? HPDF_Page_GetWidth(doc->page)
                     : (doc->paper == PDFDOC_LETTER ? 612.0f : 595.276f);
}

float pdfdoc_page_height(const pdfdoc_t *doc)
{
    return doc->page ? HPDF_Page_GetHeight(doc->page)
                     : (doc->paper == PDFDOC_LETTER ? 792.0f : 841.89f);
}

void pdfdoc_set_fill(pdfdoc_t *doc, pdfdoc_rgb_t c)
{
    if (doc->page)
        HPDF_Page_SetRGBFill(doc->page, c.r, c.g, c.b);
}

void pdfdoc_set_stroke(pdfdoc_t *doc, pdfdoc_rgb_t c)
{
    if (doc->page)
        HPDF_Page_SetRGBStroke(doc->page, c.r, c.g, c.b);
}

static float clamp_size(float size)
{
    return size < PDFDOC_MIN_FONT_SIZE ? PDFDOC_MIN_FONT_SIZE : size;
}

static float width_n(pdfdoc_t *doc, const char *s, size_t n, float size, bool bold)
{
    if (n == 0)
        return 0.0f;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(bold ? doc->bold : doc->regular,
                                            (const HPDF_BYTE *)s, (HPDF_UINT)n);
    return (float)tw.width * clamp_size(size) / 1000.0f;
}

float pdfdoc_text_width(pdfdoc_t *doc, const char *utf8, float size, bool bold)
{
    return utf8 ? width_n(doc, utf8, strlen(utf8), size, bold) : 0.0f;
}

static void text_n(pdfdoc_t *doc, float x, float y, const char *s, size_t n,
                   const pdfdoc_style_t *st)
{
    if (!doc->page || n == 0)
        return;
    float size = clamp_size(st->size);
    float w = width_n(doc, s, n, size, st->bold);
    if (st->align == PDFDOC_RIGHT)
        x -= w;
    else if (st->align == PDFDOC_CENTER)
        x -= w / 2.0f;
    char *copy = strndup(s, n); /* TextOut wants a NUL-terminated string */
    if (!copy) {
        doc->error_no = doc->error_no ? doc->error_no : HPDF_FAILD_TO_ALLOC_MEM;
        return;
    }
    HPDF_Page_SetRGBFill(doc->page, st->color.r, st->color.g, st->color.b);
    HPDF_Page_BeginText(doc->page);
    HPDF_Page_SetFontAndSize(doc->page, st->bold ? doc->bold : doc->regular, size);
    HPDF_Page_TextOut(doc->page, x, y, copy);
    HPDF_Page_EndText(doc->page);
    free(copy);
}

void pdfdoc_text(pdfdoc_t *doc, float x, float y, const char *utf8, const pdfdoc_style_t *style)
{
    if (utf8)
        text_n(doc, x, y, utf8, strlen(utf8), style);
}

void pdfdoc_text_vertical(pdfdoc_t *doc, float x, float y, const char *utf8,
                          const pdfdoc_style_t *style)
{
    if (!doc->page || !utf8 || !*utf8)
        return;
    float size = clamp_size(style->size);
    float w = pdfdoc_text_width(doc, utf8, size, style->bold);
    if (style->align == PDFDOC_RIGHT)
        y -= w;
    else if (style->align == PDFDOC_CENTER)
        y -= w / 2.0f;
    HPDF_Page_SetRGBFill(doc->page, style->color.r, style->color.g, style->color.b);
    HPDF_Page_BeginText(doc->page);
    HPDF_Page_SetFontAndSize(doc->page, style->bold ? doc->bold : doc->regular, size);
    HPDF_Page_SetTextMatrix(doc->page, 0, 1, -1, 0, x, y); /* rotate +90 degrees */
    HPDF_Page_ShowText(doc->page, utf8);
    HPDF_Page_EndText(doc->page);
}

/* Length of the UTF-8 character that starts at s (1 for a stray byte). */
static size_t utf8_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Longest prefix of s[0..n) (whole characters) no wider than max_w. */
static size_t fit_prefix(pdfdoc_t *doc, const char *s, size_t n, float max_w, float size,
                         bool bold)
{
    size_t best = 0, i = 0;
    while (i < n) {
        size_t next = i + utf8_len(s + i);
        if (next > n || width_n(doc, s, next, size, bold) > max_w)
            break;
        best = i = next;
    }
    return best;
}

void pdfdoc_text_fit(pdfdoc_t *doc, float x, float y, float max_width, const char *utf8,
                     const pdfdoc_style_t *style)
{
    if (!utf8)
        return;
    size_t n = strlen(utf8);
    if (width_n(doc, utf8, n, style->size, style->bold) <= max_width) {
        text_n(doc, x, y, utf8, n, style);
        return;
    }
    float ell = pdfdoc_text_width(doc, ELLIPSIS, style->size, style->bold);
    size_t keep = fit_prefix(doc, utf8, n, max_width - ell, style->size, style->bold);
    while (keep > 0 && utf8[keep - 1] == ' ')
        keep--;
    char *buf = malloc(keep + sizeof ELLIPSIS);
    if (!buf) {
        doc->error_no = doc->error_no ? doc->error_no : HPDF_FAILD_TO_ALLOC_MEM;
        return;
    }
    memcpy(buf, utf8, keep);
    memcpy(buf + keep, ELLIPSIS, sizeof ELLIPSIS); /* includes the NUL */
    text_n(doc, x, y, buf, strlen(buf), style);
    free(buf);
}

float pdfdoc_paragraph(pdfdoc_t *doc, float x, float top, float width, const char *utf8,
                       const pdfdoc_style_t *style, bool draw)
{
    if (!utf8 || !*utf8)
        return 0.0f;
    float size = clamp_size(style->size);
    float lh = size * 1.3f;
    float y = top - size; /* first baseline: one size below the top edge */
    int lines = 0;
    const char *p = utf8;
    while (*p) {
        /* one output line: take words while they fit */
        const char *line = p, *end = p; /* [line, end) is the line so far */
        const char *q = p;
        while (*q && *q != '\n') {
            const char *w = q;
            while (*w == ' ')
                w++;
            const char *we = w;
            while (*we && *we != ' ' && *we != '\n')
                we++;
            if (width_n(doc, line, (size_t)(we - line), size, style->bold) <= width) {
                end = q = we;
                continue;
            }
            if (end == line) { /* a word longer than the line: break inside it */
                size_t k = fit_prefix(doc, line, (size_t)(we - line), width, size, style->bold);
                if (k == 0)
                    k = utf8_len(line);
                end = q = line + k;
            }
            break;
        }
        if (draw)
            text_n(doc, x, y, line, (size_t)(end - line), style);
        lines++;
        y -= lh;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == '\n')
            p++;
    }
    return (float)(lines - 1) * lh + size * 1.25f;
}

/* ---- tables ---------------------------------------------------------- */

#define CELL_PAD 4.0f

static void table_header(pdfdoc_t *doc, const pdfdoc_table_t *t, float x, float top,
                          float row_h, float size)
{
    float w = 0;
    for (size_t c = 0; c < t->n_columns; c++)
        w += t->columns[c].width;
    pdfdoc_style_t st = {size, true, PDFDOC_BLACK, PDFDOC_LEFT};
    float base = top - row_h / 2 - size * 0.35f;
    float cx = x;
    for (size_t c = 0; c < t->n_columns; c++) {
        const pdfdoc_column_t *col = &t->columns[c];
        st.align = col->align;
        float tx = col->align == PDFDOC_RIGHT    ? cx + col->width - CELL_PAD
                   : col->align == PDFDOC_CENTER ? cx + col->width / 2
                                                 : cx + CELL_PAD;
        pdfdoc_text_fit(doc, tx, base, col->width - 2 * CELL_PAD, col->header, &st);
        cx += col->width;
    }
    HPDF_Page_SetLineWidth(doc->page, 1.0f);
    pdfdoc_set_stroke(doc, PDFDOC_BLACK);
    HPDF_Page_MoveTo(doc->page, x, top - row_h);
    HPDF_Page_LineTo(doc->page, x + w, top - row_h);
    HPDF_Page_Stroke(doc->page);
}

/* Adds a page, lets the caller draw its furniture, and sets *top to where
 * the table continues. */
static ops_status_t table_new_page(pdfdoc_t *doc, const pdfdoc_table_t *t, float *top,
                                   ops_error_t *err)
{
    ops_status_t st = pdfdoc_add_page(doc, err);
    if (st != OPS_OK)
        return st;
    float ny = t->on_new_page ? t->on_new_page(doc, t->user) : 0.0f;
    *top = ny > 0 ? ny : pdfdoc_page_height(doc) - doc->margin;
    return OPS_OK;
}

ops_status_t pdfdoc_table(pdfdoc_t *doc, const pdfdoc_table_t *t, float x, float *y,
                          const char *const *cells, size_t n_rows, const unsigned *row_flags,
                          ops_error_t *err)
{
    if (!doc->page)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "PDF: table before a page");
    float size = clamp_size(t->font_size > 0 ? t->font_size : 9.0f);
    float row_h = size * 1.8f;
    float bottom = doc->margin;
    float total_w = 0;
    for (size_t c = 0; c < t->n_columns; c++)
        total_w += t->columns[c].width;
    float top = *y;
    ops_status_t st;
    /* never a header alone at the foot of a page */
    if (n_rows > 0 && top - 2 * row_h < bottom &&
        (st = table_new_page(doc, t, &top, err)) != OPS_OK)
        return st;
    table_header(doc, t, x, top, row_h, size);
    top -= row_h;
    for (size_t r = 0; r < n_rows; r++) {
        if (top - row_h < bottom) {
            if ((st = table_new_page(doc, t, &top, err)) != OPS_OK)
                return st;
            table_header(doc, t, x, top, row_h, size);
            top -= row_h;
        }
        unsigned flags = row_flags ? row_flags[r] : 0;
        if (t->zebra && r % 2 == 1) {
            pdfdoc_set_fill(doc, (pdfdoc_rgb_t){0.95f, 0.95f, 0.95f});
            HPDF_Page_Rectangle(doc->page, x, top - row_h, total_w, row_h);
            HPDF_Page_Fill(doc->page);
        }
        if (flags & PDFDOC_ROW_RULE_ABOVE) {
            HPDF_Page_SetLineWidth(doc->page, 0.75f);
            pdfdoc_set_stroke(doc, PDFDOC_BLACK);
            HPDF_Page_MoveTo(doc->page, x, top);
            HPDF_Page_LineTo(doc->page, x + total_w, top);
            HPDF_Page_Stroke(doc->page);
        }
        pdfdoc_style_t st = {size, (flags & PDFDOC_ROW_BOLD) != 0, PDFDOC_BLACK, PDFDOC_LEFT};
        float base = top - row_h / 2 - size * 0.35f;
        float cx = x;
        for (size_t c = 0; c < t->n_columns; c++) {
            const pdfdoc_column_t *col = &t->columns[c];
            const char *cell = cells[r * t->n_columns + c];
            st.align = col->align;
            float tx = col->align == PDFDOC_RIGHT    ? cx + col->width - CELL_PAD
                       : col->align == PDFDOC_CENTER ? cx + col->width / 2
                                                     : cx + CELL_PAD;
            if (cell)
                pdfdoc_text_fit(doc, tx, base, col->width - 2 * CELL_PAD, cell, &st);
            cx += col->width;
        }
        top -= row_h;
    }
    *y = top;
    return pdfdoc_check(doc, "drawing a table", err);
}

/* ---- saving ---------------------------------------------------------- */

ops_status_t pdfdoc_save_to_memory(pdfdoc_t *doc, unsigned char **data, size_t *len,
                                   ops_error_t *err)
{
    *data = NULL;
    *len = 0;
    ops_status_t st = pdfdoc_check(doc, "drawing (before save)", err);
    if (st != OPS_OK)
        return st;
    if (HPDF_SaveToStream(doc->pdf) != HPDF_OK || doc->error_no)
        return pdfdoc_check(doc, "writing the PDF", err);
    /* libharu 2.3.0 leaves the memory stream's read pointer where the last
     * read ended (into buffers it has since freed): rewind before reading,
     * or a second save returns stale bytes. */
    HPDF_ResetStream(doc->pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(doc->pdf);
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    HPDF_UINT32 got = 0;
    while (got < size) {
        HPDF_UINT32 n = size - got;
        HPDF_STATUS rs = HPDF_ReadFromStream(doc->pdf, buf + got, &n);
        got += n;
        if (rs == HPDF_STREAM_EOF || n == 0)
            break;
        if (rs != HPDF_OK)
            break;
    }
    /* reading to the end raises HPDF_STREAM_EOF through the handler: not an error */
    if (doc->error_no == HPDF_STREAM_EOF)
        pdfdoc_reset_error(doc);
    HPDF_ResetStream(doc->pdf);
    if (got != size || doc->error_no) {
        free(buf);
        if (doc->error_no)
            return pdfdoc_check(doc, "reading the PDF stream", err);
        return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL,
                             "PDF: stream gave %u of %u bytes", (unsigned)got, (unsigned)size);
    }
    *data = buf;
    *len = size;
    return OPS_OK;
}

static ops_status_t write_all(int fd, const unsigned char *p, size_t n, const char *path,
                              ops_error_t *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "write failed: %s",
                                 strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return OPS_OK;
}

ops_status_t pdfdoc_save(pdfdoc_t *doc, const char *path, ops_error_t *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    char *tmp = NULL, *dircopy = NULL;
    int fd = -1;
    ops_status_t st = pdfdoc_save_to_memory(doc, &data, &len, err);
    if (st != OPS_OK)
        goto cleanup;
    size_t plen = strlen(path);
    tmp = malloc(plen + 5);
    dircopy = strdup(path);
    if (!tmp || !dircopy) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, tmp, 0, NULL, "cannot create: %s",
                           strerror(errno));
        goto cleanup;
    }
    if ((st = write_all(fd, data, len, tmp, err)) != OPS_OK)
        goto cleanup;
    if (fsync(fd) != 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, tmp, 0, NULL, "fsync failed: %s",
                           strerror(errno));
        goto cleanup;
    }
    int rc = close(fd);
    fd = -1;
    if (rc != 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, tmp, 0, NULL, "close failed: %s",
                           strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, path) != 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot rename %s to it: %s",
                           tmp, strerror(errno));
        goto cleanup;
    }
    /* make the rename itself durable */
    int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
cleanup:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    } else if (st != OPS_OK && tmp) {
        unlink(tmp);
    }
    free(tmp);
    free(dircopy);
    free(data);
    return st;
}
