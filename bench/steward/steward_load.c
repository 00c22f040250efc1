/* SPDX-License-Identifier: Apache-2.0 */
/*
 * steward_load.c - the Steward's load test: many concurrent clients POST pre-built CSRs to a
 * Steward on loopback, bounded in count and in time; and, for comparison, the same CSR handled
 * in process with and without the HTTP server, and its verification alone.
 *
 *   steward_load http --port P --pid PID --csr FILE [--clients N] [--requests M] [--seconds S]
 *   steward_load inproc --key CA.key --crt CA.crt --csr FILE [--roots DIR] [--policy FILE]
 *                       [--seconds S]
 *
 * http: each client thread connects, sends one POST (HTTP/1.0, as a Keep sends its one CSR),
 * reads the answer to EOF and records the latency; a shared counter bounds the total, a deadline
 * the time. Prints issuances per second (wall), per CPU-second of the Steward process (its
 * utime+stime from /proc/PID/stat: "per core", fair on a shared machine), p50 and p99 latency,
 * and the count of non-200 answers (which must be 0).
 * inproc: on one thread, CPU time (CLOCK_THREAD_CPUTIME_ID): attest_csr_verify alone, then
 * steward_handle_csr (verify + policy + issue + PkiPath): what the Steward adds over
 * verification, without HTTP. Both with the verification cache on, as enarx-steward runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "steward/steward.h"

#define MAX_CLIENTS 256

struct load {
    uint16_t port;
    const uint8_t *csr;
    size_t csr_size;
    int requests;
    double deadline;
    atomic_int next, ok, bad;
    double *lat; /* seconds, one per request slot */
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One POST; returns the HTTP status (0 on a transport error). */
static int post_once(const struct load *l, char *head, size_t head_len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(l->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char buf[16384];
    size_t got = 0;
    ssize_t n;
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        send(fd, head, head_len, MSG_NOSIGNAL) != (ssize_t)head_len ||
        send(fd, l->csr, l->csr_size, MSG_NOSIGNAL) != (ssize_t)l->csr_size) {
        if (fd >= 0) close(fd);
        return 0;
    }
    while ((n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0 && got + 1 < sizeof(buf))
        got += (size_t)n;
    close(fd);
    buf[got] = '\0';
    int status = 0;
    return sscanf(buf, "HTTP/1.%*c %d", &status) == 1 ? status : 0;
}

static void *client(void *arg)
{
    struct load *l = arg;
    char head[160];
    int len = snprintf(head, sizeof(head),
                       "POST / HTTP/1.0\r\nContent-Type: application/pkcs10\r\n"
                       "Content-Length: %zu\r\n\r\n",
                       l->csr_size);
    for (;;) {
        int i = atomic_fetch_add(&l->next, 1);
        if (i >= l->requests || now_mono() > l->deadline) break;
        double t0 = now_mono();
        int st = post_once(l, head, (size_t)len);
        l->lat[i] = now_mono() - t0;
        atomic_fetch_add(st == 200 ? &l->ok : &l->bad, 1);
    }
    return NULL;
}

static double proc_cpu(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* fields after the command name */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_http(struct load *l, int clients, long pid, double seconds)
{
    pthread_t t[MAX_CLIENTS];
    l->lat = calloc((size_t)l->requests, sizeof(double));
    if (!l->lat) return 1;
    double cpu0 = proc_cpu(pid), t0 = now_mono();
    l->deadline = t0 + seconds;
    for (int i = 0; i < clients; i++)
        pthread_create(&t[i], NULL, client, l);
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    double wall = now_mono() - t0, cpu = proc_cpu(pid) - cpu0;
    int done = atomic_load(&l->ok) + atomic_load(&l->bad);
    qsort(l->lat, (size_t)done, sizeof(double), cmp_double);
    printf("clients %d, requests %d in %.2f s: %.0f/s wall, %.0f/s per core (Steward CPU %.2f s), "
           "p50 %.1f ms, p99 %.1f ms, non-200 %d\n",
           clients, done, wall, done / wall, cpu > 0 ? atomic_load(&l->ok) / cpu : 0.0, cpu,
           done ? 1e3 * l->lat[done / 2] : 0.0, done ? 1e3 * l->lat[(done * 99) / 100] : 0.0,
           atomic_load(&l->bad));
    free(l->lat);
    return atomic_load(&l->bad) ? 1 : 0;
}

/* Calls of fn per CPU-second on this thread, over at least seconds of CPU time. */
static double rate(int (*fn)(void *), void *arg, double seconds)
{
    double t0 = now_cpu(), t;
    long n = 0;
    do {
        if (fn(arg) != 0) return -1;
        n++;
    } while ((t = now_cpu() - t0) < seconds);
    return (double)n / t;
}

struct inproc {
    struct steward *s;
    struct attest_roots *roots;
    const uint8_t *csr;
    size_t csr_size;
};

static int do_verify(void *arg)
{
    struct inproc *ip = arg;
    struct attest_verify_opts o = {ip->roots, NULL, NULL, 0, NULL, 0};
    struct attest_claims c;
    struct attest_error err;
    return attest_csr_verify(ip->csr, ip->csr_size, &o, &c, &err);
}

static int do_handle(void *arg)
{
    struct inproc *ip = arg;
    struct steward_reply r;
    int rc = steward_handle_csr(ip->s, ip->csr, ip->csr_size, "bench", &r);
    rc = rc == 0 && r.status == 200 ? 0 : -1;
    steward_reply_free(&r);
    return rc;
}

static int run_inproc(struct steward_config *cfg, struct inproc *ip, double seconds)
{
    char err[256];
    struct attest_error aerr;
    log_set_level(LOG_ERROR);
    if (steward_new(cfg, &ip->s, err, sizeof(err)) < 0) {
        fprintf(stderr, "steward_load: %s\n", err);
        return 1;
    }
    if (cfg->roots_dir && attest_roots_load(cfg->roots_dir, NULL, &ip->roots, &aerr) < 0) return 1;
    if (attest_cache_enable(4096) < 0) /* as enarx-steward does by default */
        return 1;
    double v = rate(do_verify, ip, seconds), h = rate(do_handle, ip, seconds);
    attest_cache_disable();
    if (v < 0 || h < 0)
        printf("in process: the CSR is not issued a certificate (see the Steward's log)\n");
    else
        printf("in process, one core: verify %.0f/s, verify+policy+issue %.0f/s (%.0f%% of "
               "verify)\n",
               v, h, 100.0 * h / v);
    attest_roots_free(ip->roots);
    steward_free(ip->s);
    return v < 0 || h < 0;
}

int main(int argc, char **argv)
{
    struct load l = {.requests = 1000};
    struct steward_config cfg = {0};
    struct inproc ip = {0};
    int clients = 16;
    long pid = 0;
    double seconds = 10;
    const char *csr_path = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--port"))
            l.port = (uint16_t)atoi(v);
        else if (!strcmp(o, "--pid"))
            pid = atol(v);
        else if (!strcmp(o, "--csr"))
            csr_path = v;
        else if (!strcmp(o, "--clients"))
            clients = atoi(v);
        else if (!strcmp(o, "--requests"))
            l.requests = atoi(v);
        else if (!strcmp(o, "--seconds"))
            seconds = atof(v);
        else if (!strcmp(o, "--key"))
            cfg.key_path = v;
        else if (!strcmp(o, "--crt"))
            cfg.crt_path = v;
        else if (!strcmp(o, "--roots"))
            cfg.roots_dir = v;
        else if (!strcmp(o, "--policy"))
            cfg.policy_path = v;
    }
    uint8_t *csr = NULL;
    if (argc < 2 || !csr_path || util_file_read(csr_path, 1u << 20, &csr, &l.csr_size) < 0 ||
        clients < 1 || clients > MAX_CLIENTS || l.requests < 1) {
        fprintf(stderr, "usage: steward_load http|inproc --csr FILE ... (see the source)\n");
        return 64;
    }
    l.csr = ip.csr = csr;
    ip.csr_size = l.csr_size;
    cfg.insecure_allow_sim = true;
    int rc = !strcmp(argv[1], "http") ? run_http(&l, clients, pid, seconds)
                                      : run_inproc(&cfg, &ip, seconds > 2 ? 2 : seconds);
    free(csr);
    return rc;
}
