/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The software datapath (slow path) of the vSwitch: upcalls in from the
 * VM representors and the uplink, answers (ARP, ICMP), floods, and flows:
 * the cached flow's actions or vs_xlate()'s new ones applied, the flow
 * cached and queued for offload (vs.h).
 *
 * One burst per port: rx without the lock, then the whole burst is decided
 * under vs->lock (model lookups, flow table), the packets are gathered per
 * destination port, and sent after the lock is released. Only floods copy
 * packets, and only answers and ARP requests allocate (from vs->pool);
 * every packet not sent is counted under one reason.
 */

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "nf_pkt.h"
#include "vs.h"

/* Packets gathered for one destination port. */
struct vs_txq {
	uint16_t n;
	struct rte_mbuf *m[VS_BURST];
};

struct vs_burst {
	struct vs_txq q[RTE_MAX_ETHPORTS]; /* by port id */
	uint64_t now;
};

/* One packet in the making: the mbuf, its parse, its flow key. */
struct vs_pkt {
	struct rte_mbuf *m;
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct vs_flow_key fk;
};

static void
txq_flush(struct vs_switch *vs, struct vs_txq *q, uint16_t port_id)
{
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(port_id, 0, q->m, q->n);
	if (sent < q->n) {
		vs->stats.drops[VS_DROP_TX_FULL] += q->n - sent;
		rte_pktmbuf_free_bulk(&q->m[sent], q->n - sent);
	}
	q->n = 0;
}

static void
txq_put(struct vs_switch *vs, struct vs_burst *b, uint16_t port_id,
	struct rte_mbuf *m)
{
	struct vs_txq *q = &b->q[port_id];

	if (q->n == VS_BURST)
		txq_flush(vs, q, port_id);
	q->m[q->n++] = m;
}

static void
drop(struct vs_switch *vs, struct rte_mbuf *m, enum vs_drop why)
{
	vs->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/* The flow key of a parsed packet (inner fields and VNI for VXLAN). */
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
	if (k->flags & NF_KEY_F_TUNNEL)
		fk->vni = rte_be_to_cpu_32(k->vni) >> 8;
}

/* ---------------------------------------------------- underlay ARP */

/* Ask uplink u's segment for ip's MAC — ARP, or a neighbour solicitation
 * for IPv6 — from the local VTEP of ip's family, at most once a second per
 * neighbour. @return true when a request went out. */
static bool
neigh_request(struct vs_switch *vs, struct vs_burst *b, int u,
	      const struct vs_ip *ip)
{
	int n = vs_neigh_get(vs, u, ip);
	const struct vs_uplink *ul = &vs->uplinks[u];
	const struct vs_ip *local = vs_vtep_for(vs, ip);
	struct rte_mbuf *req;

	if (n < 0 || local == NULL ||
	    b->now - vs->neigh[n].last_req < rte_get_timer_hz())
		return false;
	vs->neigh[n].last_req = b->now;
	req = vs_ip_is4(ip) ?
	      vs_exec_arp_request(vs->pool, vs_ip_4(local), &ul->mac,
				  vs_ip_4(ip)) :
	      vs_nd_solicit(vs->pool, local, &ul->mac, ip);
	if (req == NULL) {
		vs->stats.drops[VS_DROP_NO_MBUF]++;
		return false;
	}
	if (vs_ip_is4(ip))
		vs->stats.arp_requests++;
	else
		vs->stats.nd_solicits++;
	txq_put(vs, b, ul->port_id, req);
	return true;
}

/* ARP on uplink u: learn the underlay neighbours we asked for, answer
 * for our VTEP address. */
static void
uplink_arp(struct vs_switch *vs, struct vs_burst *b, int u,
	   struct rte_mbuf *m)
{
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m,
		struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	struct vs_ip sip;

	if (m->data_len < sizeof(struct rte_ether_hdr) + sizeof(*arp)) {
		drop(vs, m, VS_DROP_PARSE);
		return;
	}
	sip = vs_ip_from4(arp->arp_data.arp_sip);
	vs_neigh_learn(vs, u, &sip, &arp->arp_data.arp_sha);
	if (!vs_ip_none(&vs->vtep[0]) &&
	    arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    arp->arp_data.arp_tip == vs_ip_4(&vs->vtep[0])) {
		vs_exec_arp_reply(m, sizeof(struct rte_ether_hdr),
				  &vs->uplinks[u].mac);
		vs->stats.arp_replies++;
		txq_put(vs, b, vs->uplinks[u].port_id, m);
		return;
	}
	rte_pktmbuf_free(m);
}

/* ICMPv6 on uplink u: neighbour discovery (vs_nd.c) for the IPv6
 * underlay; anything else (router advertisements, MLD) is not ours. */
static void
uplink_nd(struct vs_switch *vs, struct vs_burst *b, int u, struct vs_pkt *p)
{
	struct rte_mbuf *reply;
	int rc = vs_nd_input(vs, u, p->m, p->lay.l3, &reply);

	if (rc != 0) {
		drop(vs, p->m, rc > 0 ? VS_DROP_UPLINK : VS_DROP_PARSE);
		return;
	}
	rte_pktmbuf_free(p->m);
	if (reply != NULL) {
		vs->stats.nd_adverts++;
		txq_put(vs, b, vs->uplinks[u].port_id, reply);
	}
}

/* ---------------------------------------------------- mirrors */

/* §7.6 in software: a copy of m as it entered the switch (before the
 * flow's rewrites, as the NIC's SAMPLE takes it) to the mirror port,
 * VXLAN-encapsulated toward a remote collector. */
static void
mirror_copy(struct vs_switch *vs, struct vs_burst *b, struct rte_mbuf *m,
	    const struct nf_flow_key *k, const struct vs_acts *a)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, vs->pool, 0, UINT32_MAX);
	struct vs_acts e;

	if (c == NULL) {
		vs->stats.drops[VS_DROP_NO_MBUF]++;
		return;
	}
	if (a->mirror == VS_MIR_REMOTE) {
		memset(&e, 0, sizeof(e));
		e.vni = a->m_vni;
		e.o_src = a->o_src;
		e.o_dst = a->m_o_dst;
		e.o_sip = a->m_o_sip;
		e.o_dip = a->m_o_dip;
		if (vs_exec_encap(&e, c, k) != 0) {
			drop(vs, c, VS_DROP_EXEC);
			return;
		}
	}
	vs->stats.mirror_copies++;
	txq_put(vs, b, a->m_port, c);
}

/* ---------------------------------------------------- floods */

/* One flood copy to port slot, tagged as that port expects. */
static void
flood_out(struct vs_switch *vs, struct vs_burst *b, int slot,
	  struct rte_mbuf *m)
{
	if (vs_exec_vlan(m, vs->ports[slot].vlan) != 0) {
		drop(vs, m, VS_DROP_EXEC);
		return;
	}
	txq_put(vs, b, vs->ports[slot].port_id, m);
}

/* Copy (or hand over, for the last one) p to every local port of net but
 * in_slot and, from a VM, encapsulated to every remote VTEP of net. */
static void
flood(struct vs_switch *vs, struct vs_burst *b, int net, int in_slot,
      struct vs_pkt *p)
{
	const struct vs_ip *vteps[VS_MAX_REMOTES];
	int dst[VS_MAX_PORTS], nd = 0, nv = 0;

	struct vs_acts ma = {0};

	if (in_slot >= 0 && vs_mirror_acts(vs, in_slot, -1, &ma))
		mirror_copy(vs, b, p->m, &p->k, &ma);
	if (vs_uplink_by_port(vs, p->fk.in_port) >= 0)
		rte_pktmbuf_adj(p->m, p->lay.l2); /* deliver the inner frame */
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && vs->ports[i].net == net &&
		    i != in_slot)
			dst[nd++] = i;
	/* Head-end replication: one copy per remote VTEP of the network. */
	for (int i = 0; in_slot >= 0 && i < VS_MAX_REMOTES; i++) {
		const struct vs_remote *r = &vs->remotes[i];
		int j;

		if (!r->used || r->net != net || vs_vtep_for(vs, &r->vtep) ==
		    NULL)
			continue;
		for (j = 0; j < nv && !vs_ip_eq(vteps[j], &r->vtep); j++)
			;
		if (j == nv)
			vteps[nv++] = &r->vtep;
	}
	vs->stats.fwd_flood++;
	for (int i = 0; i < nv; i++) {
		struct vs_xlate_out x = {0};
		struct rte_mbuf *c;
		struct vs_ip nh;
		int u, n, rc = vs_underlay_resolve(vs, vteps[i], &u, &nh, &n);

		if (rc == -EAGAIN)
			neigh_request(vs, b, u, &nh);
		if (rc != 0) {
			vs->stats.drops[rc == -EAGAIN ? VS_DROP_NEIGH :
					VS_DROP_UL_ROUTE]++;
			continue;
		}
		c = rte_pktmbuf_copy(p->m, vs->pool, 0, UINT32_MAX);
		if (c == NULL) {
			vs->stats.drops[VS_DROP_NO_MBUF]++;
			continue;
		}
		x.acts.vni = vs->nets[net].vni;
		x.acts.o_src = vs->uplinks[u].mac;
		x.acts.o_dst = vs->neigh[n].mac;
		x.acts.o_sip = *vs_vtep_for(vs, vteps[i]);
		x.acts.o_dip = *vteps[i];
		if (vs_exec_vlan(c, 0) != 0 ||
		    vs_exec_encap(&x.acts, c, &p->k) != 0) {
			drop(vs, c, VS_DROP_EXEC);
			continue;
		}
		vs->stats.flood_copies++;
		txq_put(vs, b, vs->uplinks[u].port_id, c);
	}
	for (int i = 0; i < nd - 1; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(p->m, vs->pool, 0,
						      UINT32_MAX);

		if (c == NULL) {
			vs->stats.drops[VS_DROP_NO_MBUF]++;
			continue;
		}
		vs->stats.flood_copies++;
		flood_out(vs, b, dst[i], c);
	}
	if (nd > 0)
		flood_out(vs, b, dst[nd - 1], p->m);
	else
		rte_pktmbuf_free(p->m);
}

/* ---------------------------------------------------- answers */

/* An ARP request from VM port slot that the switch answers itself: the
 * gateway, a floating IP of an external network, and known addresses of
 * the network (ARP suppression: no flood for them). */
static bool
vm_arp(struct vs_switch *vs, struct vs_burst *b, int slot, struct vs_pkt *p)
{
	const struct vs_network *net = &vs->nets[vs->ports[slot].net];
	/* After the MACs and the subport's tag, if any. */
	uint16_t off = sizeof(struct rte_ether_hdr) +
		       (vs->ports[slot].vlan != 0 ? 4 : 0);
	struct rte_arp_hdr *arp;
	const struct rte_ether_addr *mac = NULL;
	uint32_t tip;
	int i;

	if (p->m->data_len < off + sizeof(*arp))
		return false;
	arp = rte_pktmbuf_mtod_offset(p->m, struct rte_arp_hdr *, off);
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST))
		return false;
	tip = arp->arp_data.arp_tip;
	if (net->router >= 0 && (tip == net->gateway ||
	    (net->external && (i = vs_fip_by_ip(vs, tip)) >= 0 &&
	     vs->nets[vs->ports[vs->fips[i].port].net].router == net->router)))
		mac = &vs->routers[net->router].mac;
	else if ((i = vs_port_by_ip(vs, vs->ports[slot].net, tip)) >= 0 &&
		 i != slot)
		mac = &vs->ports[i].mac;
	else if ((i = vs_remote_by_ip(vs, vs->ports[slot].net, tip)) >= 0)
		mac = &vs->remotes[i].mac;
	if (mac == NULL)
		return false;
	vs_exec_arp_reply(p->m, off, mac);
	vs->stats.arp_replies++;
	txq_put(vs, b, vs->ports[slot].port_id, p->m);
	return true;
}

/* An echo request to the gateway of the VM's network. */
static bool
vm_echo(struct vs_switch *vs, struct vs_burst *b, int slot, struct vs_pkt *p)
{
	const struct vs_network *net = &vs->nets[vs->ports[slot].net];
	uint32_t dst;

	memcpy(&dst, p->k.dst_ip, 4);
	if (net->router < 0 || dst != net->gateway ||
	    p->k.ip_proto != IPPROTO_ICMP ||
	    p->k.icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
	    (p->k.flags & NF_KEY_F_FRAG) ||
	    !rte_is_same_ether_addr(&p->k.dst_mac,
				    &vs->routers[net->router].mac))
		return false;
	vs_exec_echo_reply(p->m, p->lay.l3, p->lay.l4);
	vs->stats.icmp_replies++;
	txq_put(vs, b, vs->ports[slot].port_id, p->m);
	return true;
}

/* Send the switch's ICMP error r (NULL: none) to port slot, tagged as the
 * port expects, and drop the packet p it answers under why. */
static void
icmp_error_send(struct vs_switch *vs, struct vs_burst *b, int slot,
		struct rte_mbuf *r, struct vs_pkt *p, enum vs_drop why)
{
	if (r != NULL && vs_exec_vlan(r, vs->ports[slot].vlan) != 0) {
		rte_pktmbuf_free(r);
		r = NULL;
	}
	if (r != NULL) {
		vs->stats.icmp_replies++;
		txq_put(vs, b, vs->ports[slot].port_id, r);
	}
	drop(vs, p->m, why);
}

/* A routed packet whose TTL would reach 0: ICMP time exceeded from the
 * gateway back to its source port (VMs only; from the wire it is dropped). */
static void
ttl_expired(struct vs_switch *vs, struct vs_burst *b, int slot,
	    struct vs_pkt *p, const struct vs_acts *a)
{
	struct rte_mbuf *r = NULL;

	if (slot >= 0 && vs->nets[vs->ports[slot].net].router >= 0)
		r = vs_exec_icmp_error(vs->pool, p->m, p->lay.l3, 11, 0, 0,
			vs->nets[vs->ports[slot].net].gateway, &a->mac_src);
	icmp_error_send(vs, b, slot, r, p, VS_DROP_TTL);
}

/* An encapsulated packet over the egress uplink's MTU (N-15, V-9): an
 * IPv4 packet with DF from a VM gets "fragmentation needed" and an IPv6
 * one "packet too big", with mtu, the inner MTU that fits (the uplink's
 * less the encapsulation of the underlay's family): its stack lowers the
 * path MTU (RFC 1191, RFC 8201), seemingly from the hop it sent to: the
 * gateway when routed, else the destination. */
static void
too_big(struct vs_switch *vs, struct vs_burst *b, int slot, struct vs_pkt *p,
	uint16_t mtu)
{
	const struct rte_ipv4_hdr *ip;
	const struct vs_network *net;
	struct rte_mbuf *r = NULL;
	uint32_t src;

	if (slot >= 0 && (p->k.flags & NF_KEY_F_IPV4)) {
		ip = rte_pktmbuf_mtod_offset(p->m, const struct rte_ipv4_hdr *,
					     p->lay.l3);
		net = &vs->nets[vs->ports[slot].net];
		memcpy(&src, p->k.dst_ip, 4);
		if (net->router >= 0 &&
		    rte_is_same_ether_addr(&p->k.dst_mac,
					   &vs->routers[net->router].mac))
			src = net->gateway;
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
			r = vs_exec_icmp_error(vs->pool, p->m, p->lay.l3, 3, 4,
					       mtu, src, &p->k.dst_mac);
	} else if (slot >= 0 && (p->k.flags & NF_KEY_F_IPV6)) {
		/* IPv6 is switched, never routed, here: the error comes
		 * from the destination itself. */
		r = vs_exec_icmp6_too_big(vs->pool, p->m, p->lay.l3, mtu,
					  p->k.dst_ip, &p->k.dst_mac);
	}
	icmp_error_send(vs, b, slot, r, p, VS_DROP_TOO_BIG);
}

/* ---------------------------------------------------- flows */

static bool
routed(const struct vs_acts *a)
{
	return a->tpl == VS_TPL_L3 || a->tpl == VS_TPL_L3_ENCAP ||
	       a->tpl == VS_TPL_L3_DECAP;
}

/* Forward p by its flow (cached, or translated now). */
static void
forward(struct vs_switch *vs, struct vs_burst *b, int slot, struct vs_pkt *p)
{
	struct vs_flow *f = vs_flow_lookup(vs, &p->fk);
	struct vs_xlate_out x;
	const struct vs_acts *a;
	enum vs_drop why;
	uint16_t mtu;

	if (f == NULL) {
		switch (vs_xlate(vs, &p->fk, &x)) {
		case VS_V_FLOW:
			break;
		case VS_V_FLOOD:
			flood(vs, b, x.net, slot, p);
			return;
		case VS_V_NEIGH:
			vs_flow_account(vs, &p->fk, &x.acts, p->m->pkt_len,
					b->now);
			neigh_request(vs, b, x.neigh_uplink, &x.neigh_ip);
			drop(vs, p->m, VS_DROP_NEIGH);
			return;
		default:
			drop(vs, p->m, x.drop);
			return;
		}
		a = &x.acts;
	} else {
		a = &f->acts;
	}
	if (a->flags & VS_A_UNRESOLVED) {
		struct vs_ip nh;
		int u, n;

		f->sw_packets++;
		f->sw_bytes += p->m->pkt_len;
		f->last_seen = b->now;
		if (vs_underlay_resolve(vs, &a->o_dip, &u, &nh, &n) == -EAGAIN)
			neigh_request(vs, b, u, &nh);
		drop(vs, p->m, VS_DROP_NEIGH);
		return;
	}
	if (routed(a) && p->k.ttl <= 1) {
		ttl_expired(vs, b, slot, p, a);
		return;
	}
	if ((a->tpl == VS_TPL_L2_ENCAP || a->tpl == VS_TPL_L3_ENCAP) &&
	    p->lay.l3 != NF_OFF_NONE &&
	    rte_eth_dev_get_mtu(a->out_port, &mtu) == 0 &&
	    p->lay.l3_len + vs_encap_len(&a->o_dip) > mtu) {
		too_big(vs, b, slot, p, mtu - vs_encap_len(&a->o_dip));
		return;
	}
	/* Stateful security group: a packet CT refuses is never cached. */
	if (vs_sg_pkt(vs, &p->fk, &p->k, p->m, &p->lay, a, &why) != 0) {
		drop(vs, p->m, why);
		return;
	}
	if (f == NULL) {
		vs_flow_account(vs, &p->fk, a, p->m->pkt_len, b->now);
	} else {
		f->sw_packets++;
		f->sw_bytes += p->m->pkt_len;
		f->last_seen = b->now;
	}
	if (a->tpl == VS_TPL_DROP) {
		drop(vs, p->m, VS_DROP_SG_RULE);
		return;
	}
	if (a->mirror != VS_MIR_NONE)
		mirror_copy(vs, b, p->m, &p->k, a);
	if (vs_exec_apply(a, p->m, &p->k, &p->lay) != 0) {
		drop(vs, p->m, VS_DROP_EXEC);
		return;
	}
	vs->stats.fwd_unicast++;
	txq_put(vs, b, a->out_port, p->m);
}

/* ---------------------------------------------------- per packet */

static void
from_vm(struct vs_switch *vs, struct vs_burst *b, struct vs_pkt *p)
{
	int slot = vs_port_by_rx(vs, p->fk.in_port, vs_key_vid(&p->fk));

	if (slot < 0) {
		drop(vs, p->m, VS_DROP_NO_PORT);
		return;
	}
	if (!rte_is_same_ether_addr(&p->k.src_mac, &vs->ports[slot].mac)) {
		drop(vs, p->m, VS_DROP_SRC_MAC);
		return;
	}
	if ((p->k.eth_type == RTE_BE16(RTE_ETHER_TYPE_ARP) ||
	     p->k.inner_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) &&
	    vm_arp(vs, b, slot, p))
		return;
	if ((p->k.flags & NF_KEY_F_IPV4) && vm_echo(vs, b, slot, p))
		return;
	forward(vs, b, slot, p);
}

/* An outer address of the parser's key (IPv4 in the first 4 bytes). */
static struct vs_ip
outer_ip(const uint8_t *a, bool v6)
{
	struct vs_ip ip;
	uint32_t v4;

	if (v6) {
		memcpy(ip.a, a, 16);
		return ip;
	}
	memcpy(&v4, a, 4);
	return vs_ip_from4(v4);
}

static void
from_uplink(struct vs_switch *vs, struct vs_burst *b, int u,
	    struct vs_pkt *p)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(p->m, const struct rte_ether_hdr *);
	const struct vs_ip *local;
	struct vs_ip odst, osrc;

	vs->stats.rx_uplink++;
	if (!(p->k.flags & NF_KEY_F_TUNNEL)) {
		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			uplink_arp(vs, b, u, p->m);
		else if ((p->k.flags & NF_KEY_F_IPV6) &&
			 p->k.ip_proto == IPPROTO_ICMPV6)
			uplink_nd(vs, b, u, p);
		else
			drop(vs, p->m, VS_DROP_UPLINK);
		return;
	}
	odst = outer_ip(p->k.outer_dst, p->k.flags & NF_KEY_F_OUTER_V6);
	osrc = outer_ip(p->k.outer_src, p->k.flags & NF_KEY_F_OUTER_V6);
	local = vs_vtep_for(vs, &odst);
	if (local == NULL || !vs_ip_eq(&odst, local)) {
		drop(vs, p->m, VS_DROP_UPLINK);
		return;
	}
	/* A remote VTEP that sends to us is reachable at this MAC. */
	vs_neigh_learn(vs, u, &osrc, &eth->src_addr);
	forward(vs, b, -1, p);
}

static unsigned int
port_poll(struct vs_switch *vs, struct vs_burst *b, uint16_t port_id)
{
	struct rte_mbuf *pkts[VS_BURST];
	uint16_t n = rte_eth_rx_burst(port_id, 0, pkts, VS_BURST);
	struct vs_pkt p;
	int u;

	if (n == 0)
		return 0;
	b->now = rte_get_timer_cycles();
	rte_spinlock_lock(&vs->lock);
	u = vs_uplink_by_port(vs, port_id);
	if (u < 0)
		vs->stats.rx_upcalls += n;
	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		p.m = pkts[i];
		if (nf_pkt_parse(p.m, port_id, &p.k, &p.lay) != NF_PKT_OK) {
			drop(vs, p.m, VS_DROP_PARSE);
			continue;
		}
		flow_key_make(&p.k, port_id, &p.fk);
		vs_sg_key(vs, &p.k, &p.fk);
		if (u >= 0)
			from_uplink(vs, b, u, &p);
		else
			from_vm(vs, b, &p);
	}
	rte_spinlock_unlock(&vs->lock);
	return n;
}

/*
 * Once a second: unresolved next hops (new remotes, routes) are asked for,
 * so the first packet toward them usually finds their MAC; a resolved one
 * is asked again after neigh_refresh_s and lost after VS_NEIGH_PROBES
 * unanswered requests — its flows then fall back to waiting for ARP.
 */
static void
neigh_refresh(struct vs_switch *vs, struct vs_burst *b)
{
	static __thread uint64_t next;
	uint64_t hz = rte_get_timer_hz();

	if (b->now < next)
		return;
	next = b->now + hz;
	rte_spinlock_lock(&vs->lock);
	for (int i = 0; i < VS_MAX_NEIGH; i++) {
		struct vs_neigh *n = &vs->neigh[i];

		if (!n->used)
			continue;
		if (!n->resolved) {
			neigh_request(vs, b, n->uplink, &n->ip);
			continue;
		}
		if (b->now - n->confirmed < (uint64_t)vs->neigh_refresh_s * hz)
			continue;
		if (n->probes >= VS_NEIGH_PROBES) {
			n->resolved = false;
			n->probes = 0;
			vs_neigh_changed(vs, i);
			continue;
		}
		if (neigh_request(vs, b, n->uplink, &n->ip))
			n->probes++;
	}
	rte_spinlock_unlock(&vs->lock);
}

unsigned int
vs_datapath_poll(struct vs_switch *vs)
{
	static __thread struct vs_burst b;
	uint16_t ids[VS_MAX_PORTS + VS_MAX_UPLINKS];
	int n = 0;
	unsigned int done = 0;

	rte_spinlock_lock(&vs->lock);
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used)
			ids[n++] = vs->ports[i].port_id;
	for (int i = 0; i < VS_MAX_UPLINKS; i++)
		if (vs->uplinks[i].used)
			ids[n++] = vs->uplinks[i].port_id;
	rte_spinlock_unlock(&vs->lock);
	for (int i = 0; i < n; i++)
		done += port_poll(vs, &b, ids[i]);
	b.now = rte_get_timer_cycles();
	neigh_refresh(vs, &b);
	for (uint16_t pid = 0; pid < RTE_MAX_ETHPORTS; pid++)
		txq_flush(vs, &b.q[pid], pid);
	return done;
}

static const char *const drop_names[VS_DROP_MAX] = {
	[VS_DROP_NO_PORT] = "no_port",
	[VS_DROP_PARSE] = "parse_error",
	[VS_DROP_SRC_MAC] = "src_mac_mismatch",
	[VS_DROP_TX_FULL] = "tx_full",
	[VS_DROP_NO_MBUF] = "no_mbuf",
	[VS_DROP_FLOW_FULL] = "flow_table_full",
	[VS_DROP_NO_ROUTE] = "no_route",
	[VS_DROP_NEIGH] = "neigh_unresolved",
	[VS_DROP_UPLINK] = "uplink_not_for_us",
	[VS_DROP_NO_DST] = "uplink_unknown_dst",
	[VS_DROP_NO_VTEP] = "no_vtep",
	[VS_DROP_TTL] = "ttl_expired",
	[VS_DROP_EXEC] = "exec_error",
	[VS_DROP_UL_ROUTE] = "underlay_no_route",
	[VS_DROP_TOO_BIG] = "too_big",
	[VS_DROP_SG_DENY] = "sg_deny",
	[VS_DROP_SG_INVALID] = "sg_ct_invalid",
	[VS_DROP_SG_RULE] = "sg_drop_rule",
	[VS_DROP_SG_CT_FULL] = "sg_ct_full",
};

json_t *
vs_stats_to_json(struct vs_switch *vs)
{
	json_t *drops = json_object(), *o;

	for (int i = 0; i < VS_DROP_MAX; i++)
		json_object_set_new(drops, drop_names[i],
				    json_integer((json_int_t)vs->stats.drops[i]));
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:o}",
		"rx_upcalls", (json_int_t)vs->stats.rx_upcalls,
		"rx_uplink", (json_int_t)vs->stats.rx_uplink,
		"fwd_unicast", (json_int_t)vs->stats.fwd_unicast,
		"fwd_flood", (json_int_t)vs->stats.fwd_flood,
		"flood_copies", (json_int_t)vs->stats.flood_copies,
		"arp_replies", (json_int_t)vs->stats.arp_replies,
		"icmp_replies", (json_int_t)vs->stats.icmp_replies,
		"arp_requests", (json_int_t)vs->stats.arp_requests,
		"mirror_copies", (json_int_t)vs->stats.mirror_copies,
		"offloads", (json_int_t)vs->offloads,
		"offload_refused", (json_int_t)vs->offload_refused,
		"aged", (json_int_t)vs->aged,
		"revalidated", (json_int_t)vs->revalidated, "drops", drops);
	json_object_set_new(o, "nd_solicits",
			    json_integer((json_int_t)vs->stats.nd_solicits));
	json_object_set_new(o, "nd_adverts",
			    json_integer((json_int_t)vs->stats.nd_adverts));
	json_object_set_new(o, "sg", vs_sg_stats_json(vs));
	return o;
}
