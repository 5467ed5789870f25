/* Placeholder: being written (see include/ccat/ccat_rotate.h). */
#include "internal.h"

typedef int ccat_rotate_placeholder_t;
