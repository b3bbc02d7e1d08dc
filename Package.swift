// swift-tools-version:6.0
import PackageDescription

// Layers, each importing only the ones below it:
//   C shims → FastCGI, MariaDB, FusioCrypto → FusioAuth (domain) → FusioAuthMariaDB (storage), FusioAuthHTTP (routing)
//   → fusio-auth (executable)
let package = Package(
    name: "fusio-auth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fusio-auth", targets: ["fusio-auth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CPosix"),

        .target(name: "FastCGI", dependencies: ["CFastCGI", "CPosix", .product(name: "Logging", package: "swift-log"),
                                               .product(name: "Metrics", package: "swift-metrics")]),
        .target(name: "MariaDB", dependencies: ["CMariaDB", .product(name: "Metrics", package: "swift-metrics")]),
        .target(name: "FusioCrypto", dependencies: ["COpenSSL", "CCrypt"]),

        .target(name: "FusioAuth", dependencies: ["FusioCrypto"]),
        .target(name: "FusioAuthMariaDB", dependencies: ["FusioAuth", "MariaDB",
                                                        .product(name: "Metrics", package: "swift-metrics")]),
        .target(name: "FusioAuthHTTP", dependencies: ["FusioAuth", .product(name: "Logging", package: "swift-log"),
                                                     .product(name: "Metrics", package: "swift-metrics")]),

        .executableTarget(
            name: "fusio-auth",
            dependencies: [
                "CPosix", "FastCGI", "MariaDB", "FusioCrypto", "FusioAuth", "FusioAuthMariaDB", "FusioAuthHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // libFuzzer targets (Fuzz/README.md, scripts/fuzz). Without `-D FUSIO_FUZZ` each is a small replay tool, so
        // a plain `swift build` builds them too; scripts/fuzz builds them with the sanitizer into .build-fuzz.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzRequestBody", dependencies: ["FuzzSupport", "FusioAuth", "FusioAuthHTTP"],
                          path: "Fuzz/FuzzRequestBody"),
        .executableTarget(name: "FuzzBasicHeader", dependencies: ["FuzzSupport", "FusioAuth", "FusioCrypto"],
                          path: "Fuzz/FuzzBasicHeader"),
        .executableTarget(name: "FuzzDSN", dependencies: ["FuzzSupport", "FusioAuth"], path: "Fuzz/FuzzDSN"),
        .executableTarget(name: "FuzzJWT", dependencies: ["FuzzSupport", "FusioAuth", "FusioCrypto"], path: "Fuzz/FuzzJWT"),
        .executableTarget(name: "FuzzFastCGIConnection", dependencies: ["FuzzSupport", "FastCGI"],
                          path: "Fuzz/FuzzFastCGIConnection"),

        .testTarget(name: "FusioAuthTests", dependencies: ["FusioAuth", "FusioAuthHTTP", "FusioCrypto"]),
        .testTarget(name: "MariaDBTests", dependencies: ["MariaDB"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI"]),
    ],
    swiftLanguageModes: [.v6]
)
