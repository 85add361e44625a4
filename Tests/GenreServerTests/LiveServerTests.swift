import Foundation
import GenreKit
import GenreLibrary
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

    /// With a library: browse a genre, play a song from the library's audio route, list its
    /// similar songs (the identical copy first), and the genre's playlist link.
    @Test(.enabled(if: WebDriver.isInstalled, "chromium, chromium-driver or curl is not installed (scripts/setup.sh installs them)"))
    func thePageBrowsesTheLibrary() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("music"), withIntermediateDirectories: true)
        for name in ["awol-food.mp3", "black-elk-toggle.mp3", "explode-into-colors-heat.mp3"] {
            try FileManager.default.copyItem(atPath: ServiceTests.example.replacingOccurrences(of: "awol-food.mp3", with: name),
                                             toPath: folder.file("music/" + name))
        }
        try FileManager.default.copyItem(atPath: ServiceTests.example, toPath: folder.file("music/copy.mp3"))
        let library = try LibraryDatabase(path: folder.file("library.sqlite"), create: true)
        _ = try await LibraryScanner(database: library, analyzer: try SongAnalyzer(bundle: try ModelBundle.embedded()))
            .scan([folder.file("music")]) { _ in }
        let server = try await LiveServer(["--db", folder.file("library.sqlite")])
        let browser = try await WebDriver(width: 1000, height: 1500)
        do {
            try await browser.open(server.url)
            _ = try await browser.wait(30, for: "return document.querySelectorAll('#songs li button').length >= 8 ? true : null")
            _ = try await browser.run("""
                const select = document.querySelector('#library-genre'); select.value = 'hiphop';
                select.dispatchEvent(new Event('change'));
                """)
            let titles = try await browser.wait(30, for: """
                const items = [...document.querySelectorAll('#songs li .title')].map(t => t.title);
                return items.length === 2 ? items : null
                """) as? [String]
            #expect(Set(titles ?? []) == [folder.file("music/awol-food.mp3"), folder.file("music/copy.mp3")])
            let playlist = try await browser.run("const a = document.querySelector('#playlist'); return [a.hidden, a.getAttribute('href')]") as? [Any]
            #expect(playlist?.first as? Bool == false && playlist?.last as? String == "v1/library/playlists/hiphop.m3u8")
            _ = try await browser.run("document.querySelector('#songs li button').click()")
            let duration = try await browser.wait(30, for: "const p = document.querySelector('#library-player'); return p.duration > 0 ? p.duration : null")
            #expect(((duration as? Double) ?? 0) > 29)
            _ = try await browser.run("document.querySelectorAll('#songs li button')[1].click()")
            let similar = try await browser.wait(30, for: """
                const items = [...document.querySelectorAll('#similar-list li .genre')].map(g => g.textContent);
                return items.length === 3 ? items : null
                """) as? [String]
            #expect(similar?.first?.hasSuffix("identical audio") == true, "\(similar ?? [])")
            try await browser.screenshot(to: Self.screenshots + "/library.png")
            try await browser.resize(width: 375, height: 1800)
            let width = try await browser.run("return [document.documentElement.scrollWidth, window.innerWidth]") as? [Int]
            #expect(width?.count == 2 && width?[0] == width?[1], "the page is wider than a phone's screen: \(width ?? [])")
            try await browser.screenshot(to: Self.screenshots + "/library-375.png")
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
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
