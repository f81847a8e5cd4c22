#ifndef ACTIVATION_CLIBCSV_SHIM_H
#define ACTIVATION_CLIBCSV_SHIM_H
#include <csv.h>
#endif
