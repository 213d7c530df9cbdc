/* Assertion macros shared by the C test programs: count checks, report failures with the call,
   its status name and plexus_last_error(), and never stop at the first failure. */
#ifndef PLEXUS_TEST_CHECK_H
#define PLEXUS_TEST_CHECK_H

#include "plexus.h"

#include <stdio.h>
#include <string.h>

static int checks = 0, failures = 0;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        checks++;                                                           \
        if (!(cond)) {                                                      \
            failures++;                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fprintf(stderr, "\n");                                          \
        }                                                                   \
    } while (0)

/* A call must return `want` and, when it fails, leave a message containing `text`. */
#define EXPECT_STATUS(call, want, text)                                                             \
    do {                                                                                            \
        plexus_status got_ = (call);                                                                \
        CHECK(got_ == (want), "%s returned %s (%s), expected %s", #call, plexus_status_name(got_),    \
              plexus_last_error(), plexus_status_name(want));                                        \
        if ((want) != PLEXUS_OK)                                                                    \
            CHECK(strstr(plexus_last_error(), (text)) != NULL, "message \"%s\" lacks \"%s\"",       \
                  plexus_last_error(), (text));                                                     \
    } while (0)

#define OK(call) EXPECT_STATUS(call, PLEXUS_OK, "")

#endif
