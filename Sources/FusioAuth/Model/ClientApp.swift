/// An app loaded together with everything issuing a token for it needs, so the token endpoint reads it in
/// one round trip: its owner and the scopes available to the app and to the owner.
public struct ClientApp: Sendable {
    public var app: FusioApp
    /// nil when the owner row is missing in the tenant.
    public var owner: FusioUser?
    public var appScopes: AvailableScopes
    public var ownerScopes: AvailableScopes

    public init(app: FusioApp, owner: FusioUser?, appScopes: AvailableScopes, ownerScopes: AvailableScopes) {
        self.app = app
        self.owner = owner
        self.appScopes = appScopes
        self.ownerScopes = ownerScopes
    }
}
