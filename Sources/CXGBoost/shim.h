#ifndef GENREKIT_CXGBOOST_SHIM_H
#define GENREKIT_CXGBOOST_SHIM_H
#include <xgboost/c_api.h>
#endif
