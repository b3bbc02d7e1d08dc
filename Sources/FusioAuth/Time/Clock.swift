/// Source of "now", injected so token lifetimes and expiry checks can be tested at fixed instants.
/// Shadows the standard library's `Clock` inside modules that import FusioAuth.
public protocol Clock: Sendable {
    func now() -> UnixTime
}
