/// One line of the doctor's report. `fix` is set for every result that is not ok; nothing here holds a secret.
public struct CheckResult: Sendable, Equatable {
    public let name: String
    public let status: CheckStatus
    public let detail: String
    public let fix: String?

    public init(name: String, status: CheckStatus, detail: String, fix: String? = nil) {
        precondition(status == .ok || fix != nil, "a result that is not ok must say how to fix it")
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    /// `status  name  detail — fix: …`, one line.
    public var line: String {
        let status = status.label.padding(to: 4)
        let name = name.padding(to: 12)
        guard let fix else { return "\(status)  \(name)  \(detail)" }
        return "\(status)  \(name)  \(detail) — fix: \(fix)"
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
