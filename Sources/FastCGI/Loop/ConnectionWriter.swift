import CPosix
import Glibc

/// The write side of one connection, shared by the event loop and the worker threads. A worker writes its answer
/// to the socket itself: handing every answer to the loop cost an eventfd write, an epoll wake-up, an eventfd read
/// and a thread switch per request. The loop still learns of each answer (a completion marked `sent`), pushed
/// before the bytes go out, so it has taken note of it before it can read the request the web server sends next
/// on that connection. Every write — the loop's and the workers' — happens under this lock, whole records at a
/// time, so answers never interleave.
final class ConnectionWriter: @unchecked Sendable {
    /// How long a worker keeps writing to a peer that does not read before giving up on the connection. Answers are
    /// a few KiB and nginx and Apache read them at once; only a stuck peer hits this (and the loop, should it have
    /// something to write on that same connection meanwhile, waits for the lock that long).
    static let stuckPeerMilliseconds: Int32 = 1_000

    let fd: Int32
    private var mutex = pthread_mutex_t()
    // Under the lock:
    /// Set by the loop before it closes the descriptor, whose number a new connection may take.
    private var closed = false
    /// The loop holds part of a record it could not send yet; answers queue behind it, in the loop.
    private var loopHoldsOutput = false

    init(fd: Int32) {
        self.fd = fd
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    // MARK: the loop (call inside `locked`)

    func markClosed() { closed = true }

    func setLoopHoldsOutput(_ holds: Bool) { loopHoldsOutput = holds }

    // MARK: a worker

    /// Writes a complete answer unless the loop must send it (it holds unsent output, the connection is closed or
    /// the request was aborted meanwhile); `announce` runs first, under the lock. False: nothing was done.
    func sendAnswer(_ bytes: [UInt8], unlessAborted request: FastCGIRequest, announce: () -> Void) -> Bool {
        locked {
            guard !closed, !loopHoldsOutput, !request.abortedWhileRunning else { return false }
            announce()
            bytes.withUnsafeBytes { writeAll($0) }
            return true
        }
    }

    /// Blocks (with the lock held) until everything is written; a peer that takes no bytes for
    /// `stuckPeerMilliseconds`, or a write error, shuts the connection down, which the loop then sees and closes.
    private func writeAll(_ buffer: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&poller, 1, Self.stuckPeerMilliseconds) > 0 { continue }
            }
            shutdown(fd, Int32(SHUT_RDWR))
            return
        }
    }
}
