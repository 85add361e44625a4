import CFFmpeg
import Foundation

/// The best audio stream of one file, opened with FFmpeg's demuxer and decoder, read one decoded
/// frame at a time (so memory stays bounded by a frame, whatever the file's length).
final class AudioInput {
    let path: String
    let info: AudioSourceInfo
    /// Native samples the file's header declares, or nil when it does not say (FFmpeg estimated the
    /// duration from the bitrate): the decoded length is checked against it to detect truncation.
    let declaredSamples: Int?
    /// How many samples a complete file may fall short of `declaredSamples`: lossy codecs count
    /// their encoder delay and padding in the declared duration (up to about two codec frames).
    let truncationSlack: Int
    /// The sample position of the frame last read, from its timestamp (nil when it has none).
    private(set) var framePosition: Int?
    /// The reason reading packets stopped before the end of the file, if it did.
    private(set) var readError: String?
    /// The last error the decoder gave; FFmpeg skips a packet that fails to decode, as its CLI does.
    private(set) var decodeError: String?
    /// The samples read so far that were too loud to pass.
    private(set) var clipping = Clipping()

    private let contexts: Contexts
    private let stream: UnsafeMutablePointer<AVStream>
    private var draining = false

    init(path: String) throws(AudioError) {
        _ = quietFFmpeg
        try checkFile(path)
        self.path = path
        let contexts = Contexts()
        let opened = avformat_open_input(&contexts.format, path, nil, nil)
        guard opened >= 0, let format = contexts.format else { throw failure(opening: path, code: opened) }
        let found = avformat_find_stream_info(format, nil)
        guard found >= 0 else { throw failure(opening: path, code: found) }
        let formatName = String(cString: format.pointee.iformat.pointee.name)
        let index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard index >= 0, let stream = format.pointee.streams[Int(index)], let parameters = stream.pointee.codecpar else {
            throw .noAudioStream(path: path, format: formatName, found: streamSummary(format))
        }
        // Other streams (video, cover art, subtitles) are not demuxed at all.
        for other in 0 ..< Int(format.pointee.nb_streams) where other != Int(index) {
            format.pointee.streams[other]?.pointee.discard = AVDISCARD_ALL
        }

        let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw .unsupportedCodec(path: path, codec: codecName)
        }
        contexts.codec = avcodec_alloc_context3(decoder)
        guard let codec = contexts.codec, avcodec_parameters_to_context(codec, parameters) >= 0 else {
            throw .noDecodableAudio(path: path, reason: "FFmpeg cannot set up its \(codecName) decoder")
        }
        codec.pointee.pkt_timebase = stream.pointee.time_base
        let openedCodec = avcodec_open2(codec, decoder, nil)
        guard openedCodec >= 0 else { throw .noDecodableAudio(path: path, reason: ffmpegMessage(openedCodec)) }
        let sampleRate = Int(parameters.pointee.sample_rate)
        let channels = Int(parameters.pointee.ch_layout.nb_channels)
        guard sampleRate > 0, channels > 0 else {
            throw .noDecodableAudio(path: path, reason: "its \(codecName) stream has no sample rate or channels")
        }
        guard AudioDecoder.plausibleRates.contains(sampleRate) else { throw .implausibleSampleRate(path: path, rate: sampleRate) }

        let timeBase = av_q2d(stream.pointee.time_base)
        let streamSeconds = stream.pointee.duration == noTimestamp ? nil : Double(stream.pointee.duration) * timeBase
        let formatSeconds = format.pointee.duration == noTimestamp ? nil : Double(format.pointee.duration) / Double(AV_TIME_BASE)
        info = AudioSourceInfo(path: path, format: formatName, codec: codecName, sampleRate: sampleRate,
                               channels: channels, durationSeconds: streamSeconds ?? formatSeconds)
        if formatName == "wav" {
            // FFmpeg replaces the size a WAV header declares by the file's when the file is shorter,
            // which hides a cut WAV: read the header's own size.
            let blockAlign = Int(parameters.pointee.block_align)
            declaredSamples = blockAlign > 0 ? wavDataBytes(path).map { $0 / blockAlign } : nil
        } else if av_fmt_ctx_get_duration_estimation_method(format) != AVFMT_DURATION_FROM_BITRATE {
            declaredSamples = streamSeconds.map { sampleCount($0, sampleRate) }
        } else {
            declaredSamples = nil
        }
        // Twice that padding (frame_size is 0 for PCM), and 20 ms for timestamp rounding.
        truncationSlack = 4 * max(Int(parameters.pointee.frame_size), 0) + sampleRate / 50
        self.stream = stream
        self.contexts = contexts
    }

    /// Decodes the next frame and writes the mean of its channels into `mono`; false at the end.
    func readFrame(into mono: inout [Float]) throws(AudioError) -> Bool {
        guard let codec = contexts.codec, let frame = contexts.frame else { return false }
        while true {
            let received = avcodec_receive_frame(codec, frame)
            if received >= 0 {
                defer { av_frame_unref(frame) }
                guard Int(frame.pointee.sample_rate) == info.sampleRate else {
                    throw .damaged(path: path, atSeconds: Double(framePosition ?? 0) / Double(info.sampleRate),
                                   reason: "the sample rate changes from \(info.sampleRate) to \(frame.pointee.sample_rate) Hz")
                }
                guard mixDown(frame, into: &mono, clipping: &clipping) else {
                    let format = av_get_sample_fmt_name(AVSampleFormat(frame.pointee.format)).map { String(cString: $0) } ?? "none"
                    throw .noDecodableAudio(path: path, reason: "the decoder gives samples in format '\(format)'"
                                            + " with \(frame.pointee.ch_layout.nb_channels) channels, which cannot be mixed")
                }
                framePosition = samplePosition(frame.pointee.best_effort_timestamp)
                return true
            }
            if received == genrekit_averror_eof() { return false }
            if received != genrekit_averror_eagain() {
                decodeError = ffmpegMessage(received)
            } else if draining {
                return false
            } else {
                feedDecoder(codec)
            }
        }
    }

    /// Moves to the last key frame at or before native sample `sample`; false when the demuxer
    /// cannot seek (the next frame then follows on from where reading was).
    func seek(toSample sample: Int) -> Bool {
        guard let format = contexts.format, let codec = contexts.codec else { return false }
        let seconds = Double(sample) / Double(info.sampleRate)
        let timestamp = Int64(clampedInt(Double(startTimestamp) + seconds / av_q2d(stream.pointee.time_base)))
        guard av_seek_frame(format, stream.pointee.index, timestamp, AVSEEK_FLAG_BACKWARD) >= 0 else { return false }
        avcodec_flush_buffers(codec)
        return true
    }

    /// Sends the decoder the next packet of the stream, or the end of the stream when reading ends.
    private func feedDecoder(_ codec: UnsafeMutablePointer<AVCodecContext>) {
        guard let format = contexts.format, let packet = contexts.packet else { return }
        let read = av_read_frame(format, packet)
        guard read >= 0 else {
            if read != genrekit_averror_eof() { readError = ffmpegMessage(read) }
            draining = true
            _ = avcodec_send_packet(codec, nil)
            return
        }
        defer { av_packet_unref(packet) }
        guard packet.pointee.stream_index == stream.pointee.index else { return }
        let sent = avcodec_send_packet(codec, packet)
        if sent < 0 { decodeError = ffmpegMessage(sent) }
    }

    private var startTimestamp: Int64 {
        stream.pointee.start_time == noTimestamp ? 0 : stream.pointee.start_time
    }

    private func samplePosition(_ timestamp: Int64) -> Int? {
        guard timestamp != noTimestamp else { return nil }
        let seconds = (Double(timestamp) - Double(startTimestamp)) * av_q2d(stream.pointee.time_base)
        return clampedInt((seconds * Double(info.sampleRate)).rounded())
    }
}

/// The C objects an `AudioInput` owns, freed together even when opening fails halfway.
private final class Contexts {
    var format: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    var packet = av_packet_alloc()
    var frame = av_frame_alloc()

    deinit {
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        avformat_close_input(&format)
    }
}

/// FFmpeg's AV_NOPTS_VALUE, a macro Swift does not import.
private let noTimestamp = Int64.min

/// FFmpeg logs to stderr by default; errors reach callers as `AudioError` instead.
private let quietFFmpeg: Void = av_log_set_level(AV_LOG_QUIET)

/// Clear errors for what FFmpeg would only call "No such file or directory" or "Invalid data";
/// devices and pipes are refused, as reading one could block or never end.
private func checkFile(_ path: String) throws(AudioError) {
    var status = stat()
    guard stat(path, &status) == 0 else {
        if errno == ENOENT || errno == ENOTDIR { throw .fileNotFound(path: path) }
        throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw .isDirectory(path: path)
    default: throw .unreadable(path: path, reason: "not a regular file but a device, pipe or socket")
    }
    guard access(path, R_OK) == 0 else { throw .unreadable(path: path, reason: "permission denied") }
    guard status.st_size > 0 else { throw .emptyFile(path: path) }
}

private func failure(opening path: String, code: Int32) -> AudioError {
    // The end of the file came before FFmpeg finished reading the headers.
    code == genrekit_averror_eof()
        ? .truncated(path: path, decodedSeconds: 0, expectedSeconds: nil)
        : .unrecognizedFormat(path: path, reason: "FFmpeg: \(ffmpegMessage(code))")
}

private func ffmpegMessage(_ code: Int32) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
        av_strerror(code, buffer.baseAddress, buffer.count)
        return String(cString: buffer.baseAddress!)
    }
}

/// "2 streams: video (h264), subtitle (subrip)", for files without audio.
private func streamSummary(_ format: UnsafeMutablePointer<AVFormatContext>) -> String {
    let streams = (0 ..< Int(format.pointee.nb_streams)).compactMap { format.pointee.streams[$0]?.pointee.codecpar?.pointee }
    guard !streams.isEmpty else { return "no streams" }
    let kinds = streams.map { parameters in
        let kind = av_get_media_type_string(parameters.codec_type).map { String(cString: $0) } ?? "unknown"
        return "\(kind) (\(String(cString: avcodec_get_name(parameters.codec_id))))"
    }
    return "\(streams.count) stream\(streams.count == 1 ? "" : "s"): " + kinds.joined(separator: ", ")
}

/// The byte count a RIFF WAVE header gives its `data` chunk, or nil when the file is not RIFF
/// WAVE or does not say (streaming writers leave 0 or 0xFFFFFFFF there).
private func wavDataBytes(_ path: String) -> Int? {
    guard let file = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? file.close() }
    guard let head = try? file.read(upToCount: 1 << 16), head.count >= 12,
          head.prefix(4).elementsEqual("RIFF".utf8), head.dropFirst(8).prefix(4).elementsEqual("WAVE".utf8)
    else { return nil }
    var offset = head.startIndex + 12
    while offset + 8 <= head.endIndex {
        let size = head[offset + 4 ..< offset + 8].reversed().reduce(0) { $0 << 8 | Int($1) }
        if head[offset ..< offset + 4].elementsEqual("data".utf8) {
            return size == 0 || size == 0xFFFF_FFFF ? nil : size
        }
        offset += 8 + size + size % 2  // chunks are padded to even sizes
    }
    return nil
}
