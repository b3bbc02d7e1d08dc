import FusioAuth
import Glibc

/// The scopes assigned to apps and users (link tables and plans), expanded, kept per thread for a second like
/// the scope catalogue. Under load the same few apps ask for tokens many times a second; without this every
/// token would pay for four scope subqueries. Credentials and app/user status are never cached: they are read
/// with every request.
final class ScopeAssignmentCache {
    static let maximumAgeMilliseconds: Int64 = 1000
    /// Beyond this many entries the cache starts over instead of growing with every app a thread has seen.
    static let capacity = 4096

    enum Key: Hashable {
        case app(Int)
        case user(Int)
    }

    private var entries: [Key: (scopes: AvailableScopes, loadedAt: Int64)] = [:]

    func get(_ key: Key, now: Int64) -> AvailableScopes? {
        guard let entry = entries[key], now - entry.loadedAt < Self.maximumAgeMilliseconds else { return nil }
        return entry.scopes
    }

    func put(_ key: Key, _ scopes: AvailableScopes, now: Int64) {
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = (scopes, now)
    }

    static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
