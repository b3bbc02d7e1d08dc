/// What became of a single-use credential (a refresh token being rotated, an authorization code being exchanged)
/// presented for a new token, decided in one transaction with the credential's row locked.
public enum SingleUseExchange: Equatable, Sendable {
    /// The credential is used up and the new token is stored.
    case issued
    /// The credential was already used (a replay, or the loser of a race): nothing is stored. The caller revokes
    /// the tokens of the user and app (`TokenRepository.revokeFamily`, `AuthorizationCodeRepository.revokeTokens`)
    /// after this transaction, so the losers of a burst do not each scan the family while holding the row lock the
    /// next one waits for.
    case reused
    /// The user or the app is no longer active (a deactivation committed since they were read): nothing changed.
    case principalInactive
}
