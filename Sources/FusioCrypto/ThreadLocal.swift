import Glibc

/// One `Value` per thread, made on the thread's first use and released when the thread exits (a pthread key
/// destructor; the main thread's is never released, as the process ends with it). Per-thread state needs no
/// lock shared between the worker threads.
final class ThreadLocal<Value: AnyObject>: @unchecked Sendable {
    private let key: pthread_key_t
    private let make: () -> Value

    /// `make` runs on the thread that first asks, once per thread.
    init(_ make: @escaping () -> Value) {
        var key = pthread_key_t()
        guard pthread_key_create(&key, { stored in
            if let stored { Unmanaged<AnyObject>.fromOpaque(stored).release() }
        }) == 0 else { fatalError("pthread_key_create failed") }
        self.key = key
        self.make = make
    }

    var value: Value {
        if let stored = pthread_getspecific(key) {
            return Unmanaged<Value>.fromOpaque(stored).takeUnretainedValue()
        }
        let made = make()
        pthread_setspecific(key, Unmanaged.passRetained(made as AnyObject).toOpaque())
        return made
    }
}
