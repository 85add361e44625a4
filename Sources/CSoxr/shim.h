#ifndef GENREKIT_CSOXR_SHIM_H
#define GENREKIT_CSOXR_SHIM_H
#include <soxr.h>
#endif
