#ifndef GENREKIT_CFFMPEG_SHIM_H
#define GENREKIT_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
#include <libavutil/error.h>
#include <errno.h>

// Function-like macros are not imported into Swift; these expose their values.
static inline int genrekit_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int genrekit_averror_eof(void) { return AVERROR_EOF; }
#endif
