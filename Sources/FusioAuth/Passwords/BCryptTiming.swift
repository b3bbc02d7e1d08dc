import Synchronization

/// How long a bcrypt verification of each cost takes in this process, so a skipped check (a locked account) can
/// be answered after the same time. A moving average per cost, fed by every password thread; before the first
/// measurement of a cost, an estimate from a measured neighbour (each cost step doubles the work) or from 50 ms
/// at cost 10.
final class BCryptTiming: Sendable {
    static let shared = BCryptTiming()

    private let averages = Mutex<[Int: Double]>([:])

    func record(hash: String, milliseconds: Int64) {
        guard let cost = Self.cost(of: hash) else { return }
        let sample = Double(milliseconds)
        averages.withLock { $0[cost] = $0[cost].map { $0 * 0.8 + sample * 0.2 } ?? sample }
    }

    func expectedMilliseconds(forHash hash: String) -> Int {
        let averages = self.averages.withLock { $0 }
        let cost = Self.cost(of: hash) ?? 10
        if let measured = averages[cost] { return Int(measured.rounded()) }
        if let (known, average) = averages.min(by: { abs($0.key - cost) < abs($1.key - cost) }) {
            return Int((average * Self.scale(cost - known)).rounded())
        }
        return Int((50 * Self.scale(cost - 10)).rounded())
    }

    private static func scale(_ steps: Int) -> Double {
        steps >= 0 ? Double(1 << min(steps, 20)) : 1 / Double(1 << min(-steps, 20))
    }

    /// `$2y$10$…` → 10.
    static func cost(of hash: String) -> Int? {
        let bytes = Array(hash.utf8.prefix(7))
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "$"), bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"),
              let tens = digit(bytes[4]), let ones = digit(bytes[5]) else { return nil }
        return tens * 10 + ones
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
