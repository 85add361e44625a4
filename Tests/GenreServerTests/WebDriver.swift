import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Headless Chromium through chromedriver, spoken to in W3C WebDriver (HTTP and JSON): just what
/// the page's test needs. The driver process ends with the session.
final class WebDriver {
    static let chromium = "/usr/bin/chromium", chromedriver = "/usr/bin/chromedriver", curl = "/usr/bin/curl"
    static var isInstalled: Bool { [chromium, chromedriver, curl].allSatisfy(FileManager.default.isExecutableFile(atPath:)) }

    private let driver = Process()
    private let base: URL
    private var session = ""

    init(width: Int, height: Int) async throws {
        let port = try freePort()
        base = URL(string: "http://127.0.0.1:\(port)/")!
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        for _ in 0 ..< 100 {
            if (try? await command("status", method: "GET")) != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let options: [String: Any] = ["binary": Self.chromium,
                                      "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                               "--window-size=\(width),\(height)"]]
        let capabilities: [String: Any] = ["browserName": "chrome", "goog:chromeOptions": options]
        let answer = try await command("session", ["capabilities": ["alwaysMatch": capabilities]])
        session = try Self.field(answer, "sessionId", as: String.self)
    }

    deinit {
        if driver.isRunning { driver.terminate() }
    }

    func quit() async {
        _ = try? await command("session/\(session)", method: "DELETE")
        driver.terminate()
    }

    func open(_ url: URL) async throws { _ = try await command("session/\(session)/url", ["url": url.absoluteString]) }

    func resize(width: Int, height: Int) async throws {
        _ = try await command("session/\(session)/window/rect", ["width": width, "height": height])
    }

    /// Types `path` into a file input: the browser then holds that file as if the user picked it.
    func choose(file path: String, in selector: String) async throws {
        let found = try await command("session/\(session)/element", ["using": "css selector", "value": selector])
        let element = try Self.field(found, "element-6066-11e4-a52e-4f735466cecf", as: String.self)
        _ = try await command("session/\(session)/element/\(element)/value", ["text": path])
    }

    /// `script`'s return value (a function body, as WebDriver runs it).
    func run(_ script: String) async throws -> Any? {
        try await command("session/\(session)/execute/sync", ["script": script, "args": [Any]()])
    }

    /// Runs `script` until it returns a value other than null, for up to `seconds`.
    func wait(_ seconds: Double, for script: String) async throws -> Any {
        for _ in 0 ..< Int(seconds * 5) {
            if let value = try await run(script), !(value is NSNull) { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw LiveServerError.webDriver("nothing after \(seconds) s from: \(script)")
    }

    func screenshot(to path: String) async throws {
        let encoded = try await command("session/\(session)/screenshot", method: "GET") as? String
        guard let png = encoded.flatMap({ Data(base64Encoded: $0) }) else { throw LiveServerError.webDriver("no screenshot") }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// One command: its answer's `value`, or the driver's error as a thrown message. Sent with curl:
    /// Foundation's client refuses chromedriver's headers, which have no space after the colon.
    private func command(_ path: String, _ body: [String: Any]? = nil, method: String = "POST") async throws -> Any? {
        let curl = Process(), input = Pipe(), output = Pipe()
        curl.executableURL = URL(fileURLWithPath: Self.curl)
        curl.arguments = ["-s", "--max-time", "120", "-X", method, "-H", "Content-Type: application/json", "-w", "\n%{http_code}"]
            + (method == "POST" ? ["--data-binary", "@-"] : []) + [base.appendingPathComponent(path).absoluteString]
        curl.standardInput = input
        curl.standardOutput = output
        try curl.run()
        if method == "POST" { input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: body ?? [:])) }
        try input.fileHandleForWriting.close()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        // The body, then the status on a line of its own.
        let split = answer.lastIndex(of: UInt8(ascii: "\n")) ?? answer.startIndex
        let (data, status) = (answer[..<split], Int(String(decoding: answer[split...].dropFirst(), as: UTF8.self)) ?? 0)
        let value = (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) as? [String: Any])?["value"]
        guard status == 200 else { throw LiveServerError.webDriver("\(path): \(status) \(String(decoding: data, as: UTF8.self))") }
        return value
    }

    private static func field<T>(_ value: Any?, _ key: String, as: T.Type) throws -> T {
        guard let field = (value as? [String: Any])?[key] as? T else { throw LiveServerError.webDriver("no \(key) in \(value ?? "nothing")") }
        return field
    }
}
