/*
 * smtp.c - sends one message over SMTP with libcurl, with retries.
 *
 * deliver_send builds the message once (message.c), reads the password just
 * before the first connection, then makes up to max_attempts attempts, each
 * on a fresh curl easy handle (a fresh connection). Between attempts it waits
 * initial_backoff_ms, then twice that, and so on; no retry starts once the
 * retry budget (seconds since the first attempt) would be passed, and each
 * retry's own timeout is cut to what is left of the budget.
 *
 * Transient, permanent or unknown (deliver_classify): a 4xx reply, no
 * connection, or a timeout or dropped connection before the whole message
 * was sent is transient and retried; a 5xx reply (550 recipient rejected,
 * 535 login refused), a TLS failure or a malformed URL is permanent and
 * stops at once. The third kind is the reason SMTP cannot promise exactly
 * once: when every byte of the message and its final "." went out and the
 * connection then drops or times out before the server's reply, the server
 * may well have queued it. libcurl reports that as a receive error or a
 * timeout, like any other drop; what tells the cases apart is how far the
 * attempt got (attempt_stage): whether the read callback has handed over the
 * last byte and libcurl's upload counter has reached the message length.
 * Such an outcome is "unknown": never retried here, left to a person.
 *
 * The reply code is CURLINFO_RESPONSE_CODE; the reply text is
 * the server's reply line with that code, captured by a debug callback that looks
 * only at server-to-client lines (CURLINFO_HEADER_IN) - the client's side
 * carries AUTH and is never looked at.
 *
 * The password lives in one stack buffer for the duration of the call, is
 * handed to curl with CURLOPT_PASSWORD and wiped (explicit_bzero) before
 * returning; every text that leaves this file (outcome, error) is scrubbed
 * of it as a last guard. It never appears in a URL: URLs with credentials
 * are refused.
 */
#include "opsreport/deliver.h"
#include "deliver/deliver_internal.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD_MAX 1024

void deliver_smtp_init(deliver_smtp_t *s)
{
    memset(s, 0, sizeof *s);
    s->tls = DELIVER_TLS_REQUIRED;
    s->connect_timeout_ms = 10000;
    s->timeout_ms = 60000;
    s->max_attempts = 4;
    s->initial_backoff_ms = 2000;
    s->retry_budget_s = 300.0;
    s->max_attachment_bytes = 20u * 1024u * 1024u;
}

/* ---- URL ------------------------------------------------------------- */

typedef struct {
    bool implicit_tls; /* smtps:// */
    bool loopback;
    char host[256];
} url_info_t;

static bool host_is_loopback(const char *host)
{
    char h[256];
    size_t n = strlen(host);
    /* CURLU gives IPv6 hosts in brackets. */
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        if (n - 2 >= sizeof h)
            return false;
        memcpy(h, host + 1, n - 2);
        h[n - 2] = '\0';
    } else {
        snprintf(h, sizeof h, "%s", host);
    }
    size_t hl = strlen(h);
    if (hl > 0 && h[hl - 1] == '.')
        h[--hl] = '\0';
    /* curl answers localhost and *.localhost itself (RFC 6761), no DNS. */
    if (strcasecmp(h, "localhost") == 0 ||
        (hl > 10 && strcasecmp(h + hl - 10, ".localhost") == 0))
        return true;
    /* CURLU has already normalised IPv4 forms like 127.1 or 0x7f000001. */
    struct in_addr a4;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, h, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) ||
               (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return false;
}

static ops_status_t url_parse(const char *url, url_info_t *info, ops_error_t *err)
{
    ops_status_t st = OPS_OK;
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    memset(info, 0, sizeof *info);
    CURLU *u = curl_url();
    if (!u)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, "smtp_url", "out of memory");
    if (!url || !*url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
        st = ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "smtp_url",
                           "'%s' is not a URL of the form smtp://host[:port] or "
                           "smtps://host[:port]", url ? url : "");
        goto cleanup;
    }
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
    if (user || pass) {
        /* Do not echo the URL: it may hold the password. */
        st = ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "smtp_url",
                           "the SMTP URL must not contain a user name or password; set "
                           "username and password_env or password_file instead");
        goto cleanup;
    }
    if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
        st = ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "smtp_url",
                           "'%s': scheme must be smtp:// (STARTTLS) or smtps:// (TLS), not %s://",
                           url, scheme);
        goto cleanup;
    }
    info->implicit_tls = strcmp(scheme, "smtps") == 0;
    info->loopback = host_is_loopback(host);
    snprintf(info->host, sizeof info->host, "%s", host);

cleanup:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return st;
}

bool deliver_url_is_loopback(const char *smtp_url)
{
    url_info_t info;
    return url_parse(smtp_url, &info, NULL) == OPS_OK && info.loopback;
}

/* ---- password -------------------------------------------------------- */

static bool has_text(const char *s)
{
    return s && *s;
}

/* Reads the password into buf (NUL-terminated) from the env var or the
 * owner-only file. buf[0] = '\0' when no AUTH is configured. The messages
 * name the variable or file, never the value. */
static ops_status_t password_load(const deliver_smtp_t *s, char *buf, size_t size,
                                  ops_error_t *err)
{
    buf[0] = '\0';
    bool env = has_text(s->password_env), file = has_text(s->password_file);
    if (!has_text(s->username)) {
        if (env || file)
            return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "username",
                                 "a password source is set but no username");
        return OPS_OK;
    }
    if (env && file)
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "password_file",
                             "set either password_env or password_file, not both");
    if (!env && !file)
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "password_env",
                             "username is set: the password must come from password_env "
                             "(an environment variable) or password_file");
    if (env) {
        const char *v = getenv(s->password_env);
        if (!v || !*v)
            return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "password_env",
                                 "environment variable %s is not set or empty",
                                 s->password_env);
        if (strlen(v) >= size || strpbrk(v, "\r\n"))
            return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "password_env",
                                 "environment variable %s holds an unusable password "
                                 "(over %zu bytes or a line break)", s->password_env, size - 1);
        snprintf(buf, size, "%s", v);
        return OPS_OK;
    }

    /* open first, then fstat the open file: no window to swap the file. */
    ops_status_t st = OPS_OK;
    int fd = open(s->password_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return ops_error_set(err, OPS_ERR_CONFIG, s->password_file, 0, "password_file",
                             "cannot open password file: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = ops_error_set(err, OPS_ERR_CONFIG, s->password_file, 0, "password_file",
                           "password file must be a regular file");
        goto cleanup;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        st = ops_error_set(err, OPS_ERR_CONFIG, s->password_file, 0, "password_file",
                           "password file has mode %04o: it must be readable by its owner "
                           "only (chmod 600 %s)", (unsigned)(sb.st_mode & 07777),
                           s->password_file);
        goto cleanup;
    }
    size_t n = 0;
    while (n < size) {
        ssize_t r = read(fd, buf + n, size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = ops_error_set(err, OPS_ERR_CONFIG, s->password_file, 0, "password_file",
                               "cannot read password file: %s", strerror(errno));
            goto cleanup;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n == size) {
        st = ops_error_set(err, OPS_ERR_CONFIG, s->password_file, 0, "password_file",
                           "password file is over %zu bytes", size - 1);
        goto cleanup;
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0'; /* the first line is the password */
    if (!buf[0])
        st = ops_error_set(err, OPS_ERR_CONFIG, s->password_file, 0, "password_file",
                           "password file is empty");

cleanup:
    close(fd);
    if (st != OPS_OK)
        explicit_bzero(buf, size);
    return st;
}

ops_status_t deliver_smtp_check(const deliver_smtp_t *s, ops_error_t *err)
{
    url_info_t info;
    ops_status_t st = url_parse(s->smtp_url, &info, err);
    if (st != OPS_OK)
        return st;
    if (!has_text(s->from) || !deliver_address_valid(s->from))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "from",
                             "sender address '%s' is not a valid address (user@domain)",
                             s->from ? s->from : "");
    if (s->max_attempts < 1 || s->connect_timeout_ms <= 0 || s->timeout_ms <= 0 ||
        s->initial_backoff_ms < 0 || !(s->retry_budget_s >= 0 && s->retry_budget_s <= 86400))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "max_attempts",
                             "need max_attempts >= 1, timeouts > 0, backoff >= 0 and a "
                             "retry budget of 0 to 86400 s");
    char pw[PASSWORD_MAX];
    st = password_load(s, pw, sizeof pw, err);
    explicit_bzero(pw, sizeof pw);
    return st;
}

/* ---- one attempt ------------------------------------------------------ */

typedef struct {
    const char *data;
    size_t len, pos; /* pos == len: the last byte has been handed to libcurl */
} upload_t;

static size_t upload_read(char *buf, size_t size, size_t nitems, void *userp)
{
    upload_t *u = userp;
    size_t n = size * nitems;
    if (n > u->len - u->pos)
        n = u->len - u->pos;
    memcpy(buf, u->data + u->pos, n);
    u->pos += n;
    return n;
}

/* The server's lines arrive in pieces; keep the last few complete ones.
 * A failed transaction ends with QUIT inside curl_easy_perform, so the very
 * last line is often "221 Bye": reply_pick finds the line for the code
 * CURLINFO_RESPONSE_CODE reports instead. */
#define REPLY_KEEP 8
typedef struct {
    char partial[512];
    size_t plen;
    char lines[REPLY_KEEP][512];
    size_t n; /* lines seen; lines[(n - 1) % REPLY_KEEP] is the last */
} reply_capture_t;

static int debug_capture(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)h;
    reply_capture_t *c = userp;
    if (type != CURLINFO_HEADER_IN) /* never look at what we send: it has AUTH */
        return 0;
    for (size_t i = 0; i < size; i++) {
        char ch = data[i];
        if (ch == '\n') {
            c->partial[c->plen] = '\0';
            if (c->plen > 0)
                memcpy(c->lines[c->n++ % REPLY_KEEP], c->partial, c->plen + 1);
            c->plen = 0;
        } else if (ch != '\r' && c->plen + 1 < sizeof c->partial) {
            c->partial[c->plen++] = ch;
        }
    }
    return 0;
}

/* The last kept line that starts "CODE " (a reply's final line), else the
 * last line, else "". */
static const char *reply_pick(const reply_capture_t *c, long code)
{
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%ld ", code);
    size_t kept = c->n < REPLY_KEEP ? c->n : REPLY_KEEP;
    for (size_t k = 0; code > 0 && k < kept; k++) {
        const char *line = c->lines[(c->n - 1 - k) % REPLY_KEEP];
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            return line;
    }
    return c->n ? c->lines[(c->n - 1) % REPLY_KEEP] : "";
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static bool curl_code_transient(int c)
{
    switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return true;
    default:
        return false;
    }
}

deliver_verdict_t deliver_classify(int curl_code, long smtp_code, deliver_stage_t stage)
{
    if (curl_code == CURLE_OK)
        return DELIVER_DELIVERED;
    /* A negative reply is the server's own word, whatever the stage: after
     * the final "." a 451 or 554 means it did not take the message. */
    if (smtp_code >= 500 && smtp_code <= 599)
        return DELIVER_PERMANENT;
    if (smtp_code >= 400 && smtp_code <= 499)
        return DELIVER_TRANSIENT;
    /* Everything sent, no verdict from the server: dropped, timed out or
     * garbled, it may have been queued. The one exception is a send error:
     * the "." is the last thing written, so a failed write means it never
     * left, and after it libcurl only reads. */
    if (stage == DELIVER_STAGE_SENT && curl_code != CURLE_SEND_ERROR)
        return DELIVER_UNKNOWN;
    return curl_code_transient(curl_code) ? DELIVER_TRANSIENT : DELIVER_PERMANENT;
}

/* How far an attempt got with the message. Both signals are needed: the
 * read callback may have handed its last byte to libcurl while libcurl was
 * still writing (a server that stops reading), and the upload counter alone
 * could pass the length early because libcurl counts the dots it stuffs.
 * The counter is compared with the unstuffed length, the lower bound under
 * either way of counting: erring towards SENT makes a rare attempt unknown
 * that was not, never the reverse, which could deliver twice. */
static deliver_stage_t attempt_stage(CURL *h, const upload_t *up)
{
    curl_off_t uploaded = 0;
    if (up->pos == 0)
        return DELIVER_STAGE_ENVELOPE;
    if (up->pos == up->len && curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded) == CURLE_OK &&
        uploaded >= (curl_off_t)up->len)
        return DELIVER_STAGE_SENT;
    return DELIVER_STAGE_BODY;
}

typedef struct {
    const deliver_smtp_t *s;
    const url_info_t *url;
    struct curl_slist *rcpt;
    const char *data;
    size_t len;
    const char *password; /* "" = no AUTH */
} attempt_ctx_t;

static ops_status_t attempt_run(const attempt_ctx_t *ctx, long timeout_ms,
                                deliver_outcome_t *o, ops_error_t *err)
{
    const deliver_smtp_t *s = ctx->s;
    CURL *h = curl_easy_init();
    if (!h)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "curl_easy_init failed");
    char errbuf[CURL_ERROR_SIZE] = "";
    char from[300];
    snprintf(from, sizeof from, "<%s>", s->from);
    upload_t up = { ctx->data, ctx->len, 0 };
    reply_capture_t *cap = calloc(1, sizeof *cap); /* 4.5 KiB: off the stack */
    if (!cap) {
        curl_easy_cleanup(h);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }

    /* STARTTLS is required, except to loopback (nothing leaves the machine)
     * or when the config says tls = none; on loopback it is still used if
     * the server offers it. smtps:// is TLS from the first byte. */
    long use_ssl = CURLUSESSL_ALL;
    if (!ctx->url->implicit_tls && s->tls == DELIVER_TLS_NONE)
        use_ssl = CURLUSESSL_NONE;
    else if (!ctx->url->implicit_tls && ctx->url->loopback && s->tls != DELIVER_TLS_STRICT)
        use_ssl = CURLUSESSL_TRY;

    curl_easy_setopt(h, CURLOPT_URL, s->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, ctx->rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)ctx->len);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    /* CURLOPT_TIMEOUT_MS does not cover the QUIT that curl_easy_cleanup
     * sends on a connection left open (as it is after a timeout while
     * waiting for the reply to the final "."): that wait runs on the
     * per-reply clock, two minutes by default. Bound it by the attempt's
     * timeout too (whole seconds: the _MS form is curl 8.6+). */
    curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (timeout_ms + 999) / 1000);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* needed for the debug callback */
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_capture);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, cap);
    if (ctx->password[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, ctx->password);
    }

    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    /* Copy before cleanup: closing sends QUIT and its 221 would overwrite. */
    o->curl_code = (int)rc;
    o->smtp_code = code;
    o->stage = attempt_stage(h, &up);
    snprintf(o->smtp_reply, sizeof o->smtp_reply, "%s", reply_pick(cap, code));
    snprintf(o->curl_error, sizeof o->curl_error, "%s",
             rc == CURLE_OK ? "" : (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, NULL);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
    curl_socket_t sock = CURL_SOCKET_BAD;
    if (rc == CURLE_OPERATION_TIMEDOUT &&
        curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &sock) == CURLE_OK && sock != CURL_SOCKET_BAD)
        /* The server stopped answering: QUIT would only wait out the reply
         * clock again. A shut socket makes curl_easy_cleanup fail it at
         * once; curl still closes the descriptor. */
        shutdown(sock, SHUT_RDWR);
    curl_easy_cleanup(h);
    free(cap);

    deliver_verdict_t v = deliver_classify((int)rc, code, o->stage);
    o->delivered = v == DELIVER_DELIVERED;
    o->unknown = v == DELIVER_UNKNOWN;
    o->permanent = v == DELIVER_PERMANENT;
    return OPS_OK;
}

/* Replaces every occurrence of secret in text by "***" (in place, cut to
 * size). Callers pass buffers of at most 1024 bytes. */
static void redact(char *text, size_t size, const char *secret)
{
    char tmp[1024];
    size_t sl = strlen(secret), n = 0;
    if (sl == 0 || !strstr(text, secret))
        return;
    if (size > sizeof tmp)
        size = sizeof tmp;
    for (const char *p = text; *p && n + 1 < size;) {
        if (strncmp(p, secret, sl) == 0) {
            for (const char *r = "***"; *r && n + 1 < size; r++)
                tmp[n++] = *r;
            p += sl;
        } else {
            tmp[n++] = *p++;
        }
    }
    tmp[n] = '\0';
    memcpy(text, tmp, n + 1);
}

ops_status_t deliver_send(const deliver_smtp_t *s, const deliver_message_t *msg,
                          deliver_outcome_t *o, ops_error_t *err)
{
    memset(o, 0, sizeof *o);
    char password[PASSWORD_MAX] = "";
    char *data = NULL;
    size_t len = 0;
    struct curl_slist *rcpt = NULL;
    bool curl_ready = false;
    url_info_t url;
    ops_status_t st = deliver_smtp_check(s, err);
    if (st == OPS_OK)
        st = url_parse(s->smtp_url, &url, err);
    if (st == OPS_OK)
        st = deliver_message_build(s, msg, &data, &len, err);
    if (st == OPS_OK)
        st = password_load(s, password, sizeof password, err);
    if (st != OPS_OK) {
        o->permanent = true;
        goto cleanup;
    }

    for (size_t i = 0; i < msg->n_to + msg->n_cc; i++) {
        char buf[300];
        snprintf(buf, sizeof buf, "<%s>", i < msg->n_to ? msg->to[i] : msg->cc[i - msg->n_to]);
        struct curl_slist *next = curl_slist_append(rcpt, buf);
        if (!next) {
            st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto cleanup;
        }
        rcpt = next;
    }
    /* Reference-counted and thread-safe since curl 7.84; paired below. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        st = ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "curl_global_init failed");
        goto cleanup;
    }
    curl_ready = true;

    attempt_ctx_t ctx = { s, &url, rcpt, data, len, password };
    const char *stop_reason = "";
    double t0 = now_s();
    long budget_ms = (long)(s->retry_budget_s * 1000.0);
    for (int attempt = 1; attempt <= s->max_attempts; attempt++) {
        long timeout = s->timeout_ms;
        if (attempt > 1) {
            long delay = s->initial_backoff_ms;
            for (int k = 2; k < attempt && delay < budget_ms; k++)
                delay *= 2;
            long elapsed = (long)((now_s() - t0) * 1000.0);
            if (elapsed + delay >= budget_ms) {
                stop_reason = "; retry budget exhausted";
                break;
            }
            sleep_ms(delay);
            long left = budget_ms - (long)((now_s() - t0) * 1000.0);
            if (left < timeout)
                timeout = left > 100 ? left : 100;
        }
        o->attempts = attempt;
        st = attempt_run(&ctx, timeout, o, err);
        if (st != OPS_OK || o->delivered)
            break;
        if (o->unknown) {
            stop_reason = "; not retried: it may have been delivered";
            break;
        }
        if (o->permanent) {
            stop_reason = "; permanent failure, not retried";
            break;
        }
        if (attempt == s->max_attempts)
            stop_reason = "; no attempts left";
    }
    o->elapsed_s = now_s() - t0;

    if (st == OPS_OK && o->unknown) {
        st = ops_error_set(err, OPS_ERR_DELIVERY, NULL, 0, NULL,
                           "delivery to %s via %s is unknown after %d attempt%s in %.1f s: the "
                           "whole message was sent, then the connection failed before the "
                           "server's reply (%s)%s",
                           msg->to[0], s->smtp_url, o->attempts, o->attempts == 1 ? "" : "s",
                           o->elapsed_s, o->curl_error, stop_reason);
    } else if (st == OPS_OK && o->curl_code == CURLE_USE_SSL_FAILED) {
        /* curl's own words ("STARTTLS not supported.") do not say that this
         * is our choice, nor that nothing went out in the clear. */
        st = ops_error_set(err, OPS_ERR_DELIVERY, NULL, 0, NULL,
                           "delivery to %s via %s failed: the server does not offer STARTTLS and "
                           "TLS is required, so nothing was sent (%s)%s",
                           msg->to[0], s->smtp_url, o->curl_error, stop_reason);
    } else if (st == OPS_OK && !o->delivered) {
        /* Server reply if there was one, else what curl says went wrong. */
        st = ops_error_set(err, OPS_ERR_DELIVERY, NULL, 0, NULL,
                           "delivery to %s via %s failed after %d attempt%s in %.1f s: %s%s%s",
                           msg->to[0], s->smtp_url, o->attempts, o->attempts == 1 ? "" : "s",
                           o->elapsed_s,
                           o->smtp_code >= 400 && o->smtp_reply[0] ? "server replied: " : "",
                           o->smtp_code >= 400 && o->smtp_reply[0] ? o->smtp_reply
                                                                    : o->curl_error,
                           stop_reason);
    }

cleanup:
    if (password[0]) {
        redact(o->smtp_reply, sizeof o->smtp_reply, password);
        redact(o->curl_error, sizeof o->curl_error, password);
        if (err)
            redact(err->message, sizeof err->message, password);
    }
    explicit_bzero(password, sizeof password);
    curl_slist_free_all(rcpt);
    free(data);
    if (curl_ready)
        curl_global_cleanup();
    return st;
}
