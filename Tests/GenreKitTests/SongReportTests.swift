import Foundation
import GenreKit
import Testing

/// `SongReport`'s three forms tell the same numbers, and a network's tags are called tags.
@Suite struct SongReportTests {
    /// A 30 s song whose last window is aligned with its end, as `GenreClassifier` adds it.
    let prediction: SongPrediction = try! JSONDecoder().decode(SongPrediction.self, from: Data("""
        {"path": "music/song.mp3", "durationSeconds": 29.976625, "aggregation": "mean",
         "ranking": [{"genre": "rock", "probability": 0.123456}, {"genre": "jazz", "probability": 0.0000432}],
         "windows": [
           {"startSeconds": 0, "endSeconds": 3, "ranking": [{"genre": "rock", "probability": 0.5}]},
           {"startSeconds": 26.976625, "endSeconds": 29.976625, "ranking": [{"genre": "jazz", "probability": 0.87654321}]}
         ]}
        """.utf8))

    func json(_ report: SongReport) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
    }

    @Test func windowTimesAreTheSameInTextJSONAndCSV() throws {
        let report = SongReport(prediction: prediction, top: 2, timeline: true)
        let text = report.text()
        #expect(text.hasPrefix("music/song.mp3 (0:29.98)\n"))
        #expect(text.contains("    0:26.98-0:29.98  jazz 87.7%"), "\(text)")
        let parsed = try json(report)
        #expect(parsed["duration_seconds"] as? Double == 29.98)
        let last = try #require((parsed["windows"] as? [[String: Any]])?.last)
        #expect(last["start_seconds"] as? Double == 26.98 && last["end_seconds"] as? Double == 29.98)
        #expect(report.csvLines().contains("music/song.mp3,1,26.98,29.98,1,jazz,0.8765\n"))
    }

    @Test func probabilitiesHaveFourDecimals() throws {
        let parsed = try json(SongReport(prediction: prediction, top: 2, timeline: false))
        let genres = try #require(parsed["genres"] as? [[String: Any]])
        #expect(genres.map { $0["genre"] as? String } == ["rock", "jazz"])
        #expect(genres.map { $0["probability"] as? Double } == [0.1235, 0])
        #expect(parsed["windows"] == nil, "windows only with a timeline")
    }

    @Test func tagsAreCalledTagsAndNameTheirNetwork() throws {
        let report = SongReport(prediction: prediction, top: 1, timeline: true, labels: .tags(network: "MSD_musicnn"))
        let parsed = try json(report)
        #expect(parsed["network"] as? String == "MSD_musicnn" && parsed["genres"] == nil)
        #expect((parsed["tags"] as? [[String: Any]])?.first?["tag"] as? String == "rock")
        #expect(((parsed["windows"] as? [[String: Any]])?.last?["tags"] as? [[String: Any]])?.first?["tag"] as? String == "jazz")
        #expect(SongReport.csvHeader(report.labels) == "path,network,window,start_seconds,end_seconds,rank,tag,probability\n")
        #expect(report.csvLines().hasPrefix("music/song.mp3,MSD_musicnn,song,0.0,29.98,1,rock,0.1235\n"))
        #expect(report.text().hasPrefix("music/song.mp3 (0:29.98), tags by MSD_musicnn\n"))
        #expect(SongReport.csvHeader(.genres) == "path,window,start_seconds,end_seconds,rank,genre,probability\n")
    }
}
