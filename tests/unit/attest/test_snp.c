/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_snp.c - SEV-SNP reports and VCEK/VLEK chains against the real vectors in
 * ../shared/vectors/snp: each verdict from the vectors' README, every byte of every report
 * flipped (each must be refused), certificate tampering, products, TCB layouts and times.
 */
#include "helpers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/verify_internal.h"

struct snp_vec {
    const char *dir, *cert;
    int version;
    bool debug;
    uint8_t bl, tee, snp, ucode;
};

static const struct snp_vec g_vecs[] = {
    {"snp/gosev-milan-v2-debug", "vcek.der", 2, true, 2, 0, 5, 68},
    {"snp/virtee-milan-v2", "vcek.der", 2, false, 3, 0, 8, 115},
    {"snp/trustee-milan-v2", "vcek.der", 2, false, 3, 0, 8, 115},
    {"snp/trustee-milan-v3-vlek", "vlek.der", 3, false, 4, 0, 24, 217},
};

struct loaded {
    uint8_t *report, *cert;
    size_t report_size, cert_size;
    struct attest_roots *roots;
    struct attest_verify_opts opts;
    const uint8_t *certs[1];
    size_t sizes[1];
};

static void load(struct loaded *l, const struct snp_vec *v)
{
    char path[256];
    memset(l, 0, sizeof(*l));
    snprintf(path, sizeof(path), "%s/report.bin", v->dir);
    l->report = vec_read(path, &l->report_size);
    snprintf(path, sizeof(path), "%s/%s", v->dir, v->cert);
    l->cert = vec_read(path, &l->cert_size);
    l->roots = vec_roots();
    l->certs[0] = l->cert;
    l->sizes[0] = l->cert_size;
    l->opts =
        (struct attest_verify_opts){l->roots, l->certs, l->sizes, 1, NULL, vec_time(2025, 6, 1)};
}

static void unload(struct loaded *l)
{
    free(l->report);
    free(l->cert);
    attest_roots_free(l->roots);
}

static void test_vectors_verify(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(g_vecs); i++) {
        struct loaded l;
        struct attest_claims c;
        struct attest_error err = {{0}};
        load(&l, &g_vecs[i]);
        int rc = attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err);
        if (rc != 0) fail_msg("%s: %d %s", g_vecs[i].dir, rc, err.msg);
        assert_int_equal(c.platform, ATTEST_PLATFORM_SNP);
        assert_string_equal(c.product, "Milan");
        assert_int_equal(c.snp_version, g_vecs[i].version);
        assert_int_equal(c.debug, g_vecs[i].debug);
        assert_int_equal(c.tcb.bootloader, g_vecs[i].bl);
        assert_int_equal(c.tcb.tee, g_vecs[i].tee);
        assert_int_equal(c.tcb.snp, g_vecs[i].snp);
        assert_int_equal(c.tcb.microcode, g_vecs[i].ucode);
        unload(&l);
    }
}

/* trustee-milan-v2: CURRENT_TCB differs from REPORTED_TCB; the VCEK matches REPORTED_TCB. */
static void test_reported_not_current(void **state)
{
    (void)state;
    struct loaded l;
    struct attest_snp_report r;
    struct attest_claims c;
    struct attest_error err = {{0}};
    load(&l, &g_vecs[2]);
    assert_int_equal(attest_snp_report_parse(l.report, l.report_size, &r, &err), 0);
    assert_true(r.current_tcb != r.reported_tcb);
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err), 0);
    assert_true(c.reported_tcb_raw == r.reported_tcb);
    unload(&l);
}

/* Every byte of every report, flipped, must be refused (signature, reserved range or field). */
static void test_every_byte_flipped(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(g_vecs); i++) {
        struct loaded l;
        struct attest_claims c;
        struct attest_error err;
        load(&l, &g_vecs[i]);
        for (size_t off = 0; off < l.report_size; off++) {
            l.report[off] ^= 0x01;
            int rc = attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err);
            if (rc == 0) fail_msg("%s: flipped byte 0x%zx accepted", g_vecs[i].dir, off);
            l.report[off] ^= 0x01;
        }
        unload(&l);
    }
}

static void test_vlek_expiry_and_vmpl(void **state)
{
    (void)state;
    struct loaded l;
    struct attest_claims c;
    struct attest_error err = {{0}};
    load(&l, &g_vecs[3]);
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err), 0);
    assert_string_equal(c.signing_key, "VLEK");
    assert_int_equal(c.vmpl, 1);
    assert_int_equal(c.chip_id_size, 0);
    l.opts.at = vec_time(2025, 12, 11);
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err),
                     ATTEST_E_EXPIRED);
    l.opts.at = vec_time(2024, 12, 1); /* before the VLEK was issued */
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err),
                     ATTEST_E_EXPIRED);
    unload(&l);
}

static void test_synthetic_vceks_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"snp/trustee-synthetic-vcek/invalid-new.der",
                                      "snp/trustee-synthetic-vcek/invalid-legacy.der"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct loaded l;
        struct attest_claims c;
        struct attest_error err = {{0}};
        enum attest_snp_product p;
        load(&l, &g_vecs[1]);
        free(l.cert);
        l.cert = vec_read(bad[i], &l.cert_size);
        l.certs[0] = l.cert;
        l.sizes[0] = l.cert_size;
        assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err),
                         ATTEST_E_SIGNATURE);
        X509 *x = NULL;
        const unsigned char *p8 = l.cert;
        x = d2i_X509(NULL, &p8, (long)l.cert_size);
        assert_non_null(x);
        assert_int_equal(attest_snp_cert_chain(x, false, ATTEST_SNP_UNKNOWN, &l.opts, &p, &err),
                         ATTEST_E_SIGNATURE);
        X509_free(x);
        unload(&l);
    }
}

static void test_turin_vcek(void **state)
{
    (void)state;
    size_t size;
    uint8_t *der = vec_read("snp/virtee-turin-vcek/vcek.der", &size);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts opts = {roots, NULL, NULL, 0, NULL, vec_time(2025, 1, 1)};
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    struct attest_error err = {{0}};
    struct attest_snp_cert_info ci;
    enum attest_snp_product prod = ATTEST_SNP_UNKNOWN;
    assert_non_null(x);
    assert_int_equal(attest_snp_cert_chain(x, false, ATTEST_SNP_UNKNOWN, &opts, &prod, &err), 0);
    assert_int_equal(prod, ATTEST_SNP_TURIN);
    /* Not a Milan or Genoa VCEK. */
    assert_int_not_equal(attest_snp_cert_chain(x, false, ATTEST_SNP_MILAN, &opts, &prod, &err), 0);
    assert_int_equal(attest_snp_cert_parse(x, &ci, &err), 0);
    assert_true(ci.has_fmc);
    assert_int_equal(ci.hwid_size, 8);
    assert_string_equal(ci.product_name, "Turin");
    assert_true(ci.has_bootloader && ci.has_tee && ci.has_snp && ci.has_microcode);
    X509_free(x);
    attest_roots_free(roots);
    free(der);
}

static void test_tcb_layouts(void **state)
{
    (void)state;
    struct attest_snp_tcb t;
    /* Milan/Genoa: byte 0 bootloader, 1 tee, 6 snp, 7 microcode. */
    attest_snp_tcb_decode(0x7308000000000103ull, ATTEST_SNP_MILAN, &t);
    assert_int_equal(t.tee, 1);
    assert_int_equal(t.bootloader, 3);
    assert_int_equal(t.snp, 8);
    assert_int_equal(t.microcode, 0x73);
    assert_int_equal(t.fmc, 0);
    /* Turin: byte 0 fmc, 1 bootloader, 2 tee, 3 snp, 7 microcode. */
    attest_snp_tcb_decode(0x4800000003020104ull, ATTEST_SNP_TURIN, &t);
    assert_int_equal(t.fmc, 4);
    assert_int_equal(t.bootloader, 1);
    assert_int_equal(t.tee, 2);
    assert_int_equal(t.snp, 3);
    assert_int_equal(t.microcode, 0x48);
}

static void test_missing_wrong_cert_and_sizes(void **state)
{
    (void)state;
    struct loaded l;
    struct attest_claims c;
    struct attest_error err = {{0}};
    load(&l, &g_vecs[1]);
    l.opts.cert_count = 0;
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err),
                     ATTEST_E_NOKEY);
    /* The debug vector's VCEK (another chip) must not verify this report. */
    size_t other_size;
    uint8_t *other = vec_read("snp/gosev-milan-v2-debug/vcek.der", &other_size);
    l.certs[0] = other;
    l.sizes[0] = other_size;
    l.opts.cert_count = 1;
    assert_int_not_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err), 0);
    free(other);
    l.certs[0] = l.cert;
    l.sizes[0] = l.cert_size;
    assert_int_equal(attest_snp_verify(l.report, l.report_size - 1, &l.opts, NULL, &c, &err),
                     ATTEST_E_MALFORMED);
    l.opts.at = vec_time(2031, 1, 1); /* VCEK valid until 2030 */
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err),
                     ATTEST_E_EXPIRED);
    unload(&l);
}

/* A flipped byte in the VCEK's signature breaks the chain. */
static void test_vcek_tampered(void **state)
{
    (void)state;
    struct loaded l;
    struct attest_claims c;
    struct attest_error err = {{0}};
    load(&l, &g_vecs[1]);
    l.cert[l.cert_size - 10] ^= 0x40;
    assert_int_equal(attest_snp_verify(l.report, l.report_size, &l.opts, NULL, &c, &err),
                     ATTEST_E_SIGNATURE);
    unload(&l);
}

static void test_products_from_cpuid(void **state)
{
    (void)state;
    struct attest_snp_report r = {.version = 3, .cpuid_fam_id = 0x19, .cpuid_mod_id = 0x01};
    assert_int_equal(attest_snp_report_product(&r), ATTEST_SNP_MILAN);
    r.cpuid_mod_id = 0x11;
    assert_int_equal(attest_snp_report_product(&r), ATTEST_SNP_GENOA);
    r.cpuid_mod_id = 0xA0;
    assert_int_equal(attest_snp_report_product(&r), ATTEST_SNP_GENOA);
    r.cpuid_fam_id = 0x1A;
    r.cpuid_mod_id = 0x02;
    assert_int_equal(attest_snp_report_product(&r), ATTEST_SNP_TURIN);
    r.cpuid_fam_id = 0x17;
    assert_int_equal(attest_snp_report_product(&r), ATTEST_SNP_UNKNOWN);
    r.version = 2;
    assert_int_equal(attest_snp_report_product(&r), ATTEST_SNP_UNKNOWN);
}

/* Unpinned roots are refused: the pins are checked when loading. */
static void test_roots_pins(void **state)
{
    (void)state;
    static const uint8_t other[1][32] = {{1}};
    struct attest_pins pins = {other, 1};
    struct attest_roots *r = NULL;
    struct attest_error err = {{0}};
    assert_int_equal(attest_roots_load(VECTORS_DIR "/roots", &pins, &r, &err), ATTEST_E_NOKEY);
    assert_null(r);
    assert_int_equal(attest_roots_load(VECTORS_DIR "/no-such-dir", NULL, &r, &err), -ENOENT);
}

/* Writes vector file rel to dir/sub/name, making dir/sub. */
static void plant(const char *dir, const char *sub, const char *name, const char *rel)
{
    char path[512];
    size_t size;
    uint8_t *b = vec_read(rel, &size);
    snprintf(path, sizeof(path), "%s/amd", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/%s", dir, sub);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, size, f), size);
    fclose(f);
    free(b);
}

static void unplant(const char *dir, const char *sub, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    unlink(path);
}

/*
 * Issue #10: roots are pinned per slot. With the code of 5ee0efd any pinned root was accepted in
 * any slot: Genoa's ARK under milan/, or an AMD ARK as the Intel root.
 */
static void test_roots_per_slot(void **state)
{
    (void)state;
    char dir[] = "/tmp/enarx-roots-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct attest_roots *r = NULL;
    struct attest_error err = {{0}};
    plant(dir, "amd/milan", "ark.pem", "roots/amd/milan/ark.pem");
    assert_int_equal(attest_roots_load(dir, NULL, &r, &err), 0); /* the right one */
    attest_roots_free(r);
    plant(dir, "amd/milan", "ark.pem", "roots/amd/genoa/ark.pem");
    assert_int_equal(attest_roots_load(dir, NULL, &r, &err), ATTEST_E_NOKEY);
    assert_non_null(strstr(err.msg, "not pinned for this AMD product"));
    unplant(dir, "amd/milan", "ark.pem");
    plant(dir, "intel", "sgx_root_ca.pem", "roots/amd/milan/ark.pem");
    assert_int_equal(attest_roots_load(dir, NULL, &r, &err), ATTEST_E_NOKEY);
    assert_non_null(strstr(err.msg, "Intel SGX root"));
    /* own pins: one list, but an RSA ARK still cannot be the Intel root */
    struct attest_pins milan_only = {attest_pins_default()->sha256, 1};
    assert_int_equal(attest_roots_load(dir, &milan_only, &r, &err), ATTEST_E_NOKEY);
    unplant(dir, "intel", "sgx_root_ca.pem");
    char path[512];
    snprintf(path, sizeof(path), "%s/amd/milan", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/amd", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/intel", dir);
    rmdir(path);
    rmdir(dir);
}

/* ---- revocation against a synthetic AMD-shaped hierarchy (issue #10) ---- */

struct synth_amd {
    EVP_PKEY *ark_key, *ask_key, *vcek_key;
    X509 *ark, *ask, *vcek;
    struct attest_roots *roots; /* the ARK only, or the ARK and the ASK */
    uint8_t pin[1][32];
    uint8_t report[ATTEST_SNP_REPORT_SIZE];
};

static void s_cn(X509_NAME *n, const char *cn)
{
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
}

static void s_ext(X509 *x, const char *oid, const uint8_t *val, int len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, val, len);
    X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OBJECT_free(obj);
    ASN1_OCTET_STRING_free(os);
}

static X509 *s_cert(const char *cn, const char *issuer, EVP_PKEY *key, EVP_PKEY *signer,
                    long serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    s_cn(X509_get_subject_name(x), cn);
    s_cn(X509_get_issuer_name(x), issuer);
    X509_set_pubkey(x, key);
    if (serial != 3) {
        X509_EXTENSION *bc =
            X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, bc, -1);
        X509_EXTENSION_free(bc);
    } else {
        static const char *const spl[] = {"1.3.6.1.4.1.3704.1.3.1", "1.3.6.1.4.1.3704.1.3.2",
                                          "1.3.6.1.4.1.3704.1.3.3", "1.3.6.1.4.1.3704.1.3.8"};
        const uint8_t vals[4][3] = {{2, 1, 3}, {2, 1, 0}, {2, 1, 8}, {2, 1, 115}};
        uint8_t hwid[64];
        memset(hwid, 0x5A, sizeof(hwid));
        for (size_t i = 0; i < 4; i++)
            s_ext(x, spl[i], vals[i], 3);
        s_ext(x, "1.3.6.1.4.1.3704.1.4", hwid, 64);
        s_ext(x, "1.3.6.1.4.1.3704.1.2", (const uint8_t *)"\x16\x05Milan", 7);
    }
    assert_true(X509_sign(x, signer, EVP_sha384()) > 0);
    return x;
}

static void s_write(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
}

/* An ARK (pinned), an ASK with serial 10, a VCEK, and a Milan v2 report signed by the VCEK. */
static void synth_amd_make(struct synth_amd *a, bool ask_in_roots)
{
    memset(a, 0, sizeof(*a));
    a->ark_key = EVP_EC_gen("P-384");
    a->ask_key = EVP_EC_gen("P-384");
    a->vcek_key = EVP_EC_gen("P-384");
    a->ark = s_cert("ARK-Milan", "ARK-Milan", a->ark_key, a->ark_key, 1);
    a->ask = s_cert("SEV-Milan", "ARK-Milan", a->ask_key, a->ark_key, 10);
    a->vcek = s_cert("SEV-VCEK", "SEV-Milan", a->vcek_key, a->ask_key, 3);
    char dir[] = "/tmp/enarx-synth-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/amd", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/amd/milan", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/amd/milan/ark.pem", dir);
    s_write(path, a->ark);
    if (ask_in_roots) {
        snprintf(path, sizeof(path), "%s/amd/milan/ask.pem", dir);
        s_write(path, a->ask);
    }
    unsigned int md = 0;
    assert_int_equal(X509_digest(a->ark, EVP_sha256(), a->pin[0], &md), 1);
    struct attest_pins pins = {(const uint8_t(*)[32])a->pin, 1};
    struct attest_error err = {{0}};
    assert_int_equal(attest_roots_load(dir, &pins, &a->roots, &err), 0);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    size_t n;
    uint8_t *r = vec_read("snp/virtee-milan-v2/report.bin", &n);
    memcpy(a->report, r, sizeof(a->report));
    free(r);
    const uint8_t tcb[8] = {3, 0, 0, 0, 0, 0, 8, 115}; /* Milan: bl, tee, 4 reserved, snp, ucode */
    memcpy(a->report + 0x180, tcb, 8);
    memset(a->report + 0x1A0, 0x5A, 64);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[128];
    size_t sig_size = sizeof(sig);
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, a->vcek_key), 1);
    assert_int_equal(EVP_DigestSign(ctx, sig, &sig_size, a->report, ATTEST_SNP_SIGNED_SIZE), 1);
    EVP_MD_CTX_free(ctx);
    const unsigned char *p = sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig_size);
    memset(a->report + 0x2A0, 0, 144);
    BN_bn2lebinpad(ECDSA_SIG_get0_r(es), a->report + 0x2A0, 72);
    BN_bn2lebinpad(ECDSA_SIG_get0_s(es), a->report + 0x2A0 + 72, 72);
    ECDSA_SIG_free(es);
}

static void synth_amd_free(struct synth_amd *a)
{
    EVP_PKEY_free(a->ark_key);
    EVP_PKEY_free(a->ask_key);
    EVP_PKEY_free(a->vcek_key);
    X509_free(a->ark);
    X509_free(a->ask);
    X509_free(a->vcek);
    attest_roots_free(a->roots);
}

/* A DER CRL issued as ARK-Milan, signed by key, valid [now+from, now+to) days, listing serial. */
static uint8_t *s_crl(const struct synth_amd *a, EVP_PKEY *key, long from, long to, long serial,
                      size_t *size)
{
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(a->ark));
    ASN1_TIME *t = X509_gmtime_adj(NULL, from * 86400);
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_free(t);
    t = X509_gmtime_adj(NULL, to * 86400);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_TIME_free(t);
    if (serial) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *sn = ASN1_INTEGER_new();
        ASN1_INTEGER_set(sn, serial);
        X509_REVOKED_set_serialNumber(r, sn);
        t = X509_gmtime_adj(NULL, from * 86400);
        X509_REVOKED_set_revocationDate(r, t);
        ASN1_TIME_free(t);
        ASN1_INTEGER_free(sn);
        X509_CRL_add0_revoked(crl, r);
    }
    X509_CRL_sort(crl);
    assert_true(X509_CRL_sign(crl, key, EVP_sha384()) > 0);
    uint8_t *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    assert_true(n > 0);
    *size = (size_t)n;
    X509_CRL_free(crl);
    return der;
}

static int verify_with(const struct synth_amd *a, bool supply_ask, const uint8_t *crl,
                       size_t crl_size, struct attest_claims *c)
{
    unsigned char *vcek = NULL, *ask = NULL;
    int vn = i2d_X509(a->vcek, &vcek), an = i2d_X509(a->ask, &ask);
    const uint8_t *certs[2] = {vcek, ask};
    size_t sizes[2] = {(size_t)vn, (size_t)an};
    struct attest_verify_opts o = {a->roots, certs, sizes, supply_ask ? 2 : 1, NULL, 0};
    const uint8_t *crls[1] = {crl};
    size_t crl_sizes[1] = {crl_size};
    struct attest_snp_crls in_band = {crls, crl_sizes, crl ? 1 : 0};
    struct attest_error err = {{0}};
    int rc = attest_snp_verify_crls(a->report, sizeof(a->report), &o, NULL, &in_band, c, &err);
    if (getenv("SNP_TEST_VERBOSE")) print_message("  %d: %s\n", rc, err.msg);
    OPENSSL_free(vcek);
    OPENSSL_free(ask);
    return rc;
}

/*
 * Issue #10: an ARK CRL listing the ASK revokes, while current; a stale CRL says nothing (the
 * claims say revocation unchecked); a CRL that does not verify is refused; the CRL is checked
 * against the intermediate that verified the VCEK, even one that came with the evidence (5ee0efd
 * checked the pinned ASK, so with none pinned it checked nothing); the installed collateral's
 * CRL counts like one in the evidence.
 */
static void test_revocation(void **state)
{
    (void)state;
    struct synth_amd a;
    struct attest_claims c;
    size_t n;
    synth_amd_make(&a, true);
    assert_int_equal(verify_with(&a, false, NULL, 0, &c), 0);
    assert_false(c.revocation_checked);
    uint8_t *crl = s_crl(&a, a.ark_key, -1, 30, 99, &n);
    assert_int_equal(verify_with(&a, false, crl, n, &c), 0);
    assert_true(c.revocation_checked);
    OPENSSL_free(crl);
    crl = s_crl(&a, a.ark_key, -1, 30, 10, &n); /* lists the ASK */
    assert_int_equal(verify_with(&a, false, crl, n, &c), ATTEST_E_REVOKED);
    OPENSSL_free(crl);
    crl = s_crl(&a, a.ark_key, -40, -10, 10, &n); /* ... but stale */
    assert_int_equal(verify_with(&a, false, crl, n, &c), 0);
    assert_false(c.revocation_checked);
    OPENSSL_free(crl);
    crl = s_crl(&a, a.ask_key, -1, 30, 0, &n); /* not the ARK's signature */
    assert_int_equal(verify_with(&a, false, crl, n, &c), ATTEST_E_SIGNATURE);
    OPENSSL_free(crl);
    /* installed collateral */
    char dir[] = "/tmp/enarx-coll-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/amd", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/amd/milan", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/amd/milan/crl.der", dir);
    crl = s_crl(&a, a.ark_key, -1, 30, 10, &n);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(crl, 1, n, f), n);
    fclose(f);
    OPENSSL_free(crl);
    struct attest_collateral *set = NULL;
    struct attest_error err = {{0}};
    assert_int_equal(attest_collateral_load(dir, &set, &err), 0);
    attest_collateral_install(set);
    assert_int_equal(verify_with(&a, false, NULL, 0, &c), ATTEST_E_REVOKED);
    attest_collateral_install(NULL);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    synth_amd_free(&a);
    /* the ASK comes with the evidence, none is pinned: the CRL must still find it */
    synth_amd_make(&a, false);
    assert_int_equal(verify_with(&a, true, NULL, 0, &c), 0);
    crl = s_crl(&a, a.ark_key, -1, 30, 10, &n);
    assert_int_equal(verify_with(&a, true, crl, n, &c), ATTEST_E_REVOKED);
    OPENSSL_free(crl);
    synth_amd_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_verify),
        cmocka_unit_test(test_reported_not_current),
        cmocka_unit_test(test_every_byte_flipped),
        cmocka_unit_test(test_vlek_expiry_and_vmpl),
        cmocka_unit_test(test_synthetic_vceks_refused),
        cmocka_unit_test(test_turin_vcek),
        cmocka_unit_test(test_tcb_layouts),
        cmocka_unit_test(test_missing_wrong_cert_and_sizes),
        cmocka_unit_test(test_vcek_tampered),
        cmocka_unit_test(test_products_from_cpuid),
        cmocka_unit_test(test_roots_pins),
        cmocka_unit_test(test_roots_per_slot),
        cmocka_unit_test(test_revocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
