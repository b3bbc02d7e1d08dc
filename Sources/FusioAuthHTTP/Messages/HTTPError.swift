import FusioAuth

/// A non-OAuth error, rendered as Fusio's generic error body `{"success": false, "title", "message"}`.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    public var headers: [(String, String)]

    public init(status: Int, message: String, headers: [(String, String)] = []) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.message == rhs.message
    }

    public static let notFound = HTTPError(status: 404, message: "Unknown location")
    public static let payloadTooLarge = HTTPError(status: 413, message: "Request body is too large")
    public static let parametersTooLarge = HTTPError(status: 431, message: "Request header fields are too large")
    public static let malformedBody = HTTPError(status: 400, message: "Request body could not be read")
    public static func methodNotAllowed(allow: [String]) -> HTTPError {
        HTTPError(status: 405, message: "Method not allowed", headers: [("Allow", allow.joined(separator: ", "))])
    }
    public static let databaseUnavailable = HTTPError(status: 503, message: "The service is temporarily unavailable")

    public var response: HTTPResponse {
        // Fusio's converter says "Internal Server Error" as the title whatever the status; clients show `message`.
        .json(status, ["success": .bool(false), "title": .string("Internal Server Error"), "message": .string(message)],
              headers: headers)
    }
}
