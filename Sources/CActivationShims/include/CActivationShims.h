#ifndef ACTIVATION_SHIMS_H
#define ACTIVATION_SHIMS_H

/* The C helpers Swift has no spelling for, kept in one small module so that no stage imports a C library only to
 * reach one of them. */

/* A hint to load the cache line at `p` ahead of its use. The event reader looks up customers a few rows ahead of the
 * row libcsv is on, and merges prefetch hash-set slots ahead of their insert, so that a lookup's cache miss overlaps
 * other work instead of stalling it. Swift has no prefetch intrinsic; this compiles to one `prefetcht0` on x86-64
 * (`prfm pldl1keep` on arm64) and is a no-op where the target has none. Never faults, whatever `p` points at. */
static inline void activation_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
