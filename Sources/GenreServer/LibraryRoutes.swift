import Foundation
import GenreKit
import GenreLibrary
import GenreSupport
import Hummingbird

/// The library's routes (`genre serve --db`): its songs, their neighbours, a genre's playlist and
/// the audio of indexed songs only, never of an arbitrary path.
///
/// ```
/// GET /v1/library/songs?genre=&tag=&min_confidence=&limit=    GET /v1/library/similar?path=&top=
/// GET /v1/library/playlists/{genre}.m3u8                      GET /v1/library/audio?path=   (Range)
/// ```
struct LibraryRoutes: Sendable {
    let library: LibraryDatabase

    /// The most songs one listing returns.
    static let maxLimit = 10_000

    func add(to router: Router<BasicRequestContext>) {
        router.get("v1/library/songs") { [library] request, _ in
            let parameters = request.uri.queryParameters
            let limit = try Self.number(parameters["limit"], name: "limit", default: 100, in: 1 ... Self.maxLimit)
            let minimum = try parameters["min_confidence"].map { text in
                guard let value = Double(String(text)), (0 ... 1).contains(value) else {
                    throw ServiceError.badQuery("min_confidence must be a probability from 0 to 1, got \(text)")
                }
                return value
            }
            let filter = SongFilter(genre: parameters["genre"].map(String.init), tag: parameters["tag"].map(String.init), minConfidence: minimum)
            return try json(try library.songs(filter).prefix(limit).map(SongSummary.init))
        }
        router.get("v1/library/similar") { [library] request, _ in
            let song = try Self.indexedSong(request, in: library)
            let top = try Self.number(request.uri.queryParameters["top"], name: "top", default: 20, in: 1 ... 1000)
            return try json(try library.similar(to: song.embeddingValues, audioHash: song.audioHash, excluding: song.path, top: top))
        }
        router.get("v1/library/playlists/{genre}.m3u8") { [library] _, context in
            let genre = try context.parameters.require("genre")
            guard let playlist = try library.playlists(by: .genre).first(where: { $0.name == genre }) else {
                throw ServiceError(status: .notFound, code: "no-playlist", detail: "no indexed song has \(genre) as its genre")
            }
            // Entries point at this service's audio route, so a player can stream them from here.
            let text = playlist.text(.m3u8) { song in
                "/v1/library/audio?path=" + (song.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? song.path)
            }
            return Response(status: .ok, headers: [.contentType: "audio/x-mpegurl; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"\(playlist.fileName(.m3u8))\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("v1/library/audio") { [library] request, context in
            try await Self.audio(try Self.indexedSong(request, in: library), request: request, context: context)
        }
    }

    /// The present song the query's `path` names; 404 for any other path.
    static func indexedSong(_ request: Request, in library: LibraryDatabase) throws -> IndexedSong {
        guard let path = request.uri.queryParameters["path"].map(String.init), !path.isEmpty else {
            throw ServiceError.badQuery("path is required: an indexed song's path, as /v1/library/songs lists it")
        }
        guard let song = try library.indexedSong(at: path), song.present, song.path == path else {
            throw ServiceError(status: .notFound, code: "not-indexed", detail: "\(path) is not a song of the library")
        }
        return song
    }

    static func number(_ text: Substring?, name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(String(text)), range.contains(number) else {
            throw ServiceError.badQuery("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return number
    }

    /// The song's file, whole or the one byte range asked for (206; 416 for a range outside it).
    static func audio(_ song: IndexedSong, request: Request, context: some RequestContext) async throws -> Response {
        var info = stat()
        guard stat(song.path, &info) == 0 else {
            throw ServiceError(status: .notFound, code: "gone", detail: "\(song.path) is indexed but no longer on disk")
        }
        let size = Int(info.st_size)
        var headers: HTTPFields = [.contentType: mediaType(song.path), .acceptRanges: "bytes"]
        guard let header = request.headers[.range] else {
            headers[.contentLength] = String(size)
            return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: song.path, context: context))
        }
        guard let range = byteRange(header, size: size) else {
            throw ServiceError(status: .rangeNotSatisfiable, code: "bad-range", detail: "\(header) does not lie within the \(size) bytes of the file",
                               headers: [.contentRange: "bytes */\(size)"])
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
        headers[.contentLength] = String(range.count)
        return Response(status: .partialContent, headers: headers,
                        body: try await FileIO().loadFile(path: song.path, range: range, context: context))
    }

    static func mediaType(_ path: String) -> String {
        let types = ["mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg", "opus": "audio/ogg", "m4a": "audio/mp4",
                     "aac": "audio/aac", "wav": "audio/wav", "aiff": "audio/aiff", "aif": "audio/aiff", "wma": "audio/x-ms-wma"]
        return types[URL(fileURLWithPath: path).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}

/// One range of a `Range: bytes=...` header (RFC 9110): `a-b`, `a-` or the last `-n` bytes, cut
/// to the file's size; nil when it is malformed, asks for several ranges or lies outside the file.
func byteRange(_ header: String, size: Int) -> ClosedRange<Int>? {
    guard header.hasPrefix("bytes="), size > 0 else { return nil }
    let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
    guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
    let (first, last) = (spec[..<dash], spec[spec.index(after: dash)...])
    if first.isEmpty {
        guard let count = Int(last), count > 0 else { return nil }
        return max(0, size - count) ... size - 1
    }
    guard let start = Int(first), start >= 0, start < size else { return nil }
    guard !last.isEmpty else { return start ... size - 1 }
    guard let end = Int(last), end >= start else { return nil }
    return start ... min(end, size - 1)
}
