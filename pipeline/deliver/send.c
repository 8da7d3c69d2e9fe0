/*
 * send.c - delivery of a period's run folder: exactly once per recipient.
 *
 * Recipients are [email] to (the whole organisation) and each
 * [recipient.NAME] (optionally scoped to one entity/site, which gets the
 * summary built for that scope). Each recipient gets its own message, so a
 * failure for one never repeats or stops the others. Outcomes are kept in
 * the run folder's deliveries.json ledger (pipeline/deliver/ledger.c): a
 * recipient already delivered is never sent to again unless --resend, and
 * manifest.json carries the same records. When someone was not reached,
 * [email] owner gets a notice. The password comes only from the
 * environment or an owner-only file, through deliver_smtp_t.
 *
 * A delivery whose outcome is unknown (the whole message went to the server,
 * the connection failed before its reply; or a run died mid-send, leaving
 * "pending") may have arrived. Neither run nor send mails it again on their
 * own; the owner's notice says so, and only --resend-unknown sends it again,
 * after a person has checked. Either way the exit code is 7.
 */
#include "opsreport/cli.h"
#include "opsreport/deliver.h"
#include "opsreport/runfolder.h"

#include "cli/cli_internal.h"

#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *address;
    const char *scope; /* NULL: whole organisation */
} recipient_t;

static size_t collect_recipients(const config_t *cfg, recipient_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->email.to.count && n < max; i++)
        if (cfg->email.to.items[i][0])
            out[n++] = (recipient_t){ cfg->email.to.items[i], NULL };
    for (size_t i = 0; i < cfg->n_recipients && n < max; i++)
        out[n++] = (recipient_t){ cfg->recipients[i].email, cfg->recipients[i].scope };
    return n;
}

void send_settings_from_config(const config_t *cfg, deliver_smtp_t *s)
{
    const email_config_t *e = &cfg->email;
    deliver_smtp_init(s);
    s->smtp_url = e->smtp_url;
    s->tls = e->tls_none ? DELIVER_TLS_NONE : DELIVER_TLS_REQUIRED;
    s->username = e->username;
    s->password_env = e->password_env;
    s->password_file = e->password_file;
    s->from = e->from;
    s->from_name = e->from_name;
    s->reply_to = e->reply_to;
    s->timeout_ms = (long)(e->timeout_s * 1000);
    s->max_attempts = e->max_attempts;
    s->initial_backoff_ms = (long)(e->initial_backoff_s * 1000);
    s->retry_budget_s = e->retry_budget_s;
    s->max_attachment_bytes = (uint64_t)(e->max_attachment_mb * 1024 * 1024);
}

/* message.txt: subject line, blank line, body. */
static ops_status_t read_message(const char *path, char **subject, char **body, ops_error_t *err)
{
    gchar *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL,
                             "the run folder has no message text; run 'opsreport run' for this period first");
    char *nl = strstr(text, "\n\n");
    if (!nl) {
        g_free(text);
        return ops_error_set(err, OPS_ERR_INPUT, path, 1, NULL, "expected a subject line, a blank line and the body");
    }
    *nl = '\0';
    *subject = strdup(text);
    *body = strdup(nl + 2);
    g_free(text);
    if (!*subject || !*body)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    return OPS_OK;
}

/* summary.html, the message's HTML body (g_free). A run folder written
 * before there was one is still sent, as text only (*html NULL); any other
 * failure to read it stops the send rather than mail a different message. */
static ops_status_t read_html(const char *path, char **html, ops_error_t *err)
{
    GError *gerr = NULL;
    *html = NULL;
    if (g_file_get_contents(path, html, NULL, &gerr))
        return OPS_OK;
    bool missing = g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    ops_status_t rc = missing ? OPS_OK
                              : ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL, "cannot read the HTML summary: %s",
                                              gerr->message);
    g_error_free(gerr);
    return rc;
}

/* Copies the ledger's records into manifest.json (atomic rewrite). */
static ops_status_t manifest_add_deliveries(const char *run_dir, ops_error_t *err)
{
    char mpath[1200], lpath[1200];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", run_dir);
    snprintf(lpath, sizeof lpath, "%s/deliveries.json", run_dir);
    json_error_t je;
    json_t *man = json_load_file(mpath, JSON_PRESERVE_ORDER, &je);
    if (!man)
        return ops_error_set(err, OPS_ERR_OUTPUT, mpath, je.line, NULL, "cannot read manifest: %s", je.text);
    json_t *ledger = json_load_file(lpath, JSON_PRESERVE_ORDER, &je);
    json_t *records = ledger ? json_object_get(ledger, "deliveries") : NULL;
    json_object_set(man, "deliveries", records ? records : json_array());
    if (!records)
        json_decref(json_object_get(man, "deliveries"));
    char *text = json_dumps(man, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(man);
    json_decref(ledger);
    if (!text)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    size_t len = strlen(text);
    char *buf = malloc(len + 2);
    ops_status_t rc;
    if (!buf)
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    else {
        memcpy(buf, text, len);
        buf[len] = '\n';
        rc = file_write_atomic(mpath, buf, len + 1, err);
    }
    free(buf);
    free(text);
    return rc;
}

static void notify_owner(const config_t *cfg, const deliver_smtp_t *s, const char *period_text,
                         const GString *failures, size_t n_failed, const GString *unknowns,
                         size_t n_unknown)
{
    if (!cfg->email.owner || !cfg->email.owner[0])
        return;
    char subject[300], id[200], date[64], failed_part[100] = "", unknown_part[100] = "";
    if (n_failed)
        snprintf(failed_part, sizeof failed_part, "%zu recipient%s not reached", n_failed,
                 n_failed == 1 ? "" : "s");
    if (n_unknown)
        snprintf(unknown_part, sizeof unknown_part, "%zu deliver%s unknown", n_unknown,
                 n_unknown == 1 ? "y" : "ies");
    snprintf(subject, sizeof subject, "opsreport: %s%s%s for %s", failed_part,
             n_failed && n_unknown ? ", " : "", unknown_part, period_text);
    GString *body = g_string_new(NULL);
    if (n_failed)
        g_string_append_printf(body, "The %s operations summary for %s could not be delivered to:\n\n%s\n"
                                     "Fix the cause, then run: opsreport send --period %s\n"
                                     "(it sends only to the recipients not yet delivered).\n",
                               cfg->organisation, period_text, failures->str, period_text);
    if (n_unknown)
        g_string_append_printf(body, "%sThe %s operations summary for %s may or may not have reached:\n\n%s\n"
                                     "The whole message went to the mail server, then the connection failed\n"
                                     "before the server confirmed it (or a run stopped mid-send), so it may\n"
                                     "well have arrived. It is not sent again automatically. Ask the recipient,\n"
                                     "or look for the Message-ID in the mail server's log; if it did not arrive,\n"
                                     "run: opsreport send --period %s --resend-unknown\n",
                               n_failed ? "\n" : "", cfg->organisation, period_text, unknowns->str,
                               period_text);
    snprintf(id, sizeof id, "<failure.%s.%ld@opsreport>", period_text, (long)time(NULL));
    deliver_format_date(time(NULL), date, sizeof date);
    const char *to[] = { cfg->email.owner };
    deliver_message_t m = { to, 1, NULL, 0, subject, body->str, NULL, 0, id, date, NULL };
    deliver_outcome_t out;
    ops_error_t e = { 0 };
    if (deliver_send(s, &m, &out, &e) == OPS_OK)
        cli_log(1, "failure notice sent to %s", cfg->email.owner);
    else
        cli_log(0, "error: failure notice to %s not delivered: %s", cfg->email.owner, e.message);
    g_string_free(body, TRUE);
}

ops_status_t send_period(const config_t *cfg, const char *run_dir, period_t period,
                         const send_options_t *opt, ops_error_t *err)
{
    recipient_t rcpt[256];
    size_t n = collect_recipients(cfg, rcpt, 256);
    char ptext[8], lpath[1200], base_id[160], date[64];
    period_format(period, ptext);
    if (n == 0) {
        cli_log(1, "email: no recipients configured ([email] to or [recipient.NAME])");
        return OPS_OK;
    }
    deliver_smtp_t settings;
    send_settings_from_config(cfg, &settings);
    if (!opt->dry_run) {
        ops_status_t rc = deliver_smtp_check(&settings, err);
        if (rc != OPS_OK)
            return rc;
    }
    snprintf(lpath, sizeof lpath, "%s/%s", run_dir, opt->resend ? "deliveries-resend.json" : "deliveries.json");
    if (opt->resend)
        g_unlink(lpath);
    delivery_ledger_t *ledger = NULL;
    ops_status_t rc = ledger_load(lpath, &ledger, err);
    if (rc != OPS_OK)
        return rc;
    /* run id from the manifest: the Message-ID base, stable across resends of the same outputs */
    char mpath[1200];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", run_dir);
    json_t *man = json_load_file(mpath, 0, NULL);
    const char *run_id = man ? json_string_value(json_object_get(man, "run_id")) : NULL;
    snprintf(base_id, sizeof base_id, "<%s@opsreport>", run_id ? run_id : ptext);
    json_decref(man);
    /* dry runs are outputs too: a date fixed from the period keeps them byte-identical */
    time_t now = opt->dry_run ? (time_t)(period_end_epoch(period) + 6 * 3600) : time(NULL);
    deliver_format_date(now, date, sizeof date);

    size_t n_failed = 0, n_sent = 0, n_before = 0, n_unknown = 0;
    GString *failures = g_string_new(NULL), *unknowns = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        char slug[100] = "", pdf[1200], msg[1200], xlsx[1200], html_path[1200];
        if (rcpt[i].scope)
            scope_slug(rcpt[i].scope, slug, sizeof slug);
        snprintf(pdf, sizeof pdf, "%s/%s", run_dir, rcpt[i].scope ? "" : cfg->pdf_name);
        if (rcpt[i].scope)
            snprintf(pdf, sizeof pdf, "%s/summary-%s.pdf", run_dir, slug);
        snprintf(msg, sizeof msg, rcpt[i].scope ? "%s/message-%s.txt" : "%s/message.txt", run_dir, slug);
        snprintf(xlsx, sizeof xlsx, "%s/%s", run_dir, cfg->xlsx_name);
        snprintf(html_path, sizeof html_path, rcpt[i].scope ? "%s/summary-%s.html" : "%s/summary.html", run_dir,
                 slug);
        char *subject = NULL, *body = NULL, *html = NULL;
        if ((rc = read_message(msg, &subject, &body, err)) != OPS_OK)
            goto cleanup;
        if ((rc = read_html(html_path, &html, err)) != OPS_OK) {
            free(subject);
            free(body);
            goto cleanup;
        }
        deliver_attachment_t att[2] = { { pdf, rcpt[i].scope ? strrchr(pdf, '/') + 1 : cfg->pdf_name, "application/pdf" },
                                        { xlsx, cfg->xlsx_name,
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } };
        /* a scoped recipient gets only its own summary, never the whole-organisation workbook */
        size_t n_att = cfg->email.attach_xlsx && !rcpt[i].scope ? 2 : 1;
        deliver_message_t m = { NULL, 0, NULL, 0, subject, body, att, n_att, base_id, date, html };
        if (opt->dry_run) {
            char id[300], eml[1400], safe[200];
            scope_slug(rcpt[i].address, safe, sizeof safe);
            const char *addr[] = { rcpt[i].address };
            m.to = addr;
            m.n_to = 1;
            rc = deliver_message_id_for(base_id, rcpt[i].address, id, sizeof id, err);
            m.message_id = id;
            char dir[1300];
            snprintf(dir, sizeof dir, "%s/mail", run_dir);
            g_mkdir_with_parents(dir, 0755);
            snprintf(eml, sizeof eml, "%s/%s.eml", dir, safe);
            if (rc == OPS_OK)
                rc = deliver_write_eml(&settings, &m, eml, err);
            free(subject);
            free(body);
            g_free(html);
            if (rc != OPS_OK)
                goto cleanup;
            cli_log(1, "dry run: %s -> %s", rcpt[i].address, eml);
            continue;
        }
        deliver_result_t res;
        const char *one[] = { rcpt[i].address };
        ops_error_t e = { 0 };
        ops_status_t st = deliver_send_all(&settings, &m, one, 1, ledger, opt->resend_unknown, now,
                                           &res, &e);
        free(subject);
        free(body);
        g_free(html);
        if (st != OPS_OK && st != OPS_ERR_DELIVERY) {
            *err = e;
            rc = st;
            goto cleanup;
        }
        if (res.before == LEDGER_DELIVERED) {
            n_before++;
            cli_log(2, "email: %s already delivered earlier; not sent again", rcpt[i].address);
        } else if (res.status == OPS_OK) {
            n_sent++;
            cli_log(1, "email: delivered to %s (%ld %s)", rcpt[i].address, res.outcome.smtp_code,
                    res.outcome.smtp_reply);
        } else if (res.after == LEDGER_UNKNOWN || res.after == LEDGER_PENDING) {
            /* maybe delivered: never retried here, the owner decides */
            char id[300] = "";
            n_unknown++;
            deliver_message_id_for(base_id, rcpt[i].address, id, sizeof id, NULL);
            g_string_append_printf(unknowns, "  %s (Message-ID %s): %s\n", rcpt[i].address, id,
                                   res.message[0] ? res.message : e.message);
            cli_log(0, "error: email to %s: %s; after checking, 'opsreport send --period %s "
                       "--resend-unknown' sends it again", rcpt[i].address,
                    res.message[0] ? res.message : e.message, ptext);
        } else {
            n_failed++;
            g_string_append_printf(failures, "  %s: %s\n", rcpt[i].address, res.message[0] ? res.message : e.message);
            cli_log(0, "error: email to %s not delivered after %d attempt%s: %s", rcpt[i].address,
                    res.outcome.attempts, res.outcome.attempts == 1 ? "" : "s",
                    res.message[0] ? res.message : e.message);
        }
    }
    ops_fault_point("send_manifest");
    if (!opt->dry_run && !opt->resend && (rc = manifest_add_deliveries(run_dir, err)) != OPS_OK)
        goto cleanup;
    if (n_failed || n_unknown) {
        notify_owner(cfg, &settings, ptext, failures, n_failed, unknowns, n_unknown);
        char failed_part[200] = "", unknown_part[300] = "";
        if (n_failed)
            snprintf(failed_part, sizeof failed_part,
                     "%zu of %zu recipients not reached ('opsreport send --period %s' retries them)",
                     n_failed, n, ptext);
        if (n_unknown)
            snprintf(unknown_part, sizeof unknown_part,
                     "%zu of %zu deliveries unknown (maybe delivered, not sent again; after "
                     "checking, 'opsreport send --period %s --resend-unknown')", n_unknown, n, ptext);
        rc = ops_error_set(err, OPS_ERR_DELIVERY, run_dir, 0, NULL, "%s%s%s; outputs kept",
                           failed_part, n_failed && n_unknown ? "; " : "", unknown_part);
    } else if (!opt->dry_run)
        cli_log(1, "email: %zu sent, %zu already delivered earlier", n_sent, n_before);
cleanup:
    g_string_free(failures, TRUE);
    g_string_free(unknowns, TRUE);
    ledger_free(ledger);
    return rc;
}

/* Whether `run` held this run folder's email (manifest status
 * "held_data_incomplete"); if so, *failed lists the failed freshness checks
 * ("input check: detail; ..."). g_free *failed. */
static bool run_was_held(const char *mpath, char **failed)
{
    *failed = NULL;
    json_t *man = json_load_file(mpath, 0, NULL);
    const char *status = json_string_value(json_object_get(man, "status"));
    bool held = status && !strcmp(status, "held_data_incomplete");
    if (held) {
        GString *s = g_string_new(NULL);
        size_t i, k;
        json_t *in, *c;
        json_array_foreach(json_object_get(man, "freshness"), i, in) {
            json_array_foreach(json_object_get(in, "checks"), k, c) {
                const char *outcome = json_string_value(json_object_get(c, "outcome"));
                if (!outcome || strcmp(outcome, "fail"))
                    continue;
                /* the detail names the input already ("shipments: the latest ...") */
                const char *detail = json_string_value(json_object_get(c, "detail"));
                const char *check = json_string_value(json_object_get(c, "check"));
                if (detail && detail[0])
                    g_string_append_printf(s, "%s%s [check %s]", s->len ? "; " : "", detail, check ? check : "?");
                else {
                    const char *input = json_string_value(json_object_get(in, "input"));
                    g_string_append_printf(s, "%s%s: check %s failed", s->len ? "; " : "",
                                           input ? input : "?", check ? check : "?");
                }
            }
        }
        *failed = g_string_free(s, FALSE);
    }
    json_decref(man);
    return held;
}

int cli_send_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "period", required_argument, NULL, 'p' },
        { "out", required_argument, NULL, 'o' },    { "dry-run", no_argument, NULL, 'n' },
        { "resend", no_argument, NULL, 'r' },       { "resend-unknown", no_argument, NULL, 'u' },
        { "force", no_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },      { "help", no_argument, NULL, 'h' },
        { "log-format", required_argument, NULL, 'l' }, { NULL, 0, NULL, 0 },
    };
    const char *config_path = NULL, *out_given = NULL; /* defaults: cli_config_path, cli_out_dir */
    period_t period = period_last_closed(time(NULL));
    send_options_t so = { false, false, false };
    bool force = false; /* send even though `run` held the email (freshness gate) */
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'o': out_given = optarg; break;
        case 'n': so.dry_run = true; break;
        case 'r': so.resend = true; break;
        case 'u': so.resend_unknown = true; break;
        case 'f': force = true; break;
        case 'q': cli_set_verbosity(0); break;
        case 'v': cli_set_verbosity(2); break;
        case 'l':
            if (!cli_set_log_format(optarg)) {
                fprintf(stderr, "opsreport: --log-format expects text or json, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            break;
        case 'p':
            if (!period_parse(optarg, &period)) {
                fprintf(stderr, "opsreport: --period expects YYYY-MM, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            break;
        case 'h':
            printf("usage: opsreport send [--config FILE] [--period YYYY-MM] [--out DIR] [--dry-run]\n"
                   "                      [--resend | --resend-unknown] [--force] [-q] [-v]\n"
                   "                      [--log-format FMT]\n\n"
                   "Email an existing period's summary to every recipient not yet delivered,\n"
                   "without recomputing. A recipient whose delivery is unknown (the whole\n"
                   "message reached the server, which never confirmed it) is not mailed again:\n"
                   "--resend-unknown sends to those too, once you have checked it did not\n"
                   "arrive. --resend sends again to everyone; --dry-run writes the messages as\n"
                   ".eml files into the run folder instead of sending.\n\n"
                   "  --config FILE     configuration (default config/opsreport.ini if present,\n"
                   "                    else the installed one)\n"
                   "  --period YYYY-MM  month whose run folder to send (default: the last complete month)\n"
                   "  --out DIR         where the run folders are (default [output] dir, else out)\n"
                   "  --dry-run         write each email as an .eml file in the run folder, send nothing\n"
                   "  --resend          send again to recipients already delivered\n"
                   "  --resend-unknown  send also to recipients whose delivery is unknown\n"
                   "  --force           send although `run` held the email (data incomplete)\n"
                   "  -q, --quiet       print errors only\n"
                   "  -v, --verbose     more detail\n"
                   "  --log-format FMT  text (default) or json: one JSON object per log line\n"
                   "  -h, --help        this help\n\n"
                   "Exit codes: 0 every recipient reached, 2 usage, 3 config error, 4 no outputs\n"
                   "for the period, 7 not every recipient reached or a delivery unknown, 8 run\n"
                   "folder locked, 9 held: the run held the email as data incomplete (--force).\n");
            return OPS_EXIT_OK;
        default: return OPS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opsreport: unexpected argument '%s'\n", argv[optind]);
        return OPS_EXIT_USAGE;
    }
    if (so.resend && so.resend_unknown) {
        fprintf(stderr, "opsreport: --resend already sends to everyone; use one of --resend and "
                        "--resend-unknown\n");
        return OPS_EXIT_USAGE;
    }
    ops_error_t err = { 0 };
    config_t *cfg = NULL;
    runfolder_t rf = { .lock_fd = -1 };
    char ptext[8], buf[2048], out_dir[1024];
    int code = OPS_EXIT_OK;
    period_format(period, ptext);
    if (config_load(cli_config_path(config_path), &cfg, &err) != OPS_OK)
        goto fail;
    cli_out_dir(out_given, cfg, out_dir, sizeof out_dir);
    char mpath[1200];
    snprintf(mpath, sizeof mpath, "%s/%s/manifest.json", out_dir, ptext);
    if (!g_file_test(mpath, G_FILE_TEST_EXISTS)) {
        ops_error_set(&err, OPS_ERR_INPUT, mpath, 0, NULL, "no run folder for %s: run 'opsreport run --period %s' first",
                      ptext, ptext);
        goto fail;
    }
    if (runfolder_open(&rf, out_dir, ptext, &err) != OPS_OK)
        goto fail;
    ops_fault_point("send_locked");
    if (runfolder_is_publishing(rf.dir)) {
        ops_error_set(&err, OPS_ERR_INPUT, rf.dir, 0, NULL,
                      "a run of %s stopped while publishing its outputs, so the folder mixes two runs; "
                      "run 'opsreport run --period %s' again, then send", ptext, ptext);
        goto fail;
    }
    char *failed = NULL;
    if (run_was_held(mpath, &failed) && !force) {
        /* the gate's decision stands for every later send of the same outputs */
        cli_log(0, "held: the run of %s held the email because the data look incomplete (%s); nothing sent. "
                   "Send anyway with `opsreport send --period %s --force`",
                ptext, failed && failed[0] ? failed : "see manifest.json freshness", ptext);
        g_free(failed);
        code = OPS_EXIT_HELD;
        goto done;
    }
    g_free(failed);
    if (send_period(cfg, rf.dir, period, &so, &err) != OPS_OK)
        goto fail;
    goto done;
fail:
    ops_error_format(&err, buf, sizeof buf);
    cli_log(0, "error: %s", buf);
    code = ops_status_exit_code(err.status);
done:
    runfolder_close(&rf);
    config_free(cfg);
    return code;
}
