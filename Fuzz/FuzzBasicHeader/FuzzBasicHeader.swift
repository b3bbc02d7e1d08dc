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
        let wellFormed = "Basic " + base64(Array((credentials.id + ":" + credentials.secret).utf8))
        precondition(ClientCredentials.fromAuthorizationHeader(wellFormed) == credentials,
                     "credentials changed in an encode/parse round trip")
    }
    return 0
}

/// Standard base64 with padding, as clients send it (the package only needs to decode it).
private func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let b0 = bytes[index], b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
        let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
        output.append(alphabet[Int(b0 >> 2)])
        output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        output.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        output.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
        index += 3
    }
    return String(decoding: output, as: UTF8.self)
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
