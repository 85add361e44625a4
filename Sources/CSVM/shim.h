#ifndef GENREKIT_CSVM_SHIM_H
#define GENREKIT_CSVM_SHIM_H
#include <libsvm/svm.h>
#endif
