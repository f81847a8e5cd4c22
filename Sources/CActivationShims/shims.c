/* Every helper of this module is a static inline function in include/CActivationShims.h; SwiftPM needs one
 * source file to build the module. */
#include "CActivationShims.h"
