/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Rule memory: one slab for the process, one free list per size class of
 * 64 bytes, objects 64-byte aligned (a rule's counter and actions are its
 * first cache line, see struct rte_flow). Process-wide, not per switch: a
 * rule is freed from a defer queue, when its port may be gone.
 *
 * Why not calloc: at 1M rules the datapath's rule read is a TLB miss on
 * 4 KB pages as well as a cache miss; chunks of 2 MB are mapped on their
 * own and advised to use transparent huge pages (this VM has no hugetlbfs
 * for the EAL heap). And calloc/_int_malloc cost a create ~360
 * instructions (callgrind), a free-list pop a few.
 *
 * Chunks grow from 16 KB (a switch with few rules stays small) to 2 MB and
 * are returned when the last switch is freed: a destroyed rule's memory
 * goes back to its free list after the RCU grace period (snic_flow_free).
 * A lock of its own: switches have their own locks, and frees come from
 * whichever control thread reclaims a defer queue.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_spinlock.h>

#include "snic.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define SNIC_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define SNIC_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define SNIC_POISON(p, n) do { (void)(p); (void)(n); } while (0)
#define SNIC_UNPOISON(p, n) do { (void)(p); (void)(n); } while (0)
#endif

#define SNIC_SLAB_CLASSES 8             /* 64 .. 512 bytes */
#define SNIC_SLAB_FIRST (16u << 10)
#define SNIC_SLAB_HUGE (2u << 20)

struct snic_chunk {
	struct snic_chunk *next;
	size_t len;
	bool mapped;
};

static struct {
	rte_spinlock_t lock;
	uint32_t users;                 /* switches */
	void *free[SNIC_SLAB_CLASSES];  /* linked through the first word */
	size_t next_len[SNIC_SLAB_CLASSES];
	struct snic_chunk *chunks;
} snic_slab = { .lock = RTE_SPINLOCK_INITIALIZER };

void
snic_slab_get(void)
{
	rte_spinlock_lock(&snic_slab.lock);
	snic_slab.users++;
	rte_spinlock_unlock(&snic_slab.lock);
}

/* The last switch gone, its deferred frees done: give the chunks back. */
void
snic_slab_put(void)
{
	struct snic_chunk *ch, *next;

	rte_spinlock_lock(&snic_slab.lock);
	if (--snic_slab.users > 0) {
		rte_spinlock_unlock(&snic_slab.lock);
		return;
	}
	for (ch = snic_slab.chunks; ch != NULL; ch = next) {
		next = ch->next;
		SNIC_UNPOISON(ch, ch->len);
		if (ch->mapped)
			munmap(ch, ch->len);
		else
			free(ch);
	}
	memset(snic_slab.free, 0, sizeof(snic_slab.free));
	memset(snic_slab.next_len, 0, sizeof(snic_slab.next_len));
	snic_slab.chunks = NULL;
	rte_spinlock_unlock(&snic_slab.lock);
}

/* Carve a new chunk into objects of class c (lock held). */
static int
snic_slab_grow(unsigned int c)
{
	size_t osz = (size_t)(c + 1) * RTE_CACHE_LINE_SIZE;
	size_t len = RTE_MAX(snic_slab.next_len[c], (size_t)SNIC_SLAB_FIRST);
	struct snic_chunk *ch;
	uint8_t *o, *end;

	if (len >= SNIC_SLAB_HUGE) {
		uint8_t *p = mmap(NULL, len + SNIC_SLAB_HUGE,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *a;

		if (p == MAP_FAILED)
			return -ENOMEM;
		/* Keep the 2 MB-aligned part: it can be one huge page. */
		a = RTE_PTR_ALIGN_CEIL(p, SNIC_SLAB_HUGE);
		if (a > p)
			munmap(p, a - p);
		munmap(a + len, p + SNIC_SLAB_HUGE - a);
		madvise(a, len, MADV_HUGEPAGE);
		ch = (struct snic_chunk *)a;
		ch->mapped = true;
	} else {
		ch = aligned_alloc(RTE_CACHE_LINE_SIZE, len);
		if (ch == NULL)
			return -ENOMEM;
		ch->mapped = false;
	}
	snic_slab.next_len[c] = RTE_MIN(len * 2, (size_t)SNIC_SLAB_HUGE);
	ch->len = len;
	ch->next = snic_slab.chunks;
	snic_slab.chunks = ch;
	/* The chunk header takes the first object's room. */
	o = (uint8_t *)ch + RTE_ALIGN_CEIL(sizeof(*ch), osz);
	end = (uint8_t *)ch + len;
	for (; o + osz <= end; o += osz) {
		*(void **)o = snic_slab.free[c];
		snic_slab.free[c] = o;
		SNIC_POISON(o + sizeof(void *), osz - sizeof(void *));
	}
	return 0;
}

static inline unsigned int
snic_slab_class(size_t size)
{
	return (unsigned int)((size + RTE_CACHE_LINE_SIZE - 1) /
			      RTE_CACHE_LINE_SIZE) - 1;
}

void *
snic_slab_alloc(size_t size)
{
	unsigned int c = snic_slab_class(size);
	size_t osz = (size_t)(c + 1) * RTE_CACHE_LINE_SIZE;
	void *o;

	if (size == 0 || c >= SNIC_SLAB_CLASSES)
		return NULL;
	rte_spinlock_lock(&snic_slab.lock);
	if (snic_slab.free[c] == NULL && snic_slab_grow(c) != 0) {
		rte_spinlock_unlock(&snic_slab.lock);
		return NULL;
	}
	o = snic_slab.free[c];
	snic_slab.free[c] = *(void **)o;
	SNIC_UNPOISON(o, osz);
	rte_spinlock_unlock(&snic_slab.lock);
	memset(o, 0, osz);
	return o;
}

void
snic_slab_free(void *o, size_t size)
{
	unsigned int c = snic_slab_class(size);

	if (o == NULL)
		return;
	rte_spinlock_lock(&snic_slab.lock);
	*(void **)o = snic_slab.free[c];
	snic_slab.free[c] = o;
	SNIC_POISON((uint8_t *)o + sizeof(void *),
		    (c + 1) * RTE_CACHE_LINE_SIZE - sizeof(void *));
	rte_spinlock_unlock(&snic_slab.lock);
}
