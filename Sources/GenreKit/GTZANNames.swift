/// GTZAN's naming conventions: ten genres, files called `<genre>.<5 digits>.<ext>` in `<genre>/` folders.
public enum GTZANNames {
    public static let genres = ["blues", "classical", "country", "disco", "hiphop",
                                "jazz", "metal", "pop", "reggae", "rock"]

    /// The genre a GTZAN-style path reveals: the file's `<genre>.<number>` name, else a parent folder
    /// named after a GTZAN genre. Nil when the path says nothing about it.
    public static func label(forPath path: String) -> String? {
        let components = path.split(separator: "/").map(String.init)
        guard let fileName = components.last else { return nil }
        let parts = fileName.split(separator: ".")
        if parts.count >= 2, genres.contains(parts[0].lowercased()), parts[1].allSatisfy(\.isNumber) {
            return parts[0].lowercased()
        }
        if components.count >= 2 {
            let folder = components[components.count - 2].lowercased()
            if genres.contains(folder) { return folder }
        }
        return nil
    }

    /// The row name of segment `index` of a file, as the 3-second table writes it:
    /// `blues.00000.wav` -> `blues.00000.3.wav`.
    public static func segmentName(fileName: String, index: Int) -> String {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return "\(fileName).\(index)" }
        return "\(fileName[..<dot]).\(index)\(fileName[dot...])"
    }
}
