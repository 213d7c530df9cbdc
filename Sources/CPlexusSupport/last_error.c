#include "plexus_support.h"
#include <string.h>

/* One buffer per thread: the message stays valid until the next failing call on the same thread,
   and threads never see each other's messages. */
static _Thread_local char plxs_message[1024];

void plxs_set_error(const char *message) {
    if (message == NULL) {
        plxs_message[0] = '\0';
        return;
    }
    size_t n = strlen(message);
    if (n >= sizeof plxs_message) n = sizeof plxs_message - 1;
    memcpy(plxs_message, message, n);
    plxs_message[n] = '\0';
}

const char *plxs_last_error(void) { return plxs_message; }
