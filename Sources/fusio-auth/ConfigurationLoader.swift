import CPosix
import FusioAuth
import Glibc
import FusioAuthMariaDB
import MariaDB

/// Reads the Fusio `.env` file and the process environment into `Settings`; a failure is one line naming the key.
enum ConfigurationLoader {
    static func load(envFile path: String) throws -> Settings {
        let text: String
        do {
            text = try FileReader.read(path)
        } catch {
            throw ConfigurationError(key: "--env", reason: "cannot read \(path): \(error)")
        }
        return try Settings.load(file: EnvFile.parse(text), environment: processEnvironment())
    }

    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = cposix_environ()
        while let entry = cursor?.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            cursor = cursor?.advanced(by: 1)
        }
        return result
    }

    static func mariaDB(_ location: DatabaseLocation) -> MariaDBConfiguration {
        MariaDBConfiguration(
            host: location.host, port: UInt32(location.port ?? 0), user: location.user, password: location.password,
            database: location.database, unixSocket: location.unixSocket, charset: location.charset ?? "utf8mb4",
            sessionInitCommand: FusioStore.sessionInitCommand)
    }
}

enum FileReader {
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> String {
        guard let file = fopen(path, "rb") else { throw ReadError(description: String(cString: strerror(errno))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
