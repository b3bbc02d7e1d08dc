import FusioAuth

/// Length limits checked before any work is done for a request (bytes of the decoded value). A client secret
/// may also be a user's password (client_credentials with name and password), hence the same limit as passwords.
public enum ParameterLimits {
    public static let maximumBytes: [String: Int] = [
        "username": 255, "password": 4096, "client_id": 255, "client_secret": 4096, "scope": 1023, "code": 255,
        "refresh_token": 255, "code_verifier": 128, "redirect_uri": 1024, "state": 1024, "grant_type": 64,
        "token": 1024,
    ]
    /// Any other parameter.
    public static let defaultMaximumBytes = 4096
    public static let maximumListItems = 256

    /// Values up to this long are within every limit, and need no look-up of their name's.
    private static let smallestLimit = min(maximumBytes.values.min() ?? defaultMaximumBytes, defaultMaximumBytes)
    private static let clientIDLimit = maximumBytes["client_id"]!
    private static let clientSecretLimit = maximumBytes["client_secret"]!

    /// The name of the first parameter over its limit, or nil.
    public static func violation(in parameters: RequestParameters) -> String? {
        for entry in parameters.entries {
            switch entry.value {
            case .scalar(let value):
                if value.utf8.count > smallestLimit, value.utf8.count > maximumBytes[entry.name] ?? defaultMaximumBytes {
                    return entry.name
                }
            case .list(let list):
                let limit = maximumBytes[entry.name] ?? defaultMaximumBytes
                if list.count > maximumListItems || list.contains(where: { $0.utf8.count > limit }) { return entry.name }
            }
        }
        return nil
    }

    /// Basic credentials: id as `client_id`, secret as `client_secret`.
    public static func violation(in credentials: ClientCredentials?) -> String? {
        guard let credentials else { return nil }
        if credentials.id.utf8.count > clientIDLimit { return "client_id" }
        if credentials.secret.utf8.count > clientSecretLimit { return "client_secret" }
        return nil
    }
}
