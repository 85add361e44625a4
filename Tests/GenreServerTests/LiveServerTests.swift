import Foundation
import GenreKit
import Testing
import TestSupport

/// `genre serve` as a process: the page driven in headless Chromium, and SIGTERM's graceful stop.
@Suite(.serialized, .enabled(if: LiveServer.isBuilt, "the genre executable is not built beside the tests"))
struct LiveServerTests {
    /// Where the page's screenshots go, to be looked at: the build folder's `screenshots`.
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/screenshots").standardized.path

    /// A person's visit: pick the example song through the file input, see its genres (as the
    /// library ranks them), its timeline and its tags; then a phone's width; then a bad file.
    @Test(.enabled(if: WebDriver.isInstalled, "chromium, chromium-driver or curl is not installed (scripts/setup.sh installs them)"))
    func thePageShowsASongsGenresTimelineAndTags() async throws {
        let server = try await LiveServer()
        let browser = try await WebDriver(width: 1000, height: 1500)
        do {
            try await visit(server, in: browser)
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    private func visit(_ server: LiveServer, in browser: WebDriver) async throws {
        try await browser.open(server.url)
        try await browser.choose(file: ServiceTests.example, in: "#file")
        _ = try await browser.wait(120, for: "return document.querySelector('#tags li') ? true : null")

        let expected = try GenreClassifier(bundle: try ModelBundle.embedded()).classify(ServiceTests.example).ranking.prefix(5)
            .map { [$0.genre, String(format: "%.1f%%", ($0.probability * 10_000).rounded() / 100)] }
        let shown = try await browser.run("""
            return [...document.querySelectorAll('#genres li')].map(li => [li.querySelector('.name').textContent, li.querySelector('.pct').textContent])
            """) as? [[String]]
        #expect(shown == expected)
        let page = try #require(try await browser.run("""
            return {song: document.querySelector('#song-name').textContent, windows: document.querySelectorAll('#strip button').length,
                    tags: document.querySelectorAll('#tags li').length, player: document.querySelector('#player').src,
                    error: document.querySelector('#error').classList.contains('shown')}
            """) as? [String: Any])
        #expect(page["song"] as? String == "awol-food.mp3")
        #expect((page["windows"] as? Int ?? 0) >= 5, "\(page)")
        #expect(page["tags"] as? Int == 10 && (page["player"] as? String)?.hasPrefix("blob:") == true && page["error"] as? Bool == false)
        // Focusing a window tells its genres.
        let described = try await browser.run("document.querySelector('#strip button').focus(); return document.querySelector('#window').textContent")
        #expect((described as? String)?.hasPrefix("0:00–0:0") == true, "\(described ?? "nothing")")
        try await browser.screenshot(to: Self.screenshots + "/page.png")

        try await browser.resize(width: 375, height: 1800)
        let width = try await browser.run("return [document.documentElement.scrollWidth, window.innerWidth]") as? [Int]
        #expect(width?.count == 2 && width?[0] == width?[1], "the page is wider than a phone's screen: \(width ?? [])")
        try await browser.screenshot(to: Self.screenshots + "/page-375.png")

        let folder = try TemporaryFolder()
        _ = FileManager.default.createFile(atPath: folder.file("notes.mp3"), contents: Data("just some text\n".utf8))
        try await browser.choose(file: folder.file("notes.mp3"), in: "#file")
        let error = try await browser.wait(60, for: "const e = document.querySelector('#error'); return e.classList.contains('shown') ? e.textContent : null")
        #expect((error as? String)?.hasPrefix("Cannot analyse notes.mp3: ") == true, "\(error)")
        #expect(try await browser.run("return document.querySelector('#result').hidden") as? Bool == true)
        try await browser.screenshot(to: Self.screenshots + "/page-error.png")
    }

    /// SIGTERM during a long analysis: new connections are refused, the analysis still answers,
    /// and the process exits 0.
    @Test func sigtermFinishesTheRequestInFlight() async throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("long.wav"), seconds: 600, sampleRate: 22050)
        let audio = try Data(contentsOf: URL(fileURLWithPath: folder.file("long.wav")))
        let server = try await LiveServer(["--analyses", "1"])
        async let answer = server.post("v1/classify?name=long.wav", body: audio)
        for _ in 0 ..< 600 {
            let metrics = String(decoding: try await server.get("metrics").body, as: UTF8.self)
            if metrics.contains("\ngenre_analyses_running 1.0") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(server.process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(500))
        let refused = (try? await server.get("healthz")) == nil
        let (status, body) = try await answer
        #expect(status == 200 && String(decoding: body, as: UTF8.self).contains("\"path\":\"long.wav\""))
        #expect(refused, "a request after SIGTERM was answered")
        #expect(try await server.exitStatus(within: 30) == 0)
    }
}
