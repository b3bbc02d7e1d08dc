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

    /// With `FUSIO_AUTH_DB_HOSTS` the connection goes to those nodes (user, password, schema and charset still from
    /// `APP_CONNECTION`) with a 1 s connect timeout: a thread whose node died tries the next one, and must be
    /// serving again within 2 s even when a node does not answer at all.
    static func mariaDB(_ settings: Settings) -> MariaDBConfiguration {
        let location = settings.database
        return MariaDBConfiguration(
            host: location.host, port: UInt32(location.port ?? 0), user: location.user, password: location.password,
            database: location.database, unixSocket: location.unixSocket, charset: location.charset ?? "utf8mb4",
            connectTimeoutSeconds: settings.databaseHosts.isEmpty ? 2 : 1,
            sessionInitCommand: FusioStore.sessionInitCommand,
            nodes: settings.databaseHosts.map { MariaDBNode(host: $0.host, port: UInt32($0.port)) },
            failBackSeconds: UInt32(settings.databaseFailBackSeconds))
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
