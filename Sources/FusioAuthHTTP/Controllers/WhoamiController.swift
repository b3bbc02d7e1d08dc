import FusioAuth

/// `GET /authorization/whoami` (§3.6, operation `authorization.getWhoami`): the user view exactly as Fusio answers
/// it. A token with scope `openid` alone may use it too, since discovery advertises it as the userinfo endpoint.
public final class WhoamiController: OperationAction {
    private let profiles: any ProfileRepository
    private let clock: any Clock

    public init(profiles: any ProfileRepository, clock: any Clock) {
        self.profiles = profiles
        self.clock = clock
    }

    public func authentication(for request: HTTPRequest) -> OperationAuthentication { .bearer(alsoAllowed: ["openid"]) }

    public func perform(_ request: HTTPRequest, context: OperationContext) -> HTTPResponse {
        guard let token = context.token else { return HTTPError.notFound.response }
        let profile: UserProfile?
        do {
            profile = try profiles.profile(userID: token.userID, now: clock.now())
        } catch {
            return HTTPError.databaseUnavailable.response
        }
        guard let profile else { return HTTPError(status: 404, message: "Could not find user").response }
        return .json(200, Self.view(profile), headers: [("Cache-Control", "no-store")])
    }

    /// Field names and order of Fusio's `Consumer\View\User`; null members left out.
    static func view(_ profile: UserProfile) -> JSONObject {
        var object: JSONObject = ["id": .int(profile.id), "roleId": .int(profile.roleID)]
        if let planID = profile.planID { object.append("planId", .int(planID)) }
        object.append("status", .int(profile.status))
        object.append("name", .string(profile.name))
        if let email = profile.email { object.append("email", .string(email)) }
        if let points = profile.points { object.append("points", .int(points)) }
        object.append("scopes", .array(profile.scopes.map { .string($0) }))
        // PHP leaves `plans` out when the user has none (its view skips null members, and no plans is null there).
        if !profile.plans.isEmpty { object.append("plans", .array(profile.plans.map { plan in
            var entry: JSONObject = ["id": .int(plan.id), "name": .string(plan.name)]
            entry.append("price", plan.price % 100 == 0 ? .int(plan.price / 100) : .double(Double(plan.price) / 100))
            entry.append("points", .int(plan.points))
            if let period = plan.period { entry.append("period", .int(period)) }
            return .object(entry)
        })) }
        if let metadata = profile.metadata, let parsed = try? JSONParser.parse(Array(metadata.utf8)) {
            object.append("metadata", parsed)
        }
        if let date = profile.date {
            let text = date.databaseString
            object.append("date", .string(text.replacingFirstSpace(with: "T") + "Z"))
        }
        return object
    }
}

extension String {
    func replacingFirstSpace(with replacement: String) -> String {
        guard let space = firstIndex(of: " ") else { return self }
        return self[..<space] + replacement + self[index(after: space)...]
    }
}
