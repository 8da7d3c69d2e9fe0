/*
 * test_deliver.c - email delivery against a real SMTP server on loopback.
 *
 * Each test that talks SMTP starts tests/smtp_server.py (aiosmtpd) on a port
 * the kernel picks, reads its "PORT n" line, and stops it with SIGTERM. What
 * arrived is checked from the server's side: the Maildir file (parsed with
 * /usr/bin/python3's email module, independent of our encoder) and the
 * server's log of MAIL/RCPT commands (to count attempts). Backoffs are tens
 * of milliseconds so the whole file runs in a few seconds.
 *
 * The fault tests use tests/fault_smtp.py instead, a server that drops,
 * stalls or refuses at a chosen point of the transaction; it writes the same
 * events.jsonl and keeps every message it received in full in new/, even
 * one it never confirmed, so a test counts what reached the server.
 */
#include "opsreport/deliver.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PY "/usr/bin/python3"

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
    pid_t pid;
    int port;
    char dir[64];
    char url[64];
} server_t;

static char *script_path(const char *name)
{
    /* __FILE__ is tests/unit/test_deliver.c, compiled from the repo root. */
    char *unit = g_path_get_dirname(__FILE__);
    char *tests = g_path_get_dirname(unit);
    char *path = g_build_filename(tests, name, NULL);
    g_free(unit);
    g_free(tests);
    return path;
}

/* Starts tests/<script> with extra flags (NULL-terminated), waits for PORT. */
static void server_start_script(server_t *srv, const char *name, const char *const *extra)
{
    memset(srv, 0, sizeof *srv);
    snprintf(srv->dir, sizeof srv->dir, "/tmp/opsreport-smtp-XXXXXX");
    cr_assert_not_null(mkdtemp(srv->dir));
    char *script = script_path(name);
    const char *argv[32] = { PY, script, "--dir", srv->dir, "--timeout", "60" };
    size_t n = 6;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;

    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(PY, (char *const *)argv);
        _exit(127);
    }
    g_free(script);
    close(fds[1]);
    srv->pid = pid;

    char line[128] = "";
    size_t len = 0;
    struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
    while (len + 1 < sizeof line && !strchr(line, '\n')) {
        cr_assert_gt(poll(&pfd, 1, 10000), 0, "smtp_server.py did not start in 10 s");
        ssize_t r = read(fds[0], line + len, sizeof line - 1 - len);
        cr_assert_gt(r, 0, "smtp_server.py exited before printing its port");
        len += (size_t)r;
        line[len] = '\0';
    }
    close(fds[0]);
    cr_assert_eq(sscanf(line, "PORT %d", &srv->port), 1, "unexpected ready line '%s'", line);
    snprintf(srv->url, sizeof srv->url, "smtp://127.0.0.1:%d", srv->port);
}

/* tests/smtp_server.py (aiosmtpd): a well-behaved server. */
static void server_start(server_t *srv, const char *const *extra)
{
    server_start_script(srv, "smtp_server.py", extra);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void server_stop(server_t *srv)
{
    if (srv->pid > 0) {
        kill(srv->pid, SIGTERM);
        int status;
        waitpid(srv->pid, &status, 0);
        srv->pid = 0;
    }
    nftw(srv->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Lines of DIR/events.jsonl that contain both needles. */
static int events_count(const server_t *srv, const char *cmd, const char *reply)
{
    char *path = g_build_filename(srv->dir, "events.jsonl", NULL);
    char *text = NULL;
    int count = 0;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        char **lines = g_strsplit(text, "\n", -1);
        char cmdkey[64], replykey[64];
        snprintf(cmdkey, sizeof cmdkey, "\"cmd\": \"%s\"", cmd);
        snprintf(replykey, sizeof replykey, "\"reply\": %s", reply ? reply : "");
        for (char **l = lines; *l; l++)
            if (strstr(*l, cmdkey) && (!reply || strstr(*l, replykey)))
                count++;
        g_strfreev(lines);
    }
    g_free(text);
    g_free(path);
    return count;
}

/* Paths of the stored messages (Maildir new/), sorted; g_strfreev. */
static char **maildir_files(const server_t *srv)
{
    char *dir = g_build_filename(srv->dir, "new", NULL);
    GPtrArray *out = g_ptr_array_new();
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        g_ptr_array_add(out, g_build_filename(dir, name, NULL));
    if (d)
        g_dir_close(d);
    g_free(dir);
    g_ptr_array_sort(out, (GCompareFunc)g_strcmp0);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

/* Parses a message file with Python's email module (policy.default, which
 * decodes RFC 2047 and RFC 2231) and prints one "key=value" per line, newlines
 * in values as \n, attachment bytes in hex. */
static const char *const py_parse =
    "import sys, email\n"
    "from email import policy\n"
    "m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)\n"
    "esc = lambda s: str(s).replace('\\\\', '\\\\\\\\').replace('\\n', '\\\\n')\n"
    "for h in ('From', 'To', 'Subject', 'Message-ID', 'X-RcptTo'):\n"
    "    print(h.lower() + '=' + esc(m.get(h, '')))\n"
    "print('body=' + esc(m.get_body(preferencelist=('plain',)).get_content().replace('\\r\\n', '\\n')))\n"
    "for p in m.iter_attachments():\n"
    "    print('att=%s|%s|%s' % (p.get_filename(), p.get_content_type(),\n"
    "                            p.get_payload(decode=True).hex()))\n"
    "d = len(m.defects) + sum(len(p.defects) for p in m.walk())\n"
    "print('defects=%d' % d)\n";

/* Runs py_parse on path; returns its whole output (g_free). */
static char *python_parse(const char *path)
{
    char *quoted_script = g_shell_quote(py_parse);
    char *quoted_path = g_shell_quote(path);
    char *cmd = g_strdup_printf("PYTHONIOENCODING=utf-8 %s -c %s %s", PY, quoted_script,
                                quoted_path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    GString *out = g_string_new(NULL);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        g_string_append_len(out, buf, (gssize)n);
    cr_assert_eq(pclose(p), 0, "python email parse failed on %s", path);
    g_free(cmd);
    g_free(quoted_script);
    g_free(quoted_path);
    return g_string_free(out, FALSE);
}

/* The value of "key=" in python_parse output (g_free), or NULL. */
static char *parsed_value(const char *parsed, const char *key)
{
    char **lines = g_strsplit(parsed, "\n", -1);
    char *found = NULL;
    size_t kl = strlen(key);
    for (char **l = lines; *l && !found; l++)
        if (strncmp(*l, key, kl) == 0 && (*l)[kl] == '=')
            found = g_strdup(*l + kl + 1);
    g_strfreev(lines);
    return found;
}

static char *hex_of(const char *data, size_t len)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < len; i++)
        g_string_append_printf(s, "%02x", (unsigned char)data[i]);
    return g_string_free(s, FALSE);
}

static char *slurp(const char *path, size_t *len)
{
    char *text = NULL;
    gsize n = 0;
    cr_assert(g_file_get_contents(path, &text, &n, NULL), "cannot read %s", path);
    if (len)
        *len = n;
    return text;
}

/* Every line ends in CRLF and has at most 78 characters (RFC 5322 2.1.1). */
static void assert_lines_crlf_78(const char *text, size_t len)
{
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            cr_assert(i > 0 && text[i - 1] == '\r', "bare LF at byte %zu", i);
            col = 0;
        } else if (text[i] != '\r') {
            cr_assert_leq(++col, 78, "line over 78 chars at byte %zu", i);
        }
    }
}

/* A socket bound to a loopback port but never listening: connecting to it
 * is refused, and no other process can take the port while we hold it. */
static int dead_port(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A small PDF whose bytes also include every value 0..255, so the base64
 * round trip is checked for all of them. */
static void write_pdf(const char *path, GByteArray *bytes)
{
    static const char head[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%";
    static const char tail[] = "\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    g_byte_array_append(bytes, (const guint8 *)head, sizeof head - 1);
    for (int i = 0; i < 256; i++) {
        guint8 b = (guint8)i;
        g_byte_array_append(bytes, &b, 1);
    }
    g_byte_array_append(bytes, (const guint8 *)tail, sizeof tail - 1);
    cr_assert(g_file_set_contents(path, (const char *)bytes->data, (gssize)bytes->len, NULL));
}

static void settings_for(deliver_smtp_t *s, const char *url)
{
    deliver_smtp_init(s);
    s->smtp_url = url;
    s->from = "ops@example.com";
    s->connect_timeout_ms = 2000;
    s->timeout_ms = 5000;
    s->max_attempts = 4;
    s->initial_backoff_ms = 50;
    s->retry_budget_s = 10.0;
}

static const char *const one_to[] = { "cfo@example.com" };

static deliver_message_t plain_message(const char *const *to)
{
    deliver_message_t m = {
        .to = to, .n_to = 1,
        .subject = "Monthly operations report",
        .body = "Hello,\nthe report is attached.\n",
        .message_id = "<2026-10.test@opsreport.example>",
        .date = "Sun, 01 Nov 2026 06:30:00 +0000",
    };
    return m;
}

/* ---- tests -------------------------------------------------------------- */

Test(deliver, format_date_is_rfc5322_utc)
{
    char buf[64];
    /* 0 is the epoch, a Thursday. */
    deliver_format_date(0, buf, sizeof buf);
    cr_assert_str_eq(buf, "Thu, 01 Jan 1970 00:00:00 +0000");
    /* 1700000000 = 19675 days + 80000 s; 19675 days after Thu 1970-01-01 is
     * Tue 2023-11-14 (19675 = 7*2810 + 5, Thu + 5 = Tue); 80000 s = 22:13:20. */
    deliver_format_date(1700000000, buf, sizeof buf);
    cr_assert_str_eq(buf, "Tue, 14 Nov 2023 22:13:20 +0000");
}

Test(deliver, loopback_detection)
{
    cr_assert(deliver_url_is_loopback("smtp://127.0.0.1:2525"));
    cr_assert(deliver_url_is_loopback("smtp://127.8.9.10"));    /* all of 127/8 */
    cr_assert(deliver_url_is_loopback("smtp://LocalHost:25"));
    cr_assert(deliver_url_is_loopback("smtp://[::1]:25"));
    cr_assert(deliver_url_is_loopback("smtp://127.1:25"));       /* CURLU makes it 127.0.0.1 */
    cr_assert(deliver_url_is_loopback("smtp://reports.localhost")); /* RFC 6761 */
    cr_assert(deliver_url_is_loopback("smtps://[::ffff:127.0.0.1]:465"));
    cr_assert_not(deliver_url_is_loopback("smtp://128.0.0.1"));
    cr_assert_not(deliver_url_is_loopback("smtp://10.0.0.1:25"));
    cr_assert_not(deliver_url_is_loopback("smtp://mail.example.com"));
    cr_assert_not(deliver_url_is_loopback("smtp://localhost.example.com"));
    cr_assert_not(deliver_url_is_loopback("smtp://notlocalhost"));
    cr_assert_not(deliver_url_is_loopback("not a url"));
}

Test(deliver, settings_check_rejects_bad_urls_without_echoing_secrets)
{
    deliver_smtp_t s;
    ops_error_t err = { 0 };
    settings_for(&s, "smtp://ops:hunter2@mail.example.com");
    cr_assert_eq(deliver_smtp_check(&s, &err), OPS_ERR_CONFIG);
    cr_assert_str_eq(err.column, "smtp_url");
    cr_assert_null(strstr(err.message, "hunter2"), "%s", err.message);

    settings_for(&s, "http://mail.example.com");
    cr_assert_eq(deliver_smtp_check(&s, &err), OPS_ERR_CONFIG);
    cr_assert(strstr(err.message, "scheme must be smtp://"), "%s", err.message);

    settings_for(&s, "smtp://mail.example.com");
    s.username = "ops";
    s.password_env = "OPSREPORT_TEST_NO_SUCH_VARIABLE";
    unsetenv(s.password_env);
    cr_assert_eq(deliver_smtp_check(&s, &err), OPS_ERR_CONFIG);
    cr_assert(strstr(err.message, "OPSREPORT_TEST_NO_SUCH_VARIABLE is not set"), "%s",
              err.message);

    settings_for(&s, "smtps://mail.example.com:465");
    cr_assert_eq(deliver_smtp_check(&s, &err), OPS_OK);
}

Test(deliver, sends_pdf_attachment_and_it_arrives_intact, .timeout = 30)
{
    server_t srv;
    server_start(&srv, NULL);
    char pdf[] = "/tmp/opsreport-pdf-XXXXXX";
    int fd = mkstemp(pdf);
    close(fd);
    GByteArray *bytes = g_byte_array_new();
    write_pdf(pdf, bytes);

    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.from_name = "Opérations";
    s.max_attempts = 1;
    /* Non-ASCII and over 70 bytes: must go as several RFC 2047 words. */
    const char *subject = "Rapport mensuel — octobre 2026 : Zoë, Łódź et les coûts de production";
    /* A line holding only "." would end DATA early unless dot-stuffed. */
    const char *body = "Bonjour,\nle rapport d'octobre est joint.\n.\nÉquipe Ops — Łódź\n";
    deliver_attachment_t att = { pdf, "Rapport octobre 2026 – Łódź.pdf", "application/pdf" };
    deliver_message_t m = plain_message(one_to);
    m.subject = subject;
    m.body = body;
    m.attachments = &att;
    m.n_attachments = 1;

    deliver_outcome_t o;
    ops_error_t err = { 0 };
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    cr_assert(o.delivered);
    cr_assert_eq(o.attempts, 1);
    cr_assert_eq(o.smtp_code, 250);
    cr_assert_str_eq(o.smtp_reply, "250 2.0.0 Message accepted for delivery");

    char **files = maildir_files(&srv);
    cr_assert_not_null(files[0], "no message arrived");
    cr_assert_null(files[1], "more than one message arrived");
    char *parsed = python_parse(files[0]);
    char *v;
    cr_assert_str_eq(v = parsed_value(parsed, "x-rcptto"), "cfo@example.com"); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "to"), "cfo@example.com"); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "from"), "Opérations <ops@example.com>"); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "subject"), subject); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "message-id"), "<2026-10.test@opsreport.example>");
    g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "body"),
                     "Bonjour,\\nle rapport d'octobre est joint.\\n.\\nÉquipe Ops — Łódź\\n");
    g_free(v);
    char *hex = hex_of((const char *)bytes->data, bytes->len);
    char *want = g_strdup_printf("Rapport octobre 2026 – Łódź.pdf|application/pdf|%s", hex);
    cr_assert_str_eq(v = parsed_value(parsed, "att"), want); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "defects"), "0"); g_free(v);

    /* What arrived after the server's two envelope lines is byte for byte
     * what the dry run builds. */
    size_t got_len;
    char *got = slurp(files[0], &got_len);
    char *built = NULL;
    size_t built_len = 0;
    cr_assert_eq(deliver_message_build(&s, &m, &built, &built_len, &err), OPS_OK);
    assert_lines_crlf_78(built, built_len); /* the long subject was folded */
    char *start = strstr(got, "\r\nX-RcptTo: cfo@example.com\r\n");
    cr_assert_not_null(start);
    start += strlen("\r\nX-RcptTo: cfo@example.com\r\n");
    cr_assert_eq((size_t)(got + got_len - start), built_len);
    cr_assert_eq(memcmp(start, built, built_len), 0);

    free(built);
    g_free(got);
    g_free(want);
    g_free(hex);
    g_free(parsed);
    g_strfreev(files);
    g_byte_array_unref(bytes);
    unlink(pdf);
    server_stop(&srv);
}

Test(deliver, server_down_gives_clear_error_after_max_attempts, .timeout = 30)
{
    int port;
    int fd = dead_port(&port);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    deliver_smtp_t s;
    settings_for(&s, url);
    s.max_attempts = 3;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert_not(o.delivered);
    cr_assert_not(o.permanent);
    cr_assert_eq(o.attempts, 3);
    cr_assert_eq(o.curl_code, CURLE_COULDNT_CONNECT);
    cr_assert_eq(o.smtp_code, 0);
    /* Waits are 50 ms then 100 ms: at least 0.15 s, and refusals are instant. */
    cr_assert_geq(o.elapsed_s, 0.15);
    cr_assert_lt(o.elapsed_s, 5.0);
    cr_assert(strstr(err.message, "delivery to cfo@example.com via smtp://127.0.0.1:"),
              "%s", err.message);
    cr_assert(strstr(err.message, "failed after 3 attempts"), "%s", err.message);
    cr_assert(strstr(err.message, "connect"), "%s", err.message);
    cr_assert(strstr(err.message, "no attempts left"), "%s", err.message);
    close(fd);
}

Test(deliver, rejected_recipient_is_not_retried_and_others_still_get_mail, .timeout = 30)
{
    const char *const flags[] = { "--reject", "bad@example.com", NULL };
    server_t srv;
    server_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    const char *const bad[] = { "bad@example.com" };
    const char *const good[] = { "good@example.com" };
    deliver_message_t m = plain_message(bad);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert_not(o.delivered);
    cr_assert(o.permanent);
    cr_assert_eq(o.attempts, 1);
    cr_assert_eq(o.smtp_code, 550);
    cr_assert_str_eq(o.smtp_reply, "550 5.1.1 <bad@example.com>: recipient rejected");
    cr_assert(strstr(err.message, "server replied: 550 5.1.1 <bad@example.com>: recipient "
                                  "rejected; permanent failure, not retried"), "%s", err.message);
    /* The server saw one RCPT for it: no retry. */
    cr_assert_eq(events_count(&srv, "RCPT", "550"), 1);

    m = plain_message(good);
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(o.attempts, 1);
    char **files = maildir_files(&srv);
    cr_assert_not_null(files[0]);
    cr_assert_null(files[1]);
    char *parsed = python_parse(files[0]);
    char *v = parsed_value(parsed, "x-rcptto");
    cr_assert_str_eq(v, "good@example.com");
    g_free(v);
    g_free(parsed);
    g_strfreev(files);
    server_stop(&srv);
}

Test(deliver, transient_451_is_retried_until_delivered, .timeout = 30)
{
    const char *const flags[] = { "--transient", "2", NULL };
    server_t srv;
    server_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.max_attempts = 4;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    /* Two 451s, then accepted on the third attempt. */
    cr_assert(o.delivered);
    cr_assert_eq(o.attempts, 3);
    cr_assert_eq(o.smtp_code, 250);
    cr_assert_geq(o.elapsed_s, 0.15); /* waited 50 + 100 ms */
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 3);
    cr_assert_eq(events_count(&srv, "RCPT", "451"), 2);
    cr_assert_eq(events_count(&srv, "DATA", NULL), 1);
    char **files = maildir_files(&srv);
    cr_assert_not_null(files[0]);
    cr_assert_null(files[1], "delivered more than once");
    g_strfreev(files);
    server_stop(&srv);
}

Test(deliver, transient_failures_stop_at_max_attempts, .timeout = 30)
{
    const char *const flags[] = { "--transient", "10", NULL };
    server_t srv;
    server_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.max_attempts = 3;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert_not(o.permanent);
    cr_assert_eq(o.attempts, 3);
    cr_assert_eq(o.smtp_code, 451);
    cr_assert_str_eq(o.smtp_reply, "451 4.7.1 try again later");
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 3);
    server_stop(&srv);
}

Test(deliver, retry_budget_limits_attempts, .timeout = 30)
{
    const char *const flags[] = { "--transient", "10", NULL };
    server_t srv;
    server_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.max_attempts = 10;
    s.initial_backoff_ms = 200;
    s.retry_budget_s = 0.5;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    /* Attempt 1 at ~0 s; wait 200 ms -> attempt 2 at ~0.2 s; the next wait
     * of 400 ms would end at ~0.6 s > 0.5 s budget, so no attempt 3. */
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert_eq(o.attempts, 2);
    cr_assert(strstr(err.message, "retry budget exhausted"), "%s", err.message);
    cr_assert_lt(o.elapsed_s, 0.5);
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 2);
    server_stop(&srv);
}

Test(deliver, tls_failure_is_permanent, .timeout = 30)
{
    /* smtps:// to a plain-text server: the TLS handshake reads "220 ..."
     * and fails; retrying cannot help, so one attempt only. */
    server_t srv;
    server_start(&srv, NULL);
    char url[64];
    snprintf(url, sizeof url, "smtps://127.0.0.1:%d", srv.port);
    deliver_smtp_t s;
    settings_for(&s, url);
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert(o.permanent);
    cr_assert_eq(o.attempts, 1);
    cr_assert_eq(o.curl_code, CURLE_SSL_CONNECT_ERROR);
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 0);
    server_stop(&srv);
}

/* True if needle occurs anywhere in the file's bytes. */
static bool file_contains(const char *path, const char *needle)
{
    size_t len;
    char *text = slurp(path, &len);
    bool found = g_strstr_len(text, (gssize)len, needle) != NULL;
    g_free(text);
    return found;
}

Test(deliver, auth_with_password_from_env_and_password_never_leaks, .timeout = 30)
{
    static const char pw[] = "pw-Zq7!s3cret";
    static const char wrong[] = "wrong-Pw-4711";
    /* --leaky-auth: the server puts the wrong password in its 535 reply, so
     * a leak through the reply text would really happen without redaction. */
    const char *const flags[] = { "--auth-user", "ops", "--auth-password", pw, "--leaky-auth",
                                  NULL };
    server_t srv;
    server_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.username = "ops";
    s.password_env = "OPSREPORT_TEST_SMTP_PASSWORD";
    setenv(s.password_env, pw, 1);
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t ok, bad;
    ops_error_t err = { 0 }, err_bad = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &ok, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(ok.attempts, 1);

    /* Wrong password: 535 is permanent, one attempt. */
    setenv(s.password_env, wrong, 1);
    cr_assert_eq(deliver_send(&s, &m, &bad, &err_bad), OPS_ERR_DELIVERY);
    cr_assert(bad.permanent);
    cr_assert_eq(bad.attempts, 1);
    cr_assert_eq(bad.smtp_code, 535);
    cr_assert_str_eq(bad.smtp_reply, "535 5.7.8 bad credentials: ***");
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 1); /* second never got past AUTH */

    char dir[] = "/tmp/opsreport-leak-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *ledger_path = g_build_filename(dir, "deliveries.json", NULL);
    char *eml_path = g_build_filename(dir, "cfo.eml", NULL);
    delivery_ledger_t *l = NULL;
    cr_assert_eq(ledger_load(ledger_path, &l, &err), OPS_OK);
    cr_assert_eq(ledger_record(l, "cfo@example.com", m.message_id, 0, &ok, &err), OPS_OK);
    cr_assert_eq(ledger_record(l, "cfo2@example.com", m.message_id, 0, &bad, &err), OPS_OK);
    cr_assert_eq(ledger_save(l, &err), OPS_OK);
    cr_assert_eq(deliver_write_eml(&s, &m, eml_path, &err), OPS_OK);

    const char *secrets[] = { pw, wrong };
    for (size_t i = 0; i < 2; i++) {
        const char *p = secrets[i];
        const deliver_outcome_t *os[] = { &ok, &bad };
        for (size_t k = 0; k < 2; k++) {
            cr_assert_null(strstr(os[k]->smtp_reply, p));
            cr_assert_null(strstr(os[k]->curl_error, p));
        }
        cr_assert_null(strstr(err.message, p));
        cr_assert_null(strstr(err_bad.message, p), "%s", err_bad.message);
        cr_assert_not(file_contains(ledger_path, p));
        cr_assert_not(file_contains(eml_path, p));
    }
    /* The ledger did get written: the check above is not vacuous. */
    cr_assert(file_contains(ledger_path, "\"smtp_code\": 535"));

    ledger_free(l);
    unlink(ledger_path);
    unlink(eml_path);
    rmdir(dir);
    g_free(ledger_path);
    g_free(eml_path);
    unsetenv(s.password_env);
    server_stop(&srv);
}

Test(deliver, password_file_must_be_owner_only, .timeout = 30)
{
    static const char pw[] = "file-Pw-9910";
    const char *const flags[] = { "--auth-user", "ops", "--auth-password", pw, NULL };
    server_t srv;
    server_start(&srv, flags);
    char path[] = "/tmp/opsreport-pw-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, pw, strlen(pw)), (ssize_t)strlen(pw));
    cr_assert_eq(write(fd, "\n", 1), 1); /* trailing newline is not part of it */
    close(fd);
    cr_assert_eq(chmod(path, 0644), 0);

    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.username = "ops";
    s.password_file = path;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_smtp_check(&s, &err), OPS_ERR_CONFIG);
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_CONFIG);
    cr_assert_eq(o.attempts, 0);
    cr_assert_not(o.delivered);
    cr_assert_str_eq(err.column, "password_file");
    cr_assert(strstr(err.message, "has mode 0644: it must be readable by its owner only"),
              "%s", err.message);
    cr_assert_null(strstr(err.message, pw));
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 0); /* never connected */

    cr_assert_eq(chmod(path, 0640), 0); /* group read is refused too */
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_CONFIG);

    cr_assert_eq(chmod(path, 0600), 0);
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    cr_assert(o.delivered);
    unlink(path);
    server_stop(&srv);
}

Test(deliver, ledger_round_trip)
{
    char dir[] = "/tmp/opsreport-ledger-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = g_build_filename(dir, "deliveries.json", NULL);
    delivery_ledger_t *l = NULL;
    ops_error_t err = { 0 };

    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK, "%s", err.message); /* missing = empty */
    cr_assert_eq(ledger_count(l), 0);
    /* 2026-11-01T06:30:00Z: 20454 days to 2026-01-01 (56 years, 14 leap days),
     * + 304 days Jan-Oct = 20758 days = 1793491200 s, + 6.5 h = 1793514600. */
    time_t when = 1793514600;
    deliver_outcome_t done = { .delivered = true, .attempts = 2, .smtp_code = 250 };
    snprintf(done.smtp_reply, sizeof done.smtp_reply, "250 2.0.0 Message accepted");
    deliver_outcome_t failed = { .permanent = true, .attempts = 1, .smtp_code = 550 };
    snprintf(failed.smtp_reply, sizeof failed.smtp_reply, "550 5.1.1 <zed@example.com>: no");
    /* Recorded out of order; saved sorted by recipient. */
    cr_assert_eq(ledger_record(l, "zed@example.com", "<m2@x>", when, &failed, &err), OPS_OK);
    cr_assert_eq(ledger_record(l, "amy@Example.COM", "<m1@x>", when, &done, &err), OPS_OK);
    cr_assert_eq(ledger_record_pending(l, "kim@example.com", "<m3@x>", when, &err), OPS_OK);
    cr_assert_eq(ledger_save(l, &err), OPS_OK, "%s", err.message);

    static const char expected[] =
        "{\n"
        "  \"version\": 1,\n"
        "  \"deliveries\": [\n"
        "    {\n"
        "      \"recipient\": \"amy@Example.COM\",\n"
        "      \"message_id\": \"<m1@x>\",\n"
        "      \"time\": \"2026-11-01T06:30:00Z\",\n"
        "      \"outcome\": \"delivered\",\n"
        "      \"attempts\": 2,\n"
        "      \"smtp_code\": 250,\n"
        "      \"smtp_reply\": \"250 2.0.0 Message accepted\"\n"
        "    },\n"
        "    {\n"
        "      \"recipient\": \"kim@example.com\",\n"
        "      \"message_id\": \"<m3@x>\",\n"
        "      \"time\": \"2026-11-01T06:30:00Z\",\n"
        "      \"outcome\": \"pending\",\n"
        "      \"attempts\": 0,\n"
        "      \"smtp_code\": 0,\n"
        "      \"smtp_reply\": \"\"\n"
        "    },\n"
        "    {\n"
        "      \"recipient\": \"zed@example.com\",\n"
        "      \"message_id\": \"<m2@x>\",\n"
        "      \"time\": \"2026-11-01T06:30:00Z\",\n"
        "      \"outcome\": \"failed\",\n"
        "      \"attempts\": 1,\n"
        "      \"smtp_code\": 550,\n"
        "      \"smtp_reply\": \"550 5.1.1 <zed@example.com>: no\"\n"
        "    }\n"
        "  ]\n"
        "}\n";
    char *text = slurp(path, NULL);
    cr_assert_str_eq(text, expected);
    g_free(text);
    ledger_free(l);

    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(ledger_count(l), 3);
    cr_assert(ledger_is_delivered(l, "amy@example.com")); /* domain case ignored */
    cr_assert_not(ledger_is_delivered(l, "AMY@example.com")); /* local part is not */
    cr_assert_eq(ledger_state(l, "kim@example.com"), LEDGER_PENDING);
    cr_assert_eq(ledger_state(l, "zed@example.com"), LEDGER_FAILED);
    cr_assert_not(ledger_is_delivered(l, "zed@example.com"));
    cr_assert_eq(ledger_state(l, "nobody@example.com"), LEDGER_NONE);
    /* A second delivery record for amy would mean mailing her twice. */
    cr_assert_eq(ledger_record(l, "amy@example.com", "<m1@x>", when, &done, &err),
                 OPS_ERR_INTERNAL);
    /* A failed recipient may be retried on a later run. */
    cr_assert_eq(ledger_record(l, "zed@example.com", "<m2@x>", when, &done, &err), OPS_OK);
    cr_assert(ledger_is_delivered(l, "zed@example.com"));
    cr_assert_eq(ledger_save(l, &err), OPS_OK);
    char *once = slurp(path, NULL);
    cr_assert_eq(ledger_save(l, &err), OPS_OK);
    char *twice = slurp(path, NULL);
    cr_assert_str_eq(once, twice);
    ledger_free(l);
    g_free(once);
    g_free(twice);

    /* A damaged ledger is an error with the file named, never "empty". */
    cr_assert(g_file_set_contents(path, "{\"version\": 1, \"deliveries\": [", -1, NULL));
    cr_assert_eq(ledger_load(path, &l, &err), OPS_ERR_INPUT);
    cr_assert_null(l);
    cr_assert_str_eq(err.file, path);

    unlink(path);
    rmdir(dir);
    g_free(path);
}

Test(deliver, dry_run_eml_is_reproducible_and_parses, .timeout = 30)
{
    char dir[] = "/tmp/opsreport-eml-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *pdf = g_build_filename(dir, "pack.pdf", NULL);
    char *a = g_build_filename(dir, "a.eml", NULL);
    char *b = g_build_filename(dir, "b.eml", NULL);
    GByteArray *bytes = g_byte_array_new();
    write_pdf(pdf, bytes);

    deliver_smtp_t s;
    settings_for(&s, "smtp://mail.example.com");
    s.reply_to = "ops-team@example.com";
    const char *const cc[] = { "controller@example.com", "audit@example.com" };
    deliver_attachment_t att = { pdf, "pack.pdf", "application/pdf" };
    deliver_message_t m = plain_message(one_to);
    m.cc = cc;
    m.n_cc = 2;
    m.subject = "Rapport d'opérations — octobre 2026";
    m.attachments = &att;
    m.n_attachments = 1;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_write_eml(&s, &m, a, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(deliver_write_eml(&s, &m, b, &err), OPS_OK, "%s", err.message);
    size_t la, lb;
    char *ta = slurp(a, &la), *tb = slurp(b, &lb);
    cr_assert_eq(la, lb);
    cr_assert_eq(memcmp(ta, tb, la), 0, "two dry runs differ");

    /* Starts with the caller's Date; every line CRLF and at most 78 chars. */
    cr_assert_eq(strncmp(ta, "Date: Sun, 01 Nov 2026 06:30:00 +0000\r\n", 39), 0);
    assert_lines_crlf_78(ta, la);

    char *parsed = python_parse(a);
    char *v;
    cr_assert_str_eq(v = parsed_value(parsed, "subject"), m.subject); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "body"), "Hello,\\nthe report is attached.\\n");
    g_free(v);
    char *hex = hex_of((const char *)bytes->data, bytes->len);
    char *want = g_strdup_printf("pack.pdf|application/pdf|%s", hex);
    cr_assert_str_eq(v = parsed_value(parsed, "att"), want); g_free(v);
    cr_assert_str_eq(v = parsed_value(parsed, "defects"), "0"); g_free(v);
    cr_assert(strstr(ta, "\r\nCc: controller@example.com,\r\n audit@example.com\r\n"));
    cr_assert(strstr(ta, "\r\nReply-To: ops-team@example.com\r\n"));

    /* Only the two .eml files and the PDF: no temporary file left behind. */
    GDir *d = g_dir_open(dir, 0, NULL);
    int entries = 0;
    while (g_dir_read_name(d))
        entries++;
    g_dir_close(d);
    cr_assert_eq(entries, 3);

    g_free(want);
    g_free(hex);
    g_free(parsed);
    g_free(ta);
    g_free(tb);
    unlink(a);
    unlink(b);
    unlink(pdf);
    rmdir(dir);
    g_free(a);
    g_free(b);
    g_free(pdf);
    g_byte_array_unref(bytes);
}

Test(deliver, bad_message_fields_are_refused_before_sending)
{
    deliver_smtp_t s;
    settings_for(&s, "smtp://mail.example.com");
    ops_error_t err = { 0 };
    char *out = NULL;
    deliver_message_t m = plain_message(one_to);

    /* A CR/LF in an address or the sender's name would add headers: refused. */
    s.from_name = "Ops\r\nBcc: everyone@example.com";
    cr_assert_eq(deliver_message_build(&s, &m, &out, NULL, &err), OPS_ERR_CONFIG);
    cr_assert_str_eq(err.column, "from_name");
    cr_assert_null(out);
    s.from_name = NULL;
    s.reply_to = "ops@example.com\r\nBcc: everyone@example.com";
    cr_assert_eq(deliver_message_build(&s, &m, &out, NULL, &err), OPS_ERR_CONFIG);
    cr_assert_str_eq(err.column, "reply_to");
    s.reply_to = NULL;

    m = plain_message(one_to);
    const char *const bad_to[] = { "cfo@example.com>\r\nRCPT TO:<x@y" };
    m.to = bad_to;
    cr_assert_eq(deliver_message_build(&s, &m, &out, NULL, &err), OPS_ERR_INPUT);
    cr_assert_str_eq(err.column, "to");

    m = plain_message(one_to);
    deliver_attachment_t att = { "/nonexistent/pack.pdf", "pack.pdf", "application/pdf" };
    m.attachments = &att;
    m.n_attachments = 1;
    cr_assert_eq(deliver_message_build(&s, &m, &out, NULL, &err), OPS_ERR_INPUT);
    cr_assert_str_eq(err.file, "/nonexistent/pack.pdf");

    /* Attachment limit: 1 byte over is refused. */
    char path[] = "/tmp/opsreport-big-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, "0123456789", 10), 10);
    close(fd);
    att.path = path;
    s.max_attachment_bytes = 9;
    cr_assert_eq(deliver_message_build(&s, &m, &out, NULL, &err), OPS_ERR_INPUT);
    cr_assert(strstr(err.message, "10 bytes, over the limit of 9"), "%s", err.message);
    s.max_attachment_bytes = 10;
    cr_assert_eq(deliver_message_build(&s, &m, &out, NULL, &err), OPS_OK, "%s", err.message);
    free(out);
    unlink(path);
}

Test(deliver, plain_message_layout_is_exact)
{
    deliver_smtp_t s;
    settings_for(&s, "smtp://mail.example.com");
    ops_error_t err = { 0 };
    deliver_message_t m = plain_message(one_to);
    /* CRLF and LF input, and no final newline, all give CRLF lines. */
    m.body = "Hello,\r\nthe report\nis attached.";
    char *out = NULL;
    size_t len = 0;
    cr_assert_eq(deliver_message_build(&s, &m, &out, &len, &err), OPS_OK, "%s", err.message);
    static const char expected[] =
        "Date: Sun, 01 Nov 2026 06:30:00 +0000\r\n"
        "From: ops@example.com\r\n"
        "To: cfo@example.com\r\n"
        "Subject: Monthly operations report\r\n"
        "Message-ID: <2026-10.test@opsreport.example>\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "Hello,\r\nthe report\r\nis attached.\r\n";
    cr_assert_str_eq(out, expected);
    cr_assert_eq(len, sizeof expected - 1);
    free(out);

    /* "Zoë" is 5A 6F C3 AB: 010110 100110 111111 000011 | 101010 11(0000)
     * = W m / D | q w, padded "==": one RFC 2047 word "=?UTF-8?B?Wm/Dqw==?=". */
    m.subject = "Zoë";
    s.from_name = "Ops \"Team\"";
    cr_assert_eq(deliver_message_build(&s, &m, &out, &len, &err), OPS_OK, "%s", err.message);
    cr_assert(strstr(out, "\r\nSubject: =?UTF-8?B?Wm/Dqw==?=\r\n"), "%s", out);
    /* ASCII display names are quoted, inner quotes escaped. */
    cr_assert(strstr(out, "\r\nFrom: \"Ops \\\"Team\\\"\" <ops@example.com>\r\n"), "%s", out);
    free(out);

    /* The subject comes from data: line breaks and tabs in it become single
     * spaces, so "\r\nBcc:" is text in the one Subject header, never a header. */
    m.subject = "Report\r\nBcc: everyone@example.com\r\n\tX-Evil: 1\n";
    cr_assert_eq(deliver_message_build(&s, &m, &out, &len, &err), OPS_OK, "%s", err.message);
    cr_assert(strstr(out, "\r\nSubject: Report Bcc: everyone@example.com X-Evil: 1\r\nMessage-ID: "),
              "%s", out);
    cr_assert_null(strstr(out, "\nBcc:"), "%s", out);
    cr_assert_null(strstr(out, "\nX-Evil:"), "%s", out);
    cr_assert_null(strstr(out, "\r\r"), "%s", out);
    free(out);
    /* Long and non-ASCII: encoded words, still nothing raw. */
    m.subject = "Rapport d'opérations\r\nBcc: evil@example.com — octobre 2026 et au-delà\rX-Evil: 1";
    cr_assert_eq(deliver_message_build(&s, &m, &out, &len, &err), OPS_OK, "%s", err.message);
    cr_assert_null(strstr(out, "\nBcc:"), "%s", out);
    cr_assert_null(strstr(out, "\nX-Evil:"), "%s", out);
    assert_lines_crlf_78(out, len);
    free(out);
    m.subject = "Monthly operations report";

    /* Non-ASCII body goes as base64 of the CRLF text: "é\n" -> C3 A9 0D 0A
     * = 110000 111010 100100 001101 | 000010 10(0000) = w 6 k N | C g ==. */
    m.body = "é\n";
    cr_assert_eq(deliver_message_build(&s, &m, &out, &len, &err), OPS_OK, "%s", err.message);
    cr_assert(strstr(out, "Content-Transfer-Encoding: base64\r\n\r\nw6kNCg==\r\n"), "%s", out);
    free(out);
}

Test(deliver, message_id_for_recipient)
{
    char buf[64];
    ops_error_t err = { 0 };
    /* SHA-256("cfo@example.com") begins with the 16 hex digits checked
     * against Python's hashlib below, so this is not our own output echoed. */
    cr_assert_eq(deliver_message_id_for("<2026-10@opsreport.example>", "cfo@example.com", buf,
                                        sizeof buf, &err), OPS_OK);
    FILE *p = popen(PY " -c \"import hashlib; print('<' + hashlib.sha256(b'cfo@example.com')"
                    ".hexdigest()[:16] + '.2026-10@opsreport.example>')\"", "r");
    char want[128] = "";
    cr_assert_not_null(fgets(want, sizeof want, p));
    pclose(p);
    want[strcspn(want, "\n")] = '\0';
    cr_assert_str_eq(buf, want);
    char small[20];
    cr_assert_eq(deliver_message_id_for("<2026-10@opsreport.example>", "cfo@example.com", small,
                                        sizeof small, &err), OPS_ERR_INTERNAL);
}

Test(deliver, send_all_is_exactly_once_across_runs, .timeout = 30)
{
    const char *const flags[] = { "--reject", "bad@example.com", NULL };
    server_t srv;
    server_start(&srv, flags);
    char dir[] = "/tmp/opsreport-batch-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = g_build_filename(dir, "deliveries.json", NULL);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    deliver_message_t tmpl = plain_message(one_to);
    tmpl.message_id = "<2026-10@opsreport.example>";
    const char *const rcpts[] = { "amy@example.com", "bad@example.com", "kim@example.com" };
    deliver_result_t res[3];
    delivery_ledger_t *l = NULL;
    ops_error_t err = { 0 };

    /* Run 1: amy and kim delivered, bad rejected; one failure does not stop kim. */
    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK);
    cr_assert_eq(deliver_send_all(&s, &tmpl, rcpts, 3, l, false, 1793514600, res, &err),
                 OPS_ERR_DELIVERY);
    cr_assert(strstr(err.message, "1 of 3 recipients not reached; first: delivery to "
                                  "bad@example.com"), "%s", err.message);
    cr_assert_eq(res[0].status, OPS_OK);
    cr_assert_eq(res[1].status, OPS_ERR_DELIVERY);
    cr_assert_eq(res[1].outcome.smtp_code, 550);
    cr_assert_eq(res[2].status, OPS_OK);
    ledger_free(l);

    /* Run 2 from the saved ledger: only bad is tried again. */
    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK);
    cr_assert(ledger_is_delivered(l, "amy@example.com"));
    cr_assert_eq(ledger_state(l, "bad@example.com"), LEDGER_FAILED);
    cr_assert_eq(deliver_send_all(&s, &tmpl, rcpts, 3, l, false, 1793514600, res, &err),
                 OPS_ERR_DELIVERY);
    cr_assert_not(res[0].sent);
    cr_assert_eq(res[0].before, LEDGER_DELIVERED);
    cr_assert(res[1].sent);
    cr_assert_not(res[2].sent);
    ledger_free(l);

    /* Server side: amy and kim got one message each, bad two refusals. */
    cr_assert_eq(events_count(&srv, "DATA", NULL), 2);
    cr_assert_eq(events_count(&srv, "RCPT", "550"), 2);
    char **files = maildir_files(&srv);
    cr_assert_not_null(files[0]);
    cr_assert_not_null(files[1]);
    cr_assert_null(files[2]);
    /* Each message is addressed to its recipient alone. */
    for (int i = 0; i < 2; i++) {
        char *parsed = python_parse(files[i]);
        char *to = parsed_value(parsed, "to"), *rcpt = parsed_value(parsed, "x-rcptto");
        cr_assert_str_eq(to, rcpt);
        cr_assert(strcmp(to, "amy@example.com") == 0 || strcmp(to, "kim@example.com") == 0);
        g_free(to);
        g_free(rcpt);
        g_free(parsed);
    }
    g_strfreev(files);

    /* A recipient left pending by a crashed run is not mailed again... */
    const char *const zoe[] = { "zoe@example.com" };
    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK);
    cr_assert_eq(ledger_record_pending(l, zoe[0], "<x@y>", 1793514600, &err), OPS_OK);
    cr_assert_eq(deliver_send_all(&s, &tmpl, zoe, 1, l, false, 1793514600, res, &err),
                 OPS_ERR_DELIVERY);
    cr_assert_not(res[0].sent);
    cr_assert(strstr(err.message, "not sent again without an explicit resend"), "%s",
              err.message);
    /* ...unless the caller says so. */
    cr_assert_eq(deliver_send_all(&s, &tmpl, zoe, 1, l, true, 1793514600, res, &err), OPS_OK,
                 "%s", err.message);
    cr_assert(res[0].sent);
    cr_assert_eq(events_count(&srv, "DATA", NULL), 3);
    ledger_free(l);

    unlink(path);
    rmdir(dir);
    g_free(path);
    server_stop(&srv);
}

Test(deliver, header_values_with_line_breaks_are_refused)
{
    cr_assert(deliver_header_text_valid("Zoë Opérations, Łódź"));
    cr_assert(deliver_header_text_valid(""));
    cr_assert_not(deliver_header_text_valid("Ops\r\nBcc: evil@example.com"));
    cr_assert_not(deliver_header_text_valid("Ops\rBcc: evil@example.com"));
    cr_assert_not(deliver_header_text_valid("Ops\nBcc: evil@example.com"));
    cr_assert_not(deliver_header_text_valid("Ops\tteam"));
    cr_assert_not(deliver_header_text_valid("Ops\x7f"));
    cr_assert_not(deliver_header_text_valid("Ops \xff\xfe")); /* not UTF-8 */
    cr_assert_not(deliver_header_text_valid(NULL));
    cr_assert(deliver_address_valid("cfo@example.com"));
    cr_assert_not(deliver_address_valid("cfo@example.com\r\nBcc: evil@example.com"));
    cr_assert_not(deliver_address_valid("cfo@example.com\rBcc:evil@example.com"));
    cr_assert_not(deliver_address_valid("cfo@example.com>\nRCPT TO:<evil@example.com"));
}

/* ---- unknown outcomes and injected faults --------------------------------- */

Test(deliver, classify_table)
{
    /* curl code x last reply code x stage reached -> verdict. The reply
     * codes are what CURLINFO_RESPONSE_CODE reports in each case (354 after
     * the body went out, 250 after RCPT), as seen against tests/fault_smtp.py. */
    static const struct {
        int curl;
        long code;
        deliver_stage_t stage;
        deliver_verdict_t want;
    } cases[] = {
        { CURLE_OK, 250, DELIVER_STAGE_SENT, DELIVER_DELIVERED },
        /* whole message and "." sent, then no reply: maybe delivered */
        { CURLE_RECV_ERROR, 354, DELIVER_STAGE_SENT, DELIVER_UNKNOWN },       /* dropped */
        { CURLE_GOT_NOTHING, 354, DELIVER_STAGE_SENT, DELIVER_UNKNOWN },      /* closed */
        { CURLE_OPERATION_TIMEDOUT, 354, DELIVER_STAGE_SENT, DELIVER_UNKNOWN }, /* stalled */
        { CURLE_WEIRD_SERVER_REPLY, 354, DELIVER_STAGE_SENT, DELIVER_UNKNOWN }, /* garbage */
        { CURLE_PARTIAL_FILE, 354, DELIVER_STAGE_SENT, DELIVER_UNKNOWN },
        { CURLE_SSL_CONNECT_ERROR, 354, DELIVER_STAGE_SENT, DELIVER_UNKNOWN },
        /* the "." is the last write: a send error means it never left */
        { CURLE_SEND_ERROR, 354, DELIVER_STAGE_SENT, DELIVER_TRANSIENT },
        /* the same failures before the end of the message: retried */
        { CURLE_RECV_ERROR, 354, DELIVER_STAGE_BODY, DELIVER_TRANSIENT },
        { CURLE_OPERATION_TIMEDOUT, 354, DELIVER_STAGE_BODY, DELIVER_TRANSIENT },
        { CURLE_SEND_ERROR, 354, DELIVER_STAGE_BODY, DELIVER_TRANSIENT },
        { CURLE_OPERATION_TIMEDOUT, 250, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT }, /* no 354 */
        { CURLE_RECV_ERROR, 250, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT },
        { CURLE_GOT_NOTHING, 0, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT },
        { CURLE_COULDNT_CONNECT, 0, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT },
        { CURLE_COULDNT_RESOLVE_HOST, 0, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT },
        /* a reply code is the server's word, at any stage */
        { CURLE_WEIRD_SERVER_REPLY, 451, DELIVER_STAGE_SENT, DELIVER_TRANSIENT },
        { CURLE_WEIRD_SERVER_REPLY, 554, DELIVER_STAGE_SENT, DELIVER_PERMANENT },
        { CURLE_WEIRD_SERVER_REPLY, 421, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT },
        { CURLE_SEND_ERROR, 451, DELIVER_STAGE_ENVELOPE, DELIVER_TRANSIENT },
        { CURLE_SEND_ERROR, 550, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
        { CURLE_LOGIN_DENIED, 535, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
        /* what retrying cannot fix */
        { CURLE_USE_SSL_FAILED, 250, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
        { CURLE_SSL_CONNECT_ERROR, 0, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
        { CURLE_PEER_FAILED_VERIFICATION, 0, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
        { CURLE_WEIRD_SERVER_REPLY, 0, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
        { CURLE_URL_MALFORMAT, 0, DELIVER_STAGE_ENVELOPE, DELIVER_PERMANENT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(deliver_classify(cases[i].curl, cases[i].code, cases[i].stage), cases[i].want,
                     "case %zu: curl %d, reply %ld, stage %d", i, cases[i].curl, cases[i].code,
                     (int)cases[i].stage);
}

static void fault_start(server_t *srv, const char *const *flags)
{
    server_start_script(srv, "fault_smtp.py", flags);
}

static int maildir_count(const server_t *srv)
{
    char **files = maildir_files(srv);
    int n = (int)g_strv_length(files);
    g_strfreev(files);
    return n;
}

Test(deliver, drop_after_data_is_unknown_and_never_retried, .timeout = 30)
{
    const char *const flags[] = { "--fault", "drop-after-data", NULL };
    server_t srv;
    fault_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert(o.unknown);
    cr_assert_not(o.delivered);
    cr_assert_not(o.permanent);
    cr_assert_eq(o.stage, DELIVER_STAGE_SENT);
    cr_assert_eq(o.attempts, 1); /* four allowed, one made */
    cr_assert(o.curl_code == CURLE_RECV_ERROR || o.curl_code == CURLE_GOT_NOTHING, "curl %d",
              o.curl_code);
    cr_assert(strstr(err.message, "delivery to cfo@example.com via smtp://127.0.0.1:"), "%s",
              err.message);
    cr_assert(strstr(err.message, "is unknown after 1 attempt in"), "%s", err.message);
    cr_assert(strstr(err.message, "not retried: it may have been delivered"), "%s", err.message);
    /* the server has the message, once */
    cr_assert_eq(events_count(&srv, "DATA", NULL), 1);
    cr_assert_eq(maildir_count(&srv), 1);
    server_stop(&srv);
}

Test(deliver, stall_after_data_is_unknown_and_bounded_by_the_timeout, .timeout = 30)
{
    const char *const flags[] = { "--fault", "stall-after-data", "--stall", "20", NULL };
    server_t srv;
    fault_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.timeout_ms = 1000;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert(o.unknown);
    cr_assert_eq(o.attempts, 1);
    cr_assert_eq(o.curl_code, CURLE_OPERATION_TIMEDOUT);
    /* 1 s, not the 20 s the server stays silent: the QUIT libcurl sends on
     * cleanup must not wait for it either. */
    cr_assert_lt(o.elapsed_s, 5.0);
    cr_assert_eq(maildir_count(&srv), 1);
    server_stop(&srv);
}

Test(deliver, stall_before_data_is_transient_and_retried, .timeout = 30)
{
    const char *const flags[] = { "--fault", "stall-before-data", "--times", "1", "--stall", "20",
                                  NULL };
    server_t srv;
    fault_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.timeout_ms = 1000;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(o.attempts, 2);
    cr_assert_lt(o.elapsed_s, 5.0);
    cr_assert_eq(events_count(&srv, "DATA", "0"), 1);   /* the stalled one */
    cr_assert_eq(events_count(&srv, "DATA", "354"), 1); /* the retry */
    cr_assert_eq(maildir_count(&srv), 1);
    server_stop(&srv);
}

Test(deliver, reply_451_after_data_is_transient, .timeout = 30)
{
    const char *const twice[] = { "--fault", "451-after-data", "--times", "2", NULL };
    server_t srv;
    fault_start(&srv, twice);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(o.attempts, 3);
    cr_assert_geq(o.elapsed_s, 0.15); /* backed off 50 + 100 ms */
    cr_assert_eq(events_count(&srv, "DATA", NULL), 3);
    cr_assert_eq(maildir_count(&srv), 1); /* the 451s were not taken */
    server_stop(&srv);

    const char *const always[] = { "--fault", "451-after-data", NULL };
    fault_start(&srv, always);
    settings_for(&s, srv.url);
    s.max_attempts = 3;
    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert_not(o.unknown);
    cr_assert_not(o.permanent);
    cr_assert_eq(o.attempts, 3);
    cr_assert_eq(o.smtp_code, 451);
    cr_assert_str_eq(o.smtp_reply, "451 4.3.0 opsreport-fault: try again later");
    cr_assert(strstr(err.message, "server replied: 451 4.3.0"), "%s", err.message);
    server_stop(&srv);
}

Test(deliver, reply_421_at_connect_is_transient, .timeout = 30)
{
    const char *const flags[] = { "--fault", "421-at-connect", "--times", "1", NULL };
    server_t srv;
    fault_start(&srv, flags);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(o.attempts, 2);
    cr_assert_eq(maildir_count(&srv), 1);
    server_stop(&srv);
}

Test(deliver, tls_required_but_not_offered_sends_nothing, .timeout = 30)
{
    /* fault_smtp.py never offers STARTTLS. DELIVER_TLS_STRICT requires it
     * on loopback too, as DELIVER_TLS_REQUIRED does for any other host. */
    server_t srv;
    fault_start(&srv, NULL);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    s.tls = DELIVER_TLS_STRICT;
    deliver_message_t m = plain_message(one_to);
    deliver_outcome_t o;
    ops_error_t err = { 0 };

    cr_assert_eq(deliver_send(&s, &m, &o, &err), OPS_ERR_DELIVERY);
    cr_assert(o.permanent);
    cr_assert_not(o.unknown);
    cr_assert_eq(o.attempts, 1); /* no retry loop */
    cr_assert_eq(o.curl_code, CURLE_USE_SSL_FAILED);
    cr_assert_eq(o.stage, DELIVER_STAGE_ENVELOPE);
    cr_assert(strstr(err.message, "does not offer STARTTLS"), "%s", err.message);
    cr_assert(strstr(err.message, "nothing was sent"), "%s", err.message);
    cr_assert_eq(events_count(&srv, "MAIL", NULL), 0); /* not a byte of it in plain text */
    cr_assert_eq(maildir_count(&srv), 0);
    server_stop(&srv);
}

Test(deliver, ledger_keeps_unknown)
{
    char dir[] = "/tmp/opsreport-ledger-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = g_build_filename(dir, "deliveries.json", NULL);
    delivery_ledger_t *l = NULL;
    ops_error_t err = { 0 };
    deliver_outcome_t unknown = { .unknown = true, .attempts = 1, .smtp_code = 354 };
    deliver_outcome_t done = { .delivered = true, .attempts = 1, .smtp_code = 250 };

    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK);
    cr_assert_eq(ledger_record(l, "amy@example.com", "<m1@x>", 1793514600, &unknown, &err), OPS_OK);
    cr_assert_eq(ledger_save(l, &err), OPS_OK);
    ledger_free(l);
    char *text = slurp(path, NULL);
    cr_assert(strstr(text, "\"outcome\": \"unknown\""), "%s", text);
    g_free(text);

    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(ledger_state(l, "amy@example.com"), LEDGER_UNKNOWN);
    cr_assert_not(ledger_is_delivered(l, "amy@example.com"));
    /* an explicit resend may then record the real outcome over it */
    cr_assert_eq(ledger_record(l, "amy@example.com", "<m1@x>", 1793514600, &done, &err), OPS_OK);
    cr_assert(ledger_is_delivered(l, "amy@example.com"));
    ledger_free(l);

    cr_assert(g_file_set_contents(path,
                                  "{\"version\": 1, \"deliveries\": [{\"recipient\": \"a@b.c\", "
                                  "\"message_id\": \"<m@x>\", \"time\": \"t\", \"outcome\": "
                                  "\"maybe\", \"attempts\": 1, \"smtp_code\": 0, "
                                  "\"smtp_reply\": \"\"}]}", -1, NULL));
    cr_assert_eq(ledger_load(path, &l, &err), OPS_ERR_INPUT);
    cr_assert(strstr(err.message, "outcome must be pending, delivered, failed or unknown"), "%s",
              err.message);
    unlink(path);
    rmdir(dir);
    g_free(path);
}

Test(deliver, send_all_keeps_unknown_until_resend_unknown, .timeout = 30)
{
    const char *const flags[] = { "--fault", "drop-after-data", "--rcpt", "amy@example.com",
                                  "--times", "1", NULL };
    server_t srv;
    fault_start(&srv, flags);
    char dir[] = "/tmp/opsreport-batch-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = g_build_filename(dir, "deliveries.json", NULL);
    deliver_smtp_t s;
    settings_for(&s, srv.url);
    deliver_message_t tmpl = plain_message(one_to);
    tmpl.message_id = "<2026-10@opsreport.example>";
    const char *const rcpts[] = { "amy@example.com", "kim@example.com" };
    deliver_result_t res[2];
    delivery_ledger_t *l = NULL;
    ops_error_t err = { 0 };

    /* Run 1: amy's message reaches the server, which drops before its 250. */
    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK);
    cr_assert_eq(deliver_send_all(&s, &tmpl, rcpts, 2, l, false, 1793514600, res, &err),
                 OPS_ERR_DELIVERY);
    cr_assert(res[0].sent);
    cr_assert_eq(res[0].after, LEDGER_UNKNOWN);
    cr_assert(res[0].outcome.unknown);
    cr_assert_eq(res[1].status, OPS_OK);
    cr_assert_eq(res[1].after, LEDGER_DELIVERED);
    ledger_free(l);

    /* Run 2 from the saved ledger: amy is not mailed again. */
    cr_assert_eq(ledger_load(path, &l, &err), OPS_OK);
    cr_assert_eq(ledger_state(l, "amy@example.com"), LEDGER_UNKNOWN);
    cr_assert_eq(deliver_send_all(&s, &tmpl, rcpts, 2, l, false, 1793514600, res, &err),
                 OPS_ERR_DELIVERY);
    cr_assert_not(res[0].sent);
    cr_assert_eq(res[0].before, LEDGER_UNKNOWN);
    cr_assert_eq(res[0].after, LEDGER_UNKNOWN);
    cr_assert(strstr(res[0].message, "delivery to amy@example.com is unknown"), "%s",
              res[0].message);
    cr_assert_not(res[1].sent);
    cr_assert_eq(events_count(&srv, "DATA", NULL), 2); /* amy once, kim once */

    /* Run 3, told to: amy is sent again, and this time confirmed. */
    cr_assert_eq(deliver_send_all(&s, &tmpl, rcpts, 2, l, true, 1793514600, res, &err), OPS_OK,
                 "%s", err.message);
    cr_assert(res[0].sent);
    cr_assert_eq(res[0].after, LEDGER_DELIVERED);
    cr_assert_not(res[1].sent); /* delivered is never resent */
    cr_assert_eq(events_count(&srv, "DATA", NULL), 3);
    cr_assert_eq(maildir_count(&srv), 3);
    ledger_free(l);

    unlink(path);
    rmdir(dir);
    g_free(path);
    server_stop(&srv);
}
