/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The software datapath (slow path) of the vSwitch: upcalls in, §7.2
 * same-node L2 forwarding, flows created and queued for offload (vs.h).
 *
 * One burst per configured port: rx without the lock, then the whole burst
 * is decided under vs->lock (model lookups, flow table), the packets are
 * gathered per destination, and sent after the lock is released. Only a
 * flood copies packets (rte_pktmbuf_copy from vs->pool); nothing else is
 * allocated per packet. Every packet not sent is counted under one reason.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "nf_pkt.h"
#include "vs.h"

/* Packets gathered for one destination port. */
struct vs_txq {
	uint16_t port_id;
	uint16_t n;
	struct rte_mbuf *m[VS_BURST];
};

struct vs_burst {
	struct vs_txq q[VS_MAX_PORTS]; /* by port slot */
	uint64_t now;
};

static void
txq_flush(struct vs_switch *vs, struct vs_txq *q)
{
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(q->port_id, 0, q->m, q->n);
	if (sent < q->n) {
		vs->stats.drops[VS_DROP_TX_FULL] += q->n - sent;
		rte_pktmbuf_free_bulk(&q->m[sent], q->n - sent);
	}
	q->n = 0;
}

static void
txq_put(struct vs_switch *vs, struct vs_burst *b, int slot,
	struct rte_mbuf *m)
{
	struct vs_txq *q = &b->q[slot];

	if (q->n == VS_BURST)
		txq_flush(vs, q);
	q->port_id = vs->ports[slot].port_id;
	q->m[q->n++] = m;
}

/* The §7.2 key of a parsed packet. */
static void
flow_key_make(const struct nf_flow_key *k, uint16_t in_port,
	      struct vs_flow_key *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->in_port = in_port;
	fk->eth_type = k->eth_type;
	fk->vlan_tci = k->vlan_tci;
	fk->inner_type = k->inner_type;
	fk->src = k->src_mac;
	fk->dst = k->dst_mac;
	if (k->flags & (NF_KEY_F_IPV4 | NF_KEY_F_IPV6)) {
		fk->ip_proto = k->ip_proto;
		fk->is_v6 = !!(k->flags & NF_KEY_F_IPV6);
		memcpy(fk->dst_ip, k->dst_ip, fk->is_v6 ? 16 : 4);
	}
}

/* Find or create the flow of a forwarded unicast; lock held. */
static void
flow_account(struct vs_switch *vs, const struct vs_flow_key *fk,
	     uint16_t out_port, uint32_t len, uint64_t now)
{
	struct vs_flow *f;
	int idx = rte_hash_lookup(vs->flow_hash, fk);

	if (idx < 0) {
		struct vs_rule r;

		idx = rte_hash_add_key(vs->flow_hash, fk);
		if (idx < 0) {
			vs->stats.drops[VS_DROP_FLOW_FULL]++;
			return;
		}
		f = &vs->flows[idx];
		memset(f, 0, sizeof(*f));
		f->used = true;
		f->key = *fk;
		f->out_port = out_port;
		if (vs_rule_build(fk, out_port, 0, &r, f->reason,
				  sizeof(f->reason)) != 0)
			f->where = VS_FLOW_SOFTWARE;
		else if (rte_ring_enqueue(vs->offload_q,
				(void *)(uintptr_t)idx) == 0)
			f->where = VS_FLOW_PENDING;
		else
			snprintf(f->reason, sizeof(f->reason),
				 "offload queue full");
	}
	f = &vs->flows[idx];
	f->sw_packets++;
	f->sw_bytes += len;
	f->last_seen = now;
}

/* Send m to every port of network net but the ingress slot; lock held. */
static void
flood(struct vs_switch *vs, struct vs_burst *b, int in_slot, int net,
      struct rte_mbuf *m)
{
	int dst[VS_MAX_PORTS], n = 0;

	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && vs->ports[i].net == net &&
		    i != in_slot)
			dst[n++] = i;
	vs->stats.fwd_flood++;
	for (int i = 0; i < n - 1; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, vs->pool, 0,
						      UINT32_MAX);

		if (c == NULL) {
			vs->stats.drops[VS_DROP_NO_MBUF]++;
			continue;
		}
		vs->stats.flood_copies++;
		txq_put(vs, b, dst[i], c);
	}
	if (n > 0)
		txq_put(vs, b, dst[n - 1], m);
	else
		rte_pktmbuf_free(m);
}

static int
port_by_mac(const struct vs_switch *vs, int net,
	    const struct rte_ether_addr *mac)
{
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && vs->ports[i].net == net &&
		    rte_is_same_ether_addr(&vs->ports[i].mac, mac))
			return i;
	return -1;
}

/* Decide one packet that came in on port slot in_slot; lock held. */
static void
pkt_handle(struct vs_switch *vs, struct vs_burst *b, int in_slot,
	   struct rte_mbuf *m)
{
	const struct vs_port *in = &vs->ports[in_slot];
	struct nf_pkt_layout lay;
	struct nf_flow_key k;
	struct vs_flow_key fk;
	int out;

	if (nf_pkt_parse(m, in->port_id, &k, &lay) != NF_PKT_OK) {
		vs->stats.drops[VS_DROP_PARSE]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!rte_is_same_ether_addr(&k.src_mac, &in->mac)) {
		vs->stats.drops[VS_DROP_SRC_MAC]++;
		rte_pktmbuf_free(m);
		return;
	}
	out = rte_is_unicast_ether_addr(&k.dst_mac) ?
	      port_by_mac(vs, in->net, &k.dst_mac) : -1;
	if (out < 0 || out == in_slot) {
		flood(vs, b, in_slot, in->net, m);
		return;
	}
	flow_key_make(&k, in->port_id, &fk);
	flow_account(vs, &fk, vs->ports[out].port_id, m->pkt_len, b->now);
	vs->stats.fwd_unicast++;
	txq_put(vs, b, out, m);
}

static unsigned int
port_poll(struct vs_switch *vs, struct vs_burst *b, int slot,
	  uint16_t port_id)
{
	struct rte_mbuf *pkts[VS_BURST];
	uint16_t n = rte_eth_rx_burst(port_id, 0, pkts, VS_BURST);

	if (n == 0)
		return 0;
	vs->stats.rx_upcalls += n;
	b->now = rte_get_timer_cycles();
	rte_spinlock_lock(&vs->lock);
	if (!vs->ports[slot].used || vs->ports[slot].port_id != port_id) {
		vs->stats.drops[VS_DROP_NO_PORT] += n;
		rte_pktmbuf_free_bulk(pkts, n);
	} else {
		for (uint16_t i = 0; i < n; i++)
			pkt_handle(vs, b, slot, pkts[i]);
	}
	rte_spinlock_unlock(&vs->lock);
	for (int i = 0; i < VS_MAX_PORTS; i++)
		txq_flush(vs, &b->q[i]);
	return n;
}

unsigned int
vs_datapath_poll(struct vs_switch *vs)
{
	static __thread struct vs_burst b;
	uint16_t ids[VS_MAX_PORTS];
	int slots[VS_MAX_PORTS], n = 0;
	unsigned int done = 0;

	rte_spinlock_lock(&vs->lock);
	for (int i = 0; i < VS_MAX_PORTS; i++) {
		if (!vs->ports[i].used)
			continue;
		slots[n] = i;
		ids[n++] = vs->ports[i].port_id;
	}
	rte_spinlock_unlock(&vs->lock);
	for (int i = 0; i < n; i++)
		done += port_poll(vs, &b, slots[i], ids[i]);
	return done;
}

static const char *const drop_names[VS_DROP_MAX] = {
	[VS_DROP_NO_PORT] = "no_port",
	[VS_DROP_PARSE] = "parse_error",
	[VS_DROP_SRC_MAC] = "src_mac_mismatch",
	[VS_DROP_TX_FULL] = "tx_full",
	[VS_DROP_NO_MBUF] = "flood_no_mbuf",
	[VS_DROP_FLOW_FULL] = "flow_table_full",
};

json_t *
vs_stats_to_json(struct vs_switch *vs)
{
	json_t *drops = json_object();

	for (int i = 0; i < VS_DROP_MAX; i++)
		json_object_set_new(drops, drop_names[i],
				    json_integer((json_int_t)vs->stats.drops[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		"rx_upcalls", (json_int_t)vs->stats.rx_upcalls,
		"fwd_unicast", (json_int_t)vs->stats.fwd_unicast,
		"fwd_flood", (json_int_t)vs->stats.fwd_flood,
		"flood_copies", (json_int_t)vs->stats.flood_copies,
		"offloads", (json_int_t)vs->offloads,
		"offload_refused", (json_int_t)vs->offload_refused,
		"aged", (json_int_t)vs->aged, "drops", drops);
}
