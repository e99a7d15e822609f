/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef SNIC_MTR_H
#define SNIC_MTR_H

/*
 * A meter object (N-16) as the datapath sees it. Not installed.
 *
 * Control threads (rte_mtr ops, under sw->lock) never touch the token
 * buckets: they publish an immutable struct snic_mtr_cfg (algorithm, the
 * rte_meter profile, which colours the policy drops) and free the previous
 * one after an RCU grace period. The datapath, the only writer of the
 * buckets and of the counters, notices a new profile generation and
 * re-initialises the buckets from it itself, with the TSC value it meters
 * with, so a profile update needs no lock and no pause of the traffic.
 *
 * Counters are written by the datapath only; stats_read subtracts the base
 * recorded at the last clear (like struct snic_counter).
 */

#include <rte_cycles.h>
#include <rte_meter.h>
#include <rte_mtr.h>

#include "snic.h"

/* Immutable once published. */
struct snic_mtr_cfg {
	uint64_t gen;             /* profile generation: new buckets when it
				   * changes (policy updates keep it) */
	uint32_t alg;             /* enum rte_mtr_algorithm */
	uint8_t drop;             /* bit per enum rte_color: policy drops */
	union {
		struct rte_meter_srtcm_profile sr;
		struct rte_meter_trtcm_profile tr;
		struct rte_meter_trtcm_rfc4115_profile t4;
	} prof;
};

/* Counters in the order of struct rte_mtr_stats. */
struct snic_mtr_stats {
	uint64_t pkts[RTE_COLORS];
	uint64_t bytes[RTE_COLORS];
	uint64_t pkts_dropped;
	uint64_t bytes_dropped;
};

struct snic_mtr_profile;
struct snic_mtr_policy;

struct snic_mtr {
	/* Datapath part. */
	struct snic_mtr_cfg *cfg; /* RCU */
	uint8_t enabled;          /* disabled: every packet is green */
	uint64_t dp_gen;          /* generation the buckets were set from */
	uint64_t last;            /* latest TSC metered with */
	union {
		struct rte_meter_srtcm sr;
		struct rte_meter_trtcm tr;
		struct rte_meter_trtcm_rfc4115 t4;
	} st;
	struct snic_mtr_stats stats;
	/* Control part (sw->lock). */
	struct snic_mtr_stats base;
	uint32_t id;              /* full mtr_id, direction bits included */
	uint32_t refcnt;          /* rules whose METER action uses it */
	uint64_t stats_mask;
	struct snic_mtr_profile *profile;
	struct snic_mtr_policy *policy;
	struct snic_mtr *next;
};

/* Re-initialise the buckets from a newly published profile: they start
 * full (CBS, EBS/PBS), as a new meter would; the counters are kept. */
static inline void
snic_mtr_reset(struct snic_mtr *m, struct snic_mtr_cfg *c, uint64_t now)
{
	switch (c->alg) {
	case RTE_MTR_SRTCM_RFC2697:
		rte_meter_srtcm_config(&m->st.sr, &c->prof.sr);
		m->st.sr.time = now;
		break;
	case RTE_MTR_TRTCM_RFC2698:
		rte_meter_trtcm_config(&m->st.tr, &c->prof.tr);
		m->st.tr.time_tc = now;
		m->st.tr.time_tp = now;
		break;
	default:
		rte_meter_trtcm_rfc4115_config(&m->st.t4, &c->prof.t4);
		m->st.t4.time_tc = now;
		m->st.t4.time_te = now;
		break;
	}
	m->dp_gen = c->gen;
}

/*
 * Meter one packet of len bytes at TSC now (read once per burst); count its
 * colour. Returns false when the policy drops it (counted as dropped; the
 * caller frees it and counts SNIC_DROP_METER_RED). Datapath only.
 */
static inline bool
snic_mtr_pass(struct snic_mtr *m, uint32_t len, uint64_t now)
{
	struct snic_mtr_cfg *c = __atomic_load_n(&m->cfg, __ATOMIC_ACQUIRE);
	enum rte_color col = RTE_COLOR_GREEN;

	/* In inline mode bursts may run on different lcores: never let the
	 * buckets see time go backwards (their arithmetic is unsigned). */
	if (unlikely(now < m->last))
		now = m->last;
	m->last = now;
	if (unlikely(c->gen != m->dp_gen))
		snic_mtr_reset(m, c, now);
	if (likely(__atomic_load_n(&m->enabled, __ATOMIC_RELAXED))) {
		switch (c->alg) {
		case RTE_MTR_SRTCM_RFC2697:
			col = rte_meter_srtcm_color_blind_check(&m->st.sr,
				&c->prof.sr, now, len);
			break;
		case RTE_MTR_TRTCM_RFC2698:
			col = rte_meter_trtcm_color_blind_check(&m->st.tr,
				&c->prof.tr, now, len);
			break;
		default:
			col = rte_meter_trtcm_rfc4115_color_blind_check(
				&m->st.t4, &c->prof.t4, now, len);
			break;
		}
	}
	m->stats.pkts[col]++;
	m->stats.bytes[col] += len;
	if (likely(!(c->drop & (1u << col))))
		return true;
	m->stats.pkts_dropped++;
	m->stats.bytes_dropped += len;
	return false;
}

/* The port meter of p in direction d, or NULL (datapath, RCU). */
static inline struct snic_mtr *
snic_mtr_port_get(const struct snic_port *p, enum snic_mtr_dir d)
{
	return __atomic_load_n(&p->meter[d], __ATOMIC_ACQUIRE);
}

/*
 * Police a burst through meter m of port p: packets the policy drops are
 * freed and counted as p's SNIC_DROP_METER_RED; the others are compacted
 * to the front, in order. Returns how many are kept. One TSC read per
 * burst. Datapath only.
 */
static inline uint16_t
snic_mtr_police(struct snic_port *p, struct snic_mtr *m,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t now = rte_rdtsc();
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *pkt = pkts[i];

		if (likely(snic_mtr_pass(m, rte_pktmbuf_pkt_len(pkt), now))) {
			pkts[k++] = pkt;
		} else {
			p->dp.drop[SNIC_DROP_METER_RED]++;
			rte_pktmbuf_free(pkt);
		}
	}
	return k;
}

#endif /* SNIC_MTR_H */
