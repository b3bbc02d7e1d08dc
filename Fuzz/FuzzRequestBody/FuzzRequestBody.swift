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
import CLibFuzzer

/// SwiftPM links an executable's `main` to `<module>_main` (`--defsym main=FuzzRequestBody_main` on Linux); with
/// `-sanitize=fuzzer` that entry point hands over to libFuzzer's driver.
@_cdecl("FuzzRequestBody_main")
public func libFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) }
}
#else
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Without libFuzzer (a plain `swift build`): replays the files named as arguments (crash files, corpus
/// entries), or standard input when there are none, through the same entry point.
@main
enum Replay {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        for path in paths.isEmpty ? ["-"] : Array(paths) {
            guard let file = path == "-" ? fdopen(0, "rb") : fopen(path, "rb") else {
                print("cannot open \(path)")
                exit(2)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&chunk, 1, chunk.count, file)
                if count <= 0 { break }
                bytes += chunk[..<count]
            }
            if path != "-" { fclose(file) }
            _ = bytes.withUnsafeBufferPointer { buffer in
                fuzz(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, buffer.count)
            }
            print("\(path): \(bytes.count) bytes, no crash")
        }
    }
}
#endif
