/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_server.c - the Steward's HTTP front on loopback, in process, with a raw-socket client:
 * health check, the real CSR issued over HTTP, wrong paths, methods and content types, an
 * announced oversized body refused before it is sent, a chunked one refused after 64 KiB, a
 * slow client that neither blocks others nor stays connected past the timeout, and many
 * requests at once from several threads.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

struct fixture {
    struct test_ca ca;
    struct steward *s;
    struct steward_server *srv;
    uint16_t port;
    uint8_t *csr;
    size_t csr_size;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    test_ca_make(&f->ca, "P-256", 30);
    f->csr = test_read_vector(REAL_CSR, &f->csr_size);
    /* 2023-01-01: the real CSR's in-band Milan CRL is current then, so revocation is checked */
    struct steward_config cfg = {
        f->ca.key_path, f->ca.crt_path, VECTORS_DIR "/roots", NULL, NULL, 0, false, 0, 1672531200};
    char err[256];
    if (steward_new(&cfg, &f->s, err, sizeof(err)) < 0) fail_msg("%s", err);
    struct steward_listen l = {"127.0.0.1", 0, 2, 1, 64, NULL, NULL};
    assert_int_equal(steward_server_start(f->s, &l, &f->srv), 0);
    f->port = steward_server_port(f->srv);
    assert_true(f->port != 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    steward_server_stop(f->srv);
    steward_free(f->s);
    test_ca_free(&f->ca);
    free(f->csr);
    free(f);
    return 0;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) fail_msg("connect");
    return fd;
}

static void send_all(int fd, const void *buf, size_t size)
{
    const uint8_t *p = buf;
    while (size) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n <= 0) return; /* the server may close early (413): the answer is still there */
        p += n;
        size -= (size_t)n;
    }
}

/* Reads the answer until EOF (HTTP/1.0: the server closes); returns the status, body in out. */
static unsigned read_answer(int fd, char *out, size_t size)
{
    size_t got = 0;
    ssize_t n;
    while (got + 1 < size && (n = recv(fd, out + got, size - 1 - got, 0)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    unsigned status = 0;
    if (sscanf(out, "HTTP/1.%*c %u", &status) != 1) return 0;
    return status;
}

static unsigned request(uint16_t port, const char *head, const void *body, size_t body_size,
                        char *out, size_t out_size)
{
    int fd = connect_to(port);
    send_all(fd, head, strlen(head));
    if (body) send_all(fd, body, body_size);
    unsigned status = read_answer(fd, out, out_size);
    close(fd);
    return status;
}

static unsigned post_csr(uint16_t port, const uint8_t *csr, size_t size, char *out, size_t out_size)
{
    char head[256];
    snprintf(head, sizeof(head),
             "POST / HTTP/1.0\r\nContent-Type: application/pkcs10\r\nContent-Length: %zu\r\n\r\n",
             size);
    return request(port, head, csr, size, out, out_size);
}

static void test_routes(void **state)
{
    struct fixture *f = *state;
    static char out[65536];
    assert_int_equal(request(f->port, "GET / HTTP/1.0\r\n\r\n", NULL, 0, out, sizeof(out)), 200);
    assert_non_null(strstr(out, "\"status\":\"ok\""));
    assert_int_equal(request(f->port, "GET /x HTTP/1.0\r\n\r\n", NULL, 0, out, sizeof(out)), 404);
    assert_int_equal(request(f->port, "DELETE / HTTP/1.0\r\n\r\n", NULL, 0, out, sizeof(out)), 405);
    assert_non_null(strstr(out, "Allow: GET, HEAD, POST"));
    assert_int_equal(request(f->port,
                             "POST / HTTP/1.0\r\nContent-Type: text/plain\r\n"
                             "Content-Length: 3\r\n\r\nabc",
                             NULL, 0, out, sizeof(out)),
                     415);
    /* not HTTP: answered 400 or just closed, and the server goes on */
    unsigned st = request(f->port, "garbage\r\n\r\n", NULL, 0, out, sizeof(out));
    assert_true(st == 0 || st == 400);
    assert_int_equal(request(f->port, "HEAD / HTTP/1.0\r\n\r\n", NULL, 0, out, sizeof(out)), 200);
}

static void test_issue_over_http(void **state)
{
    struct fixture *f = *state;
    static char out[65536];
    assert_int_equal(post_csr(f->port, f->csr, f->csr_size, out, sizeof(out)), 200);
    assert_non_null(strstr(out, "Content-Type: application/pkix-pkipath"));
    assert_int_equal(post_csr(f->port, (const uint8_t *)"xyz", 3, out, sizeof(out)), 400);
    assert_non_null(strstr(out, "\"error\":\"malformed\""));
}

static void test_oversized(void **state)
{
    struct fixture *f = *state;
    static char out[65536];
    size_t big = 10u * STEWARD_MAX_CSR_SIZE;
    uint8_t *body = calloc(1, big);
    /* announced: refused from the headers */
    assert_int_equal(post_csr(f->port, body, big, out, sizeof(out)), 413);
    /* chunked: refused once 64 KiB have arrived */
    int fd = connect_to(f->port);
    const char *head = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                       "Content-Type: application/pkcs10\r\nTransfer-Encoding: chunked\r\n\r\n";
    send_all(fd, head, strlen(head));
    for (int i = 0; i < 20; i++) {
        char chunk_head[32];
        snprintf(chunk_head, sizeof(chunk_head), "%x\r\n", 8192);
        send_all(fd, chunk_head, strlen(chunk_head));
        send_all(fd, body, 8192);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "0\r\n\r\n", 5);
    assert_int_equal(read_answer(fd, out, sizeof(out)), 413);
    close(fd);
    free(body);
}

/* Issue #10: a body framed by two different lengths is refused (5ee0efd answered 200). */
static void test_conflicting_length(void **state)
{
    struct fixture *f = *state;
    static char out[65536];
    char head[256];
    const char *forms[] = {"Content-Length: %zu\r\nContent-Length: 5\r\n",
                           "Content-Length: %zu\r\nContent-Length: %zu\r\n",
                           "Content-Length: %zu\r\nTransfer-Encoding: identity\r\n",
                           "Content-Length: +%zu\r\n"};
    for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
        char lens[128];
        snprintf(lens, sizeof(lens), forms[i], f->csr_size, f->csr_size);
        snprintf(head, sizeof(head),
                 "POST / HTTP/1.0\r\nContent-Type: application/pkcs10\r\n%s\r\n", lens);
        unsigned st = request(f->port, head, f->csr, f->csr_size, out, sizeof(out));
        if (st != 400) fail_msg("form %zu: status %u, expected 400", i, st);
    }
    assert_int_equal(post_csr(f->port, f->csr, f->csr_size, out, sizeof(out)), 200);
}

/* A client that sends half a request and stalls: others are served; it is cut at the timeout. */
static void test_slow_client(void **state)
{
    struct fixture *f = *state;
    static char out[65536];
    int slow[8];
    for (size_t i = 0; i < ARRAY_LEN(slow); i++) {
        slow[i] = connect_to(f->port);
        send_all(slow[i], "POST / HTTP/1.1\r\nContent-Ty", 27);
    }
    assert_int_equal(post_csr(f->port, f->csr, f->csr_size, out, sizeof(out)), 200);
    /* the server's timeout is 1 s: each stalled connection is closed by then (EOF, no answer) */
    for (size_t i = 0; i < ARRAY_LEN(slow); i++) {
        char buf[64];
        assert_true(recv(slow[i], buf, sizeof(buf), 0) <= 0);
        close(slow[i]);
    }
    /* and a body that stops halfway */
    int fd = connect_to(f->port);
    char head[160];
    snprintf(head, sizeof(head),
             "POST / HTTP/1.0\r\nContent-Type: application/pkcs10\r\nContent-Length: %zu\r\n\r\n",
             f->csr_size);
    send_all(fd, head, strlen(head));
    send_all(fd, f->csr, f->csr_size / 2);
    char buf[64];
    assert_true(recv(fd, buf, sizeof(buf), 0) <= 0);
    close(fd);
}

/* A connection to the server from a given loopback source address (127.0.0.x). */
static int connect_from(uint16_t port, uint8_t last)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000000u | last);
    if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) fail_msg("bind 127.0.0.x");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) fail_msg("connect");
    return fd;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Issue #10: a client trickling a byte well within the inactivity timeout is cut at the request
 * deadline (5ee0efd kept it as long as it kept trickling), and one address gets per_ip
 * connections while another address is still served.
 */
static void test_deadline_and_per_ip(void **state)
{
    struct fixture *f = *state;
    static char out[65536];
    struct steward_listen l = {"127.0.0.1", 0, 2, 3, 64, NULL, NULL};
    struct steward_limits lim = {.per_ip = 4, .deadline = 1};
    struct steward_server *srv = NULL;
    assert_int_equal(steward_server_start_limits(f->s, &l, &lim, &srv), 0);
    uint16_t port = steward_server_port(srv);
    /* the trickler: one header byte every 250 ms (the inactivity timeout is 3 s) */
    int fd = connect_from(port, 1);
    const char *head =
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    double t0 = now_s();
    bool cut = false;
    for (size_t i = 0; head[i] && !cut && now_s() - t0 < 6; i++) {
        if (send(fd, head + i, 1, MSG_NOSIGNAL) != 1) cut = true;
        struct timespec ts = {0, 250000000L};
        nanosleep(&ts, NULL);
        char b;
        if (recv(fd, &b, 1, MSG_DONTWAIT) == 0) cut = true;
    }
    double took = now_s() - t0;
    close(fd);
    if (!cut || took > 3.0) fail_msg("trickler %s after %.1f s", cut ? "cut" : "not cut", took);
    assert_true(steward_server_deadline_cuts(srv) >= 1);
    /* per address: 127.0.0.2 holds 4 stalled connections, a fifth is closed at once */
    int held[5];
    for (size_t i = 0; i < 5; i++) {
        held[i] = connect_from(port, 2);
        send_all(held[i], "POST / HTTP/1.1\r\n", 17);
    }
    char b;
    assert_true(recv(held[4], &b, 1, 0) <= 0);
    /* ... while 127.0.0.1 is served */
    assert_int_equal(post_csr(port, f->csr, f->csr_size, out, sizeof(out)), 200);
    for (size_t i = 0; i < 5; i++)
        close(held[i]);
    steward_server_stop(srv);
}

struct worker {
    struct fixture *f;
    int ok;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    static __thread char out[65536];
    for (int i = 0; i < 5; i++)
        w->ok += post_csr(w->f->port, w->f->csr, w->f->csr_size, out, sizeof(out)) == 200;
    return NULL;
}

static void test_concurrent(void **state)
{
    struct fixture *f = *state;
    pthread_t t[8];
    struct worker w[8];
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        w[i] = (struct worker){f, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int ok = 0;
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    assert_int_equal(ok, 40);
}

static void test_listen_errors(void **state)
{
    struct fixture *f = *state;
    struct steward_server *srv = NULL;
    struct steward_listen bad = {"not-an-address", 0, 1, 1, 1, NULL, NULL};
    assert_int_equal(steward_server_start(f->s, &bad, &srv), -EINVAL);
    struct steward_listen taken = {"127.0.0.1", f->port, 1, 1, 1, NULL, NULL};
    assert_true(steward_server_start(f->s, &taken, &srv) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_over_http, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicting_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_and_per_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
