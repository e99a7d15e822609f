/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * Autonomous mode (C-3): a worker classifies each packet from the tracked
 * state — NEW (first packet: ask the application), UPDATE, END — and
 * creates connections itself. Removal is left to aging, whose
 * tcp_session_del_s applies once a connection has ended, so the late
 * packets of a teardown (the last ACK, retransmitted FINs) still match.
 */
#include <errno.h>
#include <sched.h>

#include <rte_pause.h>

#include "ct_private.h"

/* Lookups a race loser makes while the winner publishes its entry. */
#define CT_WORKER_WAIT 1000

/* A packet that may start a connection: ask, then act on the answer. */
static bool
ct_worker_new(struct ct *ct, const struct ct_pkt *p, ct_first_pkt_cb cb,
	      void *arg, struct ct_result *r, uint8_t *fate)
{
	struct ct_entry_params prm = {
		.fwd = { CT_FWD_NONE, CT_FWD_NONE },
	};
	struct ct_entry *e = NULL;
	int rc;

	switch (cb(ct, p, &prm, arg)) {
	case CT_FIRST_ADD:
		break;
	case CT_FIRST_FWD:
		*fate = CT_FATE_PASS;
		return false;
	default:
		*fate = CT_FATE_DROP;
		return false;
	}
	rc = ct_entry_add(ct, p, &prm, &e);
	if (rc == 0) {
		r->entry = e;
		r->dir = CT_DIR_ORIG;
		r->state = ct_entry_state(e);
		*fate = CT_FATE_PASS;
		return true;
	}
	if (rc == -EEXIST) {
		/* Another worker's first packet won (C-5): this one is a
		 * packet of that connection. The winner publishes it a few
		 * stores after its claim, unless it is preempted in between:
		 * then a bounded spin would give up and lose the packet, so
		 * wait for the claim to end, yielding the CPU. */
		for (unsigned int i = 0; e != NULL &&
		     ct_w_life(__atomic_load_n(&e->word, __ATOMIC_ACQUIRE)) ==
		     CT_LIFE_CLAIMED; i++) {
			if (i < CT_WORKER_WAIT)
				rte_pause();
			else
				sched_yield();
		}
		ct_lookup_burst(ct, p, 1, r);
		*fate = r->verdict == CT_V_INVALID ? CT_FATE_DROP :
			CT_FATE_PASS;
		return false;
	}
	*fate = CT_FATE_DROP;
	return false;
}

unsigned int
ct_worker_process(struct ct *ct, const struct ct_pkt *pkts, unsigned int n,
		  ct_first_pkt_cb cb, void *arg, struct ct_result *res,
		  uint8_t *fate)
{
	unsigned int created = 0;

	ct_lookup_burst(ct, pkts, n, res);
	for (unsigned int i = 0; i < n; i++) {
		switch (res[i].verdict) {
		case CT_V_NEW:
			created += ct_worker_new(ct, &pkts[i], cb, arg, &res[i],
				&fate[i]);
			break;
		case CT_V_INVALID:
			fate[i] = CT_FATE_DROP;
			break;
		default:
			fate[i] = CT_FATE_PASS;
			break;
		}
	}
	return created;
}
