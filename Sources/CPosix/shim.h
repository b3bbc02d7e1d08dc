#ifndef FUSIO_AUTH_CPOSIX_SHIM_H
#define FUSIO_AUTH_CPOSIX_SHIM_H
// Small inline wrappers for C facilities Swift cannot reach directly: variadic prctl(2), the mutable global
// `environ` (Swift 6 rejects it as not concurrency-safe), and epoll's packed `struct epoll_event`, which is
// easier to fill and read in C. No _GNU_SOURCE here: defining it in a module header clashes with Swift's own
// Glibc module; the one GNU function needed, accept4, is declared below.
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>

static inline int cposix_set_parent_death_signal(int signal_number) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal_number, 0, 0, 0);
}

static inline char *const *cposix_environ(void) {
    extern char **environ;
    return environ;
}

static inline int cposix_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}

/// Waits like epoll_wait and copies each event's data and flags into the two arrays.
static inline int cposix_epoll_wait(int epfd, uint64_t *data, uint32_t *flags, int max, int timeout) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, events, max, timeout);
    for (int i = 0; i < n; i++) {
        data[i] = events[i].data.u64;
        flags[i] = events[i].events;
    }
    return n;
}

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

static inline int cposix_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline int cposix_gettid(void) {
    return (int)syscall(SYS_gettid);
}

/// Naming SOCK_DGRAM from Swift makes the Glibc importer lose SOCK_STREAM in the same module (Swift 6.0).
static const int cposix_sock_dgram = SOCK_DGRAM;
static const uint32_t cposix_epollin = EPOLLIN;
static const uint32_t cposix_epollout = EPOLLOUT;
static const uint32_t cposix_epollerr = EPOLLERR;
static const uint32_t cposix_epollhup = EPOLLHUP;
static const uint32_t cposix_epollrdhup = EPOLLRDHUP;

/// Makes the calling thread nicer (Linux keeps a nice value per thread): bcrypt threads yield the CPU to cheap
/// requests.
static inline int cposix_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

/// Sends `count` descriptors (at most 64) in one datagram with SCM_RIGHTS; one byte of payload, as a datagram
/// may not be empty. Returns 0 or -1 with errno.
static inline int cposix_send_descriptors(int sock, const int *fds, int count) {
    if (count < 1 || count > 64) return -1;
    char payload = 'F';
    struct iovec iov = { .iov_base = &payload, .iov_len = 1 };
    union { char buffer[CMSG_SPACE(sizeof(int) * 64)]; struct cmsghdr align; } control;
    struct msghdr message = { 0 };
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
    for (int i = 0; i < count; i++) ((int *)CMSG_DATA(header))[i] = fds[i];
    return sendmsg(sock, &message, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/// Receives one datagram of descriptors (at most 64) without blocking; they arrive close-on-exec. Returns how
/// many, 0 when none was waiting, -1 on error.
static inline int cposix_receive_descriptors(int sock, int *fds, int max) {
    char payload;
    struct iovec iov = { .iov_base = &payload, .iov_len = 1 };
    union { char buffer[CMSG_SPACE(sizeof(int) * 64)]; struct cmsghdr align; } control;
    struct msghdr message = { 0 };
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof(control.buffer);
    ssize_t n = recvmsg(sock, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    int count = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int received = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < received; i++) {
            int fd = ((int *)CMSG_DATA(header))[i];
            if (count < max) fds[count++] = fd; else close(fd);
        }
    }
    return count;
}
#endif
