#ifndef PLEXUS_PUBLIC_H
#define PLEXUS_PUBLIC_H
/* The public header, so that the Swift C layer reads the option and report structs through the
   very declarations C programs compile against (one definition of each struct). */
#include "../../../include/plexus.h"
#endif
