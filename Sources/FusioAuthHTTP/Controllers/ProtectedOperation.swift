import FusioAuth

/// The checks every Fusio operation fusio-auth serves needs before its action runs: the operation row must be
/// active (an administrator can switch it off: 404, as Fusio's router would answer), and the bearer token must
/// be valid and grant one of the operation's scopes.
struct ProtectedOperation {
    let name: String
    let validator: BearerValidator
    let tokens: any AccessTokenRepository
    let challenge: BearerChallenge
    var alsoAllowed: [String] = []

    enum Outcome {
        case allowed(ActiveToken)
        case refused(HTTPResponse)
    }

    func check(_ request: HTTPRequest) -> Outcome {
        let operation: OperationAccess?
        do {
            operation = try tokens.operation(named: name)
        } catch {
            return .refused(HTTPError.databaseUnavailable.response)
        }
        guard let operation else { return .refused(HTTPError.notFound.response) }
        do {
            let token = try validator.validate(authorization: request.header("authorization"))
            try validator.authorize(token, for: operation, alsoAllowed: alsoAllowed)
            return .allowed(token)
        } catch {
            return .refused(challenge.response(error))
        }
    }
}
