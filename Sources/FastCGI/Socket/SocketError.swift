import Glibc

/// A failure to set up the listening socket; carries the operation and errno text, never request data.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let errorNumber: Int32

    init(_ operation: String, errno errorNumber: Int32 = errno) {
        self.operation = operation
        self.errorNumber = errorNumber
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(errorNumber)))"
    }
}
