/*
 * RFC 3339 timestamps <-> microseconds since the epoch, years 0001..9999.
 * Civil-date arithmetic after C. Neri and L. Schneider, "Euclidean affine
 * functions and their application to calendar algorithms" (2022): years
 * start on March 1 so that the leap day comes last, and every division is
 * by a constant (no 64-bit one but the split of microseconds into seconds,
 * which 32-bit targets and -Os builds do bit by bit: see div_us()). Years
 * are never negative in this range: all of it is unsigned arithmetic.
 */
#include <string.h>

#include "internal.h"

#define US_PER_S 1000000u
#define DAY_S 86400u
#define DAYS_MAX 3652059u /* from 0001-01-01 to 10000-01-01 */
#define EPOCH_DAY 719162  /* 1970-01-01, counted from 0001-01-01 */

#ifndef __OPTIMIZE_SIZE__
/* Writes v (< 10^n, n even) as n decimal digits at p, then sep; returns
 * where the next field goes. -O2: two digits per table load instead of a
 * division and a remainder each (the 200 bytes are not worth it where size
 * counts: -Os has put_text()'s one loop). */
static char *dec(char *p, uint32_t v, unsigned n, char sep)
{
    char *end = p + n, *next = end + 1;
    *end = sep;
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
                                   "25262728293031323334353637383940414243444546474849"
                                   "50515253545556575859606162636465666768697071727374"
                                   "75767778798081828384858687888990919293949596979899";
    for (; n > 2; n -= 2, v /= 100) {
        end -= 2;
        memcpy(end, pairs + 2 * (v % 100), 2);
    }
    memcpy(end - 2, pairs + 2 * v, 2); /* v < 100 now: no remainder to take */
    return next;
}
#endif

/* The text's layout: the radix of each digit (10, or 6 for the tens of
 * minutes and seconds: the second of the day is written and read as it
 * is, and the date as one number YYYYMMDD), or a separator. The
 * fraction's digits are 20..25, the second's 11..18 and the date's 0..9.
 * put_text() at -Os walks it, and read_text() (the round-trip parse, and
 * every build's zone) reads with it. */
#define D "\12"
#define S "\6"
CCAT_TEXT(layout, D D D D "-" D D "-" D D "T" D D ":" S D ":" S D "." D D D D D D);

/* Writes the text of second sod (< DAY_S) of day `days` counted from
 * 0001-01-01 (< DAYS_MAX), frac microseconds after it; returns its length.
 * ccat_time_text() and ccat_time_parse()'s round trip (see there) share it. */
static CCAT_HOT_INLINE size_t put_text(char *out, uint32_t days, uint32_t sod, uint32_t frac)
{
    /* Days since 0000-03-01 (0001-01-01 is day 306) to year, month, day. */
    uint32_t n1 = 4 * (days + 306) + 3;
    uint32_t century = n1 / 146097, n2 = (n1 % 146097) | 3;
    uint32_t yoc = n2 / 1461, doy = n2 % 1461 / 4;
    uint32_t n3 = 2141 * doy + 197913; /* month in the high half, day in the low */
    uint32_t m = n3 >> 16, d = (n3 & 0xffff) / 2141 + 1;
    uint32_t y = 100 * century + yoc; /* January, February: months 13, 14 of year y */

#ifdef __OPTIMIZE_SIZE__
    /* -Os: one loop from the last digit back over the layout. */
    /* The date as YYYYMMDD: the next year's months 13 and 14 are its 1
     * and 2 (YYYYMM + 100 - 12). */
    uint32_t ym = y * 100 + m;
    if (m > 12) {
        ym += 88;
    }
    uint32_t v[3] = {ym * 100 + d, sod, frac};
    size_t n = frac != 0 ? 26 : 19;
    out[n] = 'Z';
    for (size_t i = n; i-- > 0;) {
        unsigned r = (unsigned char)layout[i];
        /* The field of digit i: 0..9 the date, 11..18 the second, 20..25
         * the fraction ((i * 7) >> 6 is 0, 1, 2 there: no comparisons). */
        uint32_t *x = &v[(i * 7) >> 6];
        if (r > 10) {
            out[i] = (char)r;
        } else {
            out[i] = (char)('0' + *x % r);
            *x /= r;
        }
    }
    return n + 1;
#else
    uint32_t next = m > 12;
    y += next;
    m = next ? m - 12 : m;
    char *p = dec(out, y, 4, '-');
    p = dec(p, m, 2, '-');
    p = dec(p, d, 2, 'T');
    p = dec(p, sod / 3600, 2, ':');
    p = dec(p, sod / 60 % 60, 2, ':');
    p = dec(p, sod % 60, 2, '.');
    if (frac != 0) {
        p = dec(p, frac, 6, 'Z');
    } else {
        p[-1] = 'Z'; /* in place of the '.' */
    }
    return (size_t)(p - out);
#endif
}

#if defined(__OPTIMIZE_SIZE__) || UINTPTR_MAX <= 0xffffffffu
/* us / US_PER_S, the remainder in *rem, one quotient bit per step: on a
 * 32-bit core a 64-bit division calls __aeabi_uldivmod, which brings some
 * hundreds of bytes of libgcc into the firmware (64-bit targets at -O2
 * divide natively: see ccat_time_text()). */
static uint64_t div_us(uint64_t us, uint32_t *rem)
{
    uint32_t r = 0; /* < US_PER_S: r << 1 | 1 fits */
    for (unsigned i = 0; i < 64; i++) {
        r = r << 1 | (uint32_t)(us >> 63);
        us <<= 1;
        uint32_t t = r - US_PER_S; /* r < 2 * US_PER_S: t below 2^31 when r >= US_PER_S */
        if ((t >> 31) == 0) {
            r = t;
            us |= 1;
        }
    }
    *rem = r;
    return us;
}
#endif

#ifdef __OPTIMIZE_SIZE__
int ccat_time_format(ccat_time_t t, char out[CCAT_TIME_TEXT_MAX])
{
    uint32_t frac;
    uint64_t secs = div_us((uint64_t)t - (uint64_t)CCAT_TIME_MIN, &frac);
    /* 86400 = 2^7 * 675: below 2^39 (all of the range), the day count needs
     * no 64-bit division; the range check is that count's (no 64-bit
     * constants). */
    uint32_t days = (uint32_t)(secs >> 7) / 675;
    if ((secs >> 39) != 0 || days >= DAYS_MAX) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    size_t n = put_text(out, days, (uint32_t)secs - days * DAY_S, frac);
    out[n] = '\0';
    return (int)n;
}
#else
/* Called by ccat_time_format() and by create.c's fast path (see internal.h). */
size_t ccat_time_text(ccat_time_t t, char *out)
{
    uint64_t us = (uint64_t)t - (uint64_t)CCAT_TIME_MIN;
#if UINTPTR_MAX <= 0xffffffffu
    uint32_t frac;
    uint64_t secs = div_us(us, &frac);
#else
    uint64_t secs = us / US_PER_S;
    uint32_t frac = (uint32_t)us - (uint32_t)secs * US_PER_S; /* exact modulo 2^32 */
#endif
    /* 86400 = 2^7 * 675, and secs < 2^39: the day count needs no 64-bit division. */
    uint32_t days = (uint32_t)(secs >> 7) / 675;
    return put_text(out, days, (uint32_t)secs - days * DAY_S, frac);
}

int ccat_time_format(ccat_time_t t, char out[CCAT_TIME_TEXT_MAX])
{
    if (!CCAT_TIME_IN_RANGE(t)) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    size_t n = ccat_time_text(t, out);
    out[n] = '\0';
    return (int)n;
}
#endif

#if !defined(__OPTIMIZE_SIZE__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * -O2 on little-endian targets: the fields are read 4 and 8 bytes at a time
 * (where size counts, -Os, the layout loop does it). A byte is a digit when its
 * high nibble is 3 and its low nibble plus 6 stays below 16; then lo * 10 +
 * (lo >> 8) puts the value of the pair starting at each byte in that byte
 * (every byte stays <= 99: no carries).
 */
#define DIGIT_BYTES(m) ((m) & 0x0606060606060606u) /* lo + this: a carry into bit 4 is not a digit */
/* Nonzero unless every byte of w that m selects is a digit (lo: w & m & 0x0f...). */
static uint64_t not_digits(uint64_t w, uint64_t lo, uint64_t m)
{
    return ((w & m & 0xf0f0f0f0f0f0f0f0u) ^ (m & 0x3030303030303030u)) |
           ((lo + DIGIT_BYTES(m)) & 0xf0f0f0f0f0f0f0f0u);
}

/* "dd?dd?dd" at s: the three two-digit values in bytes 0, 3 and 6; *bad
 * gets bits set when one of the six is not a digit. */
static uint64_t pairs3(const char *s, uint64_t *bad)
{
    const uint64_t m = 0xffff00ffff00ffffu;
    uint64_t w;
    memcpy(&w, s, 8);
    uint64_t lo = w & m & 0x0f0f0f0f0f0f0f0fu;
    *bad |= not_digits(w, lo, m);
    return lo * 10 + (lo >> 8);
}

/* "dddd" at s as a number; *bad gets bits set when one is not a digit. */
static unsigned year4(const char *s, uint64_t *bad)
{
    uint32_t w;
    memcpy(&w, s, 4);
    uint32_t lo = w & 0x0f0f0f0fu;
    *bad |= not_digits(w, lo, 0xffffffffu);
    uint32_t v = lo * 10 + (lo >> 8);
    return (v & 0xff) * 100 + (v >> 16 & 0xff);
}
#endif

#ifdef DIGIT_BYTES
/* Month lengths: 30 or 31 alternating, the pattern restarting in August;
 * February 28 or 29 (Gregorian leap years). */
static unsigned days_in_month(unsigned y, unsigned mo)
{
    unsigned leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return mo == 2 ? 28 + leap : 30 + ((mo + (mo >> 3)) & 1);
}
#endif

/*
 * Where size counts (and wherever the -O2 reading above is missing),
 * ccat_time_parse() reads the fields with read_text(), without a range check, turned into a day and a second,
 * and the text of that instant written back (put_text()) must be the bytes
 * read. A text put_text() writes is always a valid one and a valid text
 * reads exactly, so that one comparison refuses every non-digit, wrong
 * separator and out-of-range field (month 13, February 29 of a common
 * year, hour 24, second 60, year 0000...): no range table, no month
 * lengths, no leap-year rule here. A non-digit and the unsigned sums only
 * give some other number, some instant whose text differs.
 */

/* put_text()'s loop reversed over n bytes at s, whose layout starts at lay:
 * each digit read with its radix into a field, which a '-' or a 'T' ends
 * and stores at v (and on); ':' does not end one (the radices make
 * "hh:mm:ss" h * 3600 + m * 60 + s). Returns the last field, or
 * UINT32_MAX (beyond every range) at a byte that is not a digit below its
 * radix or not the layout's ':' (then the fields at v are not all
 * written); the other separators are the round trip's to check. */
static CCAT_SMALL_NOINLINE uint32_t read_text(const char *s, const char *lay, size_t n, uint32_t *v)
{
    uint32_t x = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned r = (unsigned char)lay[i], d = (unsigned char)s[i] - (unsigned)'0';
        if (r <= 10) {
            if (d >= r) {
                return UINT32_MAX;
            }
            x = x * r + d;
        } else if (r != ':') {
            *v++ = x;
            x = 0;
        } else if (d != ':' - '0') {
            return UINT32_MAX;
        }
    }
    return x;
}

/* Zone "Z", "z", "+hh:mm" or "-hh:mm" of n bytes: seconds east of UTC, or 1
 * (never an offset). "hh:mm" is read with the time's layout: its digits
 * and ':' are checked there (the minute's tens below 6), and hh <= 23 is
 * the minute of the day below 1440. */
static int32_t zone_offset(const char *s, size_t n)
{
    if (n == 1 && (*s | 0x20) == 'z') {
        return 0;
    }
    if (n != 6 || (*s != '+' && *s != '-')) {
        return 1;
    }
    uint32_t min = read_text(s + 1, layout + 11, 5, NULL);
    if (min >= DAY_S / 60) {
        return 1;
    }
    int32_t off = (int32_t)min * 60;
    return *s == '-' ? -off : off;
}

ccat_status_t ccat_time_parse(const char *s, size_t len, ccat_time_t *out)
{
    if (s == NULL || len < 20) {
        return CCAT_ERR_TIME_FORMAT;
    }
#ifdef DIGIT_BYTES
    /* -O2: the fields checked as they are read, no round trip. "MM-DDTHH"
     * and "HH:MM:SS": the hour is read twice. */
    uint64_t bad = 0;
    const uint64_t mdh = pairs3(s + 5, &bad), hms = pairs3(s + 11, &bad);
    unsigned y = year4(s, &bad), mo = mdh & 0xff, d = mdh >> 24 & 0xff;
    unsigned h = hms & 0xff, mi = hms >> 24 & 0xff, sec = hms >> 48 & 0xff;
    /* Days 1..28 are in every month: only a later day needs the month's
     * length (see days_in_month()). */
    if (bad != 0 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
        ((s[10] | 0x20) != 't' && s[10] != ' ') || y - 1 > 9998 || mo - 1 > 11 || d - 1 > 30 ||
        h > 23 || mi > 59 || sec > 59 || (d > 28 && d > days_in_month(y, mo))) {
        return CCAT_ERR_TIME_FORMAT;
    }
    uint32_t sod = h * 3600 + mi * 60 + sec;
#else
    /* put_text()'s loop reversed: each digit read with its layout's radix
     * into the year, month and day ('-' and 'T' end a field) and the
     * second of the day (':' does not: the radices make it h * 3600 +
     * m * 60 + s). */
    uint32_t v[3], sod = read_text(s, layout, 19, v); /* the year, month and day */
    if (sod >= DAY_S) { /* also a non-digit: v is not all read then */
        return CCAT_ERR_TIME_FORMAT;
    }
    uint32_t d = v[2], mo = v[1], y = v[0];
#endif
    if (mo <= 2) { /* January, February: months 13 and 14 of the year before */
        mo += 12;
        y--;
    }
    /* Days since 0000-03-01 (0001-01-01 is day 306), from 0001-01-01. */
    uint32_t century = y / 100;
    uint32_t days = 1461 * y / 4 - century + century / 4 + (979 * mo - 2919) / 32 + d - 1 - 306;
#ifndef DIGIT_BYTES
    char buf[CCAT_TIME_TEXT_MAX];
    if (days >= DAYS_MAX) { /* beyond put_text()'s range */
        return CCAT_ERR_TIME_FORMAT;
    }
    put_text(buf, days, sod, 0);
    if ((s[10] | 0x20) == 't' || s[10] == ' ') {
        buf[10] = s[10]; /* the one byte with more than one valid form */
    }
    if (memcmp(buf, s, 19) != 0) {
        return CCAT_ERR_TIME_FORMAT;
    }
#endif
    size_t i = 19;
    uint32_t frac = 0, scale = US_PER_S;
    if (s[i] == '.') {
        while (++i < len && (unsigned)(s[i] - '0') < 10) {
            scale /= 10; /* 0 past the microsecond: those digits add nothing */
            frac += (uint32_t)(s[i] - '0') * scale;
        }
        if (i == 20) {
            return CCAT_ERR_TIME_FORMAT;
        }
    }
    int32_t off = zone_offset(s + i, len - i);
    if (off == 1) {
        return CCAT_ERR_TIME_FORMAT;
    }
    int64_t secs = (int64_t)((int32_t)days - EPOCH_DAY) * DAY_S + ((int32_t)sod - off);
    *out = secs * US_PER_S + frac;
    return CCAT_OK;
}
