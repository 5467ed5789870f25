/*
 * A two-slot flash board, simulated in RAM: the reference implementation of
 * the storage contract for boards without a file system (docs/ROTATION.md).
 * write() erases and programs the slot that does not hold the newest valid
 * record; a power cut while programming leaves that slot torn (programmed
 * bytes, then erased 0xFF), which ccat_rotate_record_check() rejects, so
 * read() falls back to the other slot. commit() has nothing left to do: the
 * program operation is synchronous here (on real flash: wait until done).
 */
#ifndef CCAT_TEST_FLASHSIM_H
#define CCAT_TEST_FLASHSIM_H

#include <stdint.h>
#include <string.h>

#include "ccat/ccat_rotate.h"

#define FLASH_SLOT_SIZE 9216

typedef struct flashsim {
    uint8_t slot[2][FLASH_SLOT_SIZE];
    unsigned writes;      /* program operations started */
} flashsim_t;

/* Index of the valid slot with the newest sequence number, or -1. */
static inline int flash_newest(const flashsim_t *f, uint32_t *len_out)
{
    int best = -1;
    uint32_t best_seq = 0;
    for (int i = 0; i < 2; i++) {
        const uint8_t *s = f->slot[i];
        uint32_t len = s[4] | (uint32_t)s[5] << 8, seq;
        if (len > FLASH_SLOT_SIZE || ccat_rotate_record_check(s, len, &seq) != CCAT_OK) {
            continue;
        }
        /* Serial-number order, so that the sequence may wrap. */
        if (best < 0 || (int32_t)(seq - best_seq) > 0) {
            best = i;
            best_seq = seq;
            if (len_out != NULL) {
                *len_out = len;
            }
        }
    }
    return best;
}

static inline void flash_init(flashsim_t *f)
{
    memset(f, 0xff, sizeof(f->slot));
    f->writes = 0;
}

static inline int32_t flash_read(void *ctx, uint8_t *buf, size_t cap)
{
    flashsim_t *f = (flashsim_t *)ctx;
    uint32_t len = 0;
    int i = flash_newest(f, &len);
    if (i < 0) {
        return 0;
    }
    if (len > cap) {
        return CCAT_STORAGE_ERR_TOO_LARGE;
    }
    memcpy(buf, f->slot[i], len);
    return (int32_t)len;
}

/* Programs only the first @p keep bytes (a power cut mid-program) when keep < len. */
static inline int32_t flash_program(flashsim_t *f, const uint8_t *data, size_t len, size_t keep)
{
    if (len > FLASH_SLOT_SIZE) {
        return CCAT_STORAGE_ERR_IO;
    }
    int target = flash_newest(f, NULL) == 0 ? 1 : 0;
    f->writes++;
    memset(f->slot[target], 0xff, FLASH_SLOT_SIZE); /* erase */
    memcpy(f->slot[target], data, keep < len ? keep : len);
    return 0;
}

static inline int32_t flash_write(void *ctx, const uint8_t *data, size_t len)
{
    return flash_program((flashsim_t *)ctx, data, len, len);
}

static inline int32_t flash_commit(void *ctx)
{
    (void)ctx;
    return 0;
}

static inline void flash_storage(flashsim_t *f, ccat_rotate_storage_t *out)
{
    out->read = flash_read;
    out->write = flash_write;
    out->commit = flash_commit;
    out->ctx = f;
}

#endif
