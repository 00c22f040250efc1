/* SPDX-License-Identifier: Apache-2.0 */
/* layer.c - one layer's tar stream applied to the tree, member by member. */
#include "wyrcan.h"

#include <errno.h>
#include <string.h>

int wyrcan_layer_apply(struct wyrcan_tree *t, struct wyrcan_stream *s)
{
    struct wyrcan_tar *tar;
    int r = wyrcan_tar_new(s, &tar);
    if (r) return r;
    wyrcan_tree_next_layer(t);
    for (;;) {
        struct wyrcan_entry e;
        r = wyrcan_tar_next(tar, &e);
        if (r == 1) {
            r = 0;
            break;
        }
        if (r) {
            log_error("layer: tar stream malformed (%s)", strerror(-r));
            break;
        }
        r = wyrcan_tree_apply(t, &e, wyrcan_tar_data(tar));
        if (r) {
            log_error("layer: member \"%.300s\" refused (%s)", e.path,
                      r == -EINVAL   ? "absolute path, \"..\" or malformed"
                      : r == -ELOOP  ? "its path goes through a symlink"
                      : r == -ENOENT ? "hard link to a missing file"
                                     : strerror(-r));
            break;
        }
    }
    wyrcan_tar_free(tar);
    return r;
}
