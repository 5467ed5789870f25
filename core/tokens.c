/* Placeholder: being written (see include/ccat/ccat_tokens.h). */
#include "internal.h"

typedef int ccat_tokens_placeholder_t;
