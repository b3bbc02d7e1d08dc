import FuzzSupport
import FusioAuth
import FusioCrypto

// libFuzzer target: `Authorization` header values. `ClientCredentials.fromAuthorizationHeader` must accept or
// refuse every value without crashing; what it accepts must be PHP-non-empty, and must come back unchanged from
// the header a well-behaved client would send for it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for header in [text, "Basic " + text] {
        guard let credentials = ClientCredentials.fromAuthorizationHeader(header) else { continue }
        precondition(!credentials.id.isEmpty && credentials.id != "0" && !credentials.id.utf8.contains(UInt8(ascii: ":")),
                     "accepted an empty, \"0\" or colon-containing client id")
        precondition(!credentials.secret.isEmpty && credentials.secret != "0", "accepted an empty or \"0\" secret")
        precondition(credentials.description == "ClientCredentials(id: \(credentials.id), secret: ****)",
                     "description shows more than the client id")
        let wellFormed = "Basic " + Base64.encode((credentials.id + ":" + credentials.secret).utf8)
        precondition(ClientCredentials.fromAuthorizationHeader(wellFormed) == credentials,
                     "credentials changed in an encode/parse round trip")
    }
    return 0
}

#if FUSIO_FUZZ
/// SwiftPM links an executable's `main` to `<module>_main` (`--defsym main=FuzzBasicHeader_main` on Linux).
@_cdecl("FuzzBasicHeader_main")
public func libFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzMain.libFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}
#else
@main
enum Replay {
    static func main() { FuzzMain.replay { data, size in fuzz(data!, size) } }
}
#endif
