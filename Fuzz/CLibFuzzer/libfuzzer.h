// libFuzzer's driver entry (compiler-rt, LLVM >= 12), declared only: the fuzz targets call it from the entry
// point SwiftPM links as `main` when they are built with `-sanitize=fuzzer` (which links libFuzzer).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
