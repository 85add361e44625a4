#ifndef GENREKIT_CMALLOC_SHIM_H
#define GENREKIT_CMALLOC_SHIM_H
// glibc's malloc tuning (mallopt), which Swift's Glibc module does not expose.
#include <malloc.h>
#endif
