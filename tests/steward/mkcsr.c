/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mkcsr.c - makes the CSRs the Steward's end-to-end tests and load test send (test tool, not
 * installed):
 *
 *   mkcsr kvm KEYTYPE OUT.csr OUT.key   a CSR with Enarx's empty kvm extension
 *   mkcsr none KEYTYPE OUT.csr OUT.key  a CSR with no evidence extension
 *   mkcsr move IN.csr OUT.csr OUT.key   IN's evidence extension in a CSR of a new P-384 key (the
 *                                       evidence is genuine, but bound to another key)
 *   mkcsr ext IN.csr OUT.bin -          IN's evidence extension value (fuzz seeds)
 *   mkcsr sim KEYTYPE OUT.csr OUT.key   simulated evidence bound to the key, made the way a Keep
 *                                       makes it (attest_provider_get + attest_csr_make)
 *
 * KEYTYPE: P-256, P-384, ED25519, RSA2048, RSA1024. Keys are written as PEM, CSRs as DER.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "csrgen.h"

static int write_file(const char *path, const uint8_t *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, size, f) == size;
    if (f && fclose(f) != 0) ok = 0;
    return ok ? 0 : -1;
}

static uint8_t *read_csr(const char *path, size_t *size)
{
    uint8_t *buf = NULL;
    return util_file_read(path, 1u << 20, &buf, size) == 0 ? buf : NULL;
}

/* The first Enarx evidence extension of a CSR. */
static uint8_t *evidence_of(const uint8_t *csr, size_t size, const char **oid, size_t *ev_size)
{
    static const char *const oids[] = {ATTEST_OID_ENARX_SNP, ATTEST_OID_ENARX_SGX,
                                       ATTEST_OID_ENARX_KVM};
    for (size_t i = 0; i < ARRAY_LEN(oids); i++) {
        uint8_t *ev = csrgen_ext_value(csr, size, oids[i], ev_size);
        if (ev) {
            *oid = oids[i];
            return ev;
        }
    }
    return NULL;
}

/* A CSR with simulated evidence for key, through the same library calls a Keep uses. */
static uint8_t *sim_csr(EVP_PKEY *key, size_t *size)
{
    uint8_t rd[64], measurement[48], *der = NULL;
    struct attest_evidence ev;
    struct attest_error err = {{0}};
    memset(measurement, 0x5a, sizeof(measurement));
    struct attest_provider_env env = {NULL, NULL, NULL, measurement};
    EVP_PKEY *sim_key = csrgen_key("P-256");
    memset(&ev, 0, sizeof(ev));
    int rc = sim_key ? attest_binding_report_data(ATTEST_PLATFORM_SIM, key, rd) : -ENOMEM;
    if (rc == 0) rc = attest_provider_get(&env, ATTEST_PROVIDER_SIM, rd, sim_key, &ev, &err);
    if (rc == 0) rc = attest_csr_make(key, &ev, &der, size, &err);
    if (rc < 0)
        fprintf(stderr, "mkcsr: simulated evidence: %s\n", err.msg[0] ? err.msg : strerror(-rc));
    attest_evidence_free(&ev);
    EVP_PKEY_free(sim_key);
    return rc == 0 ? der : NULL;
}

/* Writes the value of the first evidence extension (Enarx's, simulated or TDX) of in_path. */
static int extract(const char *in_path, const char *out_path)
{
    static const char *const oids[] = {ATTEST_OID_SIM_EVIDENCE, ATTEST_OID_TDX_EVIDENCE};
    size_t in_size = 0, ev_size = 0;
    const char *oid = NULL;
    uint8_t *in = read_csr(in_path, &in_size);
    uint8_t *ev = in ? evidence_of(in, in_size, &oid, &ev_size) : NULL;
    for (size_t i = 0; in && !ev && i < ARRAY_LEN(oids); i++)
        ev = csrgen_ext_value(in, in_size, oids[i], &ev_size);
    int rc = ev && write_file(out_path, ev, ev_size) == 0 ? 0 : 1;
    if (rc) fprintf(stderr, "mkcsr: %s: no evidence extension written\n", in_path);
    free(ev);
    free(in);
    return rc;
}

static int make(const char *kind, const char *arg, const char *out_csr, const char *out_key)
{
    const char *oid = NULL;
    uint8_t *ev = NULL, *in = NULL;
    size_t ev_size = 0, in_size = 0, size = 0;
    const char *keytype = arg;
    if (!strcmp(kind, "kvm")) {
        oid = ATTEST_OID_ENARX_KVM;
    } else if (!strcmp(kind, "move")) {
        keytype = "P-384";
        in = read_csr(arg, &in_size);
        ev = in ? evidence_of(in, in_size, &oid, &ev_size) : NULL;
        if (!ev) {
            fprintf(stderr, "mkcsr: %s: no readable CSR with Enarx evidence\n", arg);
            free(in);
            return 1;
        }
    } else if (strcmp(kind, "none") != 0 && strcmp(kind, "sim") != 0) {
        fprintf(stderr, "mkcsr: unknown kind %s\n", kind);
        return 64;
    }
    EVP_PKEY *key = csrgen_key(keytype);
    uint8_t *csr = !key                   ? NULL
                   : !strcmp(kind, "sim") ? sim_csr(key, &size)
                                          : csrgen_csr(key, oid, ev, ev_size, &size);
    int rc =
        csr && write_file(out_csr, csr, size) == 0 && csrgen_write_key(out_key, key) == 0 ? 0 : 1;
    if (rc) fprintf(stderr, "mkcsr: cannot make or write the CSR (key type %s)\n", keytype);
    free(csr);
    free(ev);
    free(in);
    EVP_PKEY_free(key);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: mkcsr kvm|none|sim KEYTYPE OUT.csr OUT.key\n"
                        "       mkcsr move IN.csr OUT.csr OUT.key\n"
                        "       mkcsr ext IN.csr OUT.bin -\n");
        return 64;
    }
    if (!strcmp(argv[1], "ext")) return extract(argv[2], argv[3]);
    return make(argv[1], argv[2], argv[3], argv[4]);
}
