// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ActivationDiscovery",
    products: [
        .executable(name: "activation", targets: ["activation"]),
        .library(name: "ActivationKit", targets: ["ActivationKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The config file (activation.toml): a real TOML parser (toml++), not a hand-rolled one.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libcsv, the C CSV parser from Debian's libcsv-dev (no pkg-config file ships with it).
        .systemLibrary(
            name: "CLibCSV",
            path: "Sources/CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        // zlib, for reading gzip-compressed exports (*.csv.gz) as a stream.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // OpenSSL's libcrypto, for the SHA-256 fingerprints of inputs (hardware SHA instructions where available).
        .systemLibrary(
            name: "CLibCrypto",
            path: "Sources/CLibCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Pure statistics: AUC and DeLong, logistic regression, 2x2 tables, multiple testing, survival.
        // ActivationStatistics and ActivationKit are optimised in debug builds too: the test suite runs the pipeline
        // thousands of times (fuzzing, kill tests), and unoptimised Swift is five to ten times slower at it.
        .target(name: "ActivationStatistics", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The pipeline stages: Ingest -> Features -> Candidates -> Ranking -> Report.
        .target(
            name: "ActivationKit",
            dependencies: [
                "CLibCSV", "CZlib", "CLibCrypto", "ActivationStatistics",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            // Release builds skip the run-time exclusivity checks on class properties (5% of ingest time in the
            // profile); debug builds, which the tests run, keep them, so an overlapping access still traps there.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug)),
                            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The deterministic, seeded generator of SampleData (and of the benchmark's large export sets).
        .target(
            name: "SampleDataGenerator",
            dependencies: ["ActivationKit", "ActivationStatistics"]
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "activation",
            dependencies: [
                "ActivationKit",
                "SampleDataGenerator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ActivationStatisticsTests",
            dependencies: ["ActivationStatistics"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ActivationKitTests",
            dependencies: ["ActivationKit", "SampleDataGenerator"],
            exclude: ["Fixtures"]
        ),
    ]
)
