import Glibc

/// The supervisor ↔ worker metrics exchange on a socketpair: the supervisor sends one byte, the worker answers
/// with an 8-byte little-endian length and its exposition. Reads are bounded by a deadline so a stuck worker
/// cannot stall a scrape.
enum MetricsWire {
    static let request: UInt8 = 0x3F
    /// An exposition above this is refused as a broken stream (ours are a few tens of kilobytes).
    static let maximumLength = 16 << 20

    static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    static func frame(_ exposition: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt64(exposition.count).littleEndian, Array.init) + exposition
    }

    /// Reads exactly `count` bytes before `deadline` (monotonic ms); nil on timeout, EOF or error.
    static func read(_ count: Int, from fd: Int32, deadline: Int64) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let remaining = deadline - MonotonicClock.milliseconds()
            guard remaining > 0 else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(remaining))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            offset += got
        }
        return buffer
    }

    static func readFrame(from fd: Int32, deadline: Int64) -> [UInt8]? {
        guard let header = read(8, from: fd, deadline: deadline) else { return nil }
        let length = header.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard length <= maximumLength else { return nil }
        return length == 0 ? [] : read(length, from: fd, deadline: deadline)
    }
}
