// swift-tools-version:6.0
// A package that depends on Activation Discovery by path, as another team's tool would: `make test` builds it, which
// fails if the library's manifest uses `unsafeFlags` (SwiftPM refuses them in a dependency) or if its public API
// does not let a client run the pipeline and write the reports.
import PackageDescription

let package = Package(
    name: "DependentCheck",
    dependencies: [.package(name: "ActivationDiscovery", path: "../..")],
    targets: [
        .executableTarget(name: "DependentCheck",
                          dependencies: [.product(name: "ActivationKit", package: "ActivationDiscovery")]),
    ]
)
