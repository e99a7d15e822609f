/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * Aging (C-4): a pass over the entry array removing idle connections, and
 * an optional thread running it periodically. The pass takes the time as
 * an argument so tests drive it with an injected clock instead of sleeps.
 * It scans the array rather than iterating the hash: the array is flat
 * (56-byte entries, prefetch-friendly) and a scan is safe while writers
 * add and remove, which rte_hash_iterate is not.
 */
#include <errno.h>
#include <time.h>

#include "ct_private.h"

/* The aging thread sleeps in steps this long so a stop is quick. */
#define CT_AGING_STEP_MS 10u

static bool
ct_expired(const struct ct *ct, const struct ct_entry *e, uint32_t w,
	   uint32_t now)
{
	const struct ct_l4_proto *l4;
	uint32_t idle;

	if (ct_w_flags(w) & CT_WF_NO_AGING)
		return false;
	/* TCP entries are never in CT_TCP_NONE, UDP ones always are */
	l4 = ct_w_state(w) != CT_TCP_NONE ? &ct_i_tcp_proto : &ct_i_udp_proto;
	/* wrap-safe: stamps are the low 32 bits of a millisecond clock */
	idle = now - __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED);
	return idle < (1u << 31) && idle >= l4->timeout_ms(ct, w);
}

unsigned int
ct_age(struct ct *ct, uint64_t now_ms)
{
	uint32_t now = (uint32_t)now_ms;
	unsigned int removed = 0;

	if (ct == NULL)
		return 0;
	if (!(ct->cfg.flags & CT_CFG_F_NO_AGING)) {
		for (uint32_t i = 0; i < ct->nb_slots; i++) {
			struct ct_entry *e = &ct->entries[i];
			uint32_t w = __atomic_load_n(&e->word,
				__ATOMIC_ACQUIRE);

			if (ct_w_life(w) != CT_LIFE_LIVE ||
					!ct_expired(ct, e, w, now))
				continue;
			if (ct->cfg.aging_cb != NULL &&
					ct->cfg.aging_cb(ct, e,
						ct->cfg.aging_arg) != 0) {
				__atomic_store_n(&e->last_seen, now,
					__ATOMIC_RELAXED);
				continue;
			}
			if (ct_i_remove(ct, e, CT_RM_AGED) == 0)
				removed++;
		}
	}
	ct_i_reclaim(ct);
	return removed;
}

static void *
ct_aging_main(void *arg)
{
	struct ct *ct = arg;
	uint64_t next = ct_i_now(ct);

	while (!__atomic_load_n(&ct->aging_stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = ct_i_now(ct);
		struct timespec ts = { 0, CT_AGING_STEP_MS * 1000000L };

		if (now >= next) {
			ct_age(ct, now);
			next = now + ct->aging_period_ms;
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int
ct_aging_start(struct ct *ct, unsigned int period_ms)
{
	int rc;

	if (ct == NULL || period_ms == 0)
		return -EINVAL;
	if (ct->aging_running)
		return -EALREADY;
	ct->aging_period_ms = period_ms;
	__atomic_store_n(&ct->aging_stop, false, __ATOMIC_RELEASE);
	rc = pthread_create(&ct->aging_thread, NULL, ct_aging_main, ct);
	if (rc != 0)
		return -rc;
	ct->aging_running = true;
	return 0;
}

void
ct_aging_stop(struct ct *ct)
{
	if (ct == NULL || !ct->aging_running)
		return;
	__atomic_store_n(&ct->aging_stop, true, __ATOMIC_RELEASE);
	pthread_join(ct->aging_thread, NULL);
	ct->aging_running = false;
}
