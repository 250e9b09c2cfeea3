// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Roster",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "roster", targets: ["roster"]),
        .library(name: "BER", targets: ["BER"]),
        .library(name: "LDAPProtocol", targets: ["LDAPProtocol"]),
        .library(name: "Directory", targets: ["Directory"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "PostgresStorage", targets: ["PostgresStorage"]),
        .library(name: "LDAPFrontend", targets: ["LDAPFrontend"]),
        .library(name: "LDAPServer", targets: ["LDAPServer"]),
        .library(name: "Interchange", targets: ["Interchange"]),
        .library(name: "QRCode", targets: ["QRCode"]),
        .library(name: "WebConsole", targets: ["WebConsole"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Restricted BER (RFC 4511 §5.1). No dependencies, no I/O.
        .target(name: "BER", swiftSettings: strict),
        // RFC 4511 messages, RFC 4514 DNs, RFC 4515 filters, NIO framing.
        .target(
            name: "LDAPProtocol",
            dependencies: ["BER", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict),
        // The domain core. No project dependencies, no I/O.
        .target(
            name: "Directory", dependencies: [.product(name: "HashTreeCollections", package: "swift-collections")],
            swiftSettings: strict),
        // SQLite (GRDB) implementation of the domain's storage port.
        .target(
            name: "Storage",
            dependencies: ["Directory", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // PostgreSQL (postgres-nio) implementation of the storage port: several nodes share one
        // database and one gap-free change log.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Directory", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // Password hashing schemes behind the domain's PasswordHasher port.
        .target(
            name: "PasswordHashing",
            dependencies: [
                "Directory", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict,
            // crypt(3) for {CRYPT} values (libxcrypt on Linux; libc on Apple platforms).
            linkerSettings: [.linkedLibrary("crypt", .when(platforms: [.linux]))]),
        // Excel/CSV template, import with an error report, export, HR reconcile, LDIF, vCard, WeCom
        // JSON: plans and applies through the domain's commands; reads and writes bytes, never
        // the store.
        .target(
            name: "Interchange",
            dependencies: ["Directory", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strict),
        // QR code encoder (ISO/IEC 18004, byte mode). No dependencies, no I/O.
        .target(name: "QRCode", swiftSettings: strict),
        // The web address book and (later) the admin console: Hummingbird 2, server-rendered HTML,
        // reads and writes through the domain's functions and commands, never the LDAP frontend.
        .target(
            name: "WebConsole",
            dependencies: [
                "Directory", "Interchange", "QRCode",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // Session state machine, operations, entry mapping, filter evaluation.
        .target(
            name: "LDAPFrontend",
            dependencies: ["LDAPProtocol", "Directory", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // NIO pipeline, TLS/StartTLS, connection loop, limits, lifecycle.
        .target(
            name: "LDAPServer",
            dependencies: [
                "LDAPFrontend", "LDAPProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .target(
            name: "RosterCLI",
            dependencies: [
                "LDAPServer", "LDAPFrontend", "Directory", "PasswordHashing", "Storage", "PostgresStorage", "Interchange", "WebConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "roster", dependencies: ["RosterCLI"], swiftSettings: strict),

        .testTarget(name: "BERTests", dependencies: ["BER"], swiftSettings: strict),
        // Starts a throwaway PostgreSQL cluster for the tests that need one (only tests use it).
        .target(name: "PostgresTestSupport", path: "Tests/PostgresTestSupport", swiftSettings: strict),
        // Reading child processes' output without Foundation's trap on EINTR (only tests use it).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "DirectoryTests", dependencies: ["Directory", "Storage", "PostgresStorage", "PostgresTestSupport", "PasswordHashing"],
            swiftSettings: strict),
        .testTarget(
            name: "InterchangeTests",
            dependencies: ["Interchange", "Directory", "Storage", "PasswordHashing", "TestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strict),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "WebConsoleTests",
            dependencies: [
                "WebConsole", "QRCode", "Directory", "Storage", "PasswordHashing", "Interchange",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "LDAPProtocolTests",
            dependencies: [
                "LDAPProtocol", "BER",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "LDAPFrontendTests",
            dependencies: ["LDAPFrontend", "LDAPProtocol", "Directory", "PasswordHashing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(
            name: "LDAPServerTests",
            dependencies: [
                "LDAPServer", "LDAPFrontend", "LDAPProtocol", "BER", "Directory", "PasswordHashing", "Storage", "PostgresTestSupport", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
