/// Exists for the libFuzzer target `Fuzz/FuzzFastCGIConnection` only: `FastCGIConnectionParser` is internal, and
/// this passes through exactly what the fuzzer drives and checks. Behind `@_spi(Fuzzing)`, so it is no part of the
/// module's API (`@_spi(Fuzzing) import FastCGI` to see it); the server never uses it.
@_spi(Fuzzing)
public struct FastCGIParserProbe {
    public enum Event {
        case request(FastCGIRequest)
        case abort(requestID: UInt16)
        case reply([UInt8])
    }

    /// The longest record there is: header, 65,535 content bytes, 255 padding bytes.
    public static let maximumRecordLength = FastCGIRecordType.headerLength + FastCGIRecordType.maximumContentLength + 255

    private var parser: FastCGIConnectionParser

    public init(limits: FastCGILimits) {
        parser = FastCGIConnectionParser(limits: limits)
    }

    public var limits: FastCGILimits { parser.limits }
    public var openRequestCount: Int { parser.openRequestCount }
    public var bufferedByteCount: Int { parser.bufferedByteCount }

    public mutating func finish(_ requestID: UInt16) { parser.finish(requestID) }

    /// `FastCGIConnectionParser.consume`: the events, and the error if it threw (the server would then close the
    /// connection; the events before it still count).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> (events: [Event], error: FastCGIProtocolError?) {
        var events: [FastCGIConnectionParser.Event] = []
        var failure: FastCGIProtocolError?
        do throws(FastCGIProtocolError) {
            try parser.consume(bytes, into: &events)
        } catch {
            failure = error
        }
        let mapped = events.map { event -> Event in
            switch event {
            case .request(let request): .request(request)
            case .abort(let requestID): .abort(requestID: requestID)
            case .reply(let bytes): .reply(bytes)
            }
        }
        return (mapped, failure)
    }
}
