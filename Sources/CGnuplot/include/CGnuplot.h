#ifndef CGNUPLOT_H
#define CGNUPLOT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Runs `executable` (gnuplot) with `directory` as its working directory, sends it `script` through
/// gnuplot-iostream's stream, closes the stream (gnuplot sees the end of its input) and waits for it.
/// Returns gnuplot's exit status (0 on success); 128 + the signal if a signal ended it; -1 if it could not be
/// started (then `error` holds why). Up to `error_capacity - 1` bytes of what gnuplot wrote to standard error
/// are copied into `error`, NUL-terminated.
int cgnuplot_run(const char *executable, const char *directory, const char *script, size_t script_length,
                 char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
