/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memscan.c - looks for an EC private key in another process's memory, knowing only its
 * public half: `memscan PID CERT.pem` reads every private writable mapping of PID through
 * /proc/PID/mem and tries each 8-byte-aligned 32-byte window, read big-endian (DER, raw
 * scalar) and little-endian (OpenSSL's BIGNUM limbs), as the scalar d with d*G = the
 * certificate's point. Windows with more than 3 zero bytes are skipped: a random scalar has
 * 0.125 of them on average, pointers and counters have many. Exit 0: found (and where), 1: not
 * found, 2: error. tests/keep/host-memory uses it to show the host side of a Keep never holds
 * the Keep's key, with the nil backend (where it must be found) as the control.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1 /* the EC_KEY accessors are the short way here */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

struct target {
    const EC_GROUP *group;
    const EC_POINT *pub;
    EC_POINT *tmp;
    BIGNUM *d;
    BN_CTX *bn;
};

static int zeros(const unsigned char *p)
{
    int z = 0;
    for (int i = 0; i < 32; i++)
        z += p[i] == 0;
    return z;
}

static int try_scalar(struct target *t, const unsigned char *p, int little)
{
    if (!(little ? BN_lebin2bn(p, 32, t->d) : BN_bin2bn(p, 32, t->d))) return 0;
    if (BN_is_zero(t->d) || BN_cmp(t->d, EC_GROUP_get0_order(t->group)) >= 0) return 0;
    if (!EC_POINT_mul(t->group, t->tmp, t->d, NULL, NULL, t->bn)) return 0;
    return EC_POINT_cmp(t->group, t->tmp, t->pub, t->bn) == 0;
}

static int scan(struct target *t, int mem, unsigned long lo, unsigned long hi, long *tried)
{
    size_t size = hi - lo;
    unsigned char *buf = malloc(size);
    if (!buf) return 0;
    ssize_t n = pread(mem, buf, size, (off_t)lo);
    int found = 0;
    for (ssize_t off = 0; n > 0 && off + 32 <= n && !found; off += 8) {
        if (zeros(buf + off) > 3) continue;
        (*tried)++;
        for (int le = 0; le < 2 && !found; le++)
            if (try_scalar(t, buf + off, le)) {
                printf("found the private key at %#lx (%s)\n", lo + (unsigned long)off,
                       le ? "little-endian" : "big-endian");
                found = 1;
            }
    }
    free(buf);
    return found;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: memscan PID CERT.pem\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f) fclose(f);
    EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
    const EC_KEY *ec = pk ? EVP_PKEY_get0_EC_KEY(pk) : NULL;
    if (!ec) {
        fprintf(stderr, "memscan: %s holds no EC certificate\n", argv[2]);
        return 2;
    }
    struct target t = {EC_KEY_get0_group(ec), EC_KEY_get0_public_key(ec), NULL, BN_new(),
                       BN_CTX_new()};
    t.tmp = EC_POINT_new(t.group);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
    FILE *maps = fopen(path, "r");
    snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
    int mem = open(path, O_RDONLY);
    if (!maps || mem < 0 || !t.tmp || !t.d || !t.bn) {
        fprintf(stderr, "memscan: cannot read process %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    char line[512];
    int found = 0;
    long tried = 0, regions = 0;
    while (!found && fgets(line, sizeof(line), maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
        if (perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' || hi - lo > (1ul << 30))
            continue;
        regions++;
        found = scan(&t, mem, lo, hi, &tried);
    }
    if (!found)
        printf("no private key in %ld writable regions (%ld candidate windows)\n", regions, tried);
    return found ? 0 : 1;
}
