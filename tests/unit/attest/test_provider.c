/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_provider.c - the evidence providers against fake machines built at run time in a
 * temporary directory (the root-path seam), and the CSR they feed.
 *
 * The hardware paths are tested for their plumbing and parsing, with recorded evidence from
 * ../shared/vectors (read in place, never copied into the repository):
 *   - configfs-tsm: a pre-created report entry holding "provider", "generation", a recorded
 *     SNP report or TDX quote as "outblob" and a certificate table as "auxblob". A recorded
 *     report carries its own REPORT_DATA, so those tests ask for exactly that; asking for other
 *     data is refused, as a host returning stale evidence must be.
 *   - /dev/sev-guest: an ordinary file stands for the device and a fake driver answers the
 *     ioctl through the seam, using Linux's own uapi structures (so the ABI is checked from the
 *     other side too); it asks for a larger certificate buffer once, as the real driver does.
 *   - the simulated provider: real evidence for a fresh key, so the binding is tested there.
 * CSRs built from SNP and TDX evidence are checked with the verifiers: their evidence verifies
 * (times pinned) and, for the recorded reports, the binding to a fresh key is refused.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#if defined(__has_include)
#if __has_include(<linux/sev-guest.h>)
#include <linux/sev-guest.h>
#define HAVE_SEV_GUEST_H 1
#endif
#endif

#define TSM "/sys/kernel/config/tsm/report"

/* ---- fake trees ---- */

static char g_root[64];

static void root_make(void)
{
    strcpy(g_root, "/tmp/provider-test-XXXXXX");
    assert_non_null(mkdtemp(g_root));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void root_free(void)
{
    nftw(g_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s%s", g_root, rel);
    for (char *p = path + strlen(g_root) + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    mkdir(path, 0755);
}

static void put(const char *rel, const void *data, size_t size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s%s", g_root, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
}

static void put_str(const char *rel, const char *s)
{
    put(rel, s, strlen(s));
}

static bool exists(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s%s", g_root, rel);
    return access(path, F_OK) == 0;
}

static struct attest_provider_env env_for(const char *entry)
{
    struct attest_provider_env e = {g_root, entry, NULL, NULL};
    return e;
}

/* A certificate table with one entry of GUID guid (text form) holding data. */
static uint8_t *table_make(const char *guid, const uint8_t *data, size_t size, size_t *out_size)
{
    size_t head = 2 * 24;
    uint8_t *t = calloc(1, head + size);
    assert_non_null(t);
    for (size_t i = 0, j = 0; guid[i]; i++) {
        if (guid[i] == '-') continue;
        unsigned v;
        assert_int_equal(sscanf(guid + i, "%2x", &v), 1);
        t[j++] = (uint8_t)v;
        i++;
    }
    t[16] = (uint8_t)head; /* offset, little-endian */
    t[20] = (uint8_t)size, t[21] = (uint8_t)(size >> 8), t[22] = (uint8_t)(size >> 16);
    memcpy(t + head, data, size);
    *out_size = head + size;
    return t;
}

#define GUID_VCEK "63da758d-e664-4564-adc5-f4b93be8accd"
#define GUID_VLEK "a8074bc2-a25a-483e-aae6-39c045a0b8a1"
#define GUID_ASK "4ab7b379-bbac-4fe4-a02f-05aef327c782"

/* A configfs-tsm entry "test" of provider name with outblob (and auxblob when not NULL). */
static void tsm_entry(const char *provider, const uint8_t *out, size_t out_size, const uint8_t *aux,
                      size_t aux_size)
{
    mkdirs(TSM "/test");
    put_str(TSM "/test/provider", provider);
    put_str(TSM "/test/generation", "7\n");
    put(TSM "/test/outblob", out, out_size);
    if (aux) put(TSM "/test/auxblob", aux, aux_size);
}

/* ---- detection ---- */

static void test_detect(void **state)
{
    (void)state;
    char why[256];
    root_make();
    struct attest_provider_env e = env_for(NULL);
    assert_int_equal(attest_provider_detect(&e, why, sizeof(why)), ATTEST_PROVIDER_SIM);
    assert_non_null(strstr(why, "no TEE"));

    /* configfs-tsm present, but the entry it makes has no provider: not used, entry removed */
    mkdirs(TSM);
    assert_int_equal(attest_provider_detect(&e, why, sizeof(why)), ATTEST_PROVIDER_SIM);
    char mine[64];
    snprintf(mine, sizeof(mine), TSM "/enarx-%ld", (long)getpid());
    assert_false(exists(mine));

    mkdirs("/dev");
    put_str("/dev/sev-guest", "");
    assert_int_equal(attest_provider_detect(&e, why, sizeof(why)), ATTEST_PROVIDER_SNP_DEV);

    struct attest_provider_env t = env_for("test");
    tsm_entry("tdx_guest\n", (const uint8_t *)"x", 1, NULL, 0);
    assert_int_equal(attest_provider_detect(&t, why, sizeof(why)), ATTEST_PROVIDER_TDX_TSM);
    put_str(TSM "/test/provider", "sev_guest\n");
    assert_int_equal(attest_provider_detect(&t, NULL, 0), ATTEST_PROVIDER_SNP_TSM);
    put_str(TSM "/test/provider", "arm_cca_guest\n"); /* unknown: next in line */
    assert_int_equal(attest_provider_detect(&t, why, sizeof(why)), ATTEST_PROVIDER_SNP_DEV);
    assert_true(exists(TSM "/test")); /* an entry we did not create is left alone */

    /* entry names that would leave the report directory are refused */
    struct attest_provider_env bad = env_for("../x");
    assert_int_equal(attest_provider_detect(&bad, why, sizeof(why)), ATTEST_PROVIDER_SNP_DEV);
    root_free();

    assert_string_equal(attest_provider_name(ATTEST_PROVIDER_SIM), "simulated");
    assert_int_equal(attest_provider_platform(ATTEST_PROVIDER_SNP_DEV), ATTEST_PLATFORM_SNP);
    assert_int_equal(attest_provider_platform(ATTEST_PROVIDER_TDX_TSM), ATTEST_PLATFORM_TDX);
}

/* ---- configfs-tsm, SNP ---- */

static void test_tsm_snp(void **state)
{
    (void)state;
    size_t rsize, vsize, tsize;
    uint8_t *report = vec_read("snp/virtee-milan-v2/report.bin", &rsize);
    uint8_t *vcek = vec_read("snp/virtee-milan-v2/vcek.der", &vsize);
    uint8_t *table = table_make(GUID_VCEK, vcek, vsize, &tsize);
    root_make();
    tsm_entry("sev_guest\n", report, rsize, table, tsize);
    struct attest_provider_env e = env_for("test");
    struct attest_evidence ev;
    struct attest_error err = {{0}};
    const uint8_t *rd = report + 0x50;
    int rc = attest_provider_get(&e, ATTEST_PROVIDER_SNP_TSM, rd, NULL, &ev, &err);
    if (rc) fail_msg("%s", err.msg);
    assert_int_equal(ev.platform, ATTEST_PLATFORM_SNP);
    assert_int_equal(ev.report_size, rsize);
    assert_memory_equal(ev.report, report, rsize);
    assert_int_equal(ev.certs_size, tsize);
    uint8_t inblob[64];
    int fd = open(strcat(strcpy((char[256]){0}, g_root), TSM "/test/inblob"), O_RDONLY);
    assert_int_equal(read(fd, inblob, 64), 64);
    close(fd);
    assert_memory_equal(inblob, rd, 64);

    const uint8_t *cert;
    size_t cert_size;
    assert_int_equal(attest_snp_certs_find(ev.certs, ev.certs_size, ATTEST_SNP_CERT_VCEK, &cert,
                                           &cert_size, &err),
                     0);
    assert_int_equal(cert_size, vsize);
    assert_memory_equal(cert, vcek, vsize);
    assert_int_equal(attest_snp_certs_find(ev.certs, ev.certs_size, ATTEST_SNP_CERT_ASK, &cert,
                                           &cert_size, &err),
                     -ENOENT);

    /* the CSR: Enarx's SNP evidence verifies; the recorded REPORT_DATA binds another key */
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    uint8_t *csr;
    size_t csr_size;
    assert_int_equal(attest_csr_make(key, &ev, &csr, &csr_size, &err), 0);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = {roots, NULL, NULL, 0, NULL, 0};
    struct attest_claims c;
    rc = attest_csr_verify(csr, csr_size, &o, &c, &err);
    assert_int_equal(rc, ATTEST_E_SIGNATURE);
    assert_non_null(strstr(err.msg, "REPORT_DATA does not hold"));
    attest_roots_free(roots);

    /* other REPORT_DATA than the recorded report's: refused */
    uint8_t other[64] = {1};
    attest_evidence_free(&ev);
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_TSM, other, NULL, &ev, &err),
                     ATTEST_E_MALFORMED);
    assert_non_null(strstr(err.msg, "REPORT_DATA"));
    assert_null(ev.report);

    /* the wrong provider, a truncated report, no auxblob */
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, rd, NULL, &ev, &err),
                     -ENODEV);
    put(TSM "/test/outblob", report, rsize - 1);
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_TSM, rd, NULL, &ev, &err),
                     ATTEST_E_MALFORMED);
    put(TSM "/test/outblob", report, rsize);
    char aux[256];
    remove(strcat(strcpy(aux, g_root), TSM "/test/auxblob"));
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_TSM, rd, NULL, &ev, &err), 0);
    assert_null(ev.certs);
    uint8_t *none = NULL;
    assert_int_equal(attest_csr_make(key, &ev, &none, &csr_size, &err), -ENOENT);
    assert_null(none);
    assert_non_null(strstr(err.msg, "VCEK"));
    attest_evidence_free(&ev);

    free(csr);
    EVP_PKEY_free(key);
    root_free();
    free(table);
    free(vcek);
    free(report);
}

/* A VLEK-signed report takes the VLEK from the table. */
static void test_tsm_snp_vlek(void **state)
{
    (void)state;
    size_t rsize, vsize, tsize;
    uint8_t *report = vec_read("snp/trustee-milan-v3-vlek/report.bin", &rsize);
    uint8_t *vlek = vec_read("snp/trustee-milan-v3-vlek/vlek.der", &vsize);
    uint8_t *table = table_make(GUID_VLEK, vlek, vsize, &tsize);
    root_make();
    tsm_entry("sev_guest", report, rsize, table, tsize);
    struct attest_provider_env e = env_for("test");
    struct attest_evidence ev;
    struct attest_error err = {{0}};
    assert_int_equal(
        attest_provider_get(&e, ATTEST_PROVIDER_SNP_TSM, report + 0x50, NULL, &ev, &err), 0);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    uint8_t *csr;
    size_t csr_size;
    assert_int_equal(attest_csr_make(key, &ev, &csr, &csr_size, &err), 0);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = {roots, NULL, NULL, 0, NULL, vec_time(2025, 6, 1)};
    struct attest_claims c;
    assert_int_equal(attest_csr_verify(csr, csr_size, &o, &c, &err), ATTEST_E_SIGNATURE);
    assert_non_null(strstr(err.msg, "REPORT_DATA does not hold"));
    attest_roots_free(roots);
    free(csr);
    EVP_PKEY_free(key);
    attest_evidence_free(&ev);
    root_free();
    free(table);
    free(vlek);
    free(report);
}

/* ---- configfs-tsm, TDX ---- */

static void test_tsm_tdx(void **state)
{
    (void)state;
    size_t qsize;
    uint8_t *quote = vec_read("tdx/trustee-spr-v4/quote.dat", &qsize);
    root_make();
    tsm_entry("tdx_guest\n", quote, qsize, NULL, 0);
    struct attest_provider_env e = env_for("test");
    struct attest_evidence ev;
    struct attest_error err = {{0}};
    const uint8_t *rd = quote + 48 + 520;
    int rc = attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, rd, NULL, &ev, &err);
    if (rc) fail_msg("%s", err.msg);
    assert_int_equal(ev.platform, ATTEST_PLATFORM_TDX);
    assert_memory_equal(ev.report, quote, qsize);
    assert_null(ev.certs);

    /* the CSR's TDX extension holds the quote, which verifies as TDX */
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t *csr;
    size_t csr_size, ext_size;
    assert_int_equal(attest_csr_make(key, &ev, &csr, &csr_size, &err), 0);
    const unsigned char *p = csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)csr_size);
    assert_non_null(req);
    assert_int_equal(X509_REQ_verify(req, key), 1);
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
    X509_EXTENSION *x = sk_X509_EXTENSION_value(exts, 0);
    char oid[128];
    OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(x), 1);
    assert_string_equal(oid, ATTEST_OID_TDX_EVIDENCE);
    ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(x);
    ext_size = (size_t)ASN1_STRING_length(v);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = {roots, NULL, NULL, 0, NULL, vec_time(2025, 6, 1)};
    struct attest_claims c;
    rc = attest_ext_tdx_verify(ASN1_STRING_get0_data(v), ext_size, &o, &c, &err);
    if (rc) fail_msg("%s", err.msg);
    assert_int_equal(c.platform, ATTEST_PLATFORM_TDX);
    assert_memory_equal(c.report_data, rd, 64);
    /* any shorter value is refused */
    for (size_t n = 0; n < ext_size; n += 97)
        assert_int_not_equal(attest_ext_tdx_verify(ASN1_STRING_get0_data(v), n, &o, &c, &err), 0);
    attest_roots_free(roots);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);

    /* a quote for other data, or not a TDX quote at all, is refused */
    attest_evidence_free(&ev);
    uint8_t other[64] = {0};
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, other, NULL, &ev, &err),
                     ATTEST_E_MALFORMED);
    size_t ssize;
    uint8_t *sgx = vec_read("sgx/trustee-occlum-debug/quote.dat", &ssize);
    if (sgx) {
        put(TSM "/test/outblob", sgx, ssize);
        assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, rd, NULL, &ev, &err),
                         ATTEST_E_MALFORMED);
        free(sgx);
    }
    free(csr);
    EVP_PKEY_free(key);
    root_free();
    free(quote);
}

/* Plays a kernel whose generation counter moves between two reads (another writer). */
static void *generation_writer(void *arg)
{
    const char *fifo = arg;
    for (int gen = 1; gen <= 2; gen++) {
        FILE *f = fopen(fifo, "w"); /* blocks until the provider opens it to read */
        if (!f) return NULL;
        fprintf(f, "%d\n", gen);
        fclose(f);
        /* Give the provider time to finish and close this read before offering the next
         * value: while it still holds the FIFO open, a new writer would join the same read.
         * (Probing with a non-blocking open cannot tell that reader from the provider's next
         * open, and would hand the next read an empty value.) The provider only reads a
         * short value and two regular files in between, far quicker than this. */
        if (gen == 1) usleep(500 * 1000);
    }
    return NULL;
}

static void test_tsm_generation_race(void **state)
{
    (void)state;
    size_t rsize;
    uint8_t *report = vec_read("snp/virtee-milan-v2/report.bin", &rsize);
    root_make();
    tsm_entry("sev_guest", report, rsize, NULL, 0);
    char fifo[256];
    snprintf(fifo, sizeof(fifo), "%s%s", g_root, TSM "/test/generation");
    remove(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, generation_writer, fifo), 0);
    struct attest_provider_env e = env_for("test");
    struct attest_evidence ev;
    struct attest_error err = {{0}};
    assert_int_equal(
        attest_provider_get(&e, ATTEST_PROVIDER_SNP_TSM, report + 0x50, NULL, &ev, &err), -EBUSY);
    assert_non_null(strstr(err.msg, "generation changed from 1 to 2"));
    assert_null(ev.report);
    pthread_join(t, NULL);
    root_free();
    free(report);
}

/* The TDX REPORT_DATA locator on every truncation of a real quote and on v5 bodies. */
static void test_tdx_shapes(void **state)
{
    (void)state;
    size_t qsize;
    uint8_t *quote = vec_read("tdx/trustee-spr-v4/quote.dat", &qsize);
    uint8_t want[64];
    memcpy(want, quote + 48 + 520, 64);
    struct attest_error err;
    root_make();
    struct attest_provider_env e = env_for("test");
    struct attest_evidence ev;
    for (size_t n = 0; n < 48 + 584; n += 31) {
        tsm_entry("tdx_guest", quote, n, NULL, 0);
        assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, want, NULL, &ev, &err),
                         ATTEST_E_MALFORMED);
    }
    /* a v5 quote: body descriptor (type 2, 584 bytes) before the same body */
    uint8_t *v5 = calloc(1, qsize + 6);
    memcpy(v5, quote, 48);
    v5[0] = 5;
    v5[48] = 2;
    v5[50] = 584 & 0xff, v5[51] = 584 >> 8;
    memcpy(v5 + 54, quote + 48, qsize - 48);
    tsm_entry("tdx_guest", v5, qsize + 6, NULL, 0);
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, want, NULL, &ev, &err), 0);
    attest_evidence_free(&ev);
    v5[48] = 3; /* type 3 must be 648 bytes */
    tsm_entry("tdx_guest", v5, qsize + 6, NULL, 0);
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_TDX_TSM, want, NULL, &ev, &err),
                     ATTEST_E_MALFORMED);
    free(v5);
    root_free();
    free(quote);
}

/* ---- /dev/sev-guest ---- */

#ifdef HAVE_SEV_GUEST_H
static struct {
    const uint8_t *report;
    const uint8_t *table;
    size_t table_size;
    uint32_t fw_status;
    uint32_t report_size;
    int calls;
} g_drv;

/* Plays the sev-guest driver with the kernel's own structures. */
static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    struct snp_guest_request_ioctl *g = arg;
    g_drv.calls++;
    if (request != SNP_GET_EXT_REPORT || g->msg_version != 1) {
        errno = EINVAL;
        return -1;
    }
    struct snp_ext_report_req *req = (void *)(uintptr_t)g->req_data;
    struct snp_report_resp *resp = (void *)(uintptr_t)g->resp_data;
    uint32_t need = (uint32_t)((g_drv.table_size + 4095) / 4096 * 4096);
    if (req->certs_len < need) {
        req->certs_len = need;
        g->exitinfo2 = (uint64_t)SNP_GUEST_VMM_ERR_INVALID_LEN << 32;
        errno = EIO;
        return -1;
    }
    memcpy((void *)(uintptr_t)req->certs_address, g_drv.table, g_drv.table_size);
    memset(resp->data, 0, sizeof(resp->data));
    memcpy(resp->data, &g_drv.fw_status, 4);
    memcpy(resp->data + 4, &g_drv.report_size, 4);
    memcpy(resp->data + 32, g_drv.report, 1184);
    memcpy(resp->data + 32 + 0x50, req->data.user_data, 64); /* as if made for this request */
    return 0;
}

static void test_sev_guest(void **state)
{
    (void)state;
    size_t rsize, vsize, tsize;
    uint8_t *report = vec_read("snp/virtee-milan-v2/report.bin", &rsize);
    uint8_t *vcek = vec_read("snp/virtee-milan-v2/vcek.der", &vsize);
    uint8_t *table = table_make(GUID_VCEK, vcek, vsize, &tsize);
    /* a table larger than the first buffer (4 pages): the driver asks for more once */
    uint8_t *big = calloc(1, 5 * 4096);
    memcpy(big, table, tsize);
    g_drv.report = report;
    g_drv.table = big;
    g_drv.table_size = 5 * 4096;
    g_drv.report_size = 1184;
    root_make();
    mkdirs("/dev");
    put_str("/dev/sev-guest", "");
    struct attest_provider_env e = {g_root, NULL, fake_ioctl, NULL};
    struct attest_evidence ev;
    struct attest_error err = {{0}};
    uint8_t rd[64];
    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)i;
    int rc = attest_provider_get(&e, ATTEST_PROVIDER_SNP_DEV, rd, NULL, &ev, &err);
    if (rc) fail_msg("%s", err.msg);
    assert_int_equal(g_drv.calls, 2);
    assert_int_equal(ev.report_size, 1184);
    assert_memory_equal(ev.report + 0x50, rd, 64);
    assert_int_equal(ev.certs_size, 5 * 4096);
    const uint8_t *cert;
    size_t cert_size;
    assert_int_equal(attest_snp_certs_find(ev.certs, ev.certs_size, ATTEST_SNP_CERT_VCEK, &cert,
                                           &cert_size, &err),
                     0);
    assert_memory_equal(cert, vcek, vsize);
    attest_evidence_free(&ev);

    /* firmware error, wrong report size, no certificates, no device */
    g_drv.fw_status = 0x16;
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_DEV, rd, NULL, &ev, &err), -EIO);
    assert_non_null(strstr(err.msg, "0x16"));
    g_drv.fw_status = 0;
    g_drv.report_size = 4000;
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_DEV, rd, NULL, &ev, &err),
                     ATTEST_E_MALFORMED);
    g_drv.report_size = 1184;
    uint8_t zeros[64] = {0};
    g_drv.table = zeros;
    g_drv.table_size = sizeof(zeros);
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_DEV, rd, NULL, &ev, &err), 0);
    assert_null(ev.certs);
    attest_evidence_free(&ev);
    g_drv.table_size = 1u << 20; /* more than the provider accepts */
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_DEV, rd, NULL, &ev, &err), -EIO);
    char dev[256];
    remove(strcat(strcpy(dev, g_root), "/dev/sev-guest"));
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SNP_DEV, rd, NULL, &ev, &err),
                     -ENODEV);
    root_free();
    free(big);
    free(table);
    free(vcek);
    free(report);
}
#else
static void test_sev_guest(void **state)
{
    (void)state;
    skip(); /* needs <linux/sev-guest.h> (linux-libc-dev) to play the driver */
}
#endif

/* ---- the certificate table ---- */

static void test_cert_table(void **state)
{
    (void)state;
    uint8_t data[40] = {0x30};
    size_t size;
    uint8_t *t = table_make(GUID_ASK, data, sizeof(data), &size);
    const uint8_t *cert;
    size_t cert_size;
    struct attest_error err;
    assert_int_equal(attest_snp_certs_find(t, size, ATTEST_SNP_CERT_ASK, &cert, &cert_size, &err),
                     0);
    assert_ptr_equal(cert, t + 48);
    assert_int_equal(cert_size, 40);
    assert_int_equal(attest_snp_certs_find(t, size, ATTEST_SNP_CERT_VCEK, &cert, &cert_size, &err),
                     -ENOENT);
    /* every truncation: either no terminator or an entry past the end */
    for (size_t n = 0; n < size; n++)
        assert_int_not_equal(
            attest_snp_certs_find(t, n, ATTEST_SNP_CERT_ASK, &cert, &cert_size, &err), 0);
    t[19] = 0x80; /* offset far past the end */
    assert_int_equal(attest_snp_certs_find(t, size, ATTEST_SNP_CERT_ASK, &cert, &cert_size, &err),
                     ATTEST_E_MALFORMED);
    t[19] = 0;
    t[23] = 0xff; /* length wraps past the end */
    assert_int_equal(attest_snp_certs_find(t, size, ATTEST_SNP_CERT_ASK, &cert, &cert_size, &err),
                     ATTEST_E_MALFORMED);
    assert_int_equal(attest_snp_certs_find(NULL, 0, ATTEST_SNP_CERT_ASK, &cert, &cert_size, &err),
                     -ENOENT);
    free(t);
}

/* ---- simulated ---- */

static void test_sim(void **state)
{
    (void)state;
    root_make();
    uint8_t m[48];
    memset(m, 0xab, sizeof(m));
    struct attest_provider_env e = {g_root, NULL, NULL, m};
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t rd[64];
    assert_int_equal(attest_binding_report_data(ATTEST_PLATFORM_SIM, key, rd), 0);
    /* KAT: SHA-256 of the SubjectPublicKeyInfo DER, then zeros */
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(key, &spki);
    uint8_t h[32];
    EVP_Digest(spki, (size_t)n, h, NULL, EVP_sha256(), NULL);
    assert_memory_equal(rd, h, 32);
    for (int i = 32; i < 64; i++)
        assert_int_equal(rd[i], 0);
    uint8_t rd384[64];
    assert_int_equal(attest_binding_report_data(ATTEST_PLATFORM_SNP, key, rd384), 0);
    uint8_t h384[48];
    EVP_Digest(spki, (size_t)n, h384, NULL, EVP_sha384(), NULL);
    assert_memory_equal(rd384, h384, 48);
    OPENSSL_free(spki);

    struct attest_evidence ev;
    struct attest_error err = {{0}};
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SIM, rd, NULL, &ev, &err), -EINVAL);
    assert_int_equal(attest_provider_get(&e, ATTEST_PROVIDER_SIM, rd, key, &ev, &err), 0);
    assert_int_equal(ev.platform, ATTEST_PLATFORM_SIM);
    uint8_t *csr;
    size_t csr_size;
    assert_int_equal(attest_csr_make(key, &ev, &csr, &csr_size, &err), 0);

    const unsigned char *p = csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)csr_size);
    assert_non_null(req);
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    X509_EXTENSION *x = sk_X509_EXTENSION_value(exts, 0);
    ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(x);
    struct attest_claims c;
    assert_int_equal(
        attest_ext_sim_verify(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), &c, &err),
        0);
    assert_int_equal(c.platform, ATTEST_PLATFORM_SIM);
    assert_memory_equal(c.measurement, m, 48);
    assert_memory_equal(c.report_data, rd, 64);
    /* attest_csr_verify: accepted, bound, once enarx.c dispatches the simulated extension */
    struct attest_verify_opts o = {NULL, NULL, NULL, 0, NULL, 0};
    int rc = attest_csr_verify(csr, csr_size, &o, &c, &err);
    if (rc == ATTEST_E_MALFORMED && strstr(err.msg, "evidence extensions")) {
        print_message("attest_csr_verify does not know the simulated extension yet\n");
    } else {
        if (rc) fail_msg("%s", err.msg);
        assert_true(c.report_data_bound);
        /* the same evidence in a CSR for another key is refused */
        EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        uint8_t *csr2;
        size_t csr2_size;
        assert_int_equal(attest_csr_make(other, &ev, &csr2, &csr2_size, &err), 0);
        assert_int_equal(attest_csr_verify(csr2, csr2_size, &o, &c, &err), ATTEST_E_SIGNATURE);
        free(csr2);
        EVP_PKEY_free(other);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    free(csr);
    attest_evidence_free(&ev);
    EVP_PKEY_free(key);
    root_free();
}

/* Extension values that are not SEQUENCE { OCTET STRING }. */
static void test_ext_shapes(void **state)
{
    (void)state;
    static const uint8_t bad[][8] = {
        {0x04, 0x01, 0x00},                         /* no SEQUENCE */
        {0x30, 0x00},                               /* empty */
        {0x30, 0x02, 0x04, 0x00},                   /* empty OCTET STRING */
        {0x30, 0x03, 0x04, 0x01, 0x00, 0x00},       /* trailing byte after the SEQUENCE */
        {0x30, 0x05, 0x04, 0x01, 0x00, 0x05, 0x00}, /* a second element */
        {0x30, 0x84, 0xff, 0xff, 0xff, 0xff},       /* length past the end */
    };
    static const size_t sizes[] = {3, 2, 4, 6, 7, 6};
    struct attest_claims c;
    struct attest_error err;
    struct attest_verify_opts o = {NULL, NULL, NULL, 0, NULL, 0};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        assert_int_equal(attest_ext_sim_verify(bad[i], sizes[i], &c, &err), ATTEST_E_MALFORMED);
        assert_int_equal(attest_ext_tdx_verify(bad[i], sizes[i], &o, &c, &err), ATTEST_E_MALFORMED);
    }
    assert_int_equal(attest_ext_sim_verify(NULL, 0, &c, &err), ATTEST_E_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),       cmocka_unit_test(test_tsm_snp),
        cmocka_unit_test(test_tsm_snp_vlek), cmocka_unit_test(test_tsm_tdx),
        cmocka_unit_test(test_tdx_shapes),   cmocka_unit_test(test_sev_guest),
        cmocka_unit_test(test_cert_table),   cmocka_unit_test(test_sim),
        cmocka_unit_test(test_ext_shapes),   cmocka_unit_test(test_tsm_generation_race),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
