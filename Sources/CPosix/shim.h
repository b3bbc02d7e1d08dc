#ifndef FUSIO_AUTH_CPOSIX_SHIM_H
#define FUSIO_AUTH_CPOSIX_SHIM_H
// Small inline wrappers for C facilities Swift cannot reach directly:
// variadic prctl(2) and the mutable global `environ`, which Swift 6 rejects as not concurrency-safe.
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

static inline int cposix_set_parent_death_signal(int signal_number) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal_number, 0, 0, 0);
}

static inline char *const *cposix_environ(void) {
    extern char **environ;
    return environ;
}
#endif
