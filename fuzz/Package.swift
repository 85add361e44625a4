// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets over GenreKit's readers of untrusted bytes, one executable each. Built by
// scripts/fuzz.sh with the fuzzer and address sanitizers.
let genreKit: [Target.Dependency] = ["FuzzSupport", .product(name: "GenreKit", package: "GenreKit")]
let lld: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

let package = Package(
    name: "GenreKitFuzz",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "fuzz-audio", targets: ["FuzzAudio"]),
        .executable(name: "fuzz-bundle", targets: ["FuzzBundle"]),
        .executable(name: "fuzz-tables", targets: ["FuzzTables"]),
        .executable(name: "fuzz-safetensors", targets: ["FuzzSafetensors"]),
    ],
    dependencies: [.package(name: "GenreKit", path: "..")],
    targets: [
        // Each fuzz target links with lld: Debian's gold stops with an internal error on the
        // sanitized objects (gold/dwarf_reader.cc format_file_lineno).
        .systemLibrary(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"]),
        .executableTarget(name: "FuzzAudio", dependencies: genreKit, linkerSettings: lld),
        .executableTarget(name: "FuzzBundle", dependencies: genreKit, linkerSettings: lld),
        .executableTarget(name: "FuzzTables", dependencies: genreKit, linkerSettings: lld),
        .executableTarget(name: "FuzzSafetensors", dependencies: genreKit, linkerSettings: lld),
    ]
)
