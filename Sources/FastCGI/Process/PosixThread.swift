import Glibc

/// Starts a POSIX thread running `body`. Blocking libmariadb and crypt calls need
/// real threads: Swift's cooperative pool has only as many threads as cores.
struct PosixThread: @unchecked Sendable {
    private let handle: pthread_t

    static func start(_ body: @escaping @Sendable () -> Void) -> PosixThread {
        final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return PosixThread(handle: handle)
    }
}
