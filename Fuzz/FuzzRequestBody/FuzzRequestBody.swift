import FuzzSupport
import FusioAuth
import FusioAuthHTTP

// libFuzzer target: request bodies as the token, login, revoke and introspect endpoints read them. Every input
// must be accepted or refused with a `RequestParameterError`, never crash; an accepted form body must give the
// same pairs after `FormURLEncoded.encode` and another parse (so the escape rules of both directions agree).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = UnsafeBufferPointer(start: data, count: size)

    if let form = try? RequestParameters.form(body) {
        for name in form.names { _ = form[name] ?? form.list(name)?.first }
    }
    if let pairs = try? FormURLEncoded.parse(body) {
        let again = try? FormURLEncoded.parse(Array(FormURLEncoded.encode(pairs.map { ($0.name, $0.value) }).utf8))
        precondition(again.map { $0.elementsEqual(pairs) { $0.name == $1.name && $0.value == $1.value } } ?? false,
                     "form pairs changed in an encode/parse round trip")
    }

    if let json = try? RequestParameters.json(body) {
        for name in json.names { _ = json[name] ?? json.list(name)?.first }
    }
    _ = try? JSONParser.parse(body, maxDepth: 8)
    _ = try? RequestParameters.query(String(decoding: body, as: UTF8.self))
    return 0
}

#if FUSIO_FUZZ
/// SwiftPM links an executable's `main` to `<module>_main` (`--defsym main=FuzzRequestBody_main` on Linux).
@_cdecl("FuzzRequestBody_main")
public func libFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzMain.libFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}
#else
@main
enum Replay {
    static func main() { FuzzMain.replay { data, size in fuzz(data!, size) } }
}
#endif
