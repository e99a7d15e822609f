/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Deferred reclamation (N-21). The datapath of a switch is one RCU reader
 * (id 0): it goes online at the start of each iteration and offline at the
 * end, so an idle or stopped datapath never holds back a grace period.
 * Control threads hand what they unlink (rules, old snapshots, outgrown
 * bucket arrays) to a defer queue; it is freed once the reader has
 * passed a quiescent state, i.e. once no in-flight burst can still see it.
 */

#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "snic.h"

#define SNIC_DQ_SIZE (1u << 16)

struct snic_dq_elem {
	void (*fn)(void *);  /* called on ptr (free() by default) */
	void *ptr;
};

static void
snic_dq_free(void *p, void *e, unsigned int n)
{
	struct snic_dq_elem *el = e;

	RTE_SET_USED(p);
	for (unsigned int i = 0; i < n; i++, el++)
		if (el->ptr != NULL)
			el->fn(el->ptr);
}

int
snic_rcu_init(struct snic_switch *sw)
{
	struct rte_rcu_qsbr_dq_parameters p = {0};
	char name[RTE_RCU_QSBR_DQ_NAMESIZE];
	size_t sz = rte_rcu_qsbr_get_memsize(1);

	sw->rcu = rte_zmalloc("snic_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (sw->rcu == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(sw->rcu, 1) != 0 ||
	    rte_rcu_qsbr_thread_register(sw->rcu, 0) != 0)
		goto fail;
	snprintf(name, sizeof(name), "snic_dq_%.16s", sw->name);
	p.name = name;
	p.size = SNIC_DQ_SIZE;
	p.esize = sizeof(struct snic_dq_elem);
	p.trigger_reclaim_limit = 256;
	p.max_reclaim_size = 1024;
	p.free_fn = snic_dq_free;
	p.p = sw;
	p.v = sw->rcu;
	sw->dq = rte_rcu_qsbr_dq_create(&p);
	if (sw->dq == NULL)
		goto fail;
	return 0;
fail:
	rte_free(sw->rcu);
	sw->rcu = NULL;
	return -ENOMEM;
}

void
snic_rcu_sync(struct snic_switch *sw)
{
	unsigned int freed, pending, avail;

	rte_rcu_qsbr_synchronize(sw->rcu, RTE_QSBR_THRID_INVALID);
	do {
		freed = 0;
		rte_rcu_qsbr_dq_reclaim(sw->dq, UINT32_MAX, &freed, &pending,
					&avail);
	} while (freed > 0 && pending > 0);
}

void
snic_rcu_fini(struct snic_switch *sw)
{
	if (sw->dq != NULL) {
		snic_rcu_sync(sw);
		rte_rcu_qsbr_dq_delete(sw->dq);
		sw->dq = NULL;
	}
	rte_free(sw->rcu);
	sw->rcu = NULL;
}

static void
snic_defer(struct snic_switch *sw, struct snic_dq_elem *el)
{
	if (rte_rcu_qsbr_dq_enqueue(sw->dq, el) == 0)
		return;
	/* Queue full even after its own reclaim: wait for the reader once
	 * (bounded by one datapath iteration), then there is room. */
	snic_rcu_sync(sw);
	if (rte_rcu_qsbr_dq_enqueue(sw->dq, el) != 0) {
		rte_rcu_qsbr_synchronize(sw->rcu, RTE_QSBR_THRID_INVALID);
		snic_dq_free(sw, el, 1);
	}
}

void
snic_defer_free(struct snic_switch *sw, void *ptr)
{
	struct snic_dq_elem el = { .fn = free, .ptr = ptr };

	snic_defer(sw, &el);
}

void
snic_defer_call_big(struct snic_switch *sw, void (*fn)(void *), void *ptr)
{
	struct snic_dq_elem el = { .fn = fn, .ptr = ptr };
	unsigned int freed, pending, avail;

	snic_defer(sw, &el);
	/* An outgrown table is as big as all the rules: reclaim now (does not
	 * wait; frees what the datapath can no longer see) instead of after
	 * the queue's trigger limit of small frees. */
	rte_rcu_qsbr_dq_reclaim(sw->dq, UINT32_MAX, &freed, &pending, &avail);
}

void
snic_defer_call(struct snic_switch *sw, void (*fn)(void *), void *ptr)
{
	struct snic_dq_elem el = { .fn = fn, .ptr = ptr };

	snic_defer(sw, &el);
}
