// Decoding every common audio format through FFmpeg, resampling with libsoxr, segmenting.
