/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provider_snp.c - SEV-SNP evidence from /dev/sev-guest (SNP_GET_EXT_REPORT), and the host's
 * certificate table that comes with an extended report (also configfs-tsm's auxblob).
 *
 * The ioctl structures are declared here so that the code builds without kernel headers; where
 * Linux's uapi <linux/sev-guest.h> is installed, static assertions check every size, offset and
 * the ioctl number against it, so a mismatch is a build error rather than a corrupted request.
 *
 * The driver answers with MSG_REPORT_RSP (SEV-SNP firmware ABI): status u32, report_size u32,
 * 24 reserved bytes, then the report. The status must be 0 and the size exactly one report.
 * The certificate buffer is given in pages; when the host's table is larger the driver fails
 * with the VMM error "invalid length" and writes the size it needs into certs_len: the request
 * is then retried once with that size, bounded by ATTEST_PROVIDER_MAX_BLOB.
 *
 * The ioctl goes through env->ioctl_fn when set: tests play the driver with it (the device
 * itself is then any file under the test's root).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "attest/internal.h"
#include "attest/provider.h"

#if defined(__has_include)
#if __has_include(<linux/sev-guest.h>)
#include <linux/sev-guest.h>
#define HAVE_LINUX_SEV_GUEST_H 1
#endif
#endif

struct sg_report_req {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
};

struct sg_ext_report_req {
    struct sg_report_req data;
    uint64_t certs_address;
    uint32_t certs_len;
};

struct sg_report_resp {
    uint8_t data[4000];
};

struct sg_request {
    uint8_t msg_version;
    uint64_t req_data;
    uint64_t resp_data;
    uint64_t exitinfo2; /* bits 31:0 firmware error, 63:32 VMM error */
};

#define SG_GET_EXT_REPORT _IOWR('S', 0x2, struct sg_request)
#define SG_VMM_ERR_INVALID_LEN 1u
#define SG_PAGE 4096u
#define SG_CERTS_DEFAULT (4u * SG_PAGE) /* the driver's historical maximum */
#define SG_RESP_HEADER 32u

#ifdef HAVE_LINUX_SEV_GUEST_H
static_assert(sizeof(struct sg_report_req) == sizeof(struct snp_report_req), "snp_report_req");
static_assert(offsetof(struct sg_report_req, vmpl) == offsetof(struct snp_report_req, vmpl),
              "snp_report_req.vmpl");
static_assert(sizeof(struct sg_ext_report_req) == sizeof(struct snp_ext_report_req),
              "snp_ext_report_req");
static_assert(offsetof(struct sg_ext_report_req, certs_address) ==
                  offsetof(struct snp_ext_report_req, certs_address),
              "snp_ext_report_req.certs_address");
static_assert(offsetof(struct sg_ext_report_req, certs_len) ==
                  offsetof(struct snp_ext_report_req, certs_len),
              "snp_ext_report_req.certs_len");
static_assert(sizeof(struct sg_report_resp) == sizeof(struct snp_report_resp), "snp_report_resp");
static_assert(sizeof(struct sg_request) == sizeof(struct snp_guest_request_ioctl),
              "snp_guest_request_ioctl");
static_assert(offsetof(struct sg_request, req_data) ==
                  offsetof(struct snp_guest_request_ioctl, req_data),
              "snp_guest_request_ioctl.req_data");
static_assert(offsetof(struct sg_request, resp_data) ==
                  offsetof(struct snp_guest_request_ioctl, resp_data),
              "snp_guest_request_ioctl.resp_data");
static_assert(offsetof(struct sg_request, exitinfo2) ==
                  offsetof(struct snp_guest_request_ioctl, exitinfo2),
              "snp_guest_request_ioctl.exitinfo2");
static_assert(SG_GET_EXT_REPORT == SNP_GET_EXT_REPORT, "SNP_GET_EXT_REPORT");
#endif

static int default_ioctl(int fd, unsigned long request, void *arg)
{
    return ioctl(fd, request, arg);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One SNP_GET_EXT_REPORT; *certs_len is updated from the driver's answer. */
static int ext_report(int fd, attest_ioctl_fn fn, const uint8_t rd[64], uint8_t *certs,
                      uint32_t *certs_len, struct sg_report_resp *resp, uint64_t *exitinfo2)
{
    struct sg_ext_report_req req;
    memset(&req, 0, sizeof(req));
    memcpy(req.data.user_data, rd, 64);
    req.certs_address = (uint64_t)(uintptr_t)certs;
    req.certs_len = *certs_len;
    struct sg_request g = {1, (uint64_t)(uintptr_t)&req, (uint64_t)(uintptr_t)resp, 0};
    int rc = fn(fd, SG_GET_EXT_REPORT, &g);
    int e = rc < 0 ? errno : 0;
    *certs_len = req.certs_len;
    *exitinfo2 = g.exitinfo2;
    return rc < 0 ? -(e ? e : EIO) : 0;
}

/* Runs the request, retrying once with the size the driver asks for. */
static int ext_report_sized(int fd, attest_ioctl_fn fn, const uint8_t rd[64],
                            struct attest_evidence *out, struct sg_report_resp *resp,
                            struct attest_error *err)
{
    uint32_t len = SG_CERTS_DEFAULT;
    uint64_t info = 0;
    for (int attempt = 0;; attempt++) {
        free(out->certs);
        out->certs = calloc(1, len);
        if (!out->certs) return -ENOMEM;
        uint32_t asked = len;
        int rc = ext_report(fd, fn, rd, out->certs, &len, resp, &info);
        if (rc == 0) {
            out->certs_size = asked;
            return 0;
        }
        bool too_small = (uint32_t)(info >> 32) == SG_VMM_ERR_INVALID_LEN;
        if (!too_small || attempt > 0 || len <= asked || len > ATTEST_PROVIDER_MAX_BLOB ||
            len % SG_PAGE != 0)
            return attest_fail(err, -EIO,
                               "%s: SNP_GET_EXT_REPORT failed: %s (firmware error 0x%x, VMM error "
                               "0x%x, certificate size %u)",
                               PROVIDER_SEV_GUEST_DEV, strerror(-rc), (unsigned)info,
                               (unsigned)(info >> 32), (unsigned)len);
    }
}

/* MSG_REPORT_RSP: status, size, then exactly one report. */
static int take_report(const struct sg_report_resp *resp, struct attest_evidence *out,
                       struct attest_error *err)
{
    uint32_t status = le32(resp->data), size = le32(resp->data + 4);
    if (status != 0)
        return attest_fail(err, -EIO, "%s: firmware status 0x%x", PROVIDER_SEV_GUEST_DEV,
                           (unsigned)status);
    if (size != ATTEST_SNP_REPORT_SIZE)
        return attest_fail(err, ATTEST_E_MALFORMED, "%s: report size %u, expected %u",
                           PROVIDER_SEV_GUEST_DEV, (unsigned)size, ATTEST_SNP_REPORT_SIZE);
    out->report = malloc(size);
    if (!out->report) return -ENOMEM;
    memcpy(out->report, resp->data + SG_RESP_HEADER, size);
    out->report_size = size;
    return 0;
}

/* An all-zero table (the host gave no certificates) is no table. */
static void drop_empty_table(struct attest_evidence *out)
{
    for (size_t i = 0; i < out->certs_size && i < 24; i++)
        if (out->certs[i]) return;
    free(out->certs);
    out->certs = NULL;
    out->certs_size = 0;
}

int provider_snp_dev_get(const struct attest_provider_env *env, const uint8_t report_data[64],
                         struct attest_evidence *out, struct attest_error *err)
{
    char path[PATH_MAX];
    int rc = provider_path(env, PROVIDER_SEV_GUEST_DEV, path);
    if (rc < 0) return attest_fail(err, rc, "%s: path too long", PROVIDER_SEV_GUEST_DEV);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT ? -ENODEV : -errno;
        return attest_fail(err, rc, "%s: %s", path, strerror(errno));
    }
    struct sg_report_resp *resp = calloc(1, sizeof(*resp));
    attest_ioctl_fn fn = env && env->ioctl_fn ? env->ioctl_fn : default_ioctl;
    rc = resp ? ext_report_sized(fd, fn, report_data, out, resp, err) : -ENOMEM;
    if (rc == 0) rc = take_report(resp, out, err);
    if (rc == 0) drop_empty_table(out);
    free(resp);
    close(fd);
    return rc;
}

/* The GUIDs of the certificate table (GHCB specification), in RFC 4122 byte order. */
static const uint8_t g_cert_guids[][16] = {
    [ATTEST_SNP_CERT_ARK] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6,
                             0x01, 0x4c, 0xd0, 0xae},
    [ATTEST_SNP_CERT_ASK] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae,
                             0xf3, 0x27, 0xc7, 0x82},
    [ATTEST_SNP_CERT_VCEK] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4,
                              0xb9, 0x3b, 0xe8, 0xac, 0xcd},
    [ATTEST_SNP_CERT_VLEK] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39,
                              0xc0, 0x45, 0xa0, 0xb8, 0xa1},
};

#define CERT_ENTRY_SIZE 24u

static bool entry_is_zero(const uint8_t *e)
{
    for (size_t i = 0; i < CERT_ENTRY_SIZE; i++)
        if (e[i]) return false;
    return true;
}

int attest_snp_certs_find(const uint8_t *table, size_t size, enum attest_snp_cert_kind kind,
                          const uint8_t **cert, size_t *cert_size, struct attest_error *err)
{
    if ((unsigned)kind >= ARRAY_LEN(g_cert_guids))
        return attest_fail(err, -EINVAL, "SNP certificate table: unknown certificate kind");
    const uint8_t *found = NULL;
    size_t off = 0;
    for (; table && off + CERT_ENTRY_SIZE <= size; off += CERT_ENTRY_SIZE) {
        const uint8_t *e = table + off;
        if (entry_is_zero(e)) break;
        size_t eoff = le32(e + 16), elen = le32(e + 20);
        if (elen == 0 || eoff > size || elen > size - eoff)
            return attest_fail(err, ATTEST_E_MALFORMED,
                               "SNP certificate table: entry at %zu points outside the table "
                               "(offset %zu, length %zu, table %zu bytes)",
                               off, eoff, elen, size);
        if (memcmp(e, g_cert_guids[kind], 16) == 0 && !found) {
            found = e;
            *cert = table + eoff;
            *cert_size = elen;
        }
    }
    if (!table || off + CERT_ENTRY_SIZE > size)
        return attest_fail(err, table ? ATTEST_E_MALFORMED : -ENOENT, "SNP certificate table: %s",
                           table ? "no terminating entry" : "none");
    if (!found) return attest_fail(err, -ENOENT, "SNP certificate table: no such certificate");
    return 0;
}
