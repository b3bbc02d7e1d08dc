import CPosix
import Glibc

/// systemd's readiness protocol (sd_notify) without libsystemd: one datagram per state change to the
/// AF_UNIX socket named in NOTIFY_SOCKET (a path, or an abstract name written with a leading "@").
/// Without NOTIFY_SOCKET (not under systemd with Type=notify) every call does nothing.
public struct ServiceNotifier: Sendable {
    private let address: [UInt8]?

    /// Takes NOTIFY_SOCKET from the environment and removes it, so worker processes, which must never
    /// speak for the service, do not inherit it.
    public static func fromEnvironment() -> ServiceNotifier {
        guard let value = getenv("NOTIFY_SOCKET") else { return ServiceNotifier(address: nil) }
        let path = String(cString: value)
        unsetenv("NOTIFY_SOCKET")
        return ServiceNotifier(path: path)
    }

    public init(path: String) {
        var bytes = Array(path.utf8)
        // The abstract namespace is spelled with "@" in the variable and a NUL byte in the address.
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout<sockaddr_un>.size - MemoryLayout<sa_family_t>.size
        address = bytes.isEmpty || bytes.count >= capacity || (bytes[0] != 0 && bytes[0] != UInt8(ascii: "/")) ? nil : bytes
    }

    private init(address: [UInt8]?) {
        self.address = address
    }

    public var isActive: Bool { address != nil }

    public func ready(status: String? = nil) {
        send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// systemd ≥ 253 wants MONOTONIC_USEC with RELOADING=1 to tell this reload from an earlier one.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }

    public func stopping() {
        send(["STOPPING=1"])
    }

    /// Best effort, as sd_notify: a manager that is gone must not stop the service.
    func send(_ assignments: [String]) {
        guard let address else { return }
        // The supervisor is single-threaded and closes this before it could spawn: no close-on-exec needed.
        let fd = socket(AF_UNIX, cposix_sock_dgram, 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            for (i, byte) in address.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count)
        let message = Array(assignments.joined(separator: "\n").utf8)
        _ = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
    }
}
