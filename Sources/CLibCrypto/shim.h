#ifndef ACTIVATION_CLIBCRYPTO_SHIM_H
#define ACTIVATION_CLIBCRYPTO_SHIM_H
/* OpenSSL's libcrypto, for SHA-256 of every input file: it uses the CPU's SHA instructions where they exist,
   about four times faster than portable code on the ingest path. */
#include <openssl/evp.h>
#endif
