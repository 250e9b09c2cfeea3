// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Roster's parsers of untrusted input. They live in their own package so
// that the main build never carries them; build and run them with scripts/fuzz.sh, which compiles
// everything (Roster's modules and SwiftNIO too) with `-sanitize=fuzzer,address`.
let package = Package(
    name: "RosterFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Roster", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The properties every target asserts, and how a violation is reported.
        .target(name: "FuzzSupport"),
        // The PDU framer and decoder (LDAPMessageDecoder.decodeOne, LDAPMessage(berEncoded:)).
        .executableTarget(
            name: "FuzzPDU",
            dependencies: [
                "FuzzSupport",
                .product(name: "BER", package: "Roster"),
                .product(name: "LDAPProtocol", package: "Roster"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // The RFC 4514 DN parser (DistinguishedName(parsing:)) and its printing and normalisation.
        .executableTarget(
            name: "FuzzDN",
            dependencies: ["FuzzSupport", .product(name: "LDAPProtocol", package: "Roster")]),
        // The RFC 4515 filter-string parser (Filter(parsing:)) and its printing.
        .executableTarget(
            name: "FuzzFilter",
            dependencies: [
                "FuzzSupport",
                .product(name: "BER", package: "Roster"),
                .product(name: "LDAPProtocol", package: "Roster"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
