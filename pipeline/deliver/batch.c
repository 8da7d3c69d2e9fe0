/*
 * batch.c - one message per recipient, kept exactly-once by the ledger.
 *
 * deliver_send_all is the loop every caller would otherwise write: for each
 * recipient, consult the ledger, write a "pending" record and save it, send
 * a message addressed to that recipient alone (with a Message-ID derived from
 * the run's base id and the recipient), record the outcome and save again.
 * A failure for one recipient is recorded and the loop goes on, so it never
 * repeats or blocks the others; a rerun sends only to those not yet reached.
 *
 * The "pending" record closes the crash window: if the process dies between
 * the server's 250 and the final save, the next run finds "pending" and does
 * not mail that recipient again unless told to (resend_unknown). An
 * "unknown" outcome (the whole message sent, the connection lost before the
 * reply) is the same situation seen from inside the process and is kept the
 * same way: recorded, reported, and sent again only on resend_unknown.
 */
#include "opsreport/deliver.h"
#include "deliver/deliver_internal.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

ops_status_t deliver_message_id_for(const char *base_id, const char *recipient, char *buf,
                                    size_t size, ops_error_t *err)
{
    size_t bl = base_id ? strlen(base_id) : 0;
    if (bl < 3 || base_id[0] != '<' || !recipient)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, "message_id",
                             "base Message-ID '%s' must look like <unique@host>",
                             base_id ? base_id : "");
    gchar *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, recipient, -1);
    int n = snprintf(buf, size, "<%.16s.%s", hash, base_id + 1);
    g_free(hash);
    if (n < 0 || (size_t)n >= size)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, "message_id",
                             "Message-ID buffer of %zu bytes is too small", size);
    return OPS_OK;
}

static time_t stamp(time_t now)
{
    return now ? now : time(NULL);
}

/* Sends to one recipient and records it. Returns non-OK only for problems
 * that stop the whole batch (bad settings, ledger not saved); a failed
 * delivery is r->status. */
static ops_status_t send_one(const deliver_smtp_t *settings, const deliver_message_t *tmpl,
                             const char *const *recipient, delivery_ledger_t *ledger,
                             time_t now, char *id, size_t id_size, deliver_result_t *r,
                             ops_error_t *err)
{
    ops_status_t st = deliver_message_id_for(tmpl->message_id, *recipient, id, id_size, err);
    if (st != OPS_OK)
        return st;
    deliver_message_t m = *tmpl;
    m.to = recipient;
    m.n_to = 1;
    m.cc = NULL;
    m.n_cc = 0;
    m.message_id = id;

    if ((st = ledger_record_pending(ledger, *recipient, id, stamp(now), err)) ||
        (st = ledger_save(ledger, err)))
        return st;
    ops_fault_point("pending_recorded");
    ops_error_t one = { 0 };
    r->sent = true;
    r->status = deliver_send(settings, &m, &r->outcome, &one);
    ops_fault_point("smtp_done"); /* the server has the message; the ledger still says pending */
    if (r->outcome.attempts == 0) {
        /* Refused before connecting (bad attachment, password file...):
         * nothing went out, and it would fail for everyone alike. */
        r->sent = false;
        r->after = LEDGER_FAILED;
        ledger_record(ledger, *recipient, id, stamp(now), &r->outcome, NULL);
        ledger_save(ledger, NULL);
        *err = one;
        return r->status;
    }
    if ((st = ledger_record(ledger, *recipient, id, stamp(now), &r->outcome, err)) ||
        (st = ledger_save(ledger, err)))
        return st;
    r->after = ledger_state(ledger, *recipient);
    if (r->status != OPS_OK)
        snprintf(r->message, sizeof r->message, "%s", one.message);
    return OPS_OK;
}

ops_status_t deliver_send_all(const deliver_smtp_t *settings, const deliver_message_t *tmpl,
                              const char *const *recipients, size_t n,
                              delivery_ledger_t *ledger, bool resend_unknown, time_t now,
                              deliver_result_t *results, ops_error_t *err)
{
    /* Problems that would fail every recipient stop everything up front. */
    ops_status_t st = deliver_smtp_check(settings, err);
    if (st != OPS_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (!deliver_address_valid(recipients[i]))
            return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, "recipients",
                                 "recipient %zu '%s' is not a valid address (user@domain)",
                                 i + 1, recipients[i] ? recipients[i] : "");

    size_t id_size = (tmpl->message_id ? strlen(tmpl->message_id) : 0) + 32;
    char *id = g_malloc(id_size);
    size_t not_reached = 0;
    const char *first_failure = NULL;

    for (size_t i = 0; i < n; i++) {
        deliver_result_t *r = &results[i];
        memset(r, 0, sizeof *r);
        r->recipient = recipients[i];
        r->before = r->after = ledger_state(ledger, recipients[i]);
        if (r->before == LEDGER_DELIVERED)
            continue; /* reached on an earlier run */
        if (r->before == LEDGER_PENDING && !resend_unknown) {
            r->status = OPS_ERR_DELIVERY;
            snprintf(r->message, sizeof r->message,
                     "a previous run stopped while sending to %s; it may have been "
                     "delivered, so it is not sent again without an explicit resend",
                     recipients[i]);
        } else if (r->before == LEDGER_UNKNOWN && !resend_unknown) {
            r->status = OPS_ERR_DELIVERY;
            snprintf(r->message, sizeof r->message,
                     "delivery to %s is unknown: an earlier send lost the connection after "
                     "the whole message was sent and before the server's reply; it may have "
                     "been delivered, so it is not sent again without an explicit resend",
                     recipients[i]);
        } else {
            st = send_one(settings, tmpl, &recipients[i], ledger, now, id, id_size, r, err);
            if (st != OPS_OK)
                goto cleanup;
            if (r->status == OPS_OK)
                continue;
        }
        if (not_reached++ == 0)
            first_failure = r->message;
    }

    st = OPS_OK;
    if (not_reached)
        st = ops_error_set(err, OPS_ERR_DELIVERY, NULL, 0, NULL,
                           "%zu of %zu recipients not reached; first: %s", not_reached, n,
                           first_failure);
cleanup:
    g_free(id);
    return st;
}
