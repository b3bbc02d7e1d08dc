import FusioAuth

/// The smallest valid configuration, shared by the suites that build a `TokenIssuer`.
enum TestSettings {
    /// The project key of the reference's JWT vectors.
    static let projectKey = "42eec18ffdbffc9fda6110dcc705d6ce"

    static func minimal() throws -> Settings {
        try Settings.load(file: [
            "APP_URL": "http://127.0.0.1", "APP_PROJECT_KEY": projectKey,
            "APP_CONNECTION": "pdo-mysql://u:p@localhost/fusio",
        ], environment: [:])
    }
}
