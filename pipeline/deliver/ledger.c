/*
 * ledger.c - the delivery ledger: which recipient got which message, so a
 * rerun of the same period never mails anyone twice.
 *
 * File format (deliveries.json in the run folder), written with jansson:
 *   { "version": 1,
 *     "deliveries": [ { "recipient", "message_id", "time", "outcome",
 *                       "attempts", "smtp_code", "smtp_reply" }, ... ] }
 * "time" is ISO 8601 UTC, "outcome" one of pending / delivered / failed /
 * unknown (the whole message was sent and no reply came: see smtp.c).
 * In memory the records sit in a jansson object keyed by the normalised
 * recipient (domain lower-cased; local parts are case-sensitive by RFC 5321);
 * on save they are written as an array sorted by that key, each record's keys
 * in the order above, so equal ledgers are byte-identical files. Saving is
 * atomic (temporary file + rename), so a crash leaves the old or the new file,
 * never half of one.
 */
#include "opsreport/deliver.h"
#include "deliver/deliver_internal.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LEDGER_VERSION 1

struct delivery_ledger {
    char *path;
    json_t *records; /* object: normalised recipient -> record object */
};

static const char *const outcome_names[] = {
    [LEDGER_PENDING] = "pending",
    [LEDGER_DELIVERED] = "delivered",
    [LEDGER_FAILED] = "failed",
    [LEDGER_UNKNOWN] = "unknown",
};

/* local@Domain.Example -> local@domain.example; g_free the result. */
static char *recipient_key(const char *recipient)
{
    const char *at = strrchr(recipient, '@');
    if (!at)
        return g_strdup(recipient);
    char *domain = g_ascii_strdown(at, -1);
    char *key = g_strdup_printf("%.*s%s", (int)(at - recipient), recipient, domain);
    g_free(domain);
    return key;
}

void ledger_free(delivery_ledger_t *l)
{
    if (!l)
        return;
    json_decref(l->records);
    free(l->path);
    free(l);
}

static ledger_state_t state_of(const json_t *rec)
{
    const char *o = json_string_value(json_object_get(rec, "outcome"));
    for (int s = LEDGER_PENDING; o && s <= LEDGER_UNKNOWN; s++)
        if (strcmp(o, outcome_names[s]) == 0)
            return (ledger_state_t)s;
    return LEDGER_NONE;
}

/* One record of the file, checked field by field. */
static ops_status_t record_check(const char *path, size_t i, json_t *rec, ops_error_t *err)
{
    static const char *const strings[] = { "recipient", "message_id", "time", "smtp_reply" };
    static const char *const ints[] = { "attempts", "smtp_code" };
    if (!json_is_object(rec))
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, "deliveries",
                             "record %zu is not an object", i + 1);
    for (size_t k = 0; k < G_N_ELEMENTS(strings); k++)
        if (!json_is_string(json_object_get(rec, strings[k])))
            return ops_error_set(err, OPS_ERR_INPUT, path, 0, strings[k],
                                 "record %zu: \"%s\" missing or not a string", i + 1,
                                 strings[k]);
    for (size_t k = 0; k < G_N_ELEMENTS(ints); k++)
        if (!json_is_integer(json_object_get(rec, ints[k])))
            return ops_error_set(err, OPS_ERR_INPUT, path, 0, ints[k],
                                 "record %zu: \"%s\" missing or not an integer", i + 1,
                                 ints[k]);
    if (state_of(rec) == LEDGER_NONE)
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, "outcome",
                             "record %zu: outcome must be pending, delivered, failed or unknown",
                             i + 1);
    return OPS_OK;
}

ops_status_t ledger_load(const char *path, delivery_ledger_t **out, ops_error_t *err)
{
    *out = NULL;
    ops_status_t st = OPS_OK;
    json_t *root = NULL;
    delivery_ledger_t *l = calloc(1, sizeof *l);
    if (!l || !(l->path = strdup(path)) || !(l->records = json_object())) {
        st = ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
        goto cleanup;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            goto done; /* first delivery of this run: empty ledger */
        st = ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL, "cannot read ledger: %s",
                           strerror(errno));
        goto cleanup;
    }
    json_error_t jerr;
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        st = ops_error_set(err, OPS_ERR_INPUT, path, jerr.line, NULL,
                           "ledger is not valid JSON: %s (column %d)", jerr.text, jerr.column);
        goto cleanup;
    }
    json_t *version = json_object_get(root, "version");
    json_t *list = json_object_get(root, "deliveries");
    if (!json_is_integer(version) || json_integer_value(version) != LEDGER_VERSION ||
        !json_is_array(list)) {
        st = ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL,
                           "ledger must be an object with \"version\": %d and a "
                           "\"deliveries\" array", LEDGER_VERSION);
        goto cleanup;
    }
    size_t i;
    json_t *rec;
    json_array_foreach(list, i, rec) {
        if ((st = record_check(path, i, rec, err)) != OPS_OK)
            goto cleanup;
        char *key = recipient_key(json_string_value(json_object_get(rec, "recipient")));
        bool dup = json_object_get(l->records, key) != NULL;
        int rc = dup ? 0 : json_object_set(l->records, key, rec);
        g_free(key);
        if (dup || rc != 0) {
            st = ops_error_set(err, dup ? OPS_ERR_INPUT : OPS_ERR_NOMEM, path, 0, "recipient",
                               "record %zu: %s", i + 1,
                               dup ? "recipient listed twice" : "out of memory");
            goto cleanup;
        }
    }

done:
    *out = l;
    l = NULL;
cleanup:
    json_decref(root);
    ledger_free(l);
    return st;
}

ledger_state_t ledger_state(const delivery_ledger_t *l, const char *recipient)
{
    char *key = recipient_key(recipient);
    json_t *rec = json_object_get(l->records, key);
    g_free(key);
    return rec ? state_of(rec) : LEDGER_NONE;
}

bool ledger_is_delivered(const delivery_ledger_t *l, const char *recipient)
{
    return ledger_state(l, recipient) == LEDGER_DELIVERED;
}

size_t ledger_count(const delivery_ledger_t *l)
{
    return json_object_size(l->records);
}

static ops_status_t record_put(delivery_ledger_t *l, const char *recipient,
                               const char *message_id, time_t when, ledger_state_t state,
                               int attempts, long smtp_code, const char *smtp_reply,
                               ops_error_t *err)
{
    if (!recipient || !*recipient || !message_id)
        return ops_error_set(err, OPS_ERR_INTERNAL, l->path, 0, "recipient",
                             "ledger record needs a recipient and a message id");
    if (ledger_state(l, recipient) == LEDGER_DELIVERED)
        return ops_error_set(err, OPS_ERR_INTERNAL, l->path, 0, "recipient",
                             "%s is already recorded as delivered; refusing a second record",
                             recipient);
    char iso[32];
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* json_pack keeps this key order (jansson >= 2.8 preserves insertion). */
    json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:s}", "recipient", recipient,
                            "message_id", message_id, "time", iso, "outcome",
                            outcome_names[state], "attempts", attempts, "smtp_code",
                            (json_int_t)smtp_code, "smtp_reply", smtp_reply ? smtp_reply : "");
    char *key = recipient_key(recipient);
    int rc = rec ? json_object_set_new(l->records, key, rec) : -1;
    g_free(key);
    if (rc != 0)
        return ops_error_set(err, OPS_ERR_NOMEM, l->path, 0, NULL,
                             "cannot add ledger record (out of memory or invalid UTF-8)");
    return OPS_OK;
}

ops_status_t ledger_record(delivery_ledger_t *l, const char *recipient, const char *message_id,
                           time_t when, const deliver_outcome_t *o, ops_error_t *err)
{
    ledger_state_t state = o->delivered ? LEDGER_DELIVERED
                           : o->unknown ? LEDGER_UNKNOWN
                                        : LEDGER_FAILED;
    return record_put(l, recipient, message_id, when, state, o->attempts, o->smtp_code,
                      o->smtp_reply, err);
}

ops_status_t ledger_record_pending(delivery_ledger_t *l, const char *recipient,
                                   const char *message_id, time_t when, ops_error_t *err)
{
    return record_put(l, recipient, message_id, when, LEDGER_PENDING, 0, 0, "", err);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

ops_status_t ledger_save(const delivery_ledger_t *l, ops_error_t *err)
{
    ops_status_t st = OPS_OK;
    size_t n = json_object_size(l->records), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    json_t *list = json_array();
    json_t *root = NULL;
    char *text = NULL;
    if (!keys || !list) {
        st = ops_error_set(err, OPS_ERR_NOMEM, l->path, 0, NULL, "out of memory");
        goto cleanup;
    }
    const char *key;
    json_t *rec;
    json_object_foreach(l->records, key, rec)
        keys[i++] = key;
    qsort(keys, n, sizeof *keys, key_cmp);
    for (i = 0; i < n; i++)
        json_array_append(list, json_object_get(l->records, keys[i]));
    root = json_pack("{s:i, s:O}", "version", LEDGER_VERSION, "deliveries", list);
    text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (!text) {
        st = ops_error_set(err, OPS_ERR_NOMEM, l->path, 0, NULL, "cannot serialise ledger");
        goto cleanup;
    }
    size_t len = strlen(text);
    char *with_nl = realloc(text, len + 2);
    if (!with_nl) {
        st = ops_error_set(err, OPS_ERR_NOMEM, l->path, 0, NULL, "out of memory");
        goto cleanup;
    }
    text = with_nl;
    memcpy(text + len, "\n", 2);
    st = deliver_write_atomic(l->path, text, len + 1, err);
    ops_fault_point("ledger_saved");

cleanup:
    free(text);
    json_decref(root);
    json_decref(list);
    free(keys);
    return st;
}
