/*
 * keystore.h - the distinct keys of one input, and event logs' latest rows,
 * in little memory (issue #13: ingest memory grows with the keys).
 *
 * keystore_t: a set of byte-string keys, each with one 64-bit value, and an
 * id counting from 0 in the order of first insertion. The key bytes live in
 * one arena, the entries (16 bytes) in one array and the hash table holds
 * 8-byte slots (entry number and hash): about 30 bytes plus the key per
 * key (at most 4 GB of key bytes in all), where a GHashTable of g_strdup'd
 * keys took about
 * 65 for a short one (malloc's per-string overhead, 8-byte slots) and had
 * no insertion order of its own.
 *
 * keystore_row_t: one latest row of an event log, packed in the store: only
 * the schema's n_fields values, each as its text and its type's value,
 * instead of CONFIG_MAX_FIELDS whole field_value_t structs, a malloc'd
 * text block and a GPtrArray slot.
 */
#ifndef OPSREPORT_KEYSTORE_H
#define OPSREPORT_KEYSTORE_H

#include "opsreport/common.h"
#include "opsreport/ingest.h"
#include "opsreport/schema.h"

#include <stddef.h>
#include <stdint.h>

typedef struct keystore keystore_t;

/* A new, empty store; NULL when out of memory. The caller owns it and frees
 * it with keystore_free (which frees the keys, never what values point to). */
keystore_t *keystore_new(void);
void keystore_free(keystore_t *ks);

/* Looks up key[0..len) (any bytes, compared exactly). Found: *id is its id
 * and *added false. Absent: it is copied in with value, *id is the next id
 * and *added true. OPS_ERR_NOMEM (err filled) when it cannot grow. */
ops_status_t keystore_intern(keystore_t *ks, const char *key, size_t len, uint64_t value, size_t *id,
                             bool *added, ops_error_t *err);
size_t keystore_count(const keystore_t *ks);
uint64_t keystore_value(const keystore_t *ks, size_t id);
void keystore_set_value(keystore_t *ks, size_t id, uint64_t value);
/* The key of an id, NUL-terminated; valid until the next keystore_intern. */
const char *keystore_key(const keystore_t *ks, size_t id, size_t *len);

/* One event-log row kept as its key's latest update. The head is the
 * caller's to read and write; data is keystore_row_put's. */
typedef struct {
    long line;              /* line the kept update starts on */
    int64_t ts;             /* its keep_latest_by time */
    int64_t first_response; /* derived first response, INT64_MAX: none */
    uint32_t id;            /* its key's id */
    uint32_t room;          /* bytes of data: the packed values and some slack */
    unsigned char data[];   /* the schema's n_fields values, packed */
} keystore_row_t;

/* A store keeps either a value per key or, for event logs, a row per key:
 * keystore_row_put takes over the key's value (0 before: no row yet). */

/* The row of key id, NULL: none. The store owns it; valid until the next
 * keystore_row_put or keystore_intern. */
keystore_row_t *keystore_row(const keystore_t *ks, size_t id);
/* Packs schema->n_fields values as key id's row. A key's first row gets
 * the head line 0, ts 0, first_response INT64_MAX; a later one keeps the
 * head of the row it replaces. OPS_ERR_NOMEM (err filled, row unchanged). */
ops_status_t keystore_row_put(keystore_t *ks, size_t id, const input_schema_t *schema,
                              const field_value_t *values, ops_error_t *err);
/* Room for the texts unpacking rebuilds from their values instead of
 * storing them ("2026-10-01 12:00:00", "42", "true"). */
#define KEYSTORE_CANON_MAX 32
typedef struct {
    char text[CONFIG_MAX_FIELDS][KEYSTORE_CANON_MAX];
} keystore_texts_t;

/* The values back, exactly as packed, into values[0..schema->n_fields).
 * Their texts (NUL-terminated) point into row, into texts or at the
 * schema's enum names: valid as long as row and texts are. */
void keystore_row_unpack(const keystore_row_t *row, const input_schema_t *schema, field_value_t *values,
                         keystore_texts_t *texts);

#endif
