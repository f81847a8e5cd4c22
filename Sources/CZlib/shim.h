#ifndef ACTIVATION_CZLIB_SHIM_H
#define ACTIVATION_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro in zlib.h; Swift cannot call macros, so wrap it. */
static inline int activation_inflate_init_gzip(z_streamp stream) {
    /* 15 + 32: a 32 KiB window, and detect gzip or zlib headers automatically. */
    return inflateInit2(stream, 15 + 32);
}
#endif
