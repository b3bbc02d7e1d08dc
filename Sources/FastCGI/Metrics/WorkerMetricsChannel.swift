import Glibc

/// The worker's end of its metrics socketpair, inherited from the supervisor as `fileDescriptor`. A thread
/// answers each request byte with the worker's current exposition; it ends when the supervisor goes away.
public enum WorkerMetricsChannel {
    /// Where the supervisor places the worker's end (0 is the listening socket, 1 and 2 the log, 3 the readiness
    /// pipe, 4 and 5 the connection hand-over).
    public static let fileDescriptor: Int32 = 6

    public static func serve(exposition: @escaping @Sendable () -> [UInt8]) {
        // The thread must not take the signals the event loop waits for.
        Signals.blockHandled()
        _ = PosixThread.start {
            var byte: UInt8 = 0
            while true {
                let got = recv(fileDescriptor, &byte, 1, 0)
                if got < 0 && errno == EINTR { continue }
                guard got == 1, MetricsWire.writeAll(MetricsWire.frame(exposition()), to: fileDescriptor) else { return }
            }
        }
    }
}
