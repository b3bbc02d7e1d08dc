import CFastCGI
import Glibc

/// One FastCGI request as libfcgi hands it to a worker thread. Valid only inside `FastCGIResponder.respond`:
/// the parameters and streams belong to libfcgi's request record, which the thread reuses.
public final class FastCGIRequest {
    let record: UnsafeMutablePointer<FCGX_Request>
    private var responded = false

    init(record: UnsafeMutablePointer<FCGX_Request>) {
        self.record = record
    }

    /// One FastCGI parameter (`REQUEST_METHOD`, `HTTP_USER_AGENT`, …).
    public func parameter(_ name: String) -> String? {
        guard let value = FCGX_GetParam(name, record.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// Every parameter in the order the web server sent them.
    public var parameters: [(name: String, value: String)] {
        var result: [(String, String)] = []
        forEachParameter { name, value in
            result.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return result
    }

    /// Visits the raw parameters without copying them, so a caller makes strings only of those it needs.
    /// The buffers are valid only during the call.
    public func forEachParameter(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        guard var cursor = record.pointee.envp else { return }
        while let entry = cursor.pointee {
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self),
                                            count: strlen(entry))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                body(UnsafeBufferPointer(rebasing: bytes[..<equals]), UnsafeBufferPointer(rebasing: bytes[(equals + 1)...]))
            }
            cursor += 1
        }
    }

    /// Reads the request body. More than `limit` bytes (declared or actually sent) gives `.tooLarge` without
    /// buffering the excess; the connection is then closed after the response instead of being reused.
    public func readBody(limit: Int) -> FastCGIBody {
        if let declared = parameter("CONTENT_LENGTH"), !declared.isEmpty {
            guard let length = Int(declared), length >= 0 else { return .malformed }
            if length > limit {
                record.pointee.keepConnection = 0
                return .tooLarge
            }
            return read(upTo: length, exact: true)
        }
        let body = read(upTo: limit + 1, exact: false)
        if case .complete(let bytes) = body, bytes.count > limit {
            record.pointee.keepConnection = 0
            return .tooLarge
        }
        return body
    }

    private func read(upTo count: Int, exact: Bool) -> FastCGIBody {
        guard count > 0 else { return .complete([]) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.advanced(by: filled).withMemoryRebound(to: CChar.self, capacity: count - filled) {
                    FCGX_GetStr($0, Int32(count - filled), record.pointee.in)
                }
            }
            if n <= 0 { break }
            filled += Int(n)
        }
        if exact && filled < count {
            record.pointee.keepConnection = 0
            return .truncated
        }
        bytes.removeLast(count - filled)
        return .complete(bytes)
    }

    /// Writes the whole response (CGI `Status:` line, headers, body) in one stream write.
    public func respond(status: Int, reason: String, headers: [(String, String)], body: [UInt8]) {
        precondition(!responded, "a FastCGI request is answered once")
        responded = true
        var head = "Status: \(status) \(reason)\r\n"
        for (name, value) in headers {
            head += name
            head += ": "
            head += value
            head += "\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var out = Array(head.utf8)
        out.append(contentsOf: body)
        out.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = FCGX_PutStr($0, Int32(buffer.count), record.pointee.out)
            }
        }
    }
}

/// The outcome of reading a request body.
public enum FastCGIBody: Sendable, Equatable {
    case complete([UInt8])
    case tooLarge
    /// The web server sent fewer bytes than CONTENT_LENGTH announced.
    case truncated
    /// CONTENT_LENGTH is not a number.
    case malformed
}
