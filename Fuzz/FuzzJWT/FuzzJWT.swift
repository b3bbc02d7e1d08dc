import FuzzSupport
import FusioAuth
import FusioCrypto

// libFuzzer target: `JSONWebToken.verify` must refuse or accept every input without crashing. Three views of
// the same bytes reach three depths of `verify`: the raw token (segment splitting, header), `header.payload`
// re-signed with the key (claims parsing behind a valid signature), and the bytes as the payload of a token
// with Fusio's header (the JSON parser and the time claims).

private let key = Array("fuzz-key-0123456789abcdef012345".utf8) + [0x00]  // 32 bytes, one of them NUL
private let now: Int64 = 1_700_000_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    _ = try? JSONWebToken.verify(text, key: key, now: now)

    // header.payload plus the correct signature for exactly those bytes
    // (split by bytes: `String.split` works on characters, and a combining mark after a dot would hide it)
    let utf8 = Array(text.utf8)
    let dots = utf8.indices.filter { utf8[$0] == UInt8(ascii: ".") }
    let signingInput = String(decoding: utf8[..<(dots.count >= 2 ? dots[1] : utf8.count)], as: UTF8.self)
    let resigned = signingInput + "." + Base64URL.encode(HMACSHA256.authenticate(signingInput.utf8, key: key))
    _ = try? JSONWebToken.verify(resigned, key: key, now: now)

    // the bytes as the payload of a well-formed, correctly signed token
    let unsigned = JSONWebToken.headerSegment + "." + Base64URL.encode(bytes)
    let token = unsigned + "." + Base64URL.encode(HMACSHA256.authenticate(unsigned.utf8, key: key))
    if let claims = try? JSONWebToken.verify(token, key: key, now: now) {
        // what verify accepted, signed again, must verify to the same claims
        precondition((try? JSONWebToken.verify(JSONWebToken.sign(payload: claims, key: key), key: key, now: now))
            .map { $0.count == claims.count } ?? false, "a token signed by sign() from accepted claims is refused")
    }

    _ = try? JSONWebToken.verify(text, key: Array(key.prefix(31)), now: now)  // key too short: refused, no crash
    return 0
}

#if FUSIO_FUZZ
/// SwiftPM links an executable's `main` to `<module>_main` (`--defsym main=FuzzJWT_main` on Linux).
@_cdecl("FuzzJWT_main")
public func libFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzMain.libFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}
#else
@main
enum Replay {
    static func main() { FuzzMain.replay { data, size in fuzz(data!, size) } }
}
#endif
