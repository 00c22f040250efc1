/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tree.c - the merged root filesystem of an image, in memory.
 *
 * Layers are applied in order as tar members arrive. A node is a name in a directory; its
 * inode holds the type, metadata and data, and is shared by hard links (so a link group stays
 * one file in the cpio). Each node remembers the layer that made it, because OCI whiteouts
 * (.wh.NAME) and opaque markers (.wh..wh..opq) hide only what lower layers made, never the
 * same layer's entries; whiteout members themselves are never stored, so none can reach the
 * initramfs.
 *
 * Paths are resolved component by component from the root, never with the host's file system:
 * absolute paths and ".." are refused, and an intermediate component that is a symlink or a
 * non-directory is refused rather than followed, so no member can land outside the root or
 * be redirected through a link made by an earlier member.
 *
 * Children are kept sorted by name (binary search, and the cpio comes out in a stable
 * order). Memory is bounded: file data plus NODE_COST per node must stay under max_bytes.
 */
#include "wyrcan.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NODE_COST 256u
#define MAX_DEPTH 256

struct inode {
    enum wyrcan_entry_type type; /* never WYRCAN_HARDLINK */
    uint32_t mode, uid, gid, dev_major, dev_minor;
    int64_t mtime;
    uint8_t *data;
    size_t size;
    char *link;
    unsigned refs; /* names pointing here: the nlink of non-directories */
    uint32_t ino;  /* assigned while writing the cpio */
    unsigned emitted;
};

struct node {
    char *name;
    struct node *parent;
    struct inode *inode;
    struct node **kids;
    size_t nkids, cap;
    unsigned layer;
};

struct wyrcan_tree {
    struct node root;
    struct inode root_inode;
    unsigned layer;
    uint64_t bytes, max_bytes;
};

int wyrcan_tree_new(uint64_t max_bytes, struct wyrcan_tree **out)
{
    struct wyrcan_tree *t = calloc(1, sizeof(*t));
    if (!t) return -ENOMEM;
    t->max_bytes = max_bytes;
    t->root_inode.type = WYRCAN_DIR;
    t->root_inode.mode = 0755;
    t->root_inode.refs = 1;
    t->root.inode = &t->root_inode;
    t->root.parent = &t->root;
    *out = t;
    return 0;
}

static void inode_unref(struct wyrcan_tree *t, struct inode *in)
{
    if (--in->refs) return;
    t->bytes -= in->size;
    free(in->data);
    free(in->link);
    free(in);
}

static void node_free(struct wyrcan_tree *t, struct node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        node_free(t, n->kids[i]);
    free(n->kids);
    t->bytes -= NODE_COST;
    inode_unref(t, n->inode);
    free(n->name);
    free(n);
}

void wyrcan_tree_free(struct wyrcan_tree *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->root.nkids; i++)
        node_free(t, t->root.kids[i]);
    free(t->root.kids);
    free(t);
}

void wyrcan_tree_next_layer(struct wyrcan_tree *t)
{
    t->layer++;
}

uint64_t wyrcan_tree_bytes(const struct wyrcan_tree *t)
{
    return t->bytes;
}

/* Index of name in dir's sorted children, or where it would go (*found false). */
static size_t kid_index(const struct node *dir, const char *name, bool *found)
{
    size_t lo = 0, hi = dir->nkids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(dir->kids[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static struct node *kid_find(const struct node *dir, const char *name)
{
    bool found;
    size_t i = kid_index(dir, name, &found);
    return found ? dir->kids[i] : NULL;
}

static void kid_remove(struct wyrcan_tree *t, struct node *dir, const char *name)
{
    bool found;
    size_t i = kid_index(dir, name, &found);
    if (!found) return;
    struct node *n = dir->kids[i];
    memmove(&dir->kids[i], &dir->kids[i + 1], (dir->nkids - i - 1) * sizeof(*dir->kids));
    dir->nkids--;
    node_free(t, n);
}

static int budget(struct wyrcan_tree *t, uint64_t more)
{
    if (more > t->max_bytes || t->bytes > t->max_bytes - more) {
        log_error("image: unpacked size exceeds the limit of %llu bytes",
                  (unsigned long long)t->max_bytes);
        return -EFBIG;
    }
    t->bytes += more;
    return 0;
}

/* Adds a child named name (not present) holding inode in (its reference is taken over). */
static int kid_add(struct wyrcan_tree *t, struct node *dir, const char *name, struct inode *in,
                   struct node **out)
{
    bool found;
    size_t i = kid_index(dir, name, &found);
    if (found) return -EEXIST;
    if (budget(t, NODE_COST)) return -EFBIG;
    if (dir->nkids == dir->cap) {
        size_t ncap = dir->cap ? dir->cap * 2 : 8;
        struct node **k = realloc(dir->kids, ncap * sizeof(*k));
        if (!k) goto nomem;
        dir->kids = k;
        dir->cap = ncap;
    }
    struct node *n = calloc(1, sizeof(*n));
    if (!n) goto nomem;
    n->name = strdup(name);
    if (!n->name) {
        free(n);
        goto nomem;
    }
    n->parent = dir;
    n->inode = in;
    n->layer = t->layer;
    memmove(&dir->kids[i + 1], &dir->kids[i], (dir->nkids - i) * sizeof(*dir->kids));
    dir->kids[i] = n;
    dir->nkids++;
    *out = n;
    return 0;
nomem:
    t->bytes -= NODE_COST;
    return -ENOMEM;
}

/* Splits path into components (in place in buf); refuses absolute paths and "..". */
static int split(char *buf, char **comps, size_t *ncomps)
{
    if (buf[0] == '/') return -EINVAL;
    size_t n = 0;
    for (char *p = buf; *p;) {
        char *s = p;
        while (*p && *p != '/')
            p++;
        if (*p) *p++ = '\0';
        if (!*s || !strcmp(s, ".")) continue;
        if (!strcmp(s, "..")) return -EINVAL;
        if (n == MAX_DEPTH) return -EINVAL;
        comps[n++] = s;
    }
    *ncomps = n;
    return 0;
}

static struct inode *inode_new(enum wyrcan_entry_type type, const struct wyrcan_entry *e)
{
    struct inode *in = calloc(1, sizeof(*in));
    if (!in) return NULL;
    in->type = type;
    in->refs = 1;
    if (e) {
        in->mode = e->mode & 07777;
        in->uid = e->uid;
        in->gid = e->gid;
        in->mtime = e->mtime;
        in->dev_major = e->dev_major;
        in->dev_minor = e->dev_minor;
    } else {
        in->mode = 0755;
    }
    return in;
}

/* Walks to the directory holding the last component, creating missing directories. */
static int walk_parent(struct wyrcan_tree *t, char **comps, size_t n, bool create,
                       struct node **out)
{
    struct node *cur = &t->root;
    for (size_t i = 0; i + 1 < n; i++) {
        struct node *k = kid_find(cur, comps[i]);
        if (!k) {
            if (!create) return -ENOENT;
            struct inode *in = inode_new(WYRCAN_DIR, NULL);
            if (!in) return -ENOMEM;
            int r = kid_add(t, cur, comps[i], in, &k);
            if (r) {
                free(in);
                return r;
            }
        } else if (k->inode->type == WYRCAN_SYMLINK) {
            return -ELOOP;
        } else if (k->inode->type != WYRCAN_DIR) {
            return -ENOTDIR;
        }
        cur = k;
    }
    *out = cur;
    return 0;
}

static int whiteout(struct wyrcan_tree *t, struct node *dir, const char *name)
{
    if (!strcmp(name, ".wh..wh..opq")) {
        for (size_t i = dir->nkids; i-- > 0;)
            if (dir->kids[i]->layer < t->layer) kid_remove(t, dir, dir->kids[i]->name);
        return 0;
    }
    const char *victim = name + 4;
    if (!*victim || !strcmp(victim, ".") || !strcmp(victim, "..")) return -EINVAL;
    struct node *n = kid_find(dir, victim);
    if (n && n->layer < t->layer) kid_remove(t, dir, victim);
    return 0;
}

static int read_data(struct wyrcan_tree *t, struct inode *in, uint64_t size,
                     struct wyrcan_stream *data)
{
    if (size > SIZE_MAX - 1 || budget(t, size)) return -EFBIG;
    in->size = (size_t)size;
    in->data = malloc(in->size ? in->size : 1);
    if (!in->data) return -ENOMEM;
    size_t done = 0;
    while (done < in->size) {
        size_t got = 0;
        int r = data->read(data, in->data + done, in->size - done, &got);
        if (r) return r;
        if (!got) return -EBADMSG;
        done += got;
    }
    return 0;
}

static int make_inode(struct wyrcan_tree *t, const struct wyrcan_entry *e,
                      struct wyrcan_stream *data, struct inode **out)
{
    struct inode *in = inode_new(e->type, e);
    if (!in) return -ENOMEM;
    int r = 0;
    if (e->type == WYRCAN_REG) {
        r = read_data(t, in, e->size, data);
    } else if (e->type == WYRCAN_SYMLINK) {
        if (!e->link || !e->link[0])
            r = -EINVAL;
        else if (!(in->link = strdup(e->link)))
            r = -ENOMEM;
        else
            r = budget(t, strlen(e->link));
        if (!r) in->size = strlen(e->link); /* counted against the budget, freed with it */
    }
    if (r) {
        in->refs = 1;
        inode_unref(t, in);
        return r;
    }
    *out = in;
    return 0;
}

/* Finds the node at path (no symlinks followed, none allowed on the way). */
static int find_node(struct wyrcan_tree *t, const char *path, struct node **out)
{
    size_t len = strlen(path);
    if (len > 4096) return -EINVAL;
    char buf[4097];
    memcpy(buf, path, len + 1);
    char *comps[MAX_DEPTH];
    size_t n;
    int r = split(buf, comps, &n);
    if (r) return r;
    if (n == 0) {
        *out = &t->root;
        return 0;
    }
    struct node *dir;
    r = walk_parent(t, comps, n, false, &dir);
    if (r) return r;
    struct node *k = kid_find(dir, comps[n - 1]);
    if (!k) return -ENOENT;
    *out = k;
    return 0;
}

static void set_meta(struct inode *in, const struct wyrcan_entry *e)
{
    in->mode = e->mode & 07777;
    in->uid = e->uid;
    in->gid = e->gid;
    in->mtime = e->mtime;
}

int wyrcan_tree_apply(struct wyrcan_tree *t, const struct wyrcan_entry *e,
                      struct wyrcan_stream *data)
{
    size_t len = strlen(e->path);
    if (len > 4096) return -EINVAL;
    char buf[4097];
    memcpy(buf, e->path, len + 1);
    char *comps[MAX_DEPTH];
    size_t n;
    int r = split(buf, comps, &n);
    if (r) return r;
    if (n == 0) { /* the root itself: only a directory may describe it */
        if (e->type != WYRCAN_DIR) return -EINVAL;
        set_meta(&t->root_inode, e);
        return 0;
    }
    struct node *dir;
    const char *name = comps[n - 1];
    if (!strncmp(name, ".wh.", 4)) {
        /* a whiteout in a directory that does not exist hides nothing, and creates nothing */
        r = walk_parent(t, comps, n, false, &dir);
        if (r == -ENOENT) return 0;
        return r ? r : whiteout(t, dir, name);
    }
    r = walk_parent(t, comps, n, true, &dir);
    if (r) return r;
    struct node *old = kid_find(dir, name);
    if (old && old->inode->type == WYRCAN_DIR && e->type == WYRCAN_DIR) {
        set_meta(old->inode, e);
        old->layer = t->layer;
        return 0;
    }
    struct inode *in;
    if (e->type == WYRCAN_HARDLINK) {
        struct node *target;
        r = e->link ? find_node(t, e->link, &target) : -EINVAL;
        if (r) return r == -ENOENT ? -ENOENT : r;
        if (target->inode->type == WYRCAN_DIR) return -EPERM;
        if (target == old) return 0;
        in = target->inode;
        in->refs++;
    } else {
        r = make_inode(t, e, data, &in);
        if (r) return r;
    }
    if (old) kid_remove(t, dir, name);
    struct node *added;
    r = kid_add(t, dir, name, in, &added);
    if (r) inode_unref(t, in);
    return r;
}

int wyrcan_tree_lookup(struct wyrcan_tree *t, const char *path, enum wyrcan_entry_type *type,
                       const uint8_t **data, size_t *size, const char **link)
{
    struct node *n;
    int r = find_node(t, path, &n);
    if (r) return r == -EINVAL ? -EINVAL : -ENOENT;
    *type = n->inode->type;
    if (data) *data = n->inode->type == WYRCAN_REG ? n->inode->data : NULL;
    if (size) *size = n->inode->type == WYRCAN_REG ? n->inode->size : 0;
    if (link) *link = n->inode->link;
    return 0;
}

int wyrcan_tree_resolve_file(struct wyrcan_tree *t, const char *path, const uint8_t **data,
                             size_t *size)
{
    char rest[8192];
    if (strlen(path) >= sizeof(rest)) return -ENAMETOOLONG;
    strcpy(rest, path);
    struct node *cur = &t->root;
    unsigned links = 0;
    char *p = rest;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p) break;
        char *s = p;
        while (*p && *p != '/')
            p++;
        char saved = *p;
        *p = '\0';
        struct node *next;
        if (!strcmp(s, "."))
            next = cur;
        else if (!strcmp(s, ".."))
            next = cur->parent;
        else if (cur->inode->type != WYRCAN_DIR || !(next = kid_find(cur, s)))
            return -ENOENT;
        *p = saved;
        if (next->inode->type == WYRCAN_SYMLINK) {
            if (++links > 40) return -ELOOP;
            const char *target = next->inode->link;
            size_t tl = strlen(target), rl = strlen(p);
            if (tl + 1 + rl >= sizeof(rest)) return -ENAMETOOLONG;
            memmove(rest + tl + 1, p, rl + 1);
            memcpy(rest, target, tl);
            rest[tl] = '/';
            p = rest;
            if (target[0] == '/') cur = &t->root;
            continue;
        }
        cur = next;
    }
    if (cur->inode->type == WYRCAN_DIR) return -EISDIR;
    if (cur->inode->type != WYRCAN_REG) return -ENOENT;
    *data = cur->inode->data;
    *size = cur->inode->size;
    return 0;
}

/* ---- the newc writer ---- */

struct cpio_ctx {
    int (*write)(void *ctx, const void *buf, size_t size);
    void *ctx;
    bool free_data;
    uint32_t next_ino;
    uint64_t offset;
    struct wyrcan_tree *tree;
};

static int cpio_put(struct cpio_ctx *c, const void *buf, size_t size)
{
    c->offset += size;
    return size ? c->write(c->ctx, buf, size) : 0;
}

static int cpio_pad(struct cpio_ctx *c)
{
    static const uint8_t zeros[4];
    size_t pad = (size_t)((4 - c->offset % 4) % 4);
    return cpio_put(c, zeros, pad);
}

static int cpio_header(struct cpio_ctx *c, const char *name, uint32_t ino, uint32_t mode,
                       const struct inode *in, uint32_t nlink, uint64_t size)
{
    char h[111];
    int64_t mt = in ? in->mtime : 0;
    uint32_t mtime = mt < 0 ? 0 : mt > UINT32_MAX ? UINT32_MAX : (uint32_t)mt;
    size_t nsize = strlen(name) + 1;
    if (size > UINT32_MAX) return -EFBIG;
    snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode,
             in ? in->uid : 0, in ? in->gid : 0, nlink, mtime, (uint32_t)size, 0u, 0u,
             in ? in->dev_major : 0, in ? in->dev_minor : 0, (uint32_t)nsize, 0u);
    int r = cpio_put(c, h, 110);
    if (!r) r = cpio_put(c, name, nsize);
    if (!r) r = cpio_pad(c);
    return r;
}

static uint32_t type_bits(enum wyrcan_entry_type type)
{
    switch (type) {
    case WYRCAN_DIR: return 0040000;
    case WYRCAN_SYMLINK: return 0120000;
    case WYRCAN_CHR: return 0020000;
    case WYRCAN_BLK: return 0060000;
    case WYRCAN_FIFO: return 0010000;
    default: return 0100000;
    }
}

static int cpio_node(struct cpio_ctx *c, struct node *n, char *path, size_t plen)
{
    struct inode *in = n->inode;
    if (!in->ino) in->ino = ++c->next_ino;
    uint32_t nlink = in->refs;
    if (in->type == WYRCAN_DIR) {
        nlink = 2;
        for (size_t i = 0; i < n->nkids; i++)
            if (n->kids[i]->inode->type == WYRCAN_DIR) nlink++;
    }
    const void *body = NULL;
    uint64_t size = 0;
    if (in->type == WYRCAN_SYMLINK) {
        body = in->link;
        size = strlen(in->link);
    } else if (in->type == WYRCAN_REG && ++in->emitted == in->refs) {
        body = in->data; /* the data travels with the last link */
        size = in->size;
    }
    int r = cpio_header(c, path, in->ino, type_bits(in->type) | in->mode, in, nlink, size);
    if (!r) r = cpio_put(c, body, (size_t)size);
    if (!r) r = cpio_pad(c);
    if (r) return r;
    if (c->free_data && in->type == WYRCAN_REG && in->emitted == in->refs) {
        c->tree->bytes -= in->size;
        free(in->data);
        in->data = NULL;
        in->size = 0;
    }
    for (size_t i = 0; i < n->nkids; i++) {
        struct node *k = n->kids[i];
        size_t kl = strlen(k->name);
        if (plen + 1 + kl >= 8192) return -ENAMETOOLONG;
        path[plen] = '/';
        memcpy(path + plen + 1, k->name, kl + 1);
        r = cpio_node(c, k, path, plen + 1 + kl);
        path[plen] = '\0';
        if (r) return r;
    }
    return 0;
}

int wyrcan_cpio_write(struct wyrcan_tree *t, bool free_data,
                      int (*write)(void *ctx, const void *buf, size_t size), void *ctx)
{
    struct cpio_ctx c = {.write = write, .ctx = ctx, .free_data = free_data, .tree = t};
    char *path = malloc(8192);
    if (!path) return -ENOMEM;
    int r = 0;
    for (size_t i = 0; i < t->root.nkids && !r; i++) {
        strcpy(path, t->root.kids[i]->name);
        r = cpio_node(&c, t->root.kids[i], path, strlen(path));
    }
    free(path);
    if (!r) r = cpio_header(&c, "TRAILER!!!", 0, 0, NULL, 1, 0);
    return r;
}
