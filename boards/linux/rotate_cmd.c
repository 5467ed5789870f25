/* `ccat rotate-access-token` (rotate_cmd.h): the state file, provisioning, output. */
#define _POSIX_C_SOURCE 200809L

#include "rotate_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "storage.h"

/* The state record and its listing scratch: the only RAM holding a secret;
 * ccat_rotate_access_token() and every path here wipe it. */
static uint8_t rotate_record[CCAT_ROTATE_RECORD_MAX + 2048]; /* page tokens up to 949 characters */
static ccat_file_storage_t rotate_file;

/* Days (min..3650) from text; -1 when absent, -2 when bad. */
static long days_parse(const char *s, long min)
{
    char *end;
    if (s == NULL) {
        return -1;
    }
    errno = 0;
    long v = strtol(s, &end, 10);
    return (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min || v > 3650) ? -2 : v;
}

int ccat_cli_rotate_check(const ccat_cli_rotate_opts_t *o, const char **why)
{
    char name[CCAT_ROTATE_PREFIX_MAX + 11];
    *why = NULL;
    if (o->state_file == NULL || o->state_file[0] == '\0') {
        *why = "argument --state-file is required";
    } else if (strlen(o->state_file) > CCAT_FILE_STORAGE_PATH_MAX) {
        *why = "argument --state-file: path too long";
    } else if (o->name_prefix == NULL) {
        *why = "argument --name-prefix is required";
    } else if (ccat_rotate_name(o->name_prefix, 0, name) < 0) {
        *why = "argument --name-prefix: must be 1 to 90 printable ASCII characters, "
               "not ending in a digit";
    } else if (days_parse(o->lifetime_days, 1) == -2) {
        *why = "argument --lifetime-days: must be a whole number of days from 1 to 3650";
    } else if (days_parse(o->renew_before_days, 0) == -2) {
        *why = "argument --renew-before-days: must be a whole number of days from 0 to 3650";
    } else if (o->access_token_id != NULL &&
               (o->access_token_id[0] == '\0' || strlen(o->access_token_id) > 36)) {
        *why = "argument --access-token-id: must be 1 to 36 characters";
    }
    return *why == NULL ? 0 : 252;
}

static int fail(FILE *err, int code, const char *what, ccat_status_t st)
{
    fprintf(err, "ccat: error: rotate-access-token: %s (CCAT_%s)\n", what, ccat_status_name(st));
    return code;
}

/* The JSON result: the new current token's name, id and expiry; never its secret. */
static int print_result(FILE *out, const ccat_rotate_config_t *cfg, const ccat_rotate_result_t *res)
{
    ccat_rotate_state_t s;
    char exp[CCAT_TIME_TEXT_MAX] = "";
    ccat_status_t st = ccat_rotate_load(cfg, &s);
    if (st == CCAT_OK && s.current.expires_time != 0) {
        ccat_time_format(s.current.expires_time, exp);
    }
    if (st == CCAT_OK) {
        /* Name and id are escaped: neither the prefix nor the service's id is
         * guaranteed free of quotes, backslashes or non-ASCII. */
        fprintf(out, "{\n    \"rotated\": %s,\n    \"resumed\": %s,\n    \"name\": ",
                res->rotated ? "true" : "false", res->resumed ? "true" : "false");
        ccat_cli_json_string_print(out, s.current.name);
        fputs(",\n    \"accessTokenId\": ", out);
        ccat_cli_json_string_print(out, s.current.id);
        fprintf(out, ",\n    \"expiresTime\": \"%s\",\n    \"generation\": %lu,\n"
                "    \"orphansDeleted\": %u\n}\n",
                exp, (unsigned long)res->generation, (unsigned)res->orphans_deleted);
    }
    ccat_wipe(rotate_record, sizeof rotate_record);
    return st == CCAT_OK && fflush(out) == 0 ? 0 : 255;
}

static int rotate_locked(ccat_client_t *client, const ccat_cli_rotate_opts_t *o,
                         const ccat_rotate_storage_t *storage, FILE *out, FILE *err);

int ccat_cli_rotate(ccat_client_t *client, const ccat_cli_rotate_opts_t *o, FILE *out, FILE *err)
{
    const char *why;
    if (ccat_cli_rotate_check(o, &why) != 0) {
        fprintf(err, "ccat: error: %s\n", why);
        return 252;
    }
    ccat_rotate_storage_t storage;
    ccat_file_storage_init(&rotate_file, o->state_file, &storage);
    int locked = ccat_file_storage_lock(&rotate_file);
    if (locked != 0) {
        fprintf(err, "ccat: error: rotate-access-token: %s\n",
                locked > 0 ? "another rotation of this state file is running; try again later"
                           : "cannot open the lock file next to the state file");
        return 255;
    }
    int rc = rotate_locked(client, o, &storage, out, err);
    ccat_file_storage_unlock(&rotate_file);
    return rc;
}

/* The whole run, with the state file locked against a second rotation. */
static int rotate_locked(ccat_client_t *client, const ccat_cli_rotate_opts_t *o,
                         const ccat_rotate_storage_t *storage, FILE *out, FILE *err)
{
    long life = days_parse(o->lifetime_days, 1), renew = days_parse(o->renew_before_days, 0);
    ccat_rotate_config_t cfg = {storage, o->name_prefix, life > 0 ? (uint32_t)life * 86400u : 0,
                                renew > 0 ? (uint32_t)renew * 86400u : 0,
                                NULL, NULL, /* no clock: the service's Date header gives the time */
                                rotate_record, sizeof rotate_record};
    ccat_rotate_state_t s;
    ccat_status_t st = ccat_rotate_load(&cfg, &s);
    ccat_wipe(rotate_record, sizeof rotate_record);
    if (st == CCAT_ERR_STATE_MISSING && o->access_token_id != NULL) {
        st = ccat_rotate_provision(&cfg, o->token, o->access_token_id, 0);
        if (st != CCAT_OK) {
            return fail(err, st == CCAT_ERR_TOKEN_MISSING ? 253 : 255,
                        "cannot store the token to provision", st);
        }
    } else if (st == CCAT_ERR_STATE_MISSING) {
        return fail(err, 253, "no state file yet: provision it with --access-token-id ID "
                              "and the token of that id", st);
    } else if (st != CCAT_OK) {
        return fail(err, 255, "the state file cannot be used", st);
    }
    ccat_rotate_result_t res;
    st = ccat_rotate_access_token(client, &cfg, &res);
    if (st == CCAT_ERR_ROTATE_ID_UNKNOWN) {
        return fail(err, 255, "the stored token's id is not among the account's tokens; "
                              "nothing was deleted: provision again with the right "
                              "--access-token-id", st);
    }
    if (st == CCAT_ERR_ROTATE_REJECTED) {
        return fail(err, 254, "the service refused the new token; the current one is kept", st);
    }
    if (st != CCAT_OK) {
        return fail(err, ccat_status_is_service_error(st) ? 254 : 255,
                    "stopped; storage holds a working token and the next run carries on", st);
    }
    return print_result(out, &cfg, &res);
}
