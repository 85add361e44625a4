#ifndef GENREKIT_CFUZZER_SHIM_H
#define GENREKIT_CFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>
// libFuzzer's driver (linked by -sanitize=fuzzer), run from an executable's own main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
#endif
