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

    /// The name of the first parameter over its limit, or nil.
    public static func violation(in parameters: RequestParameters) -> String? {
        for name in parameters.names {
            let limit = maximumBytes[name] ?? defaultMaximumBytes
            if let value = parameters[name], value.utf8.count > limit { return name }
            if let list = parameters.list(name),
               list.count > maximumListItems || list.contains(where: { $0.utf8.count > limit }) {
                return name
            }
        }
        return nil
    }

    /// Basic credentials: id as `client_id`, secret as `client_secret`.
    public static func violation(in credentials: ClientCredentials?) -> String? {
        guard let credentials else { return nil }
        if credentials.id.utf8.count > maximumBytes["client_id"]! { return "client_id" }
        if credentials.secret.utf8.count > maximumBytes["client_secret"]! { return "client_secret" }
        return nil
    }
}
