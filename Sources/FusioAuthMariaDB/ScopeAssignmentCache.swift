import FusioAuth

/// The scopes assigned to apps and users (link tables and plans), expanded, kept per thread for a second like
/// the scope catalogue. Under load the same few apps ask for tokens many times a second; without this every
/// token would pay for four scope subqueries.
typealias ScopeAssignmentCache = ShortLivedCache<ScopeAssignmentKey, AvailableScopes>

enum ScopeAssignmentKey: Hashable {
    case app(Int)
    case user(Int)
}

/// A per-thread map whose entries count for one second: long enough that a burst of token requests from one
/// client reads the database once, short enough that changes made in the PHP backend show almost at once.
final class ShortLivedCache<Key: Hashable, Value> {
    static var maximumAgeMilliseconds: Int64 { 1000 }
    /// Beyond this many entries the cache starts over instead of growing with every key a thread has seen.
    static var capacity: Int { 4096 }

    private var entries: [Key: (value: Value, loadedAt: Int64)] = [:]

    func get(_ key: Key, now: Int64) -> Value? {
        guard let entry = entries[key], now - entry.loadedAt < Self.maximumAgeMilliseconds else { return nil }
        return entry.value
    }

    func put(_ key: Key, _ value: Value, now: Int64) {
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = (value, now)
    }
}
