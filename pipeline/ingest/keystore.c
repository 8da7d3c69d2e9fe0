/*
 * keystore.c - compact key set and packed latest rows (see keystore.h).
 *
 * Hand-written rather than GHashTable + GStringChunk: a GHashTable keeps an
 * 8-byte key pointer, a value and a hash per slot, and no insertion order,
 * so event logs needed a GPtrArray beside it; here a slot is an entry
 * number and the key's hash, 8 bytes, and the entries array is the order
 * of first appearance. Open addressing with linear probing, at most 3/4
 * full. The hash in the slot lets a probe pass a slot of another key
 * without reading its entry: with millions of distinct ids (purchase
 * orders, shipments) each entry read was a cache miss, and a lookup made
 * several (a third of a PO file's ingest).
 *
 * The arrays (key bytes, entries, slots, rows) are mappings of their own,
 * not malloc'd: mremap grows one without copying, munmap gives it back at
 * once, and the unused part of a doubled array is never touched, so costs
 * no memory. malloc'd, they moved into the heap once a first big one was
 * freed (glibc then raises its mmap threshold to the size freed), where a
 * realloc copies and freed pages stay with the process: the scale-50 run
 * at --jobs 2 peaked at 132 MB so, 94 MB with the threshold held fixed.
 * A mapping of 2 MB or more asks for transparent huge pages (MADV_HUGEPAGE,
 * where the kernel offers them on request): one page fault and one TLB
 * entry per 2 MB instead of per 4 KB for arrays that are touched at random.
 */
#include "ingest/keystore.h"

#include "opsreport/parse.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* 16 bytes: a key's length is where the next one starts, less its NUL
 * (keys are stored in id order), and 4 GB of key bytes is the limit */
typedef struct {
    uint32_t off;   /* key bytes at keys + off, NUL-terminated */
    uint32_t spare; /* (the slot holds the hash) */
    uint64_t value; /* or, once the key has a row, its offset in rows + 1 */
} keystore_entry_t;

/* A hash table slot: entry 0 is empty. */
typedef struct {
    uint32_t entry; /* entry index + 1 */
    uint32_t hash;  /* the entry's hash, so a probe need not read the entry */
} keystore_slot_t;

/* A growable array in a mapping of its own. */
typedef struct {
    unsigned char *p;
    size_t cap; /* bytes mapped */
} region_t;

struct keystore {
    region_t keys;
    size_t keys_len;
    region_t entries; /* keystore_entry_t, in order of first insertion: index = id */
    size_t n;
    region_t slots; /* keystore_slot_t */
    size_t n_slots; /* a power of two */
    region_t rows;  /* keystore_row_t, each at a multiple of 8 */
    size_t rows_len, rows_garbage; /* bytes used; of them, rows replaced */
};

#define KEYSTORE_MIN_SLOTS 1024
#define KEYSTORE_MIN_REGION (64 * 1024)
#define KEYSTORE_HUGE_REGION (2 * 1024 * 1024)

/* ThreadSanitizer does not intercept mremap: a range a moved mapping left
 * keeps its old thread's accesses in the shadow memory, and the next
 * mapping placed there (another thread's keystore) is reported as a race.
 * Under it, a region grows by a new mapping, a copy and munmap. */
#if defined(__SANITIZE_THREAD__)
#define KEYSTORE_NO_MREMAP 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KEYSTORE_NO_MREMAP 1
#endif
#endif

static bool region_reserve(region_t *r, size_t need)
{
    if (need <= r->cap)
        return true;
    size_t cap = r->cap ? r->cap : KEYSTORE_MIN_REGION;
    while (cap < need)
        cap *= 2;
#ifdef KEYSTORE_NO_MREMAP
    void *q = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q != MAP_FAILED && r->p) {
        memcpy(q, r->p, r->cap);
        munmap(r->p, r->cap);
    }
#else
    void *q = r->p ? mremap(r->p, r->cap, cap, MREMAP_MAYMOVE)
                   : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
#endif
    if (q == MAP_FAILED)
        return false;
#ifdef MADV_HUGEPAGE
    if (cap >= KEYSTORE_HUGE_REGION)
        (void)madvise(q, cap, MADV_HUGEPAGE); /* only a hint: refused, small pages serve */
#endif
    r->p = q;
    r->cap = cap;
    return true;
}

static void region_free(region_t *r)
{
    if (r->p)
        munmap(r->p, r->cap);
    r->p = NULL;
    r->cap = 0;
}

#define ENTRIES(ks) ((keystore_entry_t *)(ks)->entries.p)
#define SLOTS(ks) ((keystore_slot_t *)(ks)->slots.p)

keystore_t *keystore_new(void)
{
    keystore_t *ks = calloc(1, sizeof *ks);
    if (!ks)
        return NULL;
    /* a fresh mapping reads as zeros: every slot empty */
    if (!region_reserve(&ks->slots, KEYSTORE_MIN_SLOTS * sizeof(keystore_slot_t))) {
        free(ks);
        return NULL;
    }
    ks->n_slots = KEYSTORE_MIN_SLOTS;
    return ks;
}

void keystore_free(keystore_t *ks)
{
    if (!ks)
        return;
    region_free(&ks->keys);
    region_free(&ks->entries);
    region_free(&ks->slots);
    region_free(&ks->rows);
    free(ks);
}

/* FNV-1a, then murmur3's finaliser: ids like "PO-000123" differ only in
 * their last bytes, which FNV alone leaves in the high bits. */
static uint32_t key_hash(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

static size_t key_len(const keystore_t *ks, size_t id)
{
    size_t end = id + 1 < ks->n ? ENTRIES(ks)[id + 1].off : ks->keys_len;
    return end - ENTRIES(ks)[id].off - 1;
}

static bool slots_grow(keystore_t *ks)
{
    size_t n_slots = ks->n_slots * 2;
    region_t slots = { 0 };
    if (!region_reserve(&slots, n_slots * sizeof(keystore_slot_t)))
        return false;
    keystore_slot_t *sl = (keystore_slot_t *)slots.p;
    /* from the old slots, not the entries: they hold the hashes */
    const keystore_slot_t *old = SLOTS(ks);
    for (size_t k = 0; k < ks->n_slots; k++) {
        if (!old[k].entry)
            continue;
        size_t s = old[k].hash & (n_slots - 1);
        while (sl[s].entry)
            s = (s + 1) & (n_slots - 1);
        sl[s] = old[k];
    }
    region_free(&ks->slots);
    ks->slots = slots;
    ks->n_slots = n_slots;
    return true;
}

ops_status_t keystore_intern(keystore_t *ks, const char *key, size_t len, uint64_t value, size_t *id,
                             bool *added, ops_error_t *err)
{
    uint32_t h = key_hash(key, len);
    size_t s = h & (ks->n_slots - 1);
    for (; SLOTS(ks)[s].entry; s = (s + 1) & (ks->n_slots - 1)) {
        if (SLOTS(ks)[s].hash != h)
            continue;
        size_t i = SLOTS(ks)[s].entry - 1;
        const keystore_entry_t *e = &ENTRIES(ks)[i];
        if (key_len(ks, i) == len && !memcmp(ks->keys.p + e->off, key, len)) {
            *id = i;
            *added = false;
            return OPS_OK;
        }
    }
    if (len >= UINT32_MAX - ks->keys_len || ks->n >= UINT32_MAX - 1)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "more than 4 GB of keys, or 4 billion");
    if (!region_reserve(&ks->keys, ks->keys_len + len + 1) ||
        !region_reserve(&ks->entries, (ks->n + 1) * sizeof(keystore_entry_t)))
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    keystore_entry_t *e = &ENTRIES(ks)[ks->n];
    e->off = (uint32_t)ks->keys_len;
    e->spare = 0;
    e->value = value;
    if (len)
        memcpy(ks->keys.p + ks->keys_len, key, len);
    ks->keys.p[ks->keys_len + len] = '\0';
    ks->keys_len += len + 1;
    SLOTS(ks)[s].entry = (uint32_t)(ks->n + 1);
    SLOTS(ks)[s].hash = h;
    *id = ks->n++;
    *added = true;
    /* growing after the insert keeps s valid above; a failed growth leaves
     * a fuller table that still works, so only the next insert reports it */
    if (ks->n * 4 > ks->n_slots * 3 && !slots_grow(ks))
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    return OPS_OK;
}

size_t keystore_count(const keystore_t *ks) { return ks->n; }
uint64_t keystore_value(const keystore_t *ks, size_t id) { return ENTRIES(ks)[id].value; }
void keystore_set_value(keystore_t *ks, size_t id, uint64_t value) { ENTRIES(ks)[id].value = value; }

const char *keystore_key(const keystore_t *ks, size_t id, size_t *len)
{
    *len = key_len(ks, id);
    return (const char *)ks->keys.p + ENTRIES(ks)[id].off;
}

/* ---- packed rows ---------------------------------------------------------
 * Per field: a flags byte; the text (LEB128 length, bytes, NUL) unless it
 * is the enum value's own name or the value's canonical spelling
 * (canon_text: "2026-10-01 12:00:00" for a timestamp, most of an event
 * log's bytes); then the type's value: zigzag LEB128 for the integers
 * (int, money and its residual, date, timestamp, enum index), the 8 bytes
 * of a double, a bool in the flags. Every value is kept, present or not,
 * so unpacking gives back exactly what was packed.
 *
 * Rows live one after another in the rows region. A newer update that
 * fits in its row's room overwrites it; a longer one is appended and the
 * old row becomes garbage, which rows_compact squeezes out once it is a
 * quarter of the region, so the rows take at most 4/3 of their size. */
enum {
    ROW_PRESENT = 1,
    ROW_ENUM_NAME = 2, /* text is enum_values[enum_index]: not stored */
    ROW_BOOL = 4,
    ROW_GRAIN_SHIFT = 3, /* 2 bits */
    ROW_CANON = 32, /* text is canon_text of the value: not stored */
};

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static unsigned char *varint_put(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static const unsigned char *varint_get(const unsigned char *p, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0;; shift += 7) {
        r |= (uint64_t)(*p & 0x7F) << shift;
        if (!(*p++ & 0x80))
            break;
    }
    *v = r;
    return p;
}

/* The one spelling of a value that need not be stored, rebuilt from it on
 * unpacking: ISO dates and times (4-digit years), decimal integers, true
 * and false. Its length, or 0: none. Digits by hand: snprintf here, twice
 * per timestamp of every update, cost a third of an event log's read. */
#define KEYSTORE_DAY_1000 (-354285)  /* 1000-01-01 */
#define KEYSTORE_DAY_9999 2932896    /* 9999-12-31 */

static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

static char *put_date(char *p, int32_t days)
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    p = put_digits(p, (unsigned)y, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)m, 2);
    *p++ = '-';
    return put_digits(p, (unsigned)d, 2);
}

static size_t canon_text(const field_def_t *def, const field_value_t *v, char *buf)
{
    char *p = buf;
    switch (def->type) {
    case FT_INT: {
        char tmp[24];
        size_t n = 0;
        uint64_t u = v->v.i < 0 ? 0 - (uint64_t)v->v.i : (uint64_t)v->v.i;
        do
            tmp[n++] = (char)('0' + u % 10);
        while (u /= 10);
        if (v->v.i < 0)
            *p++ = '-';
        while (n)
            *p++ = tmp[--n];
        break;
    }
    case FT_BOOL:
        memcpy(p, v->v.b ? "true" : "false", v->v.b ? 4 : 5);
        p += v->v.b ? 4 : 5;
        break;
    case FT_DATE:
        if (v->grain || v->v.date < KEYSTORE_DAY_1000 || v->v.date > KEYSTORE_DAY_9999)
            return 0;
        p = put_date(p, v->v.date);
        break;
    case FT_TIMESTAMP: {
        int64_t days = v->v.ts / 86400, secs = v->v.ts % 86400;
        if (secs < 0) {
            days--;
            secs += 86400;
        }
        if (days < KEYSTORE_DAY_1000 || days > KEYSTORE_DAY_9999)
            return 0;
        p = put_date(p, (int32_t)days);
        *p++ = ' ';
        p = put_digits(p, (unsigned)(secs / 3600), 2);
        *p++ = ':';
        p = put_digits(p, (unsigned)(secs / 60 % 60), 2);
        *p++ = ':';
        p = put_digits(p, (unsigned)(secs % 60), 2);
        break;
    }
    default: return 0;
    }
    *p = '\0';
    return (size_t)(p - buf);
}

/* The canonical lengths: a text of another length is not, unformatted. */
static bool is_canon(const field_def_t *def, const field_value_t *v)
{
    if ((def->type == FT_TIMESTAMP && v->len != 19) || (def->type == FT_DATE && v->len != 10) ||
        (def->type == FT_BOOL && v->len != 4 && v->len != 5) || (def->type == FT_INT && (!v->len || v->len > 20)))
        return false;
    char buf[KEYSTORE_CANON_MAX];
    size_t n = canon_text(def, v, buf);
    return n && n == v->len && !memcmp(buf, v->text, n);
}

static bool is_enum_name(const field_def_t *def, const field_value_t *v)
{
    if (def->type != FT_ENUM || v->v.enum_index < 0 || !def->enum_values)
        return false;
    for (int i = 0; def->enum_values[i]; i++)
        if (i == v->v.enum_index)
            return strlen(def->enum_values[i]) == v->len && !memcmp(def->enum_values[i], v->text, v->len);
    return false;
}

/* The integer a field's type keeps, as zigzag; false: none (text, decimal, bool). */
static bool field_int(const field_def_t *def, const field_value_t *v, uint64_t *out)
{
    switch (def->type) {
    case FT_INT: *out = zigzag(v->v.i); return true;
    case FT_MONEY: *out = zigzag(v->v.money); return true;
    case FT_DATE: *out = zigzag(v->v.date); return true;
    case FT_TIMESTAMP: *out = zigzag(v->v.ts); return true;
    case FT_ENUM: *out = zigzag(v->v.enum_index); return true;
    default: return false;
    }
}

/* How a field's text is kept: stored, or rebuilt (enum name, canonical). */
static unsigned text_mode(const field_def_t *def, const field_value_t *v)
{
    return is_enum_name(def, v) ? ROW_ENUM_NAME : is_canon(def, v) ? ROW_CANON : 0;
}

static size_t field_packed_size(const field_def_t *def, const field_value_t *v, unsigned mode)
{
    size_t n = 1;
    uint64_t u;
    if (!mode)
        n += varint_size(v->len) + v->len + 1;
    if (field_int(def, v, &u))
        n += varint_size(u);
    if (def->type == FT_MONEY)
        n += varint_size(zigzag(v->residual));
    if (def->type == FT_DECIMAL)
        n += sizeof v->v.num;
    return n;
}

static size_t row_footprint(size_t size) { return (offsetof(keystore_row_t, data) + size + 7) & ~(size_t)7; }

static void row_pack_into(unsigned char *p, const input_schema_t *schema, const field_value_t *values,
                          const unsigned char *modes)
{
    for (size_t f = 0; f < schema->n_fields; f++) {
        const field_def_t *def = &schema->fields[f];
        const field_value_t *v = &values[f];
        *p++ = (unsigned char)((v->present ? ROW_PRESENT : 0) | modes[f] |
                               (def->type == FT_BOOL && v->v.b ? ROW_BOOL : 0) |
                               (def->type == FT_DATE ? (v->grain & 3) << ROW_GRAIN_SHIFT : 0));
        if (!modes[f]) {
            p = varint_put(p, v->len);
            if (v->len)
                memcpy(p, v->text, v->len);
            p += v->len;
            *p++ = '\0';
        }
        uint64_t u;
        if (field_int(def, v, &u))
            p = varint_put(p, u);
        if (def->type == FT_MONEY)
            p = varint_put(p, zigzag(v->residual));
        if (def->type == FT_DECIMAL) {
            memcpy(p, &v->v.num, sizeof v->v.num);
            p += sizeof v->v.num;
        }
    }
}

/* Slides the live rows down over the garbage, in place (a row's id says
 * whether its entry still points at it), and gives the freed tail's pages
 * back. Rows stay in the order they were appended. */
static void rows_compact(keystore_t *ks)
{
    size_t w = 0;
    for (size_t r = 0; r < ks->rows_len;) {
        keystore_row_t *row = (keystore_row_t *)(ks->rows.p + r);
        size_t fp = row_footprint(row->room);
        keystore_entry_t *e = &ENTRIES(ks)[row->id];
        if (e->value == r + 1) {
            if (w != r)
                memmove(ks->rows.p + w, row, fp);
            e->value = w + 1;
            w += fp;
        }
        r += fp;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t from = (w + page - 1) & ~(page - 1), to = (ks->rows_len + page - 1) & ~(page - 1);
    if (to > from)
        madvise(ks->rows.p + from, to - from, MADV_DONTNEED);
    ks->rows_len = w;
    ks->rows_garbage = 0;
}

keystore_row_t *keystore_row(const keystore_t *ks, size_t id)
{
    uint64_t v = ENTRIES(ks)[id].value;
    return v ? (keystore_row_t *)(ks->rows.p + v - 1) : NULL;
}

ops_status_t keystore_row_put(keystore_t *ks, size_t id, const input_schema_t *schema,
                              const field_value_t *values, ops_error_t *err)
{
    size_t size = 0;
    unsigned char modes[CONFIG_MAX_FIELDS];
    for (size_t f = 0; f < schema->n_fields; f++) {
        modes[f] = (unsigned char)text_mode(&schema->fields[f], &values[f]);
        size += field_packed_size(&schema->fields[f], &values[f], modes[f]);
    }
    if (size > UINT32_MAX)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "a row of %zu bytes is too long to keep", size);
    keystore_row_t *old = keystore_row(ks, id);
    if (old && size <= old->room) {
        row_pack_into(old->data, schema, values, modes);
        return OPS_OK;
    }
    if (ks->rows_garbage >= KEYSTORE_MIN_REGION && ks->rows_garbage * 4 > ks->rows_len) {
        rows_compact(ks);
        old = keystore_row(ks, id);
    }
    size_t at = ks->rows_len, fp = row_footprint(size);
    uint64_t old_value = ENTRIES(ks)[id].value;
    if (!region_reserve(&ks->rows, at + fp))
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    old = old_value ? (keystore_row_t *)(ks->rows.p + old_value - 1) : NULL; /* the region may have moved */
    keystore_row_t *row = (keystore_row_t *)(ks->rows.p + at);
    row->line = old ? old->line : 0;
    row->ts = old ? old->ts : 0;
    row->first_response = old ? old->first_response : INT64_MAX;
    row->id = (uint32_t)id;
    row->room = (uint32_t)(fp - offsetof(keystore_row_t, data));
    row_pack_into(row->data, schema, values, modes);
    if (old)
        ks->rows_garbage += row_footprint(old->room);
    ks->rows_len += fp;
    ENTRIES(ks)[id].value = at + 1;
    return OPS_OK;
}

void keystore_row_unpack(const keystore_row_t *row, const input_schema_t *schema, field_value_t *values,
                         keystore_texts_t *texts)
{
    const unsigned char *p = row->data;
    for (size_t f = 0; f < schema->n_fields; f++) {
        const field_def_t *def = &schema->fields[f];
        field_value_t *v = &values[f];
        memset(v, 0, sizeof *v);
        unsigned flags = *p++;
        v->present = flags & ROW_PRESENT;
        uint64_t u = 0;
        if (!(flags & (ROW_ENUM_NAME | ROW_CANON))) {
            p = varint_get(p, &u);
            v->len = (size_t)u;
            v->text = (const char *)p;
            p += v->len + 1;
        }
        switch (def->type) {
        case FT_INT: p = varint_get(p, &u); v->v.i = unzigzag(u); break;
        case FT_MONEY:
            p = varint_get(p, &u);
            v->v.money = unzigzag(u);
            p = varint_get(p, &u);
            v->residual = unzigzag(u);
            break;
        case FT_DATE:
            p = varint_get(p, &u);
            v->v.date = (int32_t)unzigzag(u);
            v->grain = (uint8_t)((flags >> ROW_GRAIN_SHIFT) & 3);
            break;
        case FT_TIMESTAMP: p = varint_get(p, &u); v->v.ts = unzigzag(u); break;
        case FT_ENUM: p = varint_get(p, &u); v->v.enum_index = (int)unzigzag(u); break;
        case FT_DECIMAL:
            memcpy(&v->v.num, p, sizeof v->v.num);
            p += sizeof v->v.num;
            break;
        case FT_BOOL: v->v.b = flags & ROW_BOOL; break;
        case FT_TEXT: break;
        }
        if (flags & ROW_CANON) {
            v->len = canon_text(def, v, texts->text[f]);
            v->text = texts->text[f];
        }
        if (flags & ROW_ENUM_NAME) {
            v->text = def->enum_values[v->v.enum_index];
            v->len = strlen(v->text);
        }
    }
}
