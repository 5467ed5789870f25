/**
 * @file ccat_rotate.h
 * @brief Crash-safe rotation of the device's own access token.
 *
 * The device holds its token in storage the board provides
 * (::ccat_rotate_storage_t). ccat_rotate_access_token() replaces it with a
 * new one so that a reset at any moment leaves storage holding at least one
 * token the service accepts:
 *
 * 1. record the rotation as started, with the new token's name
 *    (`<prefix><generation>`), and commit;
 * 2. with the current token A: delete orphans (tokens named `<prefix><digits>`
 *    other than A: left by a reset between creating and storing a token, or
 *    by a lost response), then create token B. Nothing is deleted unless the
 *    listing shows A's stored id (else CCAT_ERR_ROTATE_ID_UNKNOWN: a wrong id
 *    would make A itself look like an orphan);
 * 3. store B next to A and commit, before anything uses B;
 * 4. prove B works (VerifySession with B);
 * 5. delete A with B (already gone counts as done), delete any other orphan
 *    with B (once a listing showed B), make B the current token and commit.
 *    A call that found {A, B} in storage commits it again before step 4: a
 *    failed commit may still have been read back, and A must not be deleted
 *    while a reset could bring back a record that holds only A.
 *
 * Every call starts from storage alone, so after a reset the next call
 * finishes the interrupted rotation, or rolls it back (B not accepted) and
 * reports it. When a call returns, no secret is left in memory it used: the
 * record buffer and the client's buffer are wiped, and the client's bearer
 * token is cleared (load the new one with ccat_rotate_load()).
 *
 * Sans-I/O like the rest of the core: storage, network, clock and memory all
 * come from the caller.
 */
#ifndef CCAT_ROTATE_H
#define CCAT_ROTATE_H

#include <stddef.h>
#include <stdint.h>

#include "ccat/ccat.h"
#include "ccat/ccat_tokens.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/** @name Storage a board provides */
/**@{*/

/** @brief Negative results of storage functions. */
enum ccat_storage_error {
    CCAT_STORAGE_ERR_IO = -1,       /**< The medium failed (read, program, erase, fsync...). */
    CCAT_STORAGE_ERR_TOO_LARGE = -2 /**< read: the stored record is larger than @p cap. */
};

/**
 * @brief Durable storage for one state record (a few hundred bytes; at most
 * #CCAT_ROTATE_RECORD_MAX).
 *
 * The contract, which the rotation's crash safety rests on:
 *
 * - @c read returns the last committed record whole. If power was lost
 *   during a @c write or @c commit it returns the record committed before,
 *   or the new one, never a mix of both (a torn write must not be readable
 *   as a record).
 * - @c write stages a whole record, replacing whatever was staged.
 * - @c commit makes the staged record the one @c read returns, atomically and
 *   durably: once it returned 0, a power loss does not undo it. Until it has
 *   returned 0 (also after a failed @c write or @c commit), @c read may
 *   return the previous record or the new one: the core reads storage afresh
 *   at every call and copes with either.
 *
 * Records carry a version, a sequence number and a CRC-32
 * (ccat_rotate_record_check()), so a board may also implement the contract
 * with two flash slots: @c write programs the slot that does not hold the
 * newest valid record, @c commit waits for the program to finish, and
 * @c read returns the valid slot with the newer sequence number. On Linux,
 * `boards/linux/storage.h` writes a temporary file, fsyncs it, renames it
 * over the state file and fsyncs the directory.
 *
 * The core checks every record it reads (CRC, layout), so a board without
 * its own integrity check still never hands back a torn record as valid.
 */
typedef struct ccat_rotate_storage {
    /**
     * @brief Read the committed record into @p buf.
     * @return its length (> 0), 0 when nothing was ever committed, or
     *         a negative ::ccat_storage_error.
     */
    int32_t (*read)(void *ctx, uint8_t *buf, size_t cap);
    /**
     * @brief Stage @p len bytes as the next record.
     * @return 0, or a negative ::ccat_storage_error.
     */
    int32_t (*write)(void *ctx, const uint8_t *data, size_t len);
    /**
     * @brief Atomically and durably make the staged record the committed one.
     * @return 0, or a negative ::ccat_storage_error (then either record may
     *         be the committed one; the next call reads it again).
     */
    int32_t (*commit)(void *ctx);
    /** @brief The storage's own state, passed to every function. */
    void *ctx;
} ccat_rotate_storage_t;

/**@}*/

/* ------------------------------------------------------------------------ */
/** @name The state record */
/**@{*/

/** @brief Version written into records (byte 2); other versions are refused. */
#define CCAT_ROTATE_RECORD_VERSION 1

/** @brief Fixed bytes of a record: 16-byte header, two 12-byte token
 * headers, the 4-byte CRC. */
#define CCAT_ROTATE_RECORD_FIXED 44

/** @brief Largest record: two tokens with a 100-byte name, a 36-byte id and a
 * 4000-byte secret (the model's limits), each string NUL-terminated. */
#define CCAT_ROTATE_RECORD_MAX (CCAT_ROTATE_RECORD_FIXED + 2 * (101 + 37 + 4001))

/**
 * @brief Where the rotation is, as committed in storage (record byte 3).
 */
typedef enum ccat_rotate_phase {
    CCAT_ROTATE_IDLE = 0,    /**< Only the current token; no rotation under way. */
    CCAT_ROTATE_STARTED = 1, /**< Started: the new token's name is recorded; it may exist
                                  on the service without its secret (an orphan). */
    CCAT_ROTATE_STORED = 2   /**< The new token is stored next to the current one. */
} ccat_rotate_phase_t;

/**
 * @brief A token held in the record. Strings point into the record buffer
 * (NUL-terminated there) and are valid until it is wiped.
 */
typedef struct ccat_rotate_token {
    const char *name;          /**< Name ("" if unknown). */
    const char *id;            /**< Access token id ("" if unknown: then it cannot be deleted). */
    const char *secret;        /**< Secret ("" when not created yet). */
    size_t secret_len;         /**< Bytes of @c secret. */
    ccat_time_t expires_time;  /**< Expiry (0: unknown). */
} ccat_rotate_token_t;

/** @brief A decoded record (what ccat_rotate_load() gives). */
typedef struct ccat_rotate_state {
    ccat_rotate_phase_t phase; /**< Where the rotation is. */
    uint32_t sequence;         /**< Incremented by every commit (serial-number order). */
    uint32_t generation;       /**< Number of the last rotation started; names end in it. */
    ccat_rotate_token_t current; /**< The token in use (A). */
    ccat_rotate_token_t next;    /**< STARTED: only @c name; STORED: the new token (B). */
} ccat_rotate_state_t;

/**
 * @brief Check a record as read from storage, without decoding it: magic,
 * version, length and CRC. For two-slot boards choosing the newer slot.
 *
 * Layout (little-endian): `'c' 'R'`, version, phase, u16 total length,
 * u16 0, u32 sequence, u32 generation; then twice (current, next) a token:
 * u8 name length, u8 id length, u16 secret length, i64 expiry in µs since
 * 1970, then name, id and secret, each followed by a NUL; then the CRC-32
 * (IEEE 802.3, as zlib) of every byte before it.
 * @param[out] sequence The record's sequence number (may be NULL).
 * @return CCAT_OK, CCAT_ERR_STATE_CORRUPT or CCAT_ERR_STATE_VERSION.
 */
ccat_status_t ccat_rotate_record_check(const uint8_t *rec, size_t len, uint32_t *sequence);

/**
 * @brief Decode the record in @p rec (as read from storage) in place.
 * @return CCAT_OK, CCAT_ERR_STATE_CORRUPT or CCAT_ERR_STATE_VERSION.
 */
ccat_status_t ccat_rotate_record_decode(uint8_t *rec, size_t len, ccat_rotate_state_t *st);

/**
 * @brief Encode @p st as a record (strings may point anywhere, also into @p rec).
 * @return The record's length, or CCAT_ERR_STATE_TOO_LARGE / CCAT_ERR_ARGUMENT
 *         (a string longer than the layout allows).
 */
int32_t ccat_rotate_record_encode(const ccat_rotate_state_t *st, uint8_t *rec, size_t cap);

/** @brief CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of @p n bytes. */
uint32_t ccat_crc32(const uint8_t *p, size_t n);

/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Rotation */
/**@{*/

/** @brief Longest name prefix: room is left for a 10-digit generation. */
#define CCAT_ROTATE_PREFIX_MAX 90

/** @brief Configuration of the rotation. Zero fields take the documented defaults. */
typedef struct ccat_rotate_config {
    const ccat_rotate_storage_t *storage; /**< Required. */
    /**
     * @brief Required: 1..#CCAT_ROTATE_PREFIX_MAX bytes of printable ASCII,
     * not ending in a digit, unique to the device within the account (e.g.
     * "ccat-device42-"). Every token named prefix + digits, other than the
     * ones in storage, is deleted as an orphan, so no one else may use it
     * (a prefix "dev1" would also match "dev" + "17": refused with
     * CCAT_ERR_ROTATE_PREFIX).
     */
    const char *name_prefix;
    /** @brief Lifetime of a new token in seconds; 0: the service's default (one year). */
    uint32_t lifetime_s;
    /**
     * @brief Rotate only when the current token expires within this many
     * seconds (0: whenever called). Needs the expiry of the current token;
     * with an unknown expiry the rotation always runs.
     */
    uint32_t renew_before_s;
    /**
     * @brief UTC now (µs since 1970). NULL: the device has no clock, and the
     * `Date` header of the service's last answer gives the time.
     */
    ccat_time_t (*utc_now)(void *ctx);
    /** @brief Passed to @c utc_now. */
    void *clock_ctx;
    /**
     * @brief RAM for the state record while a call runs; its free tail is
     * scratch for listing tokens. Wiped before every call returns. Of a free
     * tail of F bytes (F >= 276), 148 hold ids and the rest is halved for
     * two page tokens (`nextToken`), so page tokens of up to (F - 148) / 2 - 1
     * characters fit; a longer one fails the listing with
     * CCAT_ERR_RESPONSE_TOO_LARGE before anything is deleted. Give at least
     * the record + 2048 bytes (page tokens up to 949 characters);
     * #CCAT_ROTATE_RECORD_MAX + 2048 takes any token. The model allows page
     * tokens of 10,000 characters: the record + 20,150 bytes takes any.
     */
    uint8_t *record;
    size_t record_size; /**< Size of @c record in bytes. */
} ccat_rotate_config_t;

/** @brief What a call did (for logs and tests). Holds no secret. */
typedef struct ccat_rotate_result {
    uint8_t rotated;       /**< 1: a new token became current in this call. */
    uint8_t resumed;       /**< 1: the call found a rotation under way and carried it on. */
    uint8_t rolled_back;   /**< 1: the new token was refused; the old one was kept. */
    uint16_t orphans_deleted; /**< Orphans deleted by this call. */
    uint32_t generation;   /**< Number of the last rotation started (the current token's
                                name ends in it once @c rotated). */
    ccat_time_t expires_time; /**< Expiry of the current token after the call (0: unknown). */
} ccat_rotate_result_t;

/**
 * @brief Store the first token (provisioning): an IDLE record with @p secret
 * and its @p id (needed to delete it at the first rotation) as current,
 * sequence-numbered after any valid record already stored. @p id must be
 * the service's id exactly (case included): a rotation whose listing does
 * not show it stops with CCAT_ERR_ROTATE_ID_UNKNOWN and deletes nothing.
 * @param expires_time Its expiry, 0 if unknown.
 * @return CCAT_OK, CCAT_ERR_TOKEN_*, CCAT_ERR_ID_INVALID, a storage error.
 */
ccat_status_t ccat_rotate_provision(const ccat_rotate_config_t *cfg, const char *secret,
                                    const char *id, ccat_time_t expires_time);

/**
 * @brief Read and check the committed record into @c cfg->record.
 * The caller uses (and then wipes) the current token found there.
 * @return CCAT_OK, CCAT_ERR_STATE_MISSING (never provisioned),
 *         CCAT_ERR_STATE_CORRUPT, CCAT_ERR_STATE_VERSION, CCAT_ERR_STATE_TOO_LARGE
 *         or CCAT_ERR_STORAGE_READ.
 */
ccat_status_t ccat_rotate_load(const ccat_rotate_config_t *cfg, ccat_rotate_state_t *st);

/**
 * @brief Rotate the device's token, or finish (or roll back) a rotation a
 * reset interrupted. Blocking, over @p client (its endpoint, transport and
 * retries); the client's bearer token is set as needed and cleared at the end.
 * @param[out] res What happened (may be NULL).
 * @return CCAT_OK when no rotation is left under way (rotated, or not due);
 *         CCAT_ERR_ROTATE_REJECTED when the new token was refused and the
 *         old one kept; CCAT_ERR_ROTATE_ID_UNKNOWN when the listing does not
 *         show the stored token's id (provision again with the right id;
 *         nothing was deleted); any storage, state, transport or service error
 *         otherwise (storage then still holds a token the service accepted;
 *         call again later).
 */
ccat_status_t ccat_rotate_access_token(ccat_client_t *client, const ccat_rotate_config_t *cfg,
                                       ccat_rotate_result_t *res);

/**
 * @brief Parse an HTTP `Date` (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT").
 * @return CCAT_OK or CCAT_ERR_TIME_FORMAT.
 */
ccat_status_t ccat_http_date_parse(const char *text, ccat_time_t *out);

/**
 * @brief Write the name of generation @p gen: @p prefix then the decimal
 * number, NUL-terminated.
 * @param out At least #CCAT_ROTATE_PREFIX_MAX + 11 bytes.
 * @return The name's length, or CCAT_ERR_ROTATE_PREFIX.
 */
int ccat_rotate_name(const char *prefix, uint32_t gen, char *out);

/**
 * @brief 1 when @p name is @p prefix followed by 1..10 decimal digits: a
 * token rotation with this prefix created.
 */
int ccat_rotate_name_match(const char *prefix, const char *name);

/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* CCAT_ROTATE_H */
