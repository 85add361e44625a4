import Foundation
import GenreFeatures
import Testing
import TestSupport

/// librosa's outputs on synthetic signals, made by scripts/fixtures/make_spectral_fixtures.py, and
/// the comparisons the spectral tests make with them.
enum SpectralFixture {
    static let file: Fixture = {
        do { return try Fixture.load("spectral.safetensors") } catch { fatalError("\(error)") }
    }()

    static let sampleRate = 22050
    /// Every synthetic signal; "short" is shorter than a frame and "silence" is all zeros.
    static let signalNames = ["tones", "chirp", "clicks", "noise", "odd", "short", "silence"]

    static func signal(_ name: String) throws -> [Float] { try file.tensor("signal.\(name)").floats }

    static func doubles(_ name: String) throws -> [Double] { try file.tensor(name).values }

    /// A 2-D tensor as a matrix; 1-D tensors are one row.
    static func matrix(_ name: String) throws -> Matrix {
        let tensor = try file.tensor(name)
        let rows = tensor.shape.count == 2 ? tensor.shape[0] : 1
        return Matrix(rows: rows, columns: tensor.shape.last ?? 0, values: tensor.floats)
    }

    static func complex(_ name: String) throws -> ComplexMatrix {
        let real = try matrix("\(name).real"), imaginary = try matrix("\(name).imag")
        return ComplexMatrix(rows: real.rows, columns: real.columns, real: real.values, imaginary: imaginary.values)
    }

    /// Compares `actual` with the fixture tensor `name`: every element's error relative to
    /// max(|expected|, floorFraction × peak(expected)) must stay within `relative`. Set
    /// SPECTRAL_DEVIATIONS=1 to print each measured deviation.
    static func expectClose(_ actual: [Float], _ name: String, relative: Double, floorFraction: Double,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectClose(actual, doubles(name), label: name, relative: relative, floorFraction: floorFraction,
                        sourceLocation: sourceLocation)
    }

    static func expectClose(_ actual: Matrix, _ name: String, relative: Double, floorFraction: Double,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let shape = try file.tensor(name).shape
        #expect([actual.rows, actual.columns] == (shape.count == 2 ? shape : [1] + shape),
                "\(name): shape \(actual.rows)x\(actual.columns), expected \(shape)", sourceLocation: sourceLocation)
        try expectClose(actual.values, name, relative: relative, floorFraction: floorFraction, sourceLocation: sourceLocation)
    }

    static func expectClose<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
        _ actual: [A], _ expected: [E], label: String, relative: Double, floorFraction: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let deviation = Deviation.compare(actual, expected, floor: floorFraction * peak(expected))
        if ProcessInfo.processInfo.environment["SPECTRAL_DEVIATIONS"] != nil {
            print("deviation \(label): \(deviation) (tolerance \(relative), floor \(floorFraction) x peak)")
        }
        #expect(!deviation.countMismatch, "\(label): \(actual.count) values, expected \(expected.count)",
                sourceLocation: sourceLocation)
        #expect(deviation.maxRelative <= relative, "\(label): \(deviation)", sourceLocation: sourceLocation)
    }

    static func expectFinite(_ values: [Float], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let finite = values.allSatisfy { $0.isFinite }
        #expect(finite, "\(label) has NaN or infinite values", sourceLocation: sourceLocation)
    }
}
