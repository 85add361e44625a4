import CTagLib
import Foundation

/// The tags a file carries (ID3, Vorbis comments, MP4 atoms, ...), as TagLib reads them; nil
/// fields are absent or empty.
public struct SongTags: Codable, Sendable, Equatable {
    public var artist: String?
    public var title: String?
    public var album: String?
    public var genre: String?
    public var year: Int?
    public var track: Int?

    public init(artist: String? = nil, title: String? = nil, album: String? = nil, genre: String? = nil, year: Int? = nil,
                track: Int? = nil) {
        (self.artist, self.title, self.album, self.genre, self.year, self.track) = (artist, title, album, genre, year, track)
    }

    /// The tags of the file at `path`; nil when TagLib does not know its format or cannot parse it
    /// (the audio may still decode: tags are optional).
    public static func read(_ path: String) -> SongTags? {
        TagLibSession.configure
        guard let file = taglib_file_new(path) else { return nil }
        defer { taglib_file_free(file) }
        guard taglib_file_is_valid(file) != 0, let tag = UnsafePointer(taglib_file_tag(file)) else { return nil }
        func text(_ read: (UnsafePointer<TagLib_Tag>) -> UnsafeMutablePointer<CChar>?) -> String? {
            guard let pointer = read(tag) else { return nil }
            defer { taglib_free(pointer) }
            let value = String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        let year = Int(taglib_tag_year(tag)), track = Int(taglib_tag_track(tag))
        return SongTags(artist: text { taglib_tag_artist($0) }, title: text { taglib_tag_title($0) },
                        album: text { taglib_tag_album($0) }, genre: text { taglib_tag_genre($0) },
                        year: year > 0 ? year : nil, track: track > 0 ? track : nil)
    }
}

/// TagLib's C binding keeps every string it returns in a process-wide list unless told otherwise;
/// each reader frees its own instead, so that files can be read on several threads.
private enum TagLibSession {
    static let configure: Void = {
        taglib_set_strings_unicode(1)
        taglib_set_string_management_enabled(0)
    }()
}
