import Glibc

/// How a worker tells the supervisor it is serving: the supervisor hands every worker the write end of one
/// pipe as fd 3; the worker writes its pid (4 bytes, atomic on a pipe) once its event loop is about to run and
/// closes the descriptor. The supervisor polls the read end, so it knows when the whole pool is up (READY=1)
/// and when a replacement worker can take over from an old one during a reload — without guessing by time.
enum WorkerReadiness {
    static let descriptor: Int32 = 3

    /// Creates the pipe in the supervisor: both ends close-on-exec (the write end reaches a worker only through
    /// posix_spawn's dup2 to fd 3), the read end non-blocking.
    static func makePipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed")
        let (readEnd, writeEnd) = (ChildDescriptors.lift(fds[0]), ChildDescriptors.lift(fds[1]))
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        return (readEnd, writeEnd)
    }

    /// Called by a worker: reports readiness if fd 3 is the supervisor's pipe (a worker run by hand has none).
    static func report() {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO else { return }
        var pid = getpid()
        _ = write(descriptor, &pid, MemoryLayout<pid_t>.size)
        close(descriptor)
    }

    /// Reads every pid reported so far from the non-blocking read end.
    static func collect(from fd: Int32) -> [pid_t] {
        var pids: [pid_t] = []
        var buffer = [pid_t](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return pids }
            pids.append(contentsOf: buffer[0..<(n / MemoryLayout<pid_t>.size)])
        }
    }
}
