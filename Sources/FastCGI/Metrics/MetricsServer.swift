import CPosix
import Glibc

/// The metrics listener (`serve --metrics`): a plain HTTP/1.0 responder on its own socket, apart from the
/// FastCGI socket, so /metrics is never reachable through the web server's public locations. One thread,
/// one connection at a time — Prometheus scrapes every few seconds.
public struct MetricsServer: Sendable {
    public let socket: ListeningSocket
    public let exposition: @Sendable () -> String

    /// A request head larger than this, or slower than `readTimeoutSeconds`, gets no answer.
    static let maximumRequestHead = 8192
    static let readTimeoutSeconds = 2

    public init(socket: ListeningSocket, exposition: @escaping @Sendable () -> String) {
        self.socket = socket
        self.exposition = exposition
    }

    /// Starts the listener thread. Call it before `Supervisor.run`; the handled signals are blocked first so
    /// they keep reaching the supervisor's wait.
    public func start() {
        // Workers must not inherit the listener (they would keep the port open after the supervisor is gone).
        _ = fcntl(socket.fileDescriptor, F_SETFD, FD_CLOEXEC)
        Signals.blockHandled()
        _ = PosixThread.start { [self] in
            while true {
                let client = accept4(socket.fileDescriptor, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
                if client < 0 { continue }
                answer(client)
                Glibc.close(client)
            }
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: Self.readTimeoutSeconds, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = Self.readHead(client) else { return }
        let response: String
        switch Self.requestLine(head) {
        case ("GET", "/metrics"):
            let body = exposition()
            response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        case (_, "/metrics"):
            response = "HTTP/1.0 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        default:
            response = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
        _ = MetricsWire.writeAll(Array(response.utf8), to: client)
    }

    private static func readHead(_ client: Int32) -> [UInt8]? {
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while head.count < maximumRequestHead {
            let got = recv(client, &chunk, chunk.count, 0)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            head += chunk[0..<got]
            if head.firstRange(of: end) != nil { return head }
        }
        return nil
    }

    /// Method and path (query string dropped) of the request line.
    static func requestLine(_ head: [UInt8]) -> (String, String) {
        let line = head.prefix { $0 != UInt8(ascii: "\r") }
        let words = line.split(separator: UInt8(ascii: " "))
        guard words.count >= 2 else { return ("", "") }
        let target = words[1].prefix { $0 != UInt8(ascii: "?") }
        return (String(decoding: words[0], as: UTF8.self), String(decoding: target, as: UTF8.self))
    }
}
