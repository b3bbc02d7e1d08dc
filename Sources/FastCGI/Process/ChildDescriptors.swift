import Glibc

/// Descriptors the supervisor hands to every worker at fixed numbers (3: WorkerReadiness, 4 and 5:
/// ConnectionHandover) through posix_spawn's dup2 actions.
enum ChildDescriptors {
    /// Moves a new descriptor to 10 or above, close-on-exec: the dup2 actions that fill fds 3–5 in the child then
    /// never overwrite a source they have yet to copy, and nothing else leaks into the worker.
    static func lift(_ fd: Int32) -> Int32 {
        let lifted = fcntl(fd, F_DUPFD_CLOEXEC, Int32(10))
        precondition(lifted >= 0, "F_DUPFD_CLOEXEC failed")
        close(fd)
        return lifted
    }
}
