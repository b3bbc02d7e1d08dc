#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if FUSIO_FUZZ
import CLibFuzzer
#endif

/// A fuzz target's `LLVMFuzzerTestOneInput`, as a C function pointer libFuzzer's driver can call.
public typealias FuzzEntry = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// The two ways every target runs, written once: under `-sanitize=fuzzer` (`-D FUSIO_FUZZ`) its `main` hands over
/// to libFuzzer's driver; in a plain build it replays the files named as arguments (crash files, corpus entries),
/// or standard input when there are none, through the same entry point.
public enum FuzzMain {
    #if FUSIO_FUZZ
    public static func libFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ entry: FuzzEntry) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, entry)
    }
    #endif

    public static func replay(_ entry: FuzzEntry) {
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
                entry(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, buffer.count)
            }
            print("\(path): \(bytes.count) bytes, no crash")
        }
    }
}
