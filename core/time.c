/*
 * RFC 3339 timestamps <-> microseconds since the epoch, years 0001..9999.
 * Civil-date arithmetic after H. Hinnant's days_from_civil; years are never
 * negative in this range, so everything stays in unsigned arithmetic.
 * Both directions walk one pattern, "YYYY-MM-DDThh:mm:ss", field by field.
 */
#include "internal.h"

#define US_PER_S 1000000LL
#define S_PER_DAY 86400u

/* Separators after each of the six fields, and each field's width. */
static const char seps[6] = {'-', '-', 'T', ':', ':', 0};
static const unsigned char widths[6] = {4, 2, 2, 2, 2, 2};

static unsigned days_in_month(unsigned y, unsigned m)
{
    if (m == 2) {
        return 28u + ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
    }
    return 30u + ((m + (m >> 3)) & 1); /* 31 for Jan, Mar, May, Jul, Aug, Oct, Dec */
}

int ccat_time_format(ccat_time_t t, char out[CCAT_TIME_TEXT_MAX])
{
    if (t < CCAT_TIME_MIN || t > CCAT_TIME_MAX) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    uint64_t us = (uint64_t)(t - CCAT_TIME_MIN);
    uint32_t secs_of_day = (uint32_t)(us / US_PER_S % S_PER_DAY);
    uint32_t frac = (uint32_t)(us % US_PER_S);
    /* Days since 0000-03-01 (0001-01-01 is day 306), then Hinnant's civil_from_days. */
    unsigned doe = (unsigned)(us / US_PER_S / S_PER_DAY) + 306;
    unsigned era = doe / 146097;
    doe -= era * 146097;
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned f[7] = {yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) / 5 + 1,
                     secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60, frac};
    char *p = out;
    for (int i = 0; i < 7; i++) {
        unsigned w = i < 6 ? widths[i] : 6;
        if (i == 6 && frac == 0) {
            break;
        }
        for (unsigned k = w; k-- > 0; f[i] /= 10) {
            p[k] = (char)('0' + f[i] % 10);
        }
        p += w;
        *p++ = i < 5 ? seps[i] : i == 5 ? '.' : 'Z';
    }
    p[-1] = 'Z';
    *p = '\0';
    return (int)(p - out);
}

/* Zone: "Z", "z", "+hh:mm" or "-hh:mm"; seconds east of UTC, or -1 if malformed. */
static int32_t zone_offset(const char *s, size_t n)
{
    if (n == 1 && (*s == 'Z' || *s == 'z')) {
        return 86400 * 2;
    }
    if (n != 6) {
        return -1;
    }
    unsigned h = (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
    unsigned m = (unsigned)(s[4] - '0') * 10 + (unsigned)(s[5] - '0');
    int digits = (unsigned)(s[1] - '0') < 10 && (unsigned)(s[2] - '0') < 10 &&
                 (unsigned)(s[4] - '0') < 10 && (unsigned)(s[5] - '0') < 10;
    if (!digits || (*s != '+' && *s != '-') || s[3] != ':' || h > 23 || m > 59) {
        return -1;
    }
    return (int32_t)(h * 3600 + m * 60) * (*s == '-' ? -1 : 1) + 86400 * 2; /* biased >= 0 */
}

ccat_status_t ccat_time_parse(const char *s, size_t len, ccat_time_t *out)
{
    static const unsigned char max[6] = {99, 12, 31, 23, 59, 59}; /* years checked apart */
    unsigned f[6] = {0};
    size_t i = 0;
    if (s == NULL || len < 20) {
        return CCAT_ERR_TIME_FORMAT;
    }
    for (int k = 0; k < 6; k++) {
        for (unsigned w = widths[k]; w > 0; w--, i++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (d > 9) {
                return CCAT_ERR_TIME_FORMAT;
            }
            f[k] = f[k] * 10 + d;
        }
        char c = s[i];
        if (k < 5 && c != seps[k] && !(k == 2 && (c == 't' || c == ' '))) {
            return CCAT_ERR_TIME_FORMAT;
        }
        if ((k > 0 && f[k] > max[k]) || (k > 0 && k < 3 && f[k] == 0)) {
            return CCAT_ERR_TIME_FORMAT;
        }
        i += k < 5;
    }
    if (f[0] == 0 || f[2] > days_in_month(f[0], f[1])) {
        return CCAT_ERR_TIME_FORMAT;
    }
    uint32_t frac = 0;
    if (s[i] == '.') {
        size_t start = ++i;
        for (; i < len && (unsigned)(s[i] - '0') < 10; i++) {
            if (i - start < 6) {
                frac = frac * 10 + (uint32_t)(s[i] - '0');
            }
        }
        if (i == start) {
            return CCAT_ERR_TIME_FORMAT;
        }
        for (size_t d = i - start; d < 6; d++) {
            frac *= 10;
        }
    }
    int32_t off = zone_offset(s + i, len - i);
    if (off < 0) {
        return CCAT_ERR_TIME_FORMAT;
    }
    /* Hinnant's days_from_civil, with the year starting in March. */
    unsigned y = f[0] - (f[1] <= 2), m = f[1];
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + f[2] - 1;
    int64_t days = (int64_t)(era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
    int64_t secs = days * S_PER_DAY + f[3] * 3600 + f[4] * 60 + f[5] - (off - 86400 * 2);
    *out = secs * US_PER_S + frac;
    return CCAT_OK;
}
