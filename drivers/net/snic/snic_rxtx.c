/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The NIC datapath (N-1, N-2, N-3, N-9).
 *
 * One iteration of the NIC, for every started port P:
 *   underlying rx of P → parse (malformed: counted per reason, dropped)
 *     → P's ingress ACL → forwarding table (IPv4/IPv6 TCP/UDP unicast only)
 *     → the rule's actions → destination's egress ACL → destination's tx
 *   a miss → P's upcall ring, unmodified (the app's rx_burst on P)
 *   the app's tx_burst on P (P's inject ring) → P's egress ACL → P's tx
 * Bursts of 32 throughout; transmit buffers per destination are flushed at
 * the end of the iteration. Nothing here locks or allocates, except the copy
 * a mirror (SAMPLE) makes from the NIC's mempool.
 *
 * The iteration is a DPDK service without MT_SAFE: a service lcore (the
 * NIC's CPU) runs it, or, in inline mode, rx_burst/tx_burst run it through
 * rte_service_run_iter_on_app_lcore(), which lets only one thread in. So the
 * datapath is single-threaded per switch: plain counters, SP/SC rings.
 */

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <rte_service.h>

#include "snic.h"
#include "snic_mtr.h"

struct snic_burst {
	uint16_t n;
	struct rte_mbuf *pkts[SNIC_BURST];
	struct nf_flow_key keys[SNIC_BURST];
	struct nf_pkt_layout lays[SNIC_BURST];
};

/* Started by the application, and its underlying port usable (a bonded
 * uplink pauses while its bond has no member or is reconfigured). */
static inline bool
snic_port_running(const struct snic_port *p)
{
	return p != NULL && __atomic_load_n(&p->started, __ATOMIC_ACQUIRE) &&
		!__atomic_load_n(&p->phys_paused, __ATOMIC_ACQUIRE);
}

static inline void
snic_drop(struct snic_port *p, enum snic_drop why, struct rte_mbuf *m)
{
	p->dp.drop[why]++;
	rte_pktmbuf_free(m);
}

/*
 * N-18: net_bonding in 802.3ad sends its LACPDUs from inside tx_burst (and
 * takes received ones in rx_burst); its state machines expect that at least
 * every 100 ms. A burst of no packets still drains the LACPDU ring, so an
 * idle uplink gets one every SNIC_KEEPALIVE_HZ-th of a second.
 */
#define SNIC_KEEPALIVE_HZ 100

static void
snic_keepalive(struct snic_port *d)
{
	uint64_t now = rte_get_timer_cycles();
	struct rte_mbuf *none[1];

	if (now - d->ka_tsc < rte_get_timer_hz() / SNIC_KEEPALIVE_HZ ||
	    !snic_port_running(d))
		return;
	d->ka_tsc = now;
	rte_eth_tx_burst(d->phys, 0, none, 0);
}

static void
snic_txb_flush(struct snic_port *d)
{
	struct snic_txbuf *b = &d->txb;
	struct snic_mtr *mtr;
	uint16_t sent;

	if (b->n == 0) {
		if (unlikely(__atomic_load_n(&d->keepalive, __ATOMIC_RELAXED)))
			snic_keepalive(d);
		return;
	}
	/* N-16: the NIC → VM meter sees everything the port sends. */
	mtr = snic_mtr_port_get(d, SNIC_MTR_NIC_TO_VM);
	if (unlikely(mtr != NULL)) {
		b->n = snic_mtr_police(d, mtr, b->pkts, b->n);
		if (b->n == 0)
			return;
	}
	if (unlikely(__atomic_load_n(&d->keepalive, __ATOMIC_RELAXED)))
		d->ka_tsc = rte_get_timer_cycles();
	sent = rte_eth_tx_burst(d->phys, 0, b->pkts, b->n);
	for (uint16_t i = 0; i < sent; i++)
		d->dp.tx_bytes += rte_pktmbuf_pkt_len(b->pkts[i]);
	d->dp.tx_pkts += sent;
	for (uint16_t i = sent; i < b->n; i++)
		snic_drop(d, SNIC_DROP_TX_FULL, b->pkts[i]);
	b->n = 0;
}

static inline void
snic_txb_push(struct snic_port *d, struct rte_mbuf *m)
{
	if (d->txb.n == SNIC_TXBUF)
		snic_txb_flush(d);
	d->txb.pkts[d->txb.n++] = m;
}

/* N-2: a miss goes to P's rx, as received; N-10: with its tag. */
static void
snic_upcall(struct snic_port *p, enum snic_miss why, struct rte_mbuf *m,
	    const struct nf_flow_key *key)
{
	uint32_t q = 0;

	p->dp.miss[why]++;
	*RTE_MBUF_DYNFIELD(m, RTE_PMD_SNIC_TAG_OFFSET, uint32_t *) =
		(key != NULL && (key->flags & NF_KEY_F_TAG)) ? key->tag : 0;
	if (p->nb_rxq > 1 && key != NULL)
		q = nf_pkt_sym_hash(key) % p->nb_rxq;
	if (p->upcall[q] == NULL ||
	    rte_ring_sp_enqueue(p->upcall[q], m) != 0)
		snic_drop(p, SNIC_DROP_UPCALL_FULL, m);
}

static void
snic_mirror(struct snic_switch *sw, struct snic_port *p,
	    struct snic_sample *s, struct rte_mbuf *m,
	    const struct nf_flow_key *key)
{
	struct snic_port *d = snic_port_get(sw, s->out_port);
	struct rte_mbuf *c;

	if (++s->seen < s->ratio)
		return;
	s->seen = 0;
	if (!snic_port_running(d)) {
		p->dp.drop[SNIC_DROP_PORT_DOWN]++;
		return;
	}
	c = rte_pktmbuf_copy(m, sw->pool, 0, UINT32_MAX);
	if (c == NULL) {
		p->dp.drop[SNIC_DROP_NO_MBUF]++;
		return;
	}
	if (s->encap != NULL && snic_encap_apply(s->encap, c, key) != 0) {
		snic_drop(p, SNIC_DROP_NO_HEADROOM, c);
		return;
	}
	snic_txb_push(d, c);
}

/*
 * Would snic_actions_precheck() pass a rule without rewrites? Such a rule
 * changes nothing, so only the MTU can stop it: a frame that fits even with
 * a tag added is what too_big()'s fast path accepts. Anything else takes
 * the full check.
 */
static inline bool
snic_plain_fits(const struct snic_switch *sw, const struct snic_actions *a,
		const struct rte_mbuf *m)
{
	const struct snic_port *port;

	if (!(a->flags & SNIC_A_PORT))
		return true;
	port = snic_port_get(sw, a->out_port);
	return port == NULL ||
		rte_pktmbuf_pkt_len(m) + 4 <=
		(uint32_t)__atomic_load_n(&port->mtu, __ATOMIC_RELAXED) +
		RTE_ETHER_HDR_LEN;
}

/* snic_rule_exec(), inlined into the forwarding loop of snic_dp_rx. */
static __rte_always_inline int
snic_rule_exec_inl(struct snic_switch *sw, struct rte_flow *f,
		   struct rte_mbuf *m, struct nf_flow_key *key,
		   struct nf_pkt_layout *lay)
{
	const struct snic_actions *a = &f->act;
	uint32_t flags = a->flags;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	bool plain = !(flags & SNIC_A_REWRITE);
	int v;

	/* Decide before touching the packet: what goes to software must
	 * arrive there unmodified (N-2). A rule without rewrites (the common
	 * count / port_id) is decided here without the calls into
	 * snic_action.c; the result is the same. */
	if ((flags & (SNIC_A_PORT | SNIC_A_DEC_TTL)) &&
	    !(plain && sw != NULL && snic_plain_fits(sw, a, m))) {
		v = snic_actions_precheck(sw, a, m, key, lay);
		if (v != SNIC_V_FWD)
			return v;
	}
	/* N-16: a rule's meter polices before anything is counted or
	 * mirrored; the TSC is read only for metered rules. */
	if (unlikely(flags & SNIC_A_METER) &&
	    !snic_mtr_pass(a->mtr, len, rte_rdtsc()))
		return SNIC_V_METER_DROP;
	if (flags & SNIC_A_COUNT)
		snic_counter_add(&f->cnt, len);
	if (flags & SNIC_A_SHARED_CNT)
		snic_counter_add(&a->shared->cnt, len);
	if (flags & SNIC_A_SAMPLE)
		snic_mirror(sw, f->port, a->sample, m, key);
	if (!plain)
		return snic_actions_apply(a, m, key, lay);
	return snic_actions_verdict(a, key);
}

/*
 * The common case of the forwarding loop in one pass: a rule of COUNT (or
 * not) and PORT_ID only, to a running port without an egress ACL, and a
 * frame that fits its MTU even with a tag added. That is exactly what
 * snic_rule_exec_inl() and snic_emit() do for it, with the destination
 * read once and none of the other actions' tests: ~30 instructions fewer
 * per packet (callgrind). Returns false, having done nothing, for
 * everything else.
 */
static __rte_always_inline bool
snic_fwd_plain(struct snic_switch *sw, struct snic_port *p, struct rte_flow *f,
	       struct rte_mbuf *m)
{
	uint32_t flags = f->act.flags;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct snic_port *d;

	if ((flags & ~SNIC_A_COUNT) != SNIC_A_PORT)
		return false;
	d = snic_port_get(sw, f->act.out_port);
	if (unlikely(!snic_port_running(d) || d->acl[SNIC_DIR_OUT] != NULL ||
		     len + 4 > (uint32_t)__atomic_load_n(&d->mtu,
							 __ATOMIC_RELAXED) +
		     RTE_ETHER_HDR_LEN))
		return false;
	if (flags & SNIC_A_COUNT)
		snic_counter_add(&f->cnt, len);
	p->dp.hw_fwd++;
	snic_txb_push(d, m);
	return true;
}

int
snic_rule_exec(struct snic_switch *sw, struct rte_flow *f, struct rte_mbuf *m,
	       struct nf_flow_key *key, struct nf_pkt_layout *lay)
{
	return snic_rule_exec_inl(sw, f, m, key, lay);
}

/* snic_emit() for a running destination d (index out) with an egress
 * ACL. */
static __rte_noinline void
snic_emit_acl(struct snic_switch *sw, struct snic_port *p,
	      struct snic_port *d, uint16_t out, struct rte_mbuf *m,
	      const struct nf_flow_key *key)
{
	struct nf_flow_key k2;
	struct nf_pkt_layout l2;
	uint16_t redirect = out;
	int v;

	if (nf_pkt_parse(m, p->index, &k2, &l2) == NF_PKT_OK) {
		k2.tag = key->tag;
		k2.flags |= key->flags & NF_KEY_F_TAG;
		v = snic_acl_run(d, SNIC_DIR_OUT, m, &k2, &l2, &redirect);
		switch (v) {
		case SNIC_V_DROP:
			snic_drop(p, SNIC_DROP_RULE, m);
			return;
		case SNIC_V_UPCALL:
			snic_upcall(p, SNIC_MISS_ACL_UPCALL, m, &k2);
			return;
		case SNIC_V_MISS_MTU:
		case SNIC_V_MISS_TTL:
		case SNIC_V_MISS_TUNNEL:
			snic_upcall(p, snic_verdict_miss(v), m, &k2);
			return;
		case SNIC_V_ERR_HEADROOM:
			snic_drop(p, SNIC_DROP_NO_HEADROOM, m);
			return;
		case SNIC_V_FWD:
			d = snic_port_get(sw, redirect);
			if (!snic_port_running(d)) {
				snic_drop(p, SNIC_DROP_PORT_DOWN, m);
				return;
			}
			break;
		default:
			break;
		}
	}
	snic_txb_push(d, m);
}

/*
 * Send m, forwarded from ingress port p, to port index out through the
 * destination's egress ACL. Inline: without an egress ACL this is a few
 * loads and a store, and the call alone cost ~17 of its ~40 instructions
 * per packet (callgrind).
 */
static __rte_always_inline void
snic_emit(struct snic_switch *sw, struct snic_port *p, uint16_t out,
	  struct rte_mbuf *m, const struct nf_flow_key *key)
{
	struct snic_port *d = snic_port_get(sw, out);

	if (unlikely(!snic_port_running(d)))
		snic_drop(p, SNIC_DROP_PORT_DOWN, m);
	else if (unlikely(d->acl[SNIC_DIR_OUT] != NULL))
		snic_emit_acl(sw, p, d, out, m, key);
	else
		snic_txb_push(d, m);
}

/* Act on a verdict for packet i of b; returns true when the packet left. */
static bool
snic_verdict(struct snic_switch *sw, struct snic_port *p, int v,
	     uint16_t out, struct rte_mbuf *m, const struct nf_flow_key *key)
{
	switch (v) {
	case SNIC_V_CONTINUE:
		return false;
	case SNIC_V_FWD:
		p->dp.hw_fwd++;
		snic_emit(sw, p, out, m, key);
		break;
	case SNIC_V_DROP:
		snic_drop(p, SNIC_DROP_RULE, m);
		break;
	case SNIC_V_UPCALL:
		snic_upcall(p, SNIC_MISS_ACL_UPCALL, m, key);
		break;
	case SNIC_V_MISS_MTU:
	case SNIC_V_MISS_TTL:
	case SNIC_V_MISS_TUNNEL:
		snic_upcall(p, snic_verdict_miss(v), m, key);
		break;
	case SNIC_V_METER_DROP:
		snic_drop(p, SNIC_DROP_METER_RED, m);
		break;
	default:
		snic_drop(p, SNIC_DROP_NO_HEADROOM, m);
		break;
	}
	return true;
}

static inline void
snic_burst_keep(struct snic_burst *b, uint16_t i)
{
	uint16_t j = b->n++;

	if (j == i)
		return;
	b->pkts[j] = b->pkts[i];
	b->keys[j] = b->keys[i];
	b->lays[j] = b->lays[i];
}

static void
snic_parse_burst(struct snic_port *p, struct rte_mbuf **pkts, uint16_t n,
		 struct snic_burst *b)
{
	/* N-16: the VM → NIC meter, before the ingress ACL, for every
	 * well-formed packet whether a rule or software takes it. */
	struct snic_mtr *mtr = snic_mtr_port_get(p, SNIC_MTR_VM_TO_NIC);
	uint64_t now = unlikely(mtr != NULL) ? rte_rdtsc() : 0;

	b->n = 0;
	/* The underlying PMD may not have touched the mbufs (a ring does
	 * not): start every header's miss now, so the frame prefetch below
	 * finds the header of packet i + 2 instead of waiting for it. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(pkts[i]);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		int rc;

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		p->dp.rx_bytes += len;
		rc = nf_pkt_parse(m, p->index, &b->keys[b->n], &b->lays[b->n]);
		if (unlikely(rc != NF_PKT_OK)) {
			p->dp.malformed[rc]++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(mtr != NULL) && !snic_mtr_pass(mtr, len, now)) {
			snic_drop(p, SNIC_DROP_METER_RED, m);
			continue;
		}
		b->pkts[b->n++] = m;
	}
	p->dp.rx_pkts += n;
}

static void
snic_dp_rx(struct snic_switch *sw, struct snic_port *p,
	   struct rte_mbuf **pkts, uint16_t n)
{
	struct snic_burst b;
	struct rte_flow *rules[SNIC_BURST];
	uint16_t cnt, out;

	snic_parse_burst(p, pkts, n, &b);
	/* Ingress ACL, then N-3: only IPv4/IPv6 TCP/UDP unicast may be
	 * forwarded by a rule; the rest goes to software. */
	cnt = b.n;
	b.n = 0;
	for (uint16_t i = 0; i < cnt; i++) {
		struct rte_mbuf *m = b.pkts[i];
		struct nf_flow_key *k = &b.keys[i];

		if (p->acl[SNIC_DIR_IN] != NULL) {
			int v = snic_acl_run(p, SNIC_DIR_IN, m, k, &b.lays[i],
					     &out);
			if (snic_verdict(sw, p, v, out, m, k))
				continue;
		}
		if (!nf_pkt_offloadable(k)) {
			snic_upcall(p, SNIC_MISS_NOT_OFFLOADABLE, m, k);
			continue;
		}
		snic_burst_keep(&b, i);
	}
	if (b.n == 0)
		return;
	/* The lookup leaves each hit rule's lines prefetched. */
	snic_tbl_lookup(sw, b.keys, b.n, rules);
	for (uint16_t i = 0; i < b.n; i++) {
		struct rte_mbuf *m = b.pkts[i];
		int v;

		if (rules[i] == NULL) {
			snic_upcall(p, SNIC_MISS_NO_RULE, m, &b.keys[i]);
			continue;
		}
		if (likely(snic_fwd_plain(sw, p, rules[i], m)))
			continue;
		v = snic_rule_exec_inl(sw, rules[i], m, &b.keys[i],
				       &b.lays[i]);
		/* The common verdict without the call to snic_verdict(). */
		if (likely(v == SNIC_V_FWD)) {
			p->dp.hw_fwd++;
			snic_emit(sw, p, rules[i]->act.out_port, m,
				  &b.keys[i]);
			continue;
		}
		snic_verdict(sw, p, v, rules[i]->act.out_port, m, &b.keys[i]);
	}
}

/* Packets the application sent on P: P's egress ACL, then out. */
static void
snic_dp_app_tx(struct snic_switch *sw, struct snic_port *p,
	       struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct nf_flow_key k;
		struct nf_pkt_layout l;
		uint16_t out = p->index;
		int v;

		if (p->acl[SNIC_DIR_OUT] == NULL ||
		    nf_pkt_parse(m, p->index, &k, &l) != NF_PKT_OK) {
			snic_txb_push(p, m);
			continue;
		}
		v = snic_acl_run(p, SNIC_DIR_OUT, m, &k, &l, &out);
		if (v == SNIC_V_CONTINUE) {
			snic_txb_push(p, m);
		} else if (v == SNIC_V_FWD) {
			struct snic_port *d = snic_port_get(sw, out);

			if (snic_port_running(d))
				snic_txb_push(d, m);
			else
				snic_drop(p, SNIC_DROP_PORT_DOWN, m);
		} else {
			snic_verdict(sw, p, v, out, m, &k);
		}
	}
}

int32_t
snic_nic_iter(void *arg)
{
	struct snic_switch *sw = arg;
	struct rte_mbuf *pkts[SNIC_BURST];
	uint32_t work = 0;

	rte_rcu_qsbr_thread_online(sw->rcu, 0);
	for (uint16_t i = 0; i < sw->nb_ports; i++) {
		struct snic_port *p = snic_port_get(sw, i);
		uint16_t n;

		if (!snic_port_running(p))
			continue;
		n = rte_eth_rx_burst(p->phys, 0, pkts, SNIC_BURST);
		if (n > 0)
			snic_dp_rx(sw, p, pkts, n);
		work += n;
		n = rte_ring_sc_dequeue_burst(p->inject, (void **)pkts,
					      SNIC_BURST, NULL);
		if (n > 0)
			snic_dp_app_tx(sw, p, pkts, n);
		work += n;
	}
	for (uint16_t i = 0; i < sw->nb_ports; i++) {
		/* Read the slot once: close may clear it meanwhile (the port
		 * itself stays valid until a grace period has passed). */
		struct snic_port *p = snic_port_get(sw, i);

		if (p != NULL)
			snic_txb_flush(p);
	}
	rte_rcu_qsbr_quiescent(sw->rcu, 0);
	rte_rcu_qsbr_thread_offline(sw->rcu, 0);
	return work > 0 ? 0 : -EAGAIN;
}

/*
 * An application may rely on receiving mbufs from the pool it gave to
 * rx_queue_setup: OVS-DPDK keeps its dp_packet in that pool's private area
 * and aborts on a foreign mbuf. Upcalls come from the NIC's own pool (the
 * underlying port's rx), so each is copied, byte for byte with its
 * metadata and N-10 tag, into the queue's pool. Only the software path
 * pays, ~100 ns per upcall; a copy that finds no mbuf drops the packet,
 * counted as rx_nombuf.
 */
static uint16_t
snic_rx_to_app_pool(struct snic_queue *rxq, struct rte_mbuf **pkts,
		    uint16_t got)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < got; i++) {
		struct rte_mbuf *m = pkts[i], *c;

		if (likely(m->pool == rxq->mp)) {
			pkts[k++] = m;
			continue;
		}
		c = rte_pktmbuf_copy(m, rxq->mp, 0, UINT32_MAX);
		rte_pktmbuf_free(m);
		if (c == NULL) {
			rxq->port->app_rx_nombuf[rxq->qid]++;
			continue;
		}
		pkts[k++] = c;
	}
	return k;
}

uint16_t
snic_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct snic_queue *rxq = q;
	struct snic_port *p = rxq->port;
	uint64_t bytes = 0;
	uint16_t got;

	if (p->sw->inline_mode)
		rte_service_run_iter_on_app_lcore(p->sw->service_id, 1);
	got = rte_ring_sc_dequeue_burst(p->upcall[rxq->qid], (void **)pkts, n,
					NULL);
	got = snic_rx_to_app_pool(rxq, pkts, got);
	for (uint16_t i = 0; i < got; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	p->app_rx_pkts[rxq->qid] += got;
	p->app_rx_bytes[rxq->qid] += bytes;
	return got;
}

uint16_t
snic_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct snic_queue *txq = q;
	struct snic_port *p = txq->port;
	uint64_t bytes = 0;
	uint16_t sent;

	if (!snic_port_running(p))
		return 0;
	sent = rte_ring_mp_enqueue_burst(p->inject, (void **)pkts, n, NULL);
	for (uint16_t i = 0; i < sent; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	p->app_tx_pkts[txq->qid] += sent;
	p->app_tx_bytes[txq->qid] += bytes;
	p->app_tx_full[txq->qid] += n - sent;
	if (p->sw->inline_mode)
		rte_service_run_iter_on_app_lcore(p->sw->service_id, 1);
	return sent;
}
