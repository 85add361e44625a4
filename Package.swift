// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GenreKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "GenreKit", targets: ["GenreKit"]),
        .executable(name: "genre", targets: ["genre"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Thin wrappers of Debian's native libraries (module maps, pkg-config names).
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CSVM", providers: [.apt(["libsvm-dev"])]),
        .systemLibrary(name: "CXGBoost", providers: [.apt(["libxgboost-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CLAPACK", providers: [.apt(["liblapack-dev"])]),

        .target(name: "GenreAudio", dependencies: ["CFFmpeg", "CSoxr"]),
        .target(name: "GenreFeatures", dependencies: ["GenreAudio"]),
        .target(name: "GenreML", dependencies: ["CSVM", "CXGBoost", "CLAPACK"]),
        .target(name: "GenreNN", dependencies: ["CDNNL"]),
        .target(name: "GenreKit", dependencies: ["GenreAudio", "GenreFeatures", "GenreML", "GenreNN"],
                resources: [.copy("Resources/default.genremodel"), .copy("Resources/musicnn")]),
        .executableTarget(name: "genre", dependencies: [
            "GenreKit", "CMalloc", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // bench/nn.sh's timings of GenreNN; not part of the product.
        .executableTarget(name: "genre-nn-bench", dependencies: [
            "GenreKit", "GenreNN", "CMalloc", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // bench/musicnn.sh's timing of musicnn embeddings (not a product).
        .executableTarget(name: "musicnn-bench", dependencies: ["GenreKit", "CMalloc"], path: "bench/MusicnnBench"),

        // Shared by the test targets: fixture loading and tolerance checks.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GenreAudioTests", dependencies: ["GenreAudio", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreFeaturesTests", dependencies: ["GenreFeatures", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreMLTests", dependencies: ["GenreML", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreNNTests", dependencies: ["GenreNN", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreKitTests", dependencies: ["GenreKit", "TestSupport"],
                    exclude: ["Fixtures"]),
    ]
)
