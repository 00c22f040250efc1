/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c - one entry point for every evidence format: attest_evidence_verify() recognises the
 * format from the bytes alone and dispatches to snp.c, dcap.c, enarx.c or sim.c.
 *
 * Recognition is by shape, cheapest and most specific first: the simulated magic; a DCAP quote
 * header (version 3..5, ECDSA key type, known TEE); an SNP report (exactly 1184 bytes, version 2,
 * 3 or 5); a PEM CSR; DER that parses as a whole PKCS#10 request; any other DER SEQUENCE is taken
 * as Enarx SNP evidence. Recognition only routes: each verifier re-checks everything itself, so a
 * wrong guess can only end in "not valid", never in a wrong acceptance.
 *
 * This file also adapts dcap.c's claims (struct attest_dcap_claims) onto the common claims and
 * gathers the DCAP collateral from a directory (tcbinfo.json, qeidentity.json, pckcrl.der, and
 * optionally tcb_signing_chain.pem, rootcrl.der) and from the roots (intel/tcb_signing_chain.pem,
 * intel/sgx_root_ca.crl.der when current at the verification time).
 */
#include <string.h>

#include <openssl/x509.h>

#include "attest/internal.h"
#include "attest/verify_internal.h"

#if __has_include("attest/dcap.h")
#include "attest/dcap.h"
#define HAVE_DCAP 1
#endif

const char *attest_platform_name(enum attest_platform p)
{
    switch (p) {
    case ATTEST_PLATFORM_SNP: return "snp";
    case ATTEST_PLATFORM_TDX: return "tdx";
    case ATTEST_PLATFORM_SGX: return "sgx";
    case ATTEST_PLATFORM_SIM: return "sim";
    case ATTEST_PLATFORM_KVM: return "kvm";
    default: return "none";
    }
}

void attest_hex(const uint8_t *bytes, size_t size, char *out, size_t out_size)
{
    static const char digits[] = "0123456789abcdef";
    size_t i = 0;
    if (out_size == 0) return;
    for (; i < size && 2 * i + 2 < out_size; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * i] = 0;
}

static bool looks_like_pem_csr(const uint8_t *buf, size_t size)
{
    static const char tag[] = "CERTIFICATE REQUEST-----";
    if (size < sizeof(tag) || size > (1u << 24)) return false;
    return memmem(buf, size, tag, sizeof(tag) - 1) != NULL;
}

static bool looks_like_der_csr(const uint8_t *buf, size_t size)
{
    if (size < 2 || buf[0] != 0x30 || size > INT32_MAX) return false;
    const unsigned char *p = buf;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
    bool ok = req && p == buf + size;
    X509_REQ_free(req);
    return ok;
}

static bool looks_like_snp(const uint8_t *buf, size_t size)
{
    if (size != ATTEST_SNP_REPORT_SIZE) return false;
    uint32_t v =
        (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
    return v == 2 || v == 3 || v == 5;
}

enum attest_format attest_format_detect(const uint8_t *buf, size_t size)
{
    if (!buf || size == 0) return ATTEST_FORMAT_UNKNOWN;
    if (size >= ATTEST_SIM_MAGIC_SIZE && memcmp(buf, ATTEST_SIM_MAGIC, ATTEST_SIM_MAGIC_SIZE) == 0)
        return ATTEST_FORMAT_SIM;
#ifdef HAVE_DCAP
    if (attest_dcap_looks_like_quote(buf, size)) return ATTEST_FORMAT_DCAP_QUOTE;
#endif
    if (looks_like_snp(buf, size)) return ATTEST_FORMAT_SNP_REPORT;
    if (looks_like_pem_csr(buf, size) || looks_like_der_csr(buf, size)) return ATTEST_FORMAT_CSR;
    if (buf[0] == 0x30) return ATTEST_FORMAT_ENARX_DER;
    return ATTEST_FORMAT_UNKNOWN;
}

int attest_evidence_verify(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                           struct attest_claims *claims, struct attest_error *err)
{
    static const struct attest_verify_opts none = {0};
    memset(claims, 0, sizeof(*claims));
    if (!opts) opts = &none;
    switch (attest_format_detect(buf, size)) {
    case ATTEST_FORMAT_SIM: return attest_sim_verify(buf, size, claims, err);
    case ATTEST_FORMAT_DCAP_QUOTE: return attest_dcap_verify_quote(buf, size, opts, claims, err);
    case ATTEST_FORMAT_SNP_REPORT: return attest_snp_verify(buf, size, opts, NULL, claims, err);
    case ATTEST_FORMAT_CSR: return attest_csr_verify(buf, size, opts, claims, err);
    case ATTEST_FORMAT_ENARX_DER: return attest_enarx_snp_verify(buf, size, opts, claims, err);
    default:
        return attest_fail(err, ATTEST_E_FORMAT,
                           "unrecognised evidence (%zu bytes): not an SNP report, DCAP quote, "
                           "Enarx evidence, CSR or simulated evidence",
                           size);
    }
}

#ifdef HAVE_DCAP

/* The collateral files of a directory, read whole (each at most 4 MiB). */
struct collateral_files {
    uint8_t *tcb_info, *qe_identity, *pck_crl, *chain, *root_crl;
    size_t tcb_info_size, qe_identity_size, pck_crl_size, chain_size, root_crl_size;
};

static int read_opt(const char *dir, const char *name, uint8_t **out, size_t *size,
                    struct attest_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int rc = util_file_read(path, 4u << 20, out, size);
    if (rc == -ENOENT) return 0;
    if (rc < 0) return attest_fail(err, rc, "%s: cannot read (%s)", path, strerror(-rc));
    return 0;
}

static int collateral_read(const char *dir, struct collateral_files *f, struct attest_error *err)
{
    int rc = read_opt(dir, "tcbinfo.json", &f->tcb_info, &f->tcb_info_size, err);
    if (rc == 0) rc = read_opt(dir, "qeidentity.json", &f->qe_identity, &f->qe_identity_size, err);
    if (rc == 0) rc = read_opt(dir, "pckcrl.der", &f->pck_crl, &f->pck_crl_size, err);
    if (rc == 0) rc = read_opt(dir, "tcb_signing_chain.pem", &f->chain, &f->chain_size, err);
    if (rc == 0) rc = read_opt(dir, "rootcrl.der", &f->root_crl, &f->root_crl_size, err);
    return rc;
}

static void collateral_free(struct collateral_files *f)
{
    free(f->tcb_info);
    free(f->qe_identity);
    free(f->pck_crl);
    free(f->chain);
    free(f->root_crl);
}

/*
 * The root CRL kept beside the roots is used only while it is current at the verification time:
 * a stale one says nothing about that time (a fresh one can be given as rootcrl.der in the
 * collateral directory, where staleness is an error).
 */
static bool crl_current(const uint8_t *der, size_t size, time_t at)
{
    if (!der || size == 0 || size > INT32_MAX) return false;
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)size);
    bool ok = crl && X509_CRL_get0_nextUpdate(crl) &&
              X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &at) < 0 &&
              X509_cmp_time(X509_CRL_get0_nextUpdate(crl), &at) > 0;
    X509_CRL_free(crl);
    return ok;
}

static void dcap_common_claims(const struct attest_dcap_claims *d, struct attest_claims *c)
{
    bool tdx = d->tee == ATTEST_DCAP_TEE_TDX;
    c->platform = tdx ? ATTEST_PLATFORM_TDX : ATTEST_PLATFORM_SGX;
    snprintf(c->format, sizeof(c->format), "%s-quote-v%u", tdx ? "tdx" : "sgx", d->version);
    c->debug = d->debug;
    memcpy(c->report_data, d->report_data, 64);
    c->report_data_size = 64;
    memcpy(c->fmspc, d->fmspc, 6);
    c->has_fmspc = true;
    snprintf(c->tcb_status, sizeof(c->tcb_status), "%s",
             attest_dcap_tcb_status_name(d->tcb_status));
    c->has_collateral = d->collateral != ATTEST_DCAP_COLLATERAL_NONE;
    snprintf(c->collateral, sizeof(c->collateral), "%s",
             d->collateral == ATTEST_DCAP_COLLATERAL_VERIFIED         ? "verified"
             : d->collateral == ATTEST_DCAP_COLLATERAL_SIGNER_EXPIRED ? "signer-expired"
                                                                      : "none");
    snprintf(c->note, sizeof(c->note), "%.255s", d->note);
    memcpy(c->pck_tcb, d->pck_tcb, 16);
    c->pce_svn = d->pck_pce_svn;
    memcpy(c->cpu_svn, d->pck_cpu_svn, 16);
}

static void dcap_to_claims(const struct attest_dcap_claims *d, struct attest_claims *c)
{
    memset(c, 0, sizeof(*c));
    dcap_common_claims(d, c);
    if (d->tee == ATTEST_DCAP_TEE_TDX) {
        memcpy(c->measurement, d->tdx.mr_td, 48);
        c->measurement_size = 48;
        memcpy(c->tee_tcb_svn, d->tdx.tee_tcb_svn, 16);
        memcpy(c->mrseam, d->tdx.mr_seam, 48);
        memcpy(c->rtmr, d->tdx.rtmr, sizeof(c->rtmr));
        c->has_tdx_body = true;
    } else {
        memcpy(c->measurement, d->sgx.mr_enclave, 32);
        c->measurement_size = 32;
        memcpy(c->mrsigner, d->sgx.mr_signer, 32);
        c->has_mrsigner = true;
        c->isv_prod_id = d->sgx.isv_prod_id;
        c->isv_svn = d->sgx.isv_svn;
    }
}

/* The installed collateral set's documents for this quote (collateral.c's layout). */
struct pick_ctx {
    const struct attest_collateral *set;
    const struct attest_verify_opts *opts;
};

static void set_blob(const struct attest_blob *b, const uint8_t **p, size_t *size)
{
    if (b && b->data) *p = b->data, *size = b->size;
}

static void pick_from_set(void *ctx, const struct attest_dcap_claims *c,
                          struct attest_dcap_collateral *out)
{
    const struct pick_ctx *x = ctx;
    const struct attest_collateral *s = x->set;
    bool tdx = c->tee == ATTEST_DCAP_TEE_TDX;
    set_blob(attest_collateral_tcb_info(s, c->fmspc, tdx), &out->tcb_info, &out->tcb_info_size);
    set_blob(&s->intel[tdx ? ATTEST_COLL_TD_QE_IDENTITY : ATTEST_COLL_QE_IDENTITY],
             &out->qe_identity, &out->qe_identity_size);
    if (strcmp(c->pck_ca, "Processor") == 0)
        set_blob(&s->intel[ATTEST_COLL_PCK_PROCESSOR_CRL], &out->pck_crl, &out->pck_crl_size);
    else if (strcmp(c->pck_ca, "Platform") == 0)
        set_blob(&s->intel[ATTEST_COLL_PCK_PLATFORM_CRL], &out->pck_crl, &out->pck_crl_size);
    set_blob(&s->intel[ATTEST_COLL_ROOT_CRL], &out->root_crl, &out->root_crl_size);
    set_blob(&s->intel[ATTEST_COLL_SIGNING_CHAIN], &out->signing_chain_pem,
             &out->signing_chain_size);
    if (!out->signing_chain_pem)
        out->signing_chain_pem =
            attest_roots_intel_file(x->opts->roots, "tcb_signing_chain", &out->signing_chain_size);
}

static int dcap_run(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                    const struct attest_dcap_collateral *col, struct pick_ctx *pick,
                    struct attest_claims *claims, struct attest_error *err)
{
    X509 *root = attest_roots_intel(opts->roots);
    if (!root)
        return attest_fail(err, ATTEST_E_NOKEY,
                           "no Intel SGX Root CA: pass --roots DIR with intel/sgx_root_ca.pem");
    uint8_t pin[32];
    if (attest_x509_sha256(root, pin) < 0) return -ENOMEM;
    struct attest_dcap_opts dopts = {.root = root,
                                     .root_sha256 = pin,
                                     .collateral = col,
                                     .at = attest_time(opts),
                                     .select = pick ? pick_from_set : NULL,
                                     .select_ctx = pick};
    struct attest_dcap_claims *d = calloc(1, sizeof(*d));
    if (!d) return -ENOMEM;
    int rc = attest_dcap_verify(buf, size, &dopts, d, err);
    if (rc == 0) dcap_to_claims(d, claims);
    free(d);
    return rc;
}

static int dcap_run_set(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                        const struct attest_collateral *set, struct attest_claims *claims,
                        struct attest_error *err)
{
    struct pick_ctx ctx = {set, opts};
    return dcap_run(buf, size, opts, NULL, &ctx, claims, err);
}

int attest_dcap_verify_quote(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                             struct attest_claims *claims, struct attest_error *err)
{
    if (!opts->collateral_dir) {
        const struct attest_collateral *set = attest_collateral_acquire();
        if (set) {
            int rc = dcap_run_set(buf, size, opts, set, claims, err);
            attest_collateral_release(set);
            return rc;
        }
    }
    struct collateral_files f = {0};
    struct attest_dcap_collateral col = {0};
    int rc = 0;
    if (opts->collateral_dir) rc = collateral_read(opts->collateral_dir, &f, err);
    if (rc < 0) goto out;
    col.tcb_info = f.tcb_info;
    col.tcb_info_size = f.tcb_info_size;
    col.qe_identity = f.qe_identity;
    col.qe_identity_size = f.qe_identity_size;
    col.pck_crl = f.pck_crl;
    col.pck_crl_size = f.pck_crl_size;
    col.signing_chain_pem = f.chain;
    col.signing_chain_size = f.chain_size;
    if (!col.signing_chain_pem)
        col.signing_chain_pem =
            attest_roots_intel_file(opts->roots, "tcb_signing_chain", &col.signing_chain_size);
    if (f.root_crl) {
        col.root_crl = f.root_crl;
        col.root_crl_size = f.root_crl_size;
    } else {
        col.root_crl = attest_roots_intel_file(opts->roots, "root_crl", &col.root_crl_size);
        if (!crl_current(col.root_crl, col.root_crl_size, attest_time(opts)))
            col.root_crl = NULL, col.root_crl_size = 0;
    }
    bool any = col.tcb_info || col.qe_identity || col.pck_crl;
    rc = dcap_run(buf, size, opts, any ? &col : NULL, NULL, claims, err);
out:
    collateral_free(&f);
    return rc;
}

#else

int attest_dcap_verify_quote(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                             struct attest_claims *claims, struct attest_error *err)
{
    (void)buf;
    (void)size;
    (void)opts;
    (void)claims;
    return attest_fail(err, ATTEST_E_FORMAT, "DCAP quotes: this build has no DCAP verifier");
}

#endif
