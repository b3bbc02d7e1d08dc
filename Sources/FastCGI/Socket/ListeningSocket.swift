import CPosix
import Glibc

/// The listening socket the supervisor owns and hands to every worker as file descriptor 0,
/// the layout libfcgi and spawn-fcgi use.
public struct ListeningSocket: Sendable {
    public let fileDescriptor: Int32
    /// The unix socket path this process created and must unlink on exit; nil when inherited or TCP.
    public let createdPath: String?

    public static let backlog: Int32 = 1024

    /// Binds a new socket. A stale unix socket file (nobody accepting on it) is removed first; a live one is
    /// an error, so two pools never fight over one path.
    public static func bind(_ address: ListenAddress, permissions: SocketPermissions) throws(SocketError) -> ListeningSocket {
        switch address {
        case .unix(let path):
            try removeStaleSocket(at: path)
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SocketError("socket") }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                raw.initializeMemory(as: UInt8.self, repeating: 0)
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            // Create the socket file with no permissions and widen them only after chown/chmod,
            // so it is never briefly connectable by anyone.
            let oldMask = umask(0o777)
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            let bindErrno = errno
            umask(oldMask)
            guard bound == 0 else { close(fd); throw SocketError("bind \(path)", errno: bindErrno) }
            do throws(SocketError) {
                try apply(permissions, to: path)
                guard listen(fd, backlog) == 0 else { throw SocketError("listen \(path)") }
            } catch {
                close(fd)
                unlink(path)
                throw error
            }
            return ListeningSocket(fileDescriptor: fd, createdPath: path)

        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
            var result: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, String(port), &hints, &result)
            guard rc == 0, let info = result else { throw SocketError("resolve \(host)", errno: EINVAL) }
            defer { freeaddrinfo(result) }
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { throw SocketError("socket") }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                let e = errno; close(fd); throw SocketError("bind \(address)", errno: e)
            }
            guard listen(fd, backlog) == 0 else { let e = errno; close(fd); throw SocketError("listen", errno: e) }
            return ListeningSocket(fileDescriptor: fd, createdPath: nil)
        }
    }

    /// spawn-fcgi (and php-cgi style launchers) pass the listening socket as fd 0.
    public static func inherited() -> ListeningSocket? {
        isListeningStream(0) ? ListeningSocket(fileDescriptor: 0, createdPath: nil) : nil
    }

    /// systemd's socket activation: the socket is fd 3 (SD_LISTEN_FDS_START) when LISTEN_PID names this process
    /// and LISTEN_FDS counts it. nil when the variables are absent or meant for another process. They are
    /// removed either way, so the worker processes, which get the socket as fd 0, never misread them.
    public static func activated() throws(SocketError) -> ListeningSocket? {
        let pid = getenv("LISTEN_PID").map { String(cString: $0) }
        let count = getenv("LISTEN_FDS").map { String(cString: $0) }
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        guard let pid, let count, pid_t(pid) == getpid() else { return nil }
        guard count == "1" else {
            throw SocketError("LISTEN_FDS=\(count): the unit must pass exactly one socket (one ListenStream=)", errno: EINVAL)
        }
        guard isListeningStream(systemdFirstDescriptor) else {
            throw SocketError("fd 3 from systemd is not a listening stream socket", errno: ENOTSOCK)
        }
        return ListeningSocket(fileDescriptor: systemdFirstDescriptor, createdPath: nil)
    }

    static let systemdFirstDescriptor: Int32 = 3

    private static func isListeningStream(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else { return false }
        var accepting: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting == 1
    }

    /// Removes the socket file this process created.
    public func removeCreatedPath() {
        if let createdPath { unlink(createdPath) }
    }

    private static func removeStaleSocket(at path: String) throws(SocketError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw SocketError("\(path) exists and is not a socket", errno: EEXIST) }
        if isAccepting(path) { throw SocketError("\(path) is in use by a running server", errno: EADDRINUSE) }
        unlink(path)
    }

    private static func isAccepting(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    private static func apply(_ permissions: SocketPermissions, to path: String) throws(SocketError) {
        var uid = uid_t.max   // -1: leave unchanged
        var gid = gid_t.max
        if let owner = permissions.owner {
            guard let entry = getpwnam(owner) else { throw SocketError("unknown socket owner \(owner)", errno: EINVAL) }
            uid = entry.pointee.pw_uid
        }
        if let group = permissions.group {
            guard let entry = getgrnam(group) else { throw SocketError("unknown socket group \(group)", errno: EINVAL) }
            gid = entry.pointee.gr_gid
        }
        if uid != uid_t.max || gid != gid_t.max {
            guard chown(path, uid, gid) == 0 else { throw SocketError("chown \(path)") }
        }
        guard chmod(path, permissions.mode) == 0 else { throw SocketError("chmod \(path)") }
    }
}
