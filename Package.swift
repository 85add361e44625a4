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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
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
        .systemLibrary(name: "CTagLib", pkgConfig: "taglib_c", providers: [.apt(["libtagc0-dev"])]),

        // What every module needs once: the seeded generator, a lock, parallel work with progress.
        .target(name: "GenreSupport", dependencies: ["CMalloc"]),
        .target(name: "GenreAudio", dependencies: ["CFFmpeg", "CSoxr"]),
        .target(name: "GenreFeatures"),
        .target(name: "GenreNN", dependencies: ["CDNNL", "GenreSupport"]),
        .target(name: "GenreML", dependencies: ["CSVM", "CXGBoost", "CLAPACK", "GenreSupport"]),
        .target(name: "GenrePretrained", dependencies: ["GenreAudio", "GenreFeatures", "GenreNN", "GenreML", "GenreSupport"],
                resources: [.copy("Resources/musicnn"), .copy("Resources/imagenet-mobilenet-v2")]),
        .target(name: "GenreKit", dependencies: ["GenreAudio", "GenreFeatures", "GenreNN", "GenreML", "GenrePretrained",
                                                 "GenreSupport"],
                resources: [.copy("Resources/default.genremodel")]),
        // A music library's index (`genre library`): tags through TagLib, the answers in SQLite.
        .target(name: "GenreLibrary", dependencies: ["GenreKit", "GenreAudio", "GenreSupport", "CTagLib",
                                                     .product(name: "GRDB", package: "GRDB.swift")]),
        // The HTTP service (`genre serve`): the classifier and tagger behind a versioned API.
        .target(name: "GenreServer", dependencies: [
            "GenreKit", "GenreLibrary", "GenreSupport", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [.copy("Resources/openapi.yaml"), .copy("Resources/index.html")]),
        .executableTarget(name: "genre", dependencies: [
            "GenreKit", "GenreLibrary", "GenreServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Shared by the test targets: fixture loading and tolerance checks.
        .target(name: "TestSupport", dependencies: ["GenreSupport"], path: "Tests/TestSupport"),
        .testTarget(name: "GenreAudioTests", dependencies: ["GenreAudio", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreFeaturesTests", dependencies: ["GenreFeatures", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreMLTests", dependencies: ["GenreML", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreNNTests", dependencies: ["GenreNN", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenrePretrainedTests", dependencies: ["GenrePretrained", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreKitTests", dependencies: ["GenreKit", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GenreLibraryTests", dependencies: [
            "GenreLibrary", "CTagLib", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "GenreServerTests", dependencies: [
            "GenreServer", "GenreLibrary", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
        ]),
    ]
)
