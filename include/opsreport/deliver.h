/*
 * deliver.h - email delivery of the month-end pack over SMTP (libcurl),
 * a dry-run .eml writer, and a delivery ledger for exactly-once sending.
 *
 * The caller's model is one message per recipient: build a deliver_message_t
 * with a single address in `to`, check the ledger, send, record the outcome
 * in the ledger and save it, then go on to the next recipient. A failure for
 * one recipient then never repeats or blocks another, and a rerun of the same
 * period skips every recipient the ledger already shows as delivered, and
 * every one whose delivery is unknown (sent in full, never confirmed) until
 * a person decides to resend it.
 *
 * All strings in the settings and message structs are borrowed: the caller
 * keeps them alive for the duration of a call; nothing here frees them.
 *
 * The password is never in the config file, never in a URL, and never
 * written to an outcome, an error message, the ledger or an .eml file: it is
 * read from an environment variable or an owner-only file just before the
 * connection and wiped from memory after it. See docs/delivery.md.
 */
#ifndef OPSREPORT_DELIVER_H
#define OPSREPORT_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "opsreport/common.h"

typedef enum {
    DELIVER_TLS_REQUIRED = 0, /* STARTTLS required (smtp://) unless the host is loopback */
    DELIVER_TLS_NONE,         /* config says `tls = none`: plain SMTP, no STARTTLS */
    DELIVER_TLS_STRICT        /* STARTTLS required, loopback included: the only way to see,
                                 against a server on this machine, that a server offering
                                 no STARTTLS gets nothing in plain text */
} deliver_tls_t;

typedef struct {
    const char *smtp_url;      /* smtp://host[:port] or smtps://host[:port]; no user/password */
    deliver_tls_t tls;         /* smtps:// always uses implicit TLS whatever this says */
    const char *username;      /* NULL or "" = no AUTH */
    const char *password_env;  /* name of the environment variable holding the password */
    const char *password_file; /* or: path of a regular file, mode 0600/0400, first line */
    const char *from;          /* envelope and From: address, "ops@example.com" */
    const char *from_name;     /* optional display name (UTF-8) */
    const char *reply_to;      /* optional Reply-To: address */
    long connect_timeout_ms;   /* per attempt, TCP + greeting */
    long timeout_ms;           /* per attempt, whole SMTP transaction */
    int max_attempts;          /* >= 1; attempts include the first */
    long initial_backoff_ms;   /* wait before the 2nd attempt; doubles after each */
    double retry_budget_s;     /* no retry starts after this many seconds since the first */
    uint64_t max_attachment_bytes; /* total size of all attachments, 0 = no limit */
} deliver_smtp_t;

typedef struct {
    const char *path;      /* file to attach, read at build time */
    const char *filename;  /* name shown to the recipient (UTF-8) */
    const char *mime_type; /* "application/pdf" */
} deliver_attachment_t;

typedef struct {
    const char *const *to;  /* recipients (one for the per-recipient model) */
    size_t n_to;
    const char *const *cc;
    size_t n_cc;
    const char *subject;    /* UTF-8, RFC 2047-encoded when not plain ASCII; it comes
                               from data, so each run of line breaks or other control
                               characters becomes one space: never a header of its own */
    const char *body;       /* UTF-8 plain text; "\n" or "\r\n" line ends */
    const deliver_attachment_t *attachments;
    size_t n_attachments;
    const char *message_id; /* "<2026-10.a1b2@opsreport>", angle brackets included */
    const char *date;       /* RFC 5322 date, see deliver_format_date() */
    const char *html;       /* NULL, or a UTF-8 HTML page (summary.html) sent as the
                               alternative to body: multipart/alternative, text first */
} deliver_message_t;

/* How far one SMTP attempt got with the message itself. */
typedef enum {
    DELIVER_STAGE_ENVELOPE = 0, /* nothing of the message sent yet: connection, greeting,
                                   EHLO, STARTTLS, AUTH, MAIL, RCPT or the DATA command */
    DELIVER_STAGE_BODY,         /* part of the message sent, not all of it: the server
                                   cannot have taken it (no final ".") */
    DELIVER_STAGE_SENT          /* every byte of the message sent, and with it the final
                                   "."; only the server's reply to it is outstanding */
} deliver_stage_t;

/* What one failed or successful attempt means for the message. */
typedef enum {
    DELIVER_DELIVERED = 0, /* the server answered 2xx to the end of the message */
    DELIVER_TRANSIENT,     /* not taken, and retrying may help: no connection, 4xx reply,
                              a timeout or a dropped connection before the message was sent */
    DELIVER_PERMANENT,     /* not taken, and retrying cannot help: 5xx reply, TLS problem */
    DELIVER_UNKNOWN        /* the whole message was sent and no reply came (dropped
                              connection, timeout, garbage): the server may have taken it,
                              so it must not be sent again without a person deciding */
} deliver_verdict_t;

/* The verdict for one attempt from libcurl's result (a CURLcode, as int),
 * the last SMTP reply code (CURLINFO_RESPONSE_CODE, 0 if none) and the stage
 * the attempt reached. A 4xx or 5xx reply decides on its own; without one, a
 * failure at DELIVER_STAGE_SENT is DELIVER_UNKNOWN except a send error (the
 * final "." did not go out), and earlier failures are transient or permanent
 * by the curl code. Pure: no I/O, table-tested. */
deliver_verdict_t deliver_classify(int curl_code, long smtp_code, deliver_stage_t stage);

typedef struct {
    bool delivered;
    bool unknown;           /* DELIVER_UNKNOWN: sent in full, no reply; never retried */
    bool permanent;         /* failure that retrying cannot fix (5xx, bad TLS, ...) */
    int attempts;           /* connections made, 0 if refused before connecting */
    long smtp_code;         /* last SMTP reply code (CURLINFO_RESPONSE_CODE), 0 if none */
    char smtp_reply[512];   /* the server's reply line for smtp_code, "" if none */
    int curl_code;          /* CURLcode of the last attempt */
    deliver_stage_t stage;  /* how far the last attempt got */
    char curl_error[256];   /* curl's error text for the last attempt, "" if none */
    double elapsed_s;       /* wall time from the first attempt to the end */
} deliver_outcome_t;

/* Defaults: tls required, 10 s connect, 60 s per attempt, 4 attempts, 2 s
 * initial backoff, 300 s retry budget, 20 MiB attachments. */
void deliver_smtp_init(deliver_smtp_t *settings);

/* Checks the settings without connecting: URL scheme and no credentials in
 * it, from address, password source (an env var that is set, or a regular
 * file with no group/other permission bits). OPS_ERR_CONFIG with the key in
 * err->column. Call it when the config is loaded to fail early. */
ops_status_t deliver_smtp_check(const deliver_smtp_t *settings, ops_error_t *err);

/* True if the URL's host is localhost or *.localhost (curl resolves those
 * itself), in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. */
bool deliver_url_is_loopback(const char *smtp_url);

/* "Tue, 24 Nov 2026 19:54:42 +0000" (English names, UTC) into buf (>= 32). */
void deliver_format_date(time_t when, char *buf, size_t size);

/* The complete RFC 5322 message (CRLF line ends) that deliver_send sends,
 * built by the same code. *out is malloc'd and NUL-terminated; caller frees. */
ops_status_t deliver_message_build(const deliver_smtp_t *settings, const deliver_message_t *msg,
                                   char **out, size_t *out_len, ops_error_t *err);

/* Sends one message; retries transient failures (no connection, timeouts,
 * 4xx replies) with exponential backoff within max_attempts and the retry
 * budget; stops at once on permanent ones (5xx, TLS or login problems) and
 * on an unknown outcome (outcome->unknown: the whole message went out and
 * no reply came - a retry could deliver it twice). See deliver_classify.
 * outcome is always filled. OPS_OK when delivered, OPS_ERR_DELIVERY when not
 * or when unknown,
 * OPS_ERR_CONFIG / OPS_ERR_INPUT when the settings, password source or an
 * attachment is wrong (nothing sent, outcome->attempts == 0). */
ops_status_t deliver_send(const deliver_smtp_t *settings, const deliver_message_t *msg,
                          deliver_outcome_t *outcome, ops_error_t *err);

/* Dry run: writes the message deliver_send would send to path, atomically
 * (temporary file in the same folder + rename). Same inputs, same bytes. */
ops_status_t deliver_write_eml(const deliver_smtp_t *settings, const deliver_message_t *msg,
                               const char *path, ops_error_t *err);

/* True for a bare addr-spec we accept: one '@' with text on both sides,
 * printable ASCII, no spaces, none of <>,;:"()\[] - so never a line break. */
bool deliver_address_valid(const char *addr);

/* True for text that may go into a header as a display name: valid UTF-8
 * with no control character (no CR, LF, TAB, DEL), so it cannot start a
 * header of its own. Config loading checks names with it. */
bool deliver_header_text_valid(const char *text);

/* ---- Delivery ledger (pipeline/deliver/ledger.c) ------------------------
 * A JSON file in the run folder (deliveries.json) with one record per
 * recipient. Protocol for exactly-once: skip recipients that are delivered;
 * ledger_record_pending + ledger_save before sending; ledger_record + save
 * after. Two states say "the message may or may not have gone out", and the
 * caller must not resend either without an explicit override: "unknown" (the
 * whole message was sent and the connection failed before the server's
 * reply) and "pending" still there on the next run (the process died
 * mid-send). */
typedef struct delivery_ledger delivery_ledger_t;

typedef enum {
    LEDGER_NONE = 0,   /* no record for this recipient */
    LEDGER_PENDING,    /* send started, outcome unknown */
    LEDGER_DELIVERED,
    LEDGER_FAILED,     /* not taken; a later send tries again */
    LEDGER_UNKNOWN     /* sent in full, no reply: maybe delivered, never resent by itself */
} ledger_state_t;

/* Loads path; a missing file gives an empty ledger that will be saved there.
 * *out is owned by the caller (ledger_free). */
ops_status_t ledger_load(const char *path, delivery_ledger_t **out, ops_error_t *err);
void ledger_free(delivery_ledger_t *ledger);

/* Recipient addresses match with the domain compared case-insensitively. */
ledger_state_t ledger_state(const delivery_ledger_t *ledger, const char *recipient);
bool ledger_is_delivered(const delivery_ledger_t *ledger, const char *recipient);
size_t ledger_count(const delivery_ledger_t *ledger);

/* Records the outcome of sending message_id to recipient at time `when`
 * (delivered, unknown if outcome->unknown, else failed), replacing an
 * earlier pending/failed/unknown record. Refuses (OPS_ERR_INTERNAL) to
 * replace a delivered record: that would be a second delivery. */
ops_status_t ledger_record(delivery_ledger_t *ledger, const char *recipient,
                           const char *message_id, time_t when,
                           const deliver_outcome_t *outcome, ops_error_t *err);
ops_status_t ledger_record_pending(delivery_ledger_t *ledger, const char *recipient,
                                   const char *message_id, time_t when, ops_error_t *err);

/* Writes the ledger to its path atomically; records sorted by recipient and
 * keys in a fixed order, so the same records give the same bytes. */
ops_status_t ledger_save(const delivery_ledger_t *ledger, ops_error_t *err);

/* ---- One message per recipient (pipeline/deliver/batch.c) ---------------- */

/* Message-ID for one recipient, derived from the run's base id so that the
 * dry run and the real run agree and a rerun reuses the same id:
 * "<2026-10@opsreport.example>" + "cfo@example.com" ->
 * "<" + first 16 hex of SHA-256("cfo@example.com") + "." + "2026-10@opsreport.example>".
 * buf needs strlen(base_id) + 18 bytes; OPS_ERR_INTERNAL if too small. */
ops_status_t deliver_message_id_for(const char *base_id, const char *recipient, char *buf,
                                    size_t size, ops_error_t *err);

typedef struct {
    const char *recipient;
    ledger_state_t before;   /* ledger state found before this run */
    ledger_state_t after;    /* ledger state when done with it (= before if skipped) */
    bool sent;               /* an SMTP attempt was made for it this run */
    ops_status_t status;     /* OPS_OK delivered (now or before), else why not */
    deliver_outcome_t outcome;
    char message[1024];      /* why not delivered, "" if delivered */
} deliver_result_t;

/* Sends tmpl (its to/cc/message_id replaced) to each recipient separately:
 * skips those the ledger shows delivered; skips those recorded "unknown" or
 * left "pending" by a crashed run unless resend_unknown (the message may have
 * gone out); marks
 * each pending and saves the ledger before sending, records the outcome and
 * saves after. results[] (n entries, caller-owned) gets one entry per
 * recipient. `now` stamps the ledger records (0 = the clock at each record).
 * OPS_OK if every recipient has been reached; OPS_ERR_DELIVERY if some were
 * not (err says how many and the first reason); OPS_ERR_CONFIG/INPUT before
 * anything is sent if the settings, a recipient address or an attachment is
 * wrong; OPS_ERR_OUTPUT if the ledger cannot be saved (sending stops: without
 * the ledger exactly-once cannot be kept). */
ops_status_t deliver_send_all(const deliver_smtp_t *settings, const deliver_message_t *tmpl,
                              const char *const *recipients, size_t n,
                              delivery_ledger_t *ledger, bool resend_unknown, time_t now,
                              deliver_result_t *results, ops_error_t *err);

#endif
