/// The instants before which rows are deleted, fixed once per run so that the set of matching rows only
/// shrinks while the run deletes it (rows written meanwhile are newer than every cutoff).
public struct CleanupCutoffs: Sendable, Equatable {
    /// Tokens that expired before this, and revoked or rotated tokens issued before it.
    public let token: UnixTime
    /// Codes issued before this are past `AuthorizationCodeGrant.codeLifetimeSeconds`.
    public let appCode: UnixTime
    /// Failure windows that started before this have ended.
    public let loginAttempt: UnixTime
    /// Sources whose last successful login is older than this are no longer known.
    public let loginSource: UnixTime

    /// `olderThan` is the grace period of `--older-than`: Fusio keeps expired tokens a month or more (it deletes
    /// rows that expired before the first day of last month), which leaves time to look into recent activity.
    public init(now: UnixTime, olderThan: ISODuration, abuse: AbuseSettings) {
        token = olderThan.subtracted(from: now)
        appCode = now.adding(seconds: -AuthorizationCodeGrant.codeLifetimeSeconds)
        loginAttempt = abuse.loginWindow.subtracted(from: now)
        loginSource = abuse.loginKnownSourceLifetime.subtracted(from: now)
    }
}
