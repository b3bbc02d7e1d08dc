import CPosix
import Glibc
import Synchronization

/// The supervisor's ends of the workers' metrics socketpairs, by worker pid. The supervisor's main loop adds
/// and removes them as workers start and exit; the metrics listener's thread collects through them. Collecting
/// holds the lock, so a channel is never closed (and its descriptor reused) while a scrape talks to it.
public final class WorkerMetricsChannels: Sendable {
    private let channels = Mutex<[pid_t: Int32]>([:])
    /// How long one worker may take to answer before the scrape goes on without it.
    let answerTimeoutMilliseconds: Int64

    public init(answerTimeoutMilliseconds: Int64 = 2000) {
        self.answerTimeoutMilliseconds = answerTimeoutMilliseconds
    }

    /// A new socketpair: (supervisor's end, worker's end). Both close on exec; posix_spawn's dup2 of the worker's
    /// end to `WorkerMetricsChannel.fileDescriptor` clears that flag on the copy only.
    func makePair() -> (Int32, Int32)? {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { return nil }
        // Keep both ends above every descriptor number a worker inherits: dup2 onto the same number would keep
        // close-on-exec set, and a lower source could be overwritten by the earlier dup2 lines of the spawn.
        return (Self.aboveInherited(fds[0]), Self.aboveInherited(fds[1]))
    }

    private static func aboveInherited(_ fd: Int32) -> Int32 {
        guard fd <= WorkerMetricsChannel.fileDescriptor else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, WorkerMetricsChannel.fileDescriptor + 1)
        Glibc.close(fd)
        return moved
    }

    func attach(_ fd: Int32, to pid: pid_t) {
        channels.withLock { $0[pid] = fd }
    }

    func detach(_ pid: pid_t) {
        channels.withLock { if let fd = $0.removeValue(forKey: pid) { Glibc.close(fd) } }
    }

    /// Every live worker's exposition. A worker that does not answer in time is left out of this scrape and its
    /// channel closed (a late answer would be read as the next one's).
    public func collect() -> [[UInt8]] {
        channels.withLock { channels in
            var answers: [[UInt8]] = []
            for (pid, fd) in channels.sorted(by: { $0.key < $1.key }) {
                let deadline = MonotonicClock.milliseconds() + answerTimeoutMilliseconds
                if MetricsWire.writeAll([MetricsWire.request], to: fd),
                   let answer = MetricsWire.readFrame(from: fd, deadline: deadline) {
                    answers.append(answer)
                } else {
                    Glibc.close(fd)
                    channels.removeValue(forKey: pid)
                }
            }
            return answers
        }
    }
}
