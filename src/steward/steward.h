/* SPDX-License-Identifier: Apache-2.0 */
/*
 * steward.h - the public face of src/steward: an attestation-backed certificate authority with
 * Enarx's Steward API.
 *
 * A Keep sends `POST /` with a DER PKCS#10 CSR (Content-Type: application/pkcs10) whose one
 * evidence extension (1.3.6.1.4.1.58270.1.*) binds the CSR's public key to hardware evidence.
 * The Steward:
 *
 *   1. parses the CSR strictly (DER, fully consumed) - else 400 "malformed";
 *   2. verifies the CSR and its evidence with src/attest (attest_csr_verify: the CSR signature,
 *      the evidence chain, REPORT_DATA = hash of the CSR's key) - else 403 "invalid-evidence";
 *   3. judges the verified claims against the owner's policy (attest_policy_check) - else 403
 *      "refused", naming the rule;
 *   4. issues a short-lived end-entity certificate for the CSR's key, signed by the CA key, with
 *      the verified claims recorded in an extension (STEWARD_OID_CLAIMS), and answers 200 with a
 *      DER PkiPath: SEQUENCE OF Certificate, trust anchor side first, the new certificate last
 *      (what Enarx's Keep expects: it reverses the path to get leaf-first).
 *
 * Three layers, each usable alone: struct steward_ca + steward_issue() (pure X.509), struct
 * steward + steward_handle_csr() (bytes in, HTTP status and body out; no sockets, so unit tests
 * and fuzzers drive it directly), and struct steward_server (libmicrohttpd with a thread pool).
 * A struct steward is immutable once made and shared by every server thread; nothing is stored
 * between requests, so any number of instances can serve behind a load balancer.
 */
#ifndef ENARX_STEWARD_H
#define ENARX_STEWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "attest/attest.h"
#include "util/util.h"

/*
 * The extension holding the verified claims in issued certificates (non-critical). An OID under
 * the UUID arc 2.25 (ITU-T X.667), which anyone may mint without registration, so that it never
 * collides with Enarx's or anyone else's arcs. Its value is
 *
 *   StewardClaims ::= SEQUENCE { version INTEGER (1), claims SEQUENCE OF Claim }
 *   Claim ::= SEQUENCE { name UTF8String, value UTF8String }
 *
 * with names such as "platform", "product", "format", "measurement" (hex), "tcb", "debug"; see
 * docs/steward.md for the list. `openssl asn1parse` shows it readably.
 */
#define STEWARD_OID_CLAIMS "2.25.40576465776214754091176408084891197560"
#define STEWARD_CLAIMS_VERSION 1

/* Limits and defaults. */
#define STEWARD_MAX_CSR_SIZE (64u * 1024u) /* bytes; a larger body gets 413 */
#define STEWARD_DEFAULT_PORT 3000u
#define STEWARD_DEFAULT_LIFETIME (24u * 3600u) /* seconds */
#define STEWARD_DEFAULT_TIMEOUT 10u            /* seconds of client inactivity */
#define STEWARD_DEFAULT_PER_IP 64u             /* simultaneous connections from one address */
#define STEWARD_DEFAULT_DEADLINE 15u           /* seconds a request may take, however busy */
#define STEWARD_MAX_HOSTS 32u

/* ---- the CA ---- */

/* The CA's private key and certificate chain (immutable after load; shared by threads). */
struct steward_ca;

/*
 * Loads the CA: key_path holds a PEM private key (EC, RSA or Ed25519), crt_path one or more PEM
 * (or one DER) certificates, the first being the CA certificate of that key and any others its
 * issuers (sent in every PkiPath). Checks that the key matches the certificate and that the
 * certificate may sign certificates (basicConstraints CA:TRUE, keyCertSign when keyUsage is
 * present). Returns 0 and *out (free with steward_ca_free), or a negative errno with a message
 * in err (err_size bytes).
 */
NODISCARD int steward_ca_load(const char *key_path, const char *crt_path, struct steward_ca **out,
                              char *err, size_t err_size);
void steward_ca_free(struct steward_ca *ca);

/* The CA certificate (borrowed). */
X509 *steward_ca_cert(const struct steward_ca *ca);

/* What an issued certificate looks like besides the key and the claims. */
struct steward_issue_opts {
    const char *const *hosts; /* SANs: IP addresses or DNS names; the first is also the CN */
    size_t host_count;
    unsigned long lifetime; /* seconds; capped by the CA certificate's notAfter */
    time_t now;             /* 0: the current time */
};

/*
 * Issues a certificate for req's public key (req is borrowed and must already be verified),
 * recording claims, and returns the DER PkiPath (CA chain first, then the new certificate) in
 * *out (malloc'd; caller frees) and the certificate itself in *cert_out when not NULL (caller
 * frees with X509_free). Returns 0, -EINVAL (unsupported key type or size), -EKEYEXPIRED (the
 * CA certificate is not valid at that time), or -ENOMEM.
 */
NODISCARD int steward_issue(const struct steward_ca *ca, X509_REQ *req,
                            const struct attest_claims *claims,
                            const struct steward_issue_opts *opts, uint8_t **out, size_t *out_size,
                            X509 **cert_out);

/*
 * Encodes claims as the StewardClaims DER above into *out (malloc'd; caller frees).
 * Returns 0 or -ENOMEM.
 */
NODISCARD int steward_claims_encode(const struct attest_claims *claims, uint8_t **out,
                                    size_t *out_size);

/*
 * For relying parties: finds the claim called name in cert's StewardClaims extension and copies
 * its value (NUL-terminated) into value. Returns 0, -ENOENT (no extension or no such claim),
 * -EBADMSG (the extension is malformed) or -ENOSPC (value_size too small).
 */
NODISCARD int steward_claims_get(X509 *cert, const char *name, char *value, size_t value_size);

/* ---- the request handler ---- */

/* Everything a Steward is made from. Strings are borrowed for the call only. */
struct steward_config {
    const char *key_path;    /* -k/--key */
    const char *crt_path;    /* -c/--crt */
    const char *roots_dir;   /* --roots; NULL: no hardware roots (only sim/kvm can verify) */
    const char *policy_path; /* --policy; NULL: the default policy */
    const char *const *hosts;
    size_t host_count;
    bool insecure_allow_sim;
    unsigned long lifetime; /* seconds; 0: STEWARD_DEFAULT_LIFETIME */
    time_t verify_at; /* --insecure-verify-at: testing recorded evidence; 0: the current time */
};

/* A configured Steward: CA, trust anchors, policy (immutable; shared by server threads). */
struct steward;

/*
 * What enarx-steward adds to a configuration (a separate struct so that struct steward_config
 * keeps its layout for existing callers). Zero is the secure default for every field.
 */
struct steward_options {
    bool insecure_any_measurement; /* issue without a measurement allow-list per platform */
    const char *collateral_dir;    /* --collateral: CRLs, TCB infos, QE identities (see attest.h) */
};

/*
 * Loads the collateral directory dir and installs it for every verification from now on (the
 * previous set stays with the verifications still using it). On failure the installed set is
 * kept and -errno returned with a message in err. For start-up and SIGHUP.
 */
NODISCARD int steward_collateral_reload(const char *dir, char *err, size_t err_size);

/*
 * Loads the CA, the roots and the policy named by cfg. Refuses (-EINVAL, err names the missing
 * policy key) a policy that accepts a platform without a measurement allow-list for it (see
 * attest_policy_unmeasured) unless opts->insecure_any_measurement. Logs a warning for every
 * insecure setting (simulated evidence, any measurement, a pinned verification time); the
 * handler warns again on each request that uses one. Returns 0 and *out (free with
 * steward_free), or a negative errno with a message in err.
 */
NODISCARD int steward_new_opts(const struct steward_config *cfg, const struct steward_options *opts,
                               struct steward **out, char *err, size_t err_size);

/*
 * steward_new_opts() for embedding in tests and tools, which judge their own policies: the
 * measurement allow-lists are not required (a missing one is warned about). enarx-steward uses
 * steward_new_opts().
 */
NODISCARD int steward_new(const struct steward_config *cfg, struct steward **out, char *err,
                          size_t err_size);
void steward_free(struct steward *s);

/* An HTTP answer: status, content type (static string) and body (malloc'd). */
struct steward_reply {
    unsigned status;
    const char *content_type;
    uint8_t *body;
    size_t body_size;
};

/*
 * Handles one CSR body: always fills *reply (200 with a PkiPath, or a 4xx/5xx with a JSON
 * {"error", "reason", "rule"?}) and logs refusals with the reason and the rule, naming peer.
 * Returns 0, or -ENOMEM when even the reply could not be built (then send a bare 500).
 */
NODISCARD int steward_handle_csr(const struct steward *s, const uint8_t *csr, size_t size,
                                 const char *peer, struct steward_reply *reply);

/*
 * Fills reply with a JSON error {"error": kind, "reason": reason} (rule added when not NULL).
 * Returns 0 or -ENOMEM.
 */
NODISCARD int steward_reply_error(struct steward_reply *reply, unsigned status, const char *kind,
                                  const char *reason, const char *rule);

/* The health answer of GET /: 200 and a small JSON document. Returns 0 or -ENOMEM. */
NODISCARD int steward_reply_health(const struct steward *s, struct steward_reply *reply);

/* Frees reply's body and zeroes it. */
void steward_reply_free(struct steward_reply *reply);

/* ---- the HTTP server ---- */

struct steward_listen {
    const char *addr;         /* numeric IPv4/IPv6 address; "::" (default) listens on both */
    uint16_t port;            /* 0: an ephemeral port (see steward_server_port) */
    unsigned threads;         /* worker threads; 0: the number of CPUs */
    unsigned timeout;         /* seconds of client inactivity before the connection is closed */
    unsigned max_conns;       /* simultaneous connections; 0: 1024 */
    const char *tls_cert_pem; /* serve HTTPS with these (PEM text); NULL: plain HTTP */
    const char *tls_key_pem;
};

/*
 * What keeps one host from starving the others (a separate struct so that struct steward_listen
 * keeps its layout for existing callers). Zero picks the default of each field.
 */
struct steward_limits {
    unsigned per_ip;   /* simultaneous connections from one address; 0: STEWARD_DEFAULT_PER_IP */
    unsigned deadline; /* seconds from a request's first byte (a connection's start, or the end
                        * of its previous request) to its answer; past it the connection is cut
                        * however steadily the client trickles bytes. 0: STEWARD_DEFAULT_DEADLINE */
};

struct steward_server;

/*
 * Starts serving s (borrowed until steward_server_stop) on l with the limits (NULL: defaults).
 * Returns 0 and *out, -EINVAL (bad address, or TLS asked but this libmicrohttpd lacks it),
 * -ENOMEM, or -EADDRINUSE/-EIO when the daemon cannot start.
 */
NODISCARD int steward_server_start_limits(const struct steward *s, const struct steward_listen *l,
                                          const struct steward_limits *limits,
                                          struct steward_server **out);

/* steward_server_start_limits() with the default limits. */
NODISCARD int steward_server_start(const struct steward *s, const struct steward_listen *l,
                                   struct steward_server **out);

/* Connections cut at the request deadline since the server started. */
uint64_t steward_server_deadline_cuts(const struct steward_server *srv);

/* The port actually bound (useful with port 0). */
uint16_t steward_server_port(const struct steward_server *srv);

/* Stops the daemon (waits for its threads) and frees srv. */
void steward_server_stop(struct steward_server *srv);

#endif
