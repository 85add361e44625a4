import CFuzzer
import Foundation

/// Runs libFuzzer on `testOneInput` with the process's arguments. SwiftPM links an executable with
/// its module's `main` as the entry point, which shadows libFuzzer's own `main`, so each target's
/// main.swift hands its test function to libFuzzer's driver here.
public enum Fuzzer {
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
