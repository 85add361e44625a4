#ifndef GENREKIT_CDNNL_SHIM_H
#define GENREKIT_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#endif
