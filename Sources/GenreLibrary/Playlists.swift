import Foundation
import GenreKit

/// What a playlist groups songs by.
public enum PlaylistGrouping: String, CaseIterable, Sendable {
    /// One playlist per genre: the songs whose audio's most probable genre it is.
    case genre
    /// One playlist per MSD tag: the songs that have it among their `SongFilter.topTags` most probable.
    case tag
}

public enum PlaylistFormat: String, CaseIterable, Sendable {
    /// Extended M3U in UTF-8: `#EXTINF` lines with duration and "artist - title".
    case m3u8
    /// XML Shareable Playlist Format (xspf.org), version 1.
    case xspf
}

/// A named list of songs, each with the probability that put it there, most probable first.
public struct Playlist: Sendable {
    public let name: String
    public let songs: [(song: IndexedSong, probability: Double)]

    /// The file name: the name with anything but letters, digits, '-' and '_' replaced by '_'.
    public func fileName(_ format: PlaylistFormat) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) + "." + format.rawValue
    }

    /// The playlist's text, its songs' paths relative to `folder` (where the playlist is written).
    public func text(_ format: PlaylistFormat, relativeTo folder: String) -> String {
        text(format) { Self.relativePath($0.path, from: folder) }
    }

    /// The playlist's text, each song where `locate` says (a relative path, or a URL).
    public func text(_ format: PlaylistFormat, locate: (IndexedSong) -> String) -> String {
        let entries = songs.map { entry in
            (path: locate(entry.song), song: entry.song,
             title: [entry.song.tags.artist, entry.song.tags.title ?? URL(fileURLWithPath: entry.song.path).deletingPathExtension().lastPathComponent]
                .compactMap { $0 }.joined(separator: " - "))
        }
        switch format {
        case .m3u8:
            return "#EXTM3U\n#PLAYLIST:\(name)\n" + entries.map { entry in
                "#EXTINF:\(Int(entry.song.durationSeconds.rounded())),\(entry.title.replacingOccurrences(of: "\n", with: " "))\n\(entry.path)\n"
            }.joined()
        case .xspf:
            let tracks = entries.map { entry in
                let location = entry.path.split(separator: "/", omittingEmptySubsequences: false).map {
                    String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0)
                }.joined(separator: "/")
                var fields = ["      <location>\(Self.xml(location))</location>"]
                if let title = entry.song.tags.title { fields.append("      <title>\(Self.xml(title))</title>") }
                if let artist = entry.song.tags.artist { fields.append("      <creator>\(Self.xml(artist))</creator>") }
                fields.append("      <duration>\(Int((entry.song.durationSeconds * 1000).rounded()))</duration>")
                return "    <track>\n" + fields.joined(separator: "\n") + "\n    </track>\n"
            }.joined()
            return """
                <?xml version="1.0" encoding="UTF-8"?>
                <playlist version="1" xmlns="http://xspf.org/ns/0/">
                  <title>\(Self.xml(name))</title>
                  <trackList>
                \(tracks)  </trackList>
                </playlist>

                """
        }
    }

    /// Writes the playlist into `folder` as `fileName(format)`, whole or not at all; its path.
    @discardableResult
    public func write(_ format: PlaylistFormat, into folder: String) throws -> String {
        let path = (folder as NSString).appendingPathComponent(fileName(format))
        try Data(text(format, relativeTo: folder).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }

    /// `path` as seen from `folder`: up with '..' to their common folder, then down.
    static func relativePath(_ path: String, from folder: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: folder).standardizedFileURL.pathComponents
        let common = zip(target, base).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: base.count - common) + target[common...]).joined(separator: "/")
    }

    private static func xml(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension LibraryDatabase {
    /// The playlists of the present songs grouped `by` genre or tag, each ordered by probability;
    /// songs below `minConfidence` (the genre's, or the tag's) are left out, and so are empty lists.
    public func playlists(by grouping: PlaylistGrouping, minConfidence: Double = 0) throws(LibraryError) -> [Playlist] {
        var lists: [String: [(song: IndexedSong, probability: Double)]] = [:]
        for song in try songs() {
            switch grouping {
            case .genre: lists[song.topGenre, default: []].append((song, song.confidence))
            case .tag:
                for tag in song.msdTags.prefix(SongFilter.topTags) { lists[tag.genre, default: []].append((song, tag.probability)) }
            }
        }
        return lists.map { name, songs in
            Playlist(name: name, songs: songs.filter { $0.probability >= minConfidence }
                .sorted { ($0.probability, $1.song.path) > ($1.probability, $0.song.path) })
        }.filter { !$0.songs.isEmpty }.sorted { $0.name < $1.name }
    }
}
