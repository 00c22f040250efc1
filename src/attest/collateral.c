/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collateral.c - a collateral directory for a long-running verifier (the Steward): everything
 * that says whether a genuine platform is still current, loaded at start and replaced whole on
 * reload (SIGHUP), laid out as
 *
 *   DIR/amd/{milan,genoa,turin}/crl.der       the ARK's CRL (revoked ASKs/ASVKs), DER or PEM
 *   DIR/intel/root_crl.der                    the Intel SGX Root CA's CRL
 *   DIR/intel/pck_processor_crl.der           the PCK Processor CA's CRL
 *   DIR/intel/pck_platform_crl.der            the PCK Platform CA's CRL
 *   DIR/intel/tcb_signing_chain.pem           signs TCB info and QE identities
 *   DIR/intel/qe_identity.json                Intel's identity of the SGX QE ("QE")
 *   DIR/intel/td_qe_identity.json             ... of the TD QE ("TD_QE")
 *   DIR/intel/tcbinfo/<FMSPC>.json            SGX TCB info per platform (12 hex digits)
 *   DIR/intel/tdx_tcbinfo/<FMSPC>.json        TDX TCB info per platform
 *
 * Every file is optional; a file or directory of any other name is an error (a misspelt name
 * silently ignored would be a check silently skipped). Nothing is trusted because it is here:
 * every CRL and document is verified (signature, issuer, validity window) when it is used.
 * attest_collateral_layout() files downloaded documents into this layout by their content.
 *
 * One set is installed process-wide (like the verification cache: the checks that use it sit
 * deep in the verifiers, which carry no handle), behind a mutex and a reference count, so a
 * reload never changes the collateral under a verification in progress.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/internal.h"
#include "attest/verify_internal.h"

#define MAX_DOC_SIZE (4u << 20)
#define MAX_TCB_INFOS 512

static const char *const PRODUCT_DIRS[ATTEST_SNP_PRODUCT_COUNT] = {NULL, "milan", "genoa", "turin"};

/* The fixed files of intel/, in the order of struct attest_collateral's blobs. */
static const char *const INTEL_FILES[ATTEST_COLL_INTEL_COUNT] = {
    "root_crl.der",          "pck_processor_crl.der", "pck_platform_crl.der",
    "tcb_signing_chain.pem", "qe_identity.json",      "td_qe_identity.json",
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct attest_collateral *g_installed;

static void blob_free(struct attest_blob *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
}

static void coll_destroy(struct attest_collateral *c)
{
    for (size_t p = 0; p < ATTEST_SNP_PRODUCT_COUNT; p++)
        blob_free(&c->amd_crl[p]);
    for (size_t i = 0; i < ATTEST_COLL_INTEL_COUNT; i++)
        blob_free(&c->intel[i]);
    for (size_t i = 0; i < c->tcb_count; i++)
        blob_free(&c->tcb[i].doc);
    free(c->tcb);
    free(c);
}

void attest_collateral_free(struct attest_collateral *c)
{
    if (!c) return;
    pthread_mutex_lock(&g_lock);
    bool last = --c->refs == 0;
    pthread_mutex_unlock(&g_lock);
    if (last) coll_destroy(c);
}

void attest_collateral_install(struct attest_collateral *c)
{
    pthread_mutex_lock(&g_lock);
    struct attest_collateral *old = g_installed;
    g_installed = c;
    pthread_mutex_unlock(&g_lock);
    attest_collateral_free(old);
}

const struct attest_collateral *attest_collateral_acquire(void)
{
    pthread_mutex_lock(&g_lock);
    struct attest_collateral *c = g_installed;
    if (c) c->refs++;
    pthread_mutex_unlock(&g_lock);
    return c;
}

void attest_collateral_release(const struct attest_collateral *c)
{
    attest_collateral_free((struct attest_collateral *)c);
}

X509_CRL *attest_crl_parse(const uint8_t *buf, size_t size)
{
    X509_CRL *crl = NULL;
    if (!buf || size == 0 || size > INT32_MAX) return NULL;
    if (buf[0] == 0x30) {
        const unsigned char *p = buf;
        crl = d2i_X509_CRL(NULL, &p, (long)size);
        if (crl && p != buf + size) {
            X509_CRL_free(crl);
            crl = NULL;
        }
    } else {
        BIO *bio = BIO_new_mem_buf(buf, (int)size);
        crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    }
    ERR_clear_error();
    return crl;
}

/* Reads path whole when it exists (a missing file leaves *b empty). */
static int read_blob(const char *path, struct attest_blob *b, struct attest_error *err)
{
    int rc = util_file_read(path, MAX_DOC_SIZE, &b->data, &b->size);
    if (rc == -ENOENT) return 0;
    if (rc < 0) return attest_fail(err, rc, "%s: cannot read (%s)", path, strerror(-rc));
    if (b->size == 0) return attest_fail(err, ATTEST_E_MALFORMED, "%s: empty", path);
    return 0;
}

/* Every entry of dir must be one of names (NULL-terminated) or, when pattern, match it. */
static int only_known(const char *dir, const char *const *names, size_t count,
                      bool (*pattern)(const char *), struct attest_error *err)
{
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : attest_fail(err, -EIO, "%s: cannot list", dir);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        bool known = pattern && pattern(e->d_name);
        for (size_t i = 0; i < count && !known; i++)
            known = names[i] && strcmp(names[i], e->d_name) == 0;
        if (!known)
            rc = attest_fail(err, -EINVAL, "%s/%s: not a collateral file this verifier knows", dir,
                             e->d_name);
    }
    closedir(d);
    return rc;
}

/* "<12 hex digits>.json" */
static bool fmspc_name(const char *name)
{
    uint8_t b[6];
    return strlen(name) == 17 && strcmp(name + 12, ".json") == 0 &&
           util_hex_decode(name, 12, b) == 0;
}

static int load_tcb_dir(struct attest_collateral *c, const char *dir, bool tdx,
                        struct attest_error *err)
{
    int rc = only_known(dir, NULL, 0, fmspc_name, err);
    DIR *d = rc == 0 ? opendir(dir) : NULL;
    if (!d) return rc;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!fmspc_name(e->d_name)) continue;
        if (c->tcb_count >= MAX_TCB_INFOS) {
            rc = attest_fail(err, -E2BIG, "%s: more than %d TCB info files", dir, MAX_TCB_INFOS);
            break;
        }
        struct attest_coll_tcb *t = &c->tcb[c->tcb_count];
        memset(t, 0, sizeof(*t));
        if (util_hex_decode(e->d_name, 12, t->fmspc) < 0) continue;
        t->tdx = tdx;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        rc = read_blob(path, &t->doc, err);
        if (rc == 0 && t->doc.data) c->tcb_count++;
    }
    closedir(d);
    return rc;
}

/* A CRL file must at least be a CRL (it is verified against its issuer when used). */
static int crl_shape(const char *path, const struct attest_blob *b, struct attest_error *err)
{
    if (!b->data) return 0;
    X509_CRL *crl = attest_crl_parse(b->data, b->size);
    X509_CRL_free(crl);
    return crl ? 0 : attest_fail(err, ATTEST_E_MALFORMED, "%s: not a DER or PEM CRL", path);
}

static int load_amd(struct attest_collateral *c, const char *dir, struct attest_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/amd", dir);
    int rc = only_known(path, PRODUCT_DIRS, ATTEST_SNP_PRODUCT_COUNT, NULL, err);
    for (size_t p = 1; rc == 0 && p < ATTEST_SNP_PRODUCT_COUNT; p++) {
        static const char *const crl_only[] = {"crl.der"};
        snprintf(path, sizeof(path), "%s/amd/%s", dir, PRODUCT_DIRS[p]);
        rc = only_known(path, crl_only, 1, NULL, err);
        snprintf(path, sizeof(path), "%s/amd/%s/crl.der", dir, PRODUCT_DIRS[p]);
        if (rc == 0) rc = read_blob(path, &c->amd_crl[p], err);
        if (rc == 0) rc = crl_shape(path, &c->amd_crl[p], err);
    }
    return rc;
}

static int load_intel(struct attest_collateral *c, const char *dir, struct attest_error *err)
{
    char path[4096];
    static const char *names[ATTEST_COLL_INTEL_COUNT + 2];
    for (size_t i = 0; i < ATTEST_COLL_INTEL_COUNT; i++)
        names[i] = INTEL_FILES[i];
    names[ATTEST_COLL_INTEL_COUNT] = "tcbinfo";
    names[ATTEST_COLL_INTEL_COUNT + 1] = "tdx_tcbinfo";
    snprintf(path, sizeof(path), "%s/intel", dir);
    int rc = only_known(path, names, ARRAY_LEN(names), NULL, err);
    for (size_t i = 0; rc == 0 && i < ATTEST_COLL_INTEL_COUNT; i++) {
        snprintf(path, sizeof(path), "%s/intel/%s", dir, INTEL_FILES[i]);
        rc = read_blob(path, &c->intel[i], err);
        if (rc == 0 && i <= ATTEST_COLL_PCK_PLATFORM_CRL) rc = crl_shape(path, &c->intel[i], err);
    }
    snprintf(path, sizeof(path), "%s/intel/tcbinfo", dir);
    if (rc == 0) rc = load_tcb_dir(c, path, false, err);
    snprintf(path, sizeof(path), "%s/intel/tdx_tcbinfo", dir);
    if (rc == 0) rc = load_tcb_dir(c, path, true, err);
    return rc;
}

int attest_collateral_load(const char *dir, struct attest_collateral **out,
                           struct attest_error *err)
{
    static const char *const top[] = {"amd", "intel"};
    struct stat st;
    *out = NULL;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return attest_fail(err, -ENOENT, "%s: not a directory", dir);
    struct attest_collateral *c = calloc(1, sizeof(*c));
    if (c) c->tcb = calloc(MAX_TCB_INFOS, sizeof(*c->tcb));
    if (!c || !c->tcb) {
        free(c);
        return -ENOMEM;
    }
    c->refs = 1;
    int rc = only_known(dir, top, ARRAY_LEN(top), NULL, err);
    if (rc == 0) rc = load_amd(c, dir, err);
    if (rc == 0) rc = load_intel(c, dir, err);
    if (rc < 0) {
        coll_destroy(c);
        return rc;
    }
    *out = c;
    return 0;
}

size_t attest_collateral_count(const struct attest_collateral *c)
{
    size_t n = c->tcb_count;
    for (size_t p = 0; p < ATTEST_SNP_PRODUCT_COUNT; p++)
        n += c->amd_crl[p].data != NULL;
    for (size_t i = 0; i < ATTEST_COLL_INTEL_COUNT; i++)
        n += c->intel[i].data != NULL;
    return n;
}

const struct attest_blob *attest_collateral_tcb_info(const struct attest_collateral *c,
                                                     const uint8_t fmspc[6], bool tdx)
{
    for (size_t i = 0; c && i < c->tcb_count; i++)
        if (c->tcb[i].tdx == tdx && memcmp(c->tcb[i].fmspc, fmspc, 6) == 0) return &c->tcb[i].doc;
    return NULL;
}

/* ---- laying out downloaded files ---- */

/* Where a CRL goes, by its issuer's common name. */
static const char *crl_place(X509_CRL *crl)
{
    char cn[128] = "";
    X509_NAME_get_text_by_NID(X509_CRL_get_issuer(crl), NID_commonName, cn, sizeof(cn));
    if (strcmp(cn, "ARK-Milan") == 0) return "amd/milan/crl.der";
    if (strcmp(cn, "ARK-Genoa") == 0) return "amd/genoa/crl.der";
    if (strcmp(cn, "ARK-Turin") == 0) return "amd/turin/crl.der";
    if (strcmp(cn, "Intel SGX Root CA") == 0) return "intel/root_crl.der";
    if (strcmp(cn, "Intel SGX PCK Processor CA") == 0) return "intel/pck_processor_crl.der";
    if (strcmp(cn, "Intel SGX PCK Platform CA") == 0) return "intel/pck_platform_crl.der";
    return NULL;
}

/* Where a JSON document goes: TCB info by id and FMSPC, QE identity by id. */
static int json_place(const uint8_t *buf, size_t size, char *out, size_t out_size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)buf, size, JSON_REJECT_DUPLICATES, &jerr);
    int rc = -EINVAL;
    json_t *info = json_object_get(doc, "tcbInfo"), *id = json_object_get(doc, "enclaveIdentity");
    const char *fmspc = json_string_value(json_object_get(info, "fmspc"));
    const char *kind = json_string_value(json_object_get(info ? info : id, "id"));
    uint8_t b[6];
    if (info && fmspc && strlen(fmspc) == 12 && util_hex_decode(fmspc, 12, b) == 0) {
        bool tdx = kind && strcmp(kind, "TDX") == 0;
        char lower[13];
        for (size_t i = 0; i < 12; i++)
            lower[i] = (char)(fmspc[i] >= 'A' && fmspc[i] <= 'F' ? fmspc[i] + 32 : fmspc[i]);
        lower[12] = '\0';
        snprintf(out, out_size, "intel/%s/%s.json", tdx ? "tdx_tcbinfo" : "tcbinfo", lower);
        rc = 0;
    } else if (id && kind && (strcmp(kind, "QE") == 0 || strcmp(kind, "TD_QE") == 0)) {
        snprintf(out, out_size, "intel/%s",
                 strcmp(kind, "QE") == 0 ? "qe_identity.json" : "td_qe_identity.json");
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

int attest_collateral_place(const uint8_t *buf, size_t size, char *out, size_t out_size)
{
    if (!buf || size == 0) return -EINVAL;
    X509_CRL *crl = attest_crl_parse(buf, size);
    if (crl) {
        const char *p = crl_place(crl);
        X509_CRL_free(crl);
        if (!p) return -EINVAL;
        snprintf(out, out_size, "%s", p);
        return 0;
    }
    if (buf[0] == '{') return json_place(buf, size, out, out_size);
    STACK_OF(X509) *sk = NULL;
    char cn[128] = "";
    if (attest_x509_collect(buf, size, &sk) > 0)
        X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(sk, 0)), NID_commonName, cn,
                                  sizeof(cn));
    sk_X509_pop_free(sk, X509_free);
    ERR_clear_error();
    if (strcmp(cn, "Intel SGX TCB Signing") != 0) return -EINVAL;
    snprintf(out, out_size, "intel/tcb_signing_chain.pem");
    return 0;
}
