#ifndef PLEXUS_SUPPORT_H
#define PLEXUS_SUPPORT_H
/* Internal helpers of libplexus. The `plxs_` prefix keeps them out of the exported
   `plexus_*` symbol set (the linker version script exports `plexus_*` only). */

/* Stores `message` (NUL-terminated, truncated to fit) as this thread's last error. */
void plxs_set_error(const char *message);
/* This thread's last error message; "" when no call on this thread has failed. */
const char *plxs_last_error(void);

#endif
