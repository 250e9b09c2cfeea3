// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main build and CI never carry
// ordo-one/benchmark. Run: cd Benchmarks && swift package benchmark
let package = Package(
    name: "RosterBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Roster", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Directory", package: "Roster")],
            path: "Sources/BenchmarkSupport"
        ),
        .executableTarget(
            name: "Codec",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BER", package: "Roster"),
                .product(name: "LDAPProtocol", package: "Roster"),
            ],
            path: "Benchmarks/Codec",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DirectoryCore",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Directory", package: "Roster"),
                .product(name: "Storage", package: "Roster"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/DirectoryCore",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Search",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Directory", package: "Roster"),
                .product(name: "LDAPFrontend", package: "Roster"),
                .product(name: "LDAPProtocol", package: "Roster"),
                .product(name: "Logging", package: "swift-log"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/Search",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
