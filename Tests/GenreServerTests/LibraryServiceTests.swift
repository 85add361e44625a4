import Foundation
import GenreKit
import GenreLibrary
import GenreServer
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// `genre serve --db`: the library's songs, neighbours, playlists and audio (byte ranges too), and
/// nothing but indexed songs' files.
@Suite struct LibraryServiceTests {
    @Test func servesTheLibraryAndOnlyItsSongs() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("music"), withIntermediateDirectories: true)
        for name in ["awol-food.mp3", "black-elk-toggle.mp3"] {
            try FileManager.default.copyItem(atPath: ServiceTests.example.replacingOccurrences(of: "awol-food.mp3", with: name),
                                             toPath: folder.file("music/" + name))
        }
        try FileManager.default.copyItem(atPath: ServiceTests.example, toPath: folder.file("music/copy.mp3"))
        let library = try LibraryDatabase(path: folder.file("library.sqlite"), create: true)
        let bundle = try ModelBundle.embedded()
        _ = try await LibraryScanner(database: library, analyzer: try SongAnalyzer(bundle: bundle)).scan([folder.file("music")]) { _ in }
        let song = folder.file("music/awol-food.mp3"), size = try Data(contentsOf: URL(fileURLWithPath: song)).count
        let (copy, database) = (folder.file("music/copy.mp3"), folder.file("library.sqlite"))
        let encoded = song.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

        let app = Application(router: try GenreService(bundle: bundle, limits: ServiceLimits(), library: library).router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/library/songs?genre=hiphop&limit=1", method: .get) { response in
                let songs = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]])
                #expect(response.status == .ok && songs.count == 1 && songs[0]["genre"] as? String == "hiphop")
                #expect(Set(songs[0].keys) == ["path", "genre", "confidence", "genres", "tags", "msd_tags", "duration_seconds"])
            }
            try await client.execute(uri: "/v1/library/similar?path=\(encoded)&top=5", method: .get) { response in
                let similar = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]])
                #expect(similar.count == 2 && similar[0]["path"] as? String == copy && similar[0]["identical"] as? Bool == true)
            }
            try await client.execute(uri: "/v1/library/playlists/hiphop.m3u8", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("audio/x-mpegurl") == true)
                #expect(text.hasPrefix("#EXTM3U\n") && text.contains("/v1/library/audio?path=\(encoded)\n"), "\(text)")
            }
            try await client.execute(uri: "/v1/library/playlists/nosuch.m3u8", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/library/audio?path=\(encoded)", method: .get) { response in
                #expect(response.status == .ok && response.body.readableBytes == size && response.headers[.contentType] == "audio/mpeg")
                #expect(response.headers[.acceptRanges] == "bytes")
            }
            let original = try Data(contentsOf: URL(fileURLWithPath: song))
            for (range, expected) in [("bytes=0-9", original.prefix(10)), ("bytes=-5", original.suffix(5)),
                                      ("bytes=\(size - 3)-", original.suffix(3)), ("bytes=10-19999999", original.dropFirst(10))] {
                try await client.execute(uri: "/v1/library/audio?path=\(encoded)", method: .get, headers: [.range: range]) { response in
                    #expect(response.status == .partialContent && Data(response.body.readableBytesView) == Data(expected), "\(range)")
                    #expect(response.headers[.contentRange]?.hasSuffix("/\(size)") == true)
                }
            }
            try await client.execute(uri: "/v1/library/audio?path=\(encoded)", method: .get, headers: [.range: "bytes=\(size)-"]) { response in
                #expect(response.status == .rangeNotSatisfiable && response.headers[.contentRange] == "bytes */\(size)")
            }
            // Any other path is refused, however it is written.
            for path in ["/etc/passwd", database, song.replacingOccurrences(of: "/music/", with: "/music/../music/"), ""] {
                let query = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(uri: "/v1/library/audio?path=\(query)", method: .get) { response in
                    #expect(response.status == (path.isEmpty ? .badRequest : .notFound), "\(path)")
                }
            }
        }
    }
}
