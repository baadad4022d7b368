#ifndef CUV_SHIM_H
#define CUV_SHIM_H

/*
 * libuv for Swift. Only what Swift cannot do itself lives here: the C casts
 * between handle kinds (uv_tcp_t is-a uv_stream_t is-a uv_handle_t, by layout)
 * and the sockaddr juggling, which is all casts and lengths. See
 * https://docs.libuv.org/en/v1.x/api.html for the contracts these wrap.
 */

#include <uv.h>
#include <arpa/inet.h>
#include <signal.h>
#include <string.h>

/* Any handle as the uv_handle_t it starts with. */
static inline uv_handle_t *cuv_handle(void *handle) {
    return (uv_handle_t *)handle;
}

/* A TCP handle as the uv_stream_t it starts with. */
static inline uv_stream_t *cuv_tcp_stream(uv_tcp_t *tcp) {
    return (uv_stream_t *)tcp;
}

/* The TCP handle a stream callback was called for (Starlane's only stream kind). */
static inline uv_tcp_t *cuv_stream_tcp(uv_stream_t *stream) {
    return (uv_tcp_t *)stream;
}

/* Parses an IPv4 or IPv6 literal ("127.0.0.1", "::1") into `out`; 0 or UV_EINVAL. */
static inline int cuv_ip_addr(const char *ip, int port, struct sockaddr_storage *out) {
    memset(out, 0, sizeof *out);
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)out) == 0) return 0;
    memset(out, 0, sizeof *out);
    if (uv_ip6_addr(ip, port, (struct sockaddr_in6 *)out) == 0) return 0;
    return UV_EINVAL;
}

/* Writes the numeric host of `addr` into `dst` and its port into `*port`. */
static inline int cuv_ip_name(const struct sockaddr_storage *addr, char *dst, size_t size, int *port) {
    switch (addr->ss_family) {
    case AF_INET:
        *port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
        break;
    case AF_INET6:
        *port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
        break;
    default:
        return UV_EAFNOSUPPORT;
    }
    return uv_ip_name((const struct sockaddr *)addr, dst, size);
}

/* Copies the first address of a getaddrinfo result; UV_EAI_NONAME if there is none. */
static inline int cuv_addrinfo_first(const struct addrinfo *info, struct sockaddr_storage *out) {
    memset(out, 0, sizeof *out);
    for (; info != NULL; info = info->ai_next) {
        if (info->ai_addr == NULL || info->ai_addrlen > sizeof *out) continue;
        memcpy(out, info->ai_addr, info->ai_addrlen);
        return 0;
    }
    return UV_EAI_NONAME;
}

static inline int cuv_tcp_bind(uv_tcp_t *tcp, const struct sockaddr_storage *addr) {
    return uv_tcp_bind(tcp, (const struct sockaddr *)addr, 0);
}

static inline int cuv_tcp_connect(uv_connect_t *req, uv_tcp_t *tcp,
                                  const struct sockaddr_storage *addr, uv_connect_cb cb) {
    return uv_tcp_connect(req, tcp, (const struct sockaddr *)addr, cb);
}

static inline int cuv_tcp_getsockname(const uv_tcp_t *tcp, struct sockaddr_storage *out) {
    int length = (int)sizeof *out;
    memset(out, 0, sizeof *out);
    return uv_tcp_getsockname(tcp, (struct sockaddr *)out, &length);
}

static inline int cuv_tcp_getpeername(const uv_tcp_t *tcp, struct sockaddr_storage *out) {
    int length = (int)sizeof *out;
    memset(out, 0, sizeof *out);
    return uv_tcp_getpeername(tcp, (struct sockaddr *)out, &length);
}

/* getaddrinfo hints for a TCP connect: any family, stream sockets. */
static inline struct addrinfo cuv_tcp_hints(void) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    return hints;
}

#endif
