#ifndef ACTIVATION_CLIBCSV_SHIM_H
#define ACTIVATION_CLIBCSV_SHIM_H
#include <csv.h>

/* A hint to load the cache line at `p` ahead of its use (the event reader looks up customers a few rows ahead of
 * the row libcsv is on, so that the lookup's cache miss overlaps parsing instead of stalling it). Swift has no
 * prefetch intrinsic; this compiles to one `prefetcht0`. */
static inline void activation_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
#endif
