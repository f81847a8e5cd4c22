// swift-tools-version:6.0
import PackageDescription

// One target per stage, so that the compiler guards the direction of the pipeline:
//
//   ActivationCore ─┬─ ActivationFastPaths ── ActivationIngest ── ActivationFeatures ─┬─ ActivationIncremental ─┐
//                   │                                                                 └─ ActivationAnalysis ─────┴─ ActivationPipeline
//   ActivationStatistics ───────────────────────────────────────────────────────────────┘                                  │
//                                                            ActivationReport (Core, FastPaths, Features, Analysis, Pipeline's result)
//
// Analysis never sees files, bytes or the cache; Pipeline never writes a word of the report; Statistics imports nothing of the
// project. The release build's speed flags live in the Makefile (SwiftPM refuses `unsafeFlags` in a package that another
// package depends on), so a package that depends on this one by path builds.
let package = Package(
    name: "ActivationDiscovery",
    products: [
        .executable(name: "activation", targets: ["activation"]),
        .library(name: "ActivationKit", targets: ["ActivationPipeline", "ActivationReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The config file (activation.toml): a real TOML parser (toml++), not a hand-rolled one.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libcsv, the C CSV parser from Debian's libcsv-dev (no pkg-config file ships with it).
        .systemLibrary(name: "CLibCSV", path: "Sources/CLibCSV", providers: [.apt(["libcsv-dev"])]),
        // zlib, for reading gzip-compressed exports (*.csv.gz) as a stream.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // OpenSSL's libcrypto, for the SHA-256 fingerprints of inputs (hardware SHA instructions where available).
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", providers: [.apt(["libssl-dev"])]),
        // C helpers Swift cannot spell (the prefetch hint), in one small module.
        .target(name: "CActivationShims"),

        // The maths only, on plain values, counts and weights: AUC and DeLong, logistic regression, 2x2 tables,
        // multiple testing, survival.
        .target(name: "ActivationStatistics"),
        // Domain types every stage shares: customers, renewal labels, column names, event naming, rejected rows, the
        // error type with its exit kinds, timestamps, the follow-up rule, the version, number formatting, a parallel map.
        .target(name: "ActivationCore"),
        // Files, pread, gzip, hashes, interners, hash sets, zeroed pages, binary coding: the speed machinery.
        .target(name: "ActivationFastPaths",
                dependencies: ["ActivationCore", "CActivationShims", "CZlib", "CLibCrypto"]),
        // Stage 1: the CSV reader (libcsv) and the customer, user-mapping and event readers.
        .target(name: "ActivationIngest",
                dependencies: ["ActivationCore", "ActivationFastPaths", "CActivationShims", "CLibCSV"]),
        // Stage 2: first-window accumulators, the feature table, the feature-table reader, the SQL generator.
        .target(name: "ActivationFeatures",
                dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "CActivationShims"]),
        // The incremental, two-core ingest: export units, merging in order, the export cache and fingerprints.
        .target(name: "ActivationIncremental",
                dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "ActivationFeatures"]),
        // Stages 3-5: candidates, ranking, the proposal, the action plan. A feature table in, numbers out.
        .target(name: "ActivationAnalysis",
                dependencies: ["ActivationCore", "ActivationStatistics", "ActivationFeatures"]),
        // The stage runner, configuration (TOML), input paths and the run's result.
        .target(name: "ActivationPipeline",
                dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "ActivationFeatures",
                               "ActivationIncremental", "ActivationAnalysis", "ActivationStatistics",
                               .product(name: "TOMLKit", package: "TOMLKit")]),
        // Every word a person reads: Markdown, CSV/JSON files, charts, the run summary.
        .target(name: "ActivationReport",
                dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationFeatures", "ActivationAnalysis",
                               "ActivationStatistics", "ActivationPipeline"]),
        // The deterministic, seeded generator of SampleData (and of the benchmark's large export sets).
        .target(name: "SampleDataGenerator", dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationStatistics"]),
        // The thin command-line front end.
        .executableTarget(
            name: "activation",
            dependencies: ["ActivationCore", "ActivationPipeline", "ActivationReport", "ActivationFeatures", "SampleDataGenerator",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // One test target per module, and the end-to-end suite; shared helpers (paths, temporary folders) in one place.
        .target(name: "ActivationTestSupport", dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationIngest"],
                path: "Tests/ActivationTestSupport"),
        .testTarget(name: "ActivationStatisticsTests", dependencies: ["ActivationStatistics"], exclude: ["Fixtures"]),
        .testTarget(name: "ActivationCoreTests",
                    dependencies: ["ActivationCore", "ActivationTestSupport"]),
        .testTarget(name: "ActivationFastPathsTests",
                    dependencies: ["ActivationFastPaths", "ActivationIngest", "ActivationStatistics", "ActivationTestSupport"]),
        .testTarget(name: "ActivationIngestTests",
                    dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "ActivationStatistics", "ActivationTestSupport"]),
        .testTarget(name: "ActivationFeaturesTests",
                    dependencies: ["ActivationAnalysis", "ActivationCore", "ActivationFastPaths", "ActivationFeatures", "ActivationReport", "ActivationStatistics", "ActivationTestSupport"]),
        .testTarget(name: "ActivationIncrementalTests",
                    dependencies: ["ActivationCore", "ActivationFastPaths", "ActivationFeatures", "ActivationIncremental", "ActivationIngest", "ActivationPipeline", "ActivationReport", "ActivationStatistics", "ActivationTestSupport"]),
        .testTarget(name: "ActivationAnalysisTests",
                    dependencies: ["ActivationAnalysis", "ActivationCore", "ActivationFastPaths", "ActivationFeatures", "ActivationIncremental", "ActivationIngest", "ActivationPipeline", "ActivationStatistics", "ActivationTestSupport"]),
        .testTarget(name: "ActivationReportTests",
                    dependencies: ["ActivationAnalysis", "ActivationCore", "ActivationFastPaths", "ActivationPipeline", "ActivationReport", "ActivationTestSupport"]),
        .testTarget(name: "ActivationPipelineTests",
                    dependencies: ["ActivationAnalysis", "ActivationCore", "ActivationFeatures", "ActivationPipeline", "ActivationTestSupport"]),
        .testTarget(name: "EndToEndTests",
                    dependencies: ["ActivationAnalysis", "ActivationCore", "ActivationFastPaths", "ActivationFeatures", "ActivationIngest", "ActivationPipeline", "ActivationReport", "ActivationStatistics", "ActivationTestSupport", "SampleDataGenerator"], exclude: ["Fixtures"]),
    ]
)
