/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The pipeline: what a packet of a given flow key becomes under the model
 * (vs.h). A pure function of key and model, so that revalidation can run
 * it again for every cached flow after a change and compare.
 *
 * From a VM port: port security (source MAC), then either L2 in the port's
 * network (a local port: §7.2; a remote port: §7.3 egress, encap with the
 * network's VNI) or, when the destination MAC is the router's, L3 on the
 * destination address (a local port: §7.4; a remote port: §7.5 egress,
 * encap with the router's L3 VNI, inner MACs both the anycast gateway's),
 * with the port's floating IP as source when leaving into an external
 * network, and a floating IP as destination translated to its port.
 * From the uplink: VXLAN to our VTEP only; a network's VNI is L2 to a local
 * port (§7.3 ingress), a router's L3 VNI is L3 to a local port (§7.5
 * ingress). A trunk subport is found by representor and VID; the tag is
 * made what the destination expects (out_vlan). A mirror of the ingress or egress port adds its copy (§7.6).
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>

#include "vs.h"

#define DROP(reason) (out->drop = (reason), VS_V_DROP)

static uint32_t
key_ip4(const struct vs_flow_key *k)
{
	uint32_t ip;

	memcpy(&ip, k->dst_ip, 4);
	return ip;
}

/* The encap half of acts toward VTEP vtep with VNI vni: the underlay's
 * uplink and next hop (vs_underlay.c), from the local VTEP of vtep's
 * family. */
static enum vs_verdict
encap_to(struct vs_switch *vs, const struct vs_ip *vtep, uint32_t vni,
	 struct vs_xlate_out *out)
{
	const struct vs_ip *local = vs_vtep_for(vs, vtep);
	struct vs_acts *a = &out->acts;
	struct vs_ip nh;
	int u, n, rc;

	if (local == NULL)
		return DROP(VS_DROP_NO_VTEP);
	rc = vs_underlay_resolve(vs, vtep, &u, &nh, &n);
	if (rc == -ENETUNREACH)
		return DROP(VS_DROP_UL_ROUTE);
	if (rc != 0) {
		/* Gated (V-9): the flow exists, in software, until ARP
		 * resolves the next hop; that moves gen and revalidation
		 * replaces it with the offloadable one. */
		out->neigh_ip = nh;
		out->neigh_uplink = u;
		a->flags |= VS_A_UNRESOLVED;
		a->vni = vni;
		a->o_dip = *vtep;
		a->out_port = vs->uplinks[u].port_id;
		return VS_V_NEIGH;
	}
	a->vni = vni;
	a->o_src = vs->uplinks[u].mac;
	a->o_dst = vs->neigh[n].mac;
	a->o_sip = *local;
	a->o_dip = *vtep;
	a->out_port = vs->uplinks[u].port_id;
	return VS_V_FLOW;
}

/* L3 toward dst (network order) on router r; the packet's source is port
 * src_port (-1: it came from another node). */
static enum vs_verdict
route(struct vs_switch *vs, int r, int src_port, uint32_t dst,
      struct vs_xlate_out *out)
{
	struct vs_acts *a = &out->acts;
	const struct vs_router *rt = &vs->routers[r];
	int n, p, f, rem;

	/* A floating IP as destination: the reverse flow of its port. */
	f = vs_fip_by_ip(vs, dst);
	if (f >= 0 && vs->nets[vs->ports[vs->fips[f].port].net].router == r) {
		a->flags |= VS_A_DNAT;
		a->nat_ip = vs->ports[vs->fips[f].port].ipv4;
		dst = a->nat_ip;
	}
	n = vs_net_by_subnet(vs, r, dst);
	if (n < 0)
		return DROP(VS_DROP_NO_ROUTE);
	/* The forward flow of a port with a floating IP, into an external
	 * network: its source becomes the floating IP. */
	if (src_port >= 0 && vs->nets[n].external &&
	    (f = vs_fip_by_port(vs, src_port)) >= 0) {
		a->flags |= VS_A_SNAT;
		a->nat_ip = vs->fips[f].fip;
	}
	if ((a->flags & (VS_A_SNAT | VS_A_DNAT)) == (VS_A_SNAT | VS_A_DNAT))
		return DROP(VS_DROP_NO_ROUTE); /* FIP to FIP: not modelled */
	a->mac_src = rt->mac;
	p = vs_port_by_ip(vs, n, dst);
	if (p >= 0) {
		if (p == src_port)
			return DROP(VS_DROP_NO_ROUTE);
		a->tpl = src_port >= 0 ? VS_TPL_L3 : VS_TPL_L3_DECAP;
		a->mac_dst = vs->ports[p].mac;
		a->out_port = vs->ports[p].port_id;
		a->out_vlan = vs->ports[p].vlan;
		return VS_V_FLOW;
	}
	rem = vs_remote_by_ip(vs, n, dst);
	if (rem < 0 || src_port < 0 || rt->vni == 0)
		return DROP(VS_DROP_NO_ROUTE);
	/* Symmetric IRB: the inner frame goes gateway to gateway on the
	 * router's VNI; the far node routes it again (§7.5 ingress). */
	a->tpl = VS_TPL_L3_ENCAP;
	a->mac_dst = rt->mac;
	return encap_to(vs, &vs->remotes[rem].vtep, rt->vni, out);
}

static enum vs_verdict
from_vm(struct vs_switch *vs, const struct vs_flow_key *k, int in,
	struct vs_xlate_out *out)
{
	const struct vs_port *p = &vs->ports[in];
	const struct vs_network *net = &vs->nets[p->net];
	struct vs_acts *a = &out->acts;
	int dst;

	if (!rte_is_same_ether_addr(&k->src, &p->mac))
		return DROP(VS_DROP_SRC_MAC);
	if (net->router >= 0 &&
	    rte_is_same_ether_addr(&k->dst, &vs->routers[net->router].mac)) {
		if (vs_key_l3type(k) != RTE_BE16(RTE_ETHER_TYPE_IPV4))
			return DROP(VS_DROP_NO_ROUTE); /* IPv6 L3: not yet */
		return route(vs, net->router, in, key_ip4(k), out);
	}
	out->net = p->net;
	if (!rte_is_unicast_ether_addr(&k->dst))
		return VS_V_FLOOD;
	dst = vs_port_by_mac(vs, p->net, &k->dst);
	if (dst >= 0) {
		if (dst == in)
			return VS_V_FLOOD;
		a->tpl = VS_TPL_L2;
		a->out_port = vs->ports[dst].port_id;
		a->out_vlan = vs->ports[dst].vlan;
		return VS_V_FLOW;
	}
	dst = vs_remote_by_mac(vs, p->net, &k->dst);
	if (dst < 0)
		return VS_V_FLOOD;
	a->tpl = VS_TPL_L2_ENCAP;
	return encap_to(vs, &vs->remotes[dst].vtep, net->vni, out);
}

static enum vs_verdict
from_uplink(struct vs_switch *vs, const struct vs_flow_key *k,
	    struct vs_xlate_out *out)
{
	struct vs_acts *a = &out->acts;
	int n, r, p;

	if (k->vni == 0 ||
	    (vs_ip_none(&vs->vtep[0]) && vs_ip_none(&vs->vtep[1])))
		return DROP(VS_DROP_UPLINK);
	n = vs_net_by_vni(vs, k->vni);
	if (n >= 0) {
		out->net = n;
		if (!rte_is_unicast_ether_addr(&k->dst))
			return VS_V_FLOOD;
		p = vs_port_by_mac(vs, n, &k->dst);
		if (p < 0)
			return DROP(VS_DROP_NO_DST);
		a->tpl = VS_TPL_L2_DECAP;
		a->out_port = vs->ports[p].port_id;
		a->out_vlan = vs->ports[p].vlan;
		return VS_V_FLOW;
	}
	r = vs_router_by_vni(vs, k->vni);
	if (r < 0)
		return DROP(VS_DROP_UPLINK);
	if (!rte_is_same_ether_addr(&k->dst, &vs->routers[r].mac) ||
	    vs_key_l3type(k) != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return DROP(VS_DROP_NO_DST);
	return route(vs, r, -1, key_ip4(k), out);
}

bool
vs_mirror_acts(struct vs_switch *vs, int in_slot, int out_slot,
	       struct vs_acts *a)
{
	for (int i = 0; i < VS_MAX_MIRRORS; i++) {
		const struct vs_mirror *m = &vs->mirrors[i];
		const struct vs_ip *local;
		struct vs_ip nh;
		int n, u;

		if (!m->used ||
		    !(((m->dir & VS_MIRROR_IN) && m->port == in_slot) ||
		      ((m->dir & VS_MIRROR_OUT) && m->port == out_slot)))
			continue;
		/* One SAMPLE per rule: the first mirror that selects the
		 * packet wins (docs/vswitch.md). */
		if (m->to_port >= 0) {
			a->mirror = VS_MIR_LOCAL;
			a->m_port = vs->ports[m->to_port].port_id;
			return true;
		}
		local = vs_vtep_for(vs, &m->collector);
		if (local == NULL ||
		    vs_underlay_resolve(vs, &m->collector, &u, &nh, &n) != 0)
			return false;
		/* The encap templates have one outer source MAC: a remote
		 * mirror must leave by the flow's own uplink. */
		if (!vs_ip_none(&a->o_sip) &&
		    a->out_port != vs->uplinks[u].port_id)
			return false;
		a->mirror = VS_MIR_REMOTE;
		a->m_port = vs->uplinks[u].port_id;
		a->m_vni = m->vni;
		a->m_o_dst = vs->neigh[n].mac;
		a->m_o_sip = *local;
		a->m_o_dip = m->collector;
		a->o_src = vs->uplinks[u].mac;
		return true;
	}
	return false;
}

static enum vs_verdict
pipeline(struct vs_switch *vs, const struct vs_flow_key *k,
	 struct vs_xlate_out *out)
{
	enum vs_verdict v;
	int in = -1;

	memset(out, 0, sizeof(*out));
	out->net = -1;
	if (vs_uplink_by_port(vs, k->in_port) >= 0) {
		v = from_uplink(vs, k, out);
	} else {
		in = vs_port_by_rx(vs, k->in_port, vs_key_vid(k));
		if (in < 0)
			return DROP(VS_DROP_NO_PORT);
		v = from_vm(vs, k, in, out);
	}
	if (v == VS_V_FLOW)
		vs_mirror_acts(vs, in, vs_port_by_rx(vs, out->acts.out_port,
						     out->acts.out_vlan),
			       &out->acts);
	return v;
}

/* The pipeline, then the security groups of the ports it connects. */
enum vs_verdict
vs_xlate(struct vs_switch *vs, const struct vs_flow_key *k,
	 struct vs_xlate_out *out)
{
	return vs_sg_check(vs, k, out, pipeline(vs, k, out));
}
