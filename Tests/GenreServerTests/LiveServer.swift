import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `genre serve` process on a free loopback port, as a user starts it; stopped (SIGTERM) when
/// released if still running. Sendable so that a test can send requests from several tasks: after
/// `init` only the process's own (thread-safe) state changes.
final class LiveServer: @unchecked Sendable {
    /// The executable sits beside the test bundle in the build folder.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("genre").path
    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let process = Process()
    let url: URL

    init(_ options: [String] = []) async throws {
        let port = try freePort()
        url = URL(string: "http://127.0.0.1:\(port)/")!
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--port", "\(port)"] + options
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it answers its health check (loading the model takes a moment).
        for _ in 0 ..< 300 {
            if (try? await get("healthz").status) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw LiveServerError.notReady(url)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func get(_ path: String) async throws -> (status: Int, body: Data) {
        try await send(URLRequest(url: url.appendingPathComponent(path)))
    }

    func post(_ path: String, body: Data) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: path, relativeTo: url)!, timeoutInterval: 300)
        request.httpMethod = "POST"
        request.httpBody = body
        return try await send(request)
    }

    /// Waits for the process to end; its exit status.
    func exitStatus(within seconds: Double) async throws -> Int32? {
        for _ in 0 ..< Int(seconds * 10) where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

enum LiveServerError: Error, CustomStringConvertible {
    case notReady(URL)
    case webDriver(String)

    var description: String {
        switch self {
        case .notReady(let url): "genre serve did not answer at \(url) within 30 s"
        case .webDriver(let message): "WebDriver: \(message)"
        }
    }
}

func send(_ request: URLRequest) async throws -> (status: Int, body: Data) {
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

/// A loopback port nobody listens on: the one the kernel picks for a socket bound to port 0.
func freePort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
    return Int(UInt16(bigEndian: address.sin_port))
}
