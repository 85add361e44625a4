#ifndef GENREKIT_CLAPACK_SHIM_H
#define GENREKIT_CLAPACK_SHIM_H
#include <stddef.h>

// Debian's liblapack-dev ships the library without a C header (lapack.h comes with LAPACKE), so the
// one routine GenreKit calls is declared here as gfortran compiles it: every argument by address,
// and each CHARACTER argument's length passed as a hidden size_t after the others (leaving those
// out works until gfortran turns a call into a tail call that reads them).

/// Selected eigenvalues and eigenvectors of a symmetric matrix (relatively robust representations).
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t range_length, size_t uplo_length);

#endif
