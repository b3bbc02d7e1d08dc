import CPosix
import Glibc

/// How a worker retired by a reload passes its kept connections on instead of closing them. Closing a kept
/// connection races with the web server: nginx may be writing the next request on it at that very moment, and
/// a POST that fails that way is not retried (502). Passing the descriptor (SCM_RIGHTS) to a live worker loses
/// nothing: bytes the web server sends meanwhile wait in the kernel's socket buffer for the new owner.
///
/// The supervisor makes one datagram socket pair for the whole pool; every worker gets its receiving end as
/// fd 4 and its sending end as fd 5. Live workers watch fd 4, so whichever reads first adopts a datagram's
/// connections; a retiring worker stops watching fd 4 before it sends on fd 5.
struct ConnectionHandover {
    static let receiveDescriptor: Int32 = 4
    static let sendDescriptor: Int32 = 5
    /// Descriptors per datagram (the shim's limit).
    static let batchSize = 64

    let receiveFD: Int32
    let sendFD: Int32

    /// Creates the pair in the supervisor, as (receive, send).
    static func makePair() -> (receive: Int32, send: Int32) {
        var fds: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, cposix_sock_dgram, 0, &fds) == 0, "socketpair failed")
        return (ChildDescriptors.lift(fds[1]), ChildDescriptors.lift(fds[0]))
    }

    /// The pair at fds 4 and 5 in a worker the supervisor started; nil in a worker run by hand.
    static func inherited() -> ConnectionHandover? {
        for fd in [receiveDescriptor, sendDescriptor] {
            var type: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == cposix_sock_dgram else { return nil }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return ConnectionHandover(receiveFD: receiveDescriptor, sendFD: sendDescriptor)
    }

    /// Sends up to `batchSize` descriptors; false when the datagram could not be queued (the caller keeps them).
    func send(_ fds: [Int32]) -> Bool {
        fds.withUnsafeBufferPointer { cposix_send_descriptors(sendFD, $0.baseAddress, Int32($0.count)) } == 0
    }

    /// Every descriptor waiting to be adopted.
    func receiveAll() -> [Int32] {
        var adopted: [Int32] = []
        var buffer = [Int32](repeating: -1, count: Self.batchSize)
        while true {
            let count = buffer.withUnsafeMutableBufferPointer {
                cposix_receive_descriptors(receiveFD, $0.baseAddress, Int32(Self.batchSize))
            }
            guard count > 0 else { return adopted }
            adopted.append(contentsOf: buffer[0..<Int(count)])
        }
    }
}
