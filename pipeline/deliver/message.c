/*
 * message.c - builds the RFC 5322 / MIME message that deliver_send sends and
 * deliver_write_eml writes, and the atomic file writer both .eml and ledger
 * use.
 *
 * Why a hand-written MIME encoder and not curl_mime_*: the dry run must write
 * the exact bytes that would be sent, byte-identical from run to run. libcurl's
 * MIME API picks a random multipart boundary (no API to set it) and has no
 * public way to render a curl_mime to memory or a file, so a dry run built on
 * it could never show the real message and would differ on every run. So the
 * message is built here once, as bytes, and deliver_send uploads those bytes
 * with CURLOPT_READFUNCTION; the .eml writer saves the same bytes. Base64 and
 * SHA-256 come from glib; what is hand-written (no library we ship does it) is
 * the header layout, RFC 2047 encoded-words, RFC 2231 file names and the
 * multipart framing, each a few lines below.
 *
 * Layout: Date, From, [Reply-To], To, [Cc], Subject, Message-ID,
 * Auto-Submitted, MIME-Version, then either a text/plain body alone or a
 * multipart/mixed with the text first and one base64 part per attachment.
 * With an HTML body the text becomes a multipart/alternative of the text
 * then the HTML (clients show the last one they can, RFC 2046 5.1.4), in
 * place of the text part: multipart/mixed { multipart/alternative { text,
 * html }, attachments }, or the alternative alone without attachments.
 * The boundaries are derived from the Message-ID, so the same message always
 * gives the same bytes. Every line ends in CRLF; SMTP dot-stuffing is
 * libcurl's job when sending.
 *
 * Header injection: a CR or LF inside a header value would end the header
 * and start another ("\r\nBcc: someone"). Addresses and the sender's name
 * come from the config and are refused there and again here; the subject
 * comes from the data (organisation, site names through the subject
 * template), so rather than fail a month-end send over it, every run of
 * control characters in it becomes one space (subject_clean).
 */
#include "opsreport/deliver.h"
#include "deliver/deliver_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 39 bytes -> 52 base64 chars -> a 64-char encoded word, so "Subject: " plus
 * one word stays under the 78-column line length RFC 5322 recommends. */
#define EW_CHUNK 39
#define B64_LINE 76
#define MAX_FILENAME 200

static bool has_ctl(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static bool is_plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

bool deliver_header_text_valid(const char *text)
{
    return text && g_utf8_validate(text, -1, NULL) && !has_ctl(text);
}

/* The subject as one header line: each run of control characters (CR, LF,
 * TAB, ...) becomes a single space, so no text can add a header. g_free. */
static gchar *subject_clean(const char *subject)
{
    GString *out = g_string_sized_new(strlen(subject));
    bool in_ctl = false;
    for (const unsigned char *p = (const unsigned char *)subject; *p; p++) {
        bool ctl = *p < 0x20 || *p == 0x7f;
        if (!ctl)
            g_string_append_c(out, (char)*p);
        else if (!in_ctl)
            g_string_append_c(out, ' ');
        in_ctl = ctl;
    }
    /* g_strstrip trims in place and returns its argument: still g_free-able. */
    return g_strstrip(g_string_free(out, FALSE));
}

bool deliver_address_valid(const char *addr)
{
    /* ASCII only: UTF-8 addresses would need SMTPUTF8 end to end. */
    if (!addr || !*addr || strlen(addr) > 254 || !is_plain_ascii(addr))
        return false;
    const char *at = strrchr(addr, '@');
    if (!at || at == addr || at[1] == '\0' || strchr(addr, '@') != at)
        return false;
    return strpbrk(addr, " <>,;:\"()\\[]") == NULL;
}

/* RFC 2047 "B" encoded-words, folded with CRLF SP, never splitting a UTF-8
 * character across two words (RFC 2047 section 5). */
static void append_encoded_words(GString *out, const char *text)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        const char *end = p;
        while (*end) {
            const char *next = g_utf8_next_char(end);
            if (next - p > EW_CHUNK)
                break;
            end = next;
        }
        gchar *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
        g_string_append_printf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
        g_free(b64);
        first = false;
        p = end;
    }
}

/* Unstructured header text (Subject): plain if short printable ASCII that
 * cannot be mistaken for an encoded word, else encoded words (which also
 * fold long subjects). */
static void append_unstructured(GString *out, const char *text)
{
    if (is_plain_ascii(text) && strlen(text) <= 70 && !strstr(text, "=?"))
        g_string_append(out, text);
    else
        append_encoded_words(out, text);
}

/* Display name + address: quoted-string for ASCII names, encoded words
 * otherwise (encoded words may not appear inside quotes). */
static void append_mailbox(GString *out, const char *name, const char *addr)
{
    if (name && *name) {
        if (is_plain_ascii(name) && strlen(name) <= 60) {
            g_string_append_c(out, '"');
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    g_string_append_c(out, '\\');
                g_string_append_c(out, *p);
            }
            g_string_append(out, "\" ");
        } else {
            append_encoded_words(out, name);
            g_string_append_c(out, ' ');
        }
        g_string_append_printf(out, "<%s>", addr);
    } else {
        g_string_append(out, addr);
    }
}

static void append_address_list(GString *out, const char *header, const char *const *list,
                                size_t n)
{
    g_string_append_printf(out, "%s: ", header);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(out, "%s%s", i ? ",\r\n " : "", list[i]);
    g_string_append(out, "\r\n");
}

/* A MIME parameter (name=/filename=): quoted when short plain ASCII, else
 * RFC 2231 percent-encoded UTF-8, split into numbered continuations
 * (name*0*=UTF-8''..; name*1*=..) so no line passes 78 characters. */
#define PARAM_SEGMENT 56
static void append_param(GString *out, const char *param, const char *value)
{
    bool plain = is_plain_ascii(value) && !strpbrk(value, "\"\\") && strlen(value) <= 60;
    if (plain) {
        g_string_append_printf(out, ";\r\n %s=\"%s\"", param, value);
        return;
    }
    GString *enc = g_string_new(NULL);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (g_ascii_isalnum(*p) || strchr("!#$&+-.^_`|~", *p))
            g_string_append_c(enc, (char)*p);
        else
            g_string_append_printf(enc, "%%%02X", *p);
    }
    if (enc->len <= PARAM_SEGMENT) {
        g_string_append_printf(out, ";\r\n %s*=UTF-8''%s", param, enc->str);
    } else {
        size_t pos = 0;
        for (int k = 0; pos < enc->len; k++) {
            size_t n = enc->len - pos < PARAM_SEGMENT ? enc->len - pos : PARAM_SEGMENT;
            /* never split a %XX triplet */
            if (pos + n < enc->len && enc->str[pos + n - 1] == '%')
                n -= 1;
            else if (pos + n < enc->len && n >= 2 && enc->str[pos + n - 2] == '%')
                n -= 2;
            g_string_append_printf(out, ";\r\n %s*%d*=%s%.*s", param, k, k ? "" : "UTF-8''",
                                   (int)n, enc->str + pos);
            pos += n;
        }
    }
    g_string_free(enc, TRUE);
}

/* Base64 in lines of 76 characters (RFC 2045 section 6.8). */
static void append_base64(GString *out, const guchar *data, gsize len)
{
    gchar *b64 = g_base64_encode(data, len);
    size_t n = strlen(b64);
    for (size_t i = 0; i < n; i += B64_LINE) {
        g_string_append_len(out, b64 + i, (gssize)(n - i < B64_LINE ? n - i : B64_LINE));
        g_string_append(out, "\r\n");
    }
    g_free(b64);
}

/* Body text with every line end made CRLF and a final CRLF. */
static GString *body_crlf(const char *body)
{
    GString *s = g_string_sized_new(strlen(body) + 64);
    for (const char *p = body; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\n' || *p == '\r')
            g_string_append(s, "\r\n");
        else
            g_string_append_c(s, *p);
    }
    if (s->len < 2 || strcmp(s->str + s->len - 2, "\r\n") != 0)
        g_string_append(s, "\r\n");
    return s;
}

/* 7bit is readable in the .eml; anything else (non-ASCII, a line over the
 * 998-octet SMTP limit, text that contains a boundary) goes as base64. */
static bool body_is_7bit(const GString *crlf, const char *boundary, const char *boundary2)
{
    size_t line = 0;
    for (size_t i = 0; i < crlf->len; i++) {
        unsigned char c = (unsigned char)crlf->str[i];
        if (c >= 0x80 || c == 0)
            return false;
        line = (c == '\n') ? 0 : line + 1;
        if (line > 998)
            return false;
    }
    return !(boundary && strstr(crlf->str, boundary)) && !(boundary2 && strstr(crlf->str, boundary2));
}

/* A text part (subtype "plain" or "html") inside the multiparts bounded by
 * boundary and boundary2 (either NULL when there is none). */
static void append_text_part(GString *out, const char *subtype, const char *body, const char *boundary,
                             const char *boundary2)
{
    GString *crlf = body_crlf(body);
    g_string_append_printf(out, "Content-Type: text/%s; charset=UTF-8\r\n", subtype);
    if (body_is_7bit(crlf, boundary, boundary2)) {
        g_string_append(out, "Content-Transfer-Encoding: 7bit\r\n\r\n");
        g_string_append_len(out, crlf->str, (gssize)crlf->len);
    } else {
        g_string_append(out, "Content-Transfer-Encoding: base64\r\n\r\n");
        append_base64(out, (const guchar *)crlf->str, crlf->len);
    }
    g_string_free(crlf, TRUE);
}

/* The text and the HTML as multipart/alternative, plain text first so a
 * client that cannot show HTML shows the text; outer is the enclosing
 * multipart/mixed boundary, NULL when the alternative is the whole body. */
static void append_alternative(GString *out, const deliver_message_t *msg, const char *alt,
                               const char *outer)
{
    g_string_append_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", alt);
    if (!outer)
        g_string_append(out, "This is a multi-part message in MIME format.\r\n");
    g_string_append_printf(out, "\r\n--%s\r\n", alt);
    append_text_part(out, "plain", msg->body, alt, outer);
    g_string_append_printf(out, "\r\n--%s\r\n", alt);
    append_text_part(out, "html", msg->html, alt, outer);
    g_string_append_printf(out, "\r\n--%s--\r\n", alt);
}

static bool mime_type_valid(const char *t)
{
    const char *slash = strchr(t, '/');
    if (!slash || slash == t || slash[1] == '\0' || strchr(slash + 1, '/'))
        return false;
    for (const char *p = t; *p; p++)
        if (*p != '/' && !g_ascii_isalnum(*p) && !strchr("!#$&^_.+-", *p))
            return false;
    return true;
}

static ops_status_t check_message(const deliver_smtp_t *s, const deliver_message_t *m,
                                  ops_error_t *err)
{
    if (!s->from || !deliver_address_valid(s->from))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "from",
                             "sender address '%s' is not a valid address (user@domain)",
                             s->from ? s->from : "");
    if (s->reply_to && *s->reply_to && !deliver_address_valid(s->reply_to))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "reply_to",
                             "reply-to address '%s' is not a valid address", s->reply_to);
    if (s->from_name && !deliver_header_text_valid(s->from_name))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "from_name",
                             "sender name must be one line of UTF-8 text");
    if (m->n_to == 0 || !m->to)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "to", "message has no recipient");
    for (size_t i = 0; i < m->n_to + m->n_cc; i++) {
        const char *a = i < m->n_to ? m->to[i] : m->cc[i - m->n_to];
        if (!deliver_address_valid(a))
            return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, i < m->n_to ? "to" : "cc",
                                 "recipient '%s' is not a valid address (user@domain)",
                                 a ? a : "");
    }
    if (!m->subject || !g_utf8_validate(m->subject, -1, NULL))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "subject",
                             "subject must be UTF-8 text");
    if (!m->body || !g_utf8_validate(m->body, -1, NULL))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "body",
                             "message body must be UTF-8 text");
    if (m->html && !g_utf8_validate(m->html, -1, NULL))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "html",
                             "HTML body must be UTF-8 text");
    const char *id = m->message_id;
    size_t idlen = id ? strlen(id) : 0;
    if (idlen < 5 || id[0] != '<' || id[idlen - 1] != '>' || !strchr(id, '@') ||
        !is_plain_ascii(id) || strpbrk(id + 1, " <") || strchr(id, '>') != id + idlen - 1)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "message_id",
                             "Message-ID '%s' must look like <unique@host>", id ? id : "");
    if (!m->date || !*m->date || !is_plain_ascii(m->date))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "date",
                             "Date header missing (see deliver_format_date)");
    for (size_t i = 0; i < m->n_attachments; i++) {
        const deliver_attachment_t *a = &m->attachments[i];
        if (!a->path || !*a->path)
            return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, "attachment",
                                 "attachment %zu has no path", i + 1);
        if (!a->filename || !*a->filename || strlen(a->filename) > MAX_FILENAME ||
            has_ctl(a->filename) || strchr(a->filename, '/') ||
            !g_utf8_validate(a->filename, -1, NULL))
            return ops_error_set(err, OPS_ERR_INPUT, a->path, 0, "attachment",
                                 "attachment file name '%s' must be one line of UTF-8, "
                                 "no '/', at most %d bytes",
                                 a->filename ? a->filename : "", MAX_FILENAME);
        if (!a->mime_type || !mime_type_valid(a->mime_type))
            return ops_error_set(err, OPS_ERR_INPUT, a->path, 0, "attachment",
                                 "MIME type '%s' is not of the form type/subtype",
                                 a->mime_type ? a->mime_type : "");
    }
    return OPS_OK;
}

void deliver_format_date(time_t when, char *buf, size_t size)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    gmtime_r(&when, &tm);
    /* Names from tables, not strftime: RFC 5322 wants English whatever the locale. */
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

ops_status_t deliver_message_build(const deliver_smtp_t *settings, const deliver_message_t *msg,
                                   char **out, size_t *out_len, ops_error_t *err)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    ops_status_t st = check_message(settings, msg, err);
    if (st != OPS_OK)
        return st;

    GString *m = g_string_sized_new(4096);
    char *boundary = NULL, *alt_boundary = NULL;
    gchar **contents = g_new0(gchar *, msg->n_attachments + 1);
    gsize *sizes = g_new0(gsize, msg->n_attachments + 1);

    /* Read every attachment first so the size limit is checked on the total. */
    uint64_t total = 0;
    for (size_t i = 0; i < msg->n_attachments; i++) {
        GError *gerr = NULL;
        if (!g_file_get_contents(msg->attachments[i].path, &contents[i], &sizes[i], &gerr)) {
            st = ops_error_set(err, OPS_ERR_INPUT, msg->attachments[i].path, 0, "attachment",
                               "cannot read attachment: %s", gerr->message);
            g_error_free(gerr);
            goto cleanup;
        }
        total += sizes[i];
        if (settings->max_attachment_bytes && total > settings->max_attachment_bytes) {
            st = ops_error_set(err, OPS_ERR_INPUT, msg->attachments[i].path, 0, "attachment",
                               "attachments total %llu bytes, over the limit of %llu bytes",
                               (unsigned long long)total,
                               (unsigned long long)settings->max_attachment_bytes);
            goto cleanup;
        }
    }

    g_string_append_printf(m, "Date: %s\r\n", msg->date);
    g_string_append(m, "From: ");
    append_mailbox(m, settings->from_name, settings->from);
    g_string_append(m, "\r\n");
    if (settings->reply_to && *settings->reply_to)
        g_string_append_printf(m, "Reply-To: %s\r\n", settings->reply_to);
    append_address_list(m, "To", msg->to, msg->n_to);
    if (msg->n_cc)
        append_address_list(m, "Cc", msg->cc, msg->n_cc);
    g_string_append(m, "Subject: ");
    gchar *subject = subject_clean(msg->subject);
    append_unstructured(m, subject);
    g_free(subject);
    g_string_append(m, "\r\n");
    g_string_append_printf(m, "Message-ID: %s\r\n", msg->message_id);
    /* RFC 3834: tells autoresponders not to answer a machine-sent report. */
    g_string_append(m, "Auto-Submitted: auto-generated\r\n");
    g_string_append(m, "MIME-Version: 1.0\r\n");

    gchar *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, msg->message_id, -1);
    /* "=_" never occurs in base64 text; the 7bit bodies are checked for both.
     * Neither boundary is a prefix of the other, so no parser confuses them. */
    boundary = g_strdup_printf("=_opsreport_%.24s", hash);
    alt_boundary = g_strdup_printf("=_opsalt_%.24s", hash);
    g_free(hash);
    if (msg->n_attachments == 0 && !msg->html) {
        append_text_part(m, "plain", msg->body, NULL, NULL);
    } else if (msg->n_attachments == 0) {
        append_alternative(m, msg, alt_boundary, NULL);
    } else {
        g_string_append_printf(m, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n",
                               boundary);
        g_string_append(m, "This is a multi-part message in MIME format.\r\n");
        g_string_append_printf(m, "\r\n--%s\r\n", boundary);
        if (msg->html)
            append_alternative(m, msg, alt_boundary, boundary);
        else
            append_text_part(m, "plain", msg->body, boundary, NULL);
        for (size_t i = 0; i < msg->n_attachments; i++) {
            const deliver_attachment_t *a = &msg->attachments[i];
            g_string_append_printf(m, "\r\n--%s\r\n", boundary);
            g_string_append_printf(m, "Content-Type: %s", a->mime_type);
            append_param(m, "name", a->filename);
            g_string_append(m, "\r\nContent-Disposition: attachment");
            append_param(m, "filename", a->filename);
            g_string_append(m, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            append_base64(m, (const guchar *)contents[i], sizes[i]);
        }
        g_string_append_printf(m, "\r\n--%s--\r\n", boundary);
    }

    if (out_len)
        *out_len = m->len;
    /* glib >= 2.46 allocates with malloc, so the caller may free() this. */
    *out = g_string_free(m, FALSE);
    m = NULL;

cleanup:
    if (m)
        g_string_free(m, TRUE);
    g_free(boundary);
    g_free(alt_boundary);
    for (size_t i = 0; i < msg->n_attachments; i++)
        g_free(contents[i]);
    g_free(contents);
    g_free(sizes);
    return st;
}

ops_status_t deliver_write_atomic(const char *path, const char *data, size_t len,
                                  ops_error_t *err)
{
    ops_status_t st = OPS_OK;
    /* hidden (.NAME.tmp.XXXXXX), so a killed process leaves no name that looks final */
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *tmp = g_strdup_printf("%.*s.%s.tmp.XXXXXX", (int)(base - path), path, base);
    int fd = mkstemp(tmp);
    bool created = fd >= 0;
    if (fd < 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL,
                           "cannot create a temporary file beside it: %s", strerror(errno));
        goto cleanup;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "write failed: %s",
                               strerror(errno));
            goto cleanup;
        }
        done += (size_t)n;
    }
    /* mkstemp makes 0600; these files hold no secret and others read the run folder. */
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot finish writing: %s",
                           strerror(errno));
        goto cleanup;
    }
    if (close(fd) != 0) {
        fd = -1;
        st = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "close failed: %s",
                           strerror(errno));
        goto cleanup;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        st = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot rename %s over it: %s",
                           tmp, strerror(errno));
        goto cleanup;
    }
    g_free(tmp);
    return OPS_OK;

cleanup:
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp);
    g_free(tmp);
    return st;
}

ops_status_t deliver_write_eml(const deliver_smtp_t *settings, const deliver_message_t *msg,
                               const char *path, ops_error_t *err)
{
    char *data = NULL;
    size_t len = 0;
    ops_status_t st = deliver_message_build(settings, msg, &data, &len, err);
    if (st == OPS_OK)
        st = deliver_write_atomic(path, data, len, err);
    free(data);
    return st;
}
