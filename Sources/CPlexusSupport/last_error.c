#include "plexus_support.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One message per thread: it stays valid until the next failing call on the same thread, and
   threads never see each other's messages. A message of any length is kept whole: it lives in a
   heap buffer of the thread's (freed when the thread exits, through a key's destructor) that grows
   as needed. Only when that buffer cannot grow is the message cut, to this fixed one, and then it
   says so at its end. */
#define PLXS_FIXED_MESSAGE 1024

static _Thread_local char plxs_fixed[PLXS_FIXED_MESSAGE];
static _Thread_local char *plxs_grown;
static _Thread_local size_t plxs_grown_capacity;
static _Thread_local const char *plxs_current = "";

static pthread_key_t plxs_message_key;
static pthread_once_t plxs_message_once = PTHREAD_ONCE_INIT;
static int plxs_message_key_made;

static void plxs_make_message_key(void) { plxs_message_key_made = pthread_key_create(&plxs_message_key, free) == 0; }

/* A buffer of at least `size` bytes for this thread's message, or NULL. */
static char *plxs_message_buffer(size_t size) {
    if (size <= PLXS_FIXED_MESSAGE) return plxs_fixed;
    if (size <= plxs_grown_capacity) return plxs_grown;
    pthread_once(&plxs_message_once, plxs_make_message_key);
    if (!plxs_message_key_made) return NULL;
    char *grown = realloc(plxs_grown, size);
    if (grown == NULL) return NULL;
    plxs_grown = grown;
    plxs_grown_capacity = size;
    pthread_setspecific(plxs_message_key, grown);
    return grown;
}

void plxs_set_error(const char *message) {
    if (message == NULL) {
        plxs_fixed[0] = '\0';
        plxs_current = plxs_fixed;
        return;
    }
    size_t n = strlen(message);
    char *buffer = plxs_message_buffer(n + 1);
    if (buffer != NULL) {
        memmove(buffer, message, n + 1);
        plxs_current = buffer;
        return;
    }
    static const char cut[] = " [message cut: no memory for the rest]";
    size_t kept = PLXS_FIXED_MESSAGE - sizeof cut;
    memmove(plxs_fixed, message, kept);
    memcpy(plxs_fixed + kept, cut, sizeof cut);
    plxs_current = plxs_fixed;
}

const char *plxs_last_error(void) { return plxs_current; }
