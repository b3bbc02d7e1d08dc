import Glibc

/// Owner, group and mode of a unix listening socket, like php-fpm's `listen.owner/group/mode`.
public struct SocketPermissions: Sendable, Equatable {
    public var owner: String?
    public var group: String?
    public var mode: mode_t

    /// php-fpm's defaults: mode 0660, and group www-data where that group exists so nginx workers can connect.
    public static func defaults() -> SocketPermissions {
        SocketPermissions(owner: nil, group: getgrnam("www-data") == nil ? nil : "www-data", mode: 0o660)
    }

    public init(owner: String?, group: String?, mode: mode_t) {
        self.owner = owner
        self.group = group
        self.mode = mode
    }

    /// Parses an octal mode such as `0660` or `660`.
    public static func parseMode(_ text: String) -> mode_t? {
        guard !text.isEmpty, text.count <= 4, let value = UInt32(text, radix: 8), value <= 0o777 else { return nil }
        return mode_t(value)
    }
}
