// swift-tools-version:6.0
// The benchmarks' executables, a package of their own beside the product's so that building GenreKit
// never compiles them: bench/nn.sh runs genre-nn-bench, bench/musicnn.sh runs musicnn-bench.
import Foundation
import PackageDescription

// A package found by path is named by its folder, whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "GenreKitBench",
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(name: "genre-nn-bench", dependencies: [
            .product(name: "GenreKit", package: root.lastPathComponent),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "NNBench"),
        .executableTarget(name: "musicnn-bench", dependencies: [.product(name: "GenreKit", package: root.lastPathComponent)],
                          path: "MusicnnBench"),
    ]
)
