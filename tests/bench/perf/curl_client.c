/*
 * ccat-perf-curl: N CreateAccessToken calls the way a competent libcurl +
 * cJSON user writes them (Debian's libcurl4-openssl-dev and libcjson-dev).
 *
 *   ccat-perf-curl --calls N --port PORT --ca CA.pem
 *
 * One easy handle, set up once and reused, so libcurl keeps the connection
 * alive. Per call: the JSON body built with cJSON (the name may need
 * escaping), PUT with bearer auth, the body collected by a write callback,
 * cJSON_Parse, the four members read and checked, expiresTime turned into a
 * time with strptime + timegm (ccat turns it into a time too).
 *
 * Prints the result line of perf_common.h; exit 0 only when every call
 * returned 201 and all four members matched. Never prints a secret.
 */
#define _DEFAULT_SOURCE /* timegm */
#define _XOPEN_SOURCE 700 /* strptime */
#include "perf_common.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>

/** @brief The response body of one call, grown by the write callback. */
typedef struct body {
    char *data;
    size_t len, cap;
} body_t;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_t *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->data, cap);
        if (p == NULL)
            return 0; /* makes curl fail the transfer */
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static const char *member(const cJSON *root, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Members of one response; the name of the first mismatch, or NULL. */
static const char *check_body(const char *text)
{
    cJSON *root = cJSON_Parse(text);
    const char *bad = NULL, *s;
    struct tm tm;
    if (root == NULL)
        return "JSON";
    memset(&tm, 0, sizeof tm);
    if ((s = member(root, "secret")) == NULL || strcmp(s, PERF_SECRET) != 0)
        bad = "secret";
    else if ((s = member(root, "name")) == NULL || strcmp(s, PERF_NAME) != 0)
        bad = "name";
    else if ((s = member(root, "accessTokenId")) == NULL || strcmp(s, PERF_TOKEN_ID) != 0)
        bad = "accessTokenId";
    else if ((s = member(root, "expiresTime")) == NULL || (s = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL ||
             strcmp(s, "Z") != 0 || (int64_t)timegm(&tm) != PERF_EXPIRES_UNIX)
        bad = "expiresTime";
    cJSON_Delete(root); /* the secret's copy goes with it */
    return bad;
}

/* The request body, built as a user would (escaping included). */
static char *request_body(void)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    if (o != NULL && cJSON_AddStringToObject(o, "name", PERF_NAME) != NULL &&
        cJSON_AddStringToObject(o, "expiresTime", PERF_EXPIRES_TEXT) != NULL)
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int main(int argc, char **argv)
{
    const char *ca = NULL;
    unsigned long calls = 0, port = 0;
    for (int a = 1; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--calls") == 0)
            calls = perf_count(argv[a + 1]);
        else if (strcmp(argv[a], "--port") == 0)
            port = perf_count(argv[a + 1]);
        else if (strcmp(argv[a], "--ca") == 0)
            ca = argv[a + 1];
    }
    if (argc % 2 != 1 || ca == NULL || calls == 0 || port == 0 || port > 65535) {
        fprintf(stderr, "usage: ccat-perf-curl --calls N --port PORT --ca CA.pem\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Authorization: Bearer " PERF_TOKEN);
    char url[80];
    snprintf(url, sizeof url, "https://127.0.0.1:%lu/v1/accessTokens", port);
    body_t body = {0};
    if (h == NULL || headers == NULL)
        return 1;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);

    int ok = 1;
    uint64_t t0 = perf_now_ns(), first = 0;
    for (unsigned long i = 1; i <= calls && ok; i++) {
        char *req = request_body();
        long status = 0;
        const char *bad = NULL;
        body.len = 0;
        if (req == NULL)
            return 1;
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req);
        CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            fprintf(stderr, "ccat-perf-curl: call %lu: %s\n", i, curl_easy_strerror(rc));
            ok = 0;
        } else if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
                   status != 201 || body.len == 0) {
            bad = "HTTP status";
        } else {
            bad = check_body(body.data);
        }
        if (bad != NULL) {
            fprintf(stderr, "ccat-perf-curl: call %lu: %s does not match\n", i, bad);
            ok = 0;
        }
        cJSON_free(req);
        if (i == 1)
            first = perf_now_ns() - t0;
    }
    uint64_t elapsed = perf_now_ns() - t0;
    if (body.data != NULL)
        memset(body.data, 0, body.cap); /* held the secret */
    free(body.data);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    if (!ok)
        return 1;
    printf("ok client=curl calls=%lu elapsed_ns=%llu first_ns=%llu maxrss_kb=%ld\n", calls,
           (unsigned long long)elapsed, (unsigned long long)first, perf_maxrss_kb());
    return 0;
}
