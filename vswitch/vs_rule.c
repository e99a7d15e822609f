/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The offload translator: a flow's key and actions into exactly the spec's
 * rte_flow template (§7.2–§7.5, vs.h). Every template has the same
 * pattern — ETH (src, dst, type) / VLAN (the subport's tag, or all zero:
 * untagged) / IPV4|IPV6 (dst, proto) / VXLAN (vni: 0 from a VM, the VNI
 * from the uplink) — and its own action list, one row of tpls[] naming the
 * actions in the spec's order (a mirror adds §7.6's SAMPLE after PORT_ID).
 * Nothing is offloaded that N-3 keeps in software (non-TCP/UDP).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_tcp.h>

#include "vs.h"

/* Steps of an action list; a row ends at A_END. */
enum step {
	A_END, A_COUNT, A_DECAP, A_MAC, A_NAT, A_ENCAP, A_TTL, A_PORT,
	A_SAMPLE, /* §7.6: after the template's PORT_ID, when mirrored */
	A_VLAN,   /* the tag the destination expects: POP, PUSH+VID+PCP or
		   * VID+PCP (§7.2–§7.5 "if eth.type = 0x8100" rows) */
	A_DROP,
};

static const struct {
	const char *name;
	enum step steps[10];
} tpls[VS_TPL_MAX] = {
	[VS_TPL_L2] = {"l2", {A_COUNT, A_VLAN, A_PORT, A_SAMPLE}},
	[VS_TPL_L2_ENCAP] = {"l2-encap",
			     {A_COUNT, A_VLAN, A_ENCAP, A_PORT, A_SAMPLE}},
	[VS_TPL_L2_DECAP] = {"l2-decap",
			     {A_DECAP, A_COUNT, A_VLAN, A_PORT, A_SAMPLE}},
	[VS_TPL_L3] = {"l3", {A_COUNT, A_MAC, A_VLAN, A_NAT, A_TTL, A_PORT,
			      A_SAMPLE}},
	[VS_TPL_L3_ENCAP] = {"l3-encap", {A_COUNT, A_VLAN, A_MAC, A_NAT,
					  A_ENCAP, A_TTL, A_PORT, A_SAMPLE}},
	[VS_TPL_L3_DECAP] = {"l3-decap", {A_DECAP, A_COUNT, A_MAC, A_VLAN,
					  A_NAT, A_TTL, A_PORT, A_SAMPLE}},
	/* §7.7.2 lists DROP alone; COUNT lets the dump show what the NIC
	 * dropped. */
	[VS_TPL_DROP] = {"drop", {A_COUNT, A_DROP}},
};

const char *
vs_tpl_name(unsigned int tpl)
{
	return tpl < VS_TPL_MAX ? tpls[tpl].name : "?";
}

static void
pattern_build(const struct vs_flow_key *k, struct vs_rule *r)
{
	int n = 0;

	r->attr.ingress = 1;
	r->eth.hdr.src_addr = k->src;
	r->eth.hdr.dst_addr = k->dst;
	r->eth.hdr.ether_type = k->eth_type;
	memset(&r->eth_mask.hdr.src_addr, 0xff, RTE_ETHER_ADDR_LEN);
	memset(&r->eth_mask.hdr.dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	r->eth_mask.hdr.ether_type = RTE_BE16(0xffff);
	r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_ETH,
					       &r->eth, NULL, &r->eth_mask};
	/* VLAN: the tag of a trunk subport's frame (inner_type the IP
	 * EtherType); untagged (eth.type != 0x8100), every value is 0 (the
	 * placeholder). */
	r->vlan.hdr.vlan_tci = k->vlan_tci;
	r->vlan.hdr.eth_proto = k->inner_type;
	r->vlan_mask.hdr.vlan_tci = RTE_BE16(0xffff);
	r->vlan_mask.hdr.eth_proto = RTE_BE16(0xffff);
	r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_VLAN,
					       &r->vlan, NULL, &r->vlan_mask};
	if (!k->is_v6) {
		memcpy(&r->ip4.hdr.dst_addr, k->dst_ip, 4);
		r->ip4.hdr.next_proto_id = k->ip_proto;
		r->ip4_mask.hdr.dst_addr = RTE_BE32(0xffffffff);
		r->ip4_mask.hdr.next_proto_id = 0xff;
		r->items[n++] = (struct rte_flow_item){
			RTE_FLOW_ITEM_TYPE_IPV4, &r->ip4, NULL, &r->ip4_mask};
	} else {
		memcpy(r->ip6.hdr.dst_addr, k->dst_ip, 16);
		r->ip6.hdr.proto = k->ip_proto;
		memset(r->ip6_mask.hdr.dst_addr, 0xff, 16);
		r->ip6_mask.hdr.proto = 0xff;
		r->items[n++] = (struct rte_flow_item){
			RTE_FLOW_ITEM_TYPE_IPV6, &r->ip6, NULL, &r->ip6_mask};
	}
	/* VXLAN: vni 0 (masked) is "not tunnelled"; from the uplink the VNI
	 * the packet arrived with. */
	r->vxlan.vni[0] = (uint8_t)(k->vni >> 16);
	r->vxlan.vni[1] = (uint8_t)(k->vni >> 8);
	r->vxlan.vni[2] = (uint8_t)k->vni;
	memset(r->vxlan_mask.vni, 0xff, 3);
	r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_VXLAN,
					       &r->vxlan, NULL, &r->vxlan_mask};
	r->items[n].type = RTE_FLOW_ITEM_TYPE_END;
}

/* VXLAN_ENCAP definition ETH / IPV4|IPV6 / UDP (src 0: the NIC picks it,
 * N-7; dst 4789) / VXLAN, as §7.3.1 lists it; the outer family is the
 * VTEPs' (V-9). */
static const struct rte_flow_action_vxlan_encap *
encap_build(struct vs_encap_def *d, uint32_t vni,
	    const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
	    const struct vs_ip *sip, const struct vs_ip *dip)
{
	bool v4 = vs_ip_is4(dip);
	int n = 0;

	d->eth.hdr.src_addr = *src;
	d->eth.hdr.dst_addr = *dst;
	d->eth.hdr.ether_type = v4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) :
				     RTE_BE16(RTE_ETHER_TYPE_IPV6);
	d->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_ETH,
					       &d->eth, NULL, NULL};
	if (v4) {
		d->ip4.hdr.version_ihl = RTE_IPV4_VHL_DEF;
		d->ip4.hdr.time_to_live = 64;
		d->ip4.hdr.next_proto_id = IPPROTO_UDP;
		d->ip4.hdr.src_addr = vs_ip_4(sip);
		d->ip4.hdr.dst_addr = vs_ip_4(dip);
		d->items[n++] = (struct rte_flow_item){
			RTE_FLOW_ITEM_TYPE_IPV4, &d->ip4, NULL, NULL};
	} else {
		d->ip6.hdr.vtc_flow = RTE_BE32(6u << 28);
		d->ip6.hdr.hop_limits = 64;
		d->ip6.hdr.proto = IPPROTO_UDP;
		memcpy(d->ip6.hdr.src_addr, sip->a, 16);
		memcpy(d->ip6.hdr.dst_addr, dip->a, 16);
		d->items[n++] = (struct rte_flow_item){
			RTE_FLOW_ITEM_TYPE_IPV6, &d->ip6, NULL, NULL};
	}
	d->udp.hdr.dst_port = RTE_BE16(VS_VXLAN_PORT);
	d->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_UDP,
					       &d->udp, NULL, NULL};
	d->vxlan.vni[0] = (uint8_t)(vni >> 16);
	d->vxlan.vni[1] = (uint8_t)(vni >> 8);
	d->vxlan.vni[2] = (uint8_t)vni;
	d->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_VXLAN,
					       &d->vxlan, NULL, NULL};
	d->items[n].type = RTE_FLOW_ITEM_TYPE_END;
	d->conf.definition = d->items;
	return &d->conf;
}

/* §7.6: SAMPLE ratio 1 with [VXLAN_ENCAP /] PORT_ID sub-actions. */
static const struct rte_flow_action_sample *
sample_build(const struct vs_acts *a, struct vs_rule *r)
{
	int n = 0;

	if (a->mirror == VS_MIR_REMOTE)
		r->sample_acts[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP,
			encap_build(&r->m_encap, a->m_vni, &a->o_src,
				    &a->m_o_dst, &a->m_o_sip, &a->m_o_dip)};
	r->m_port.id = a->m_port;
	r->sample_acts[n++] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_PORT_ID, &r->m_port};
	r->sample_acts[n].type = RTE_FLOW_ACTION_TYPE_END;
	r->sample.ratio = 1;
	r->sample.actions = r->sample_acts;
	return &r->sample;
}

/* The tag ops that turn the key's tag into the destination's (out_vlan):
 * the encap templates pop, the others push, rewrite or pop. */
static struct rte_flow_action *
vlan_build(const struct vs_flow_key *k, const struct vs_acts *a,
	   struct vs_rule *r, struct rte_flow_action *act)
{
	bool tagged = k->eth_type == RTE_BE16(RTE_ETHER_TYPE_VLAN);
	uint16_t tci = rte_be_to_cpu_16(k->vlan_tci);

	if (tagged && a->out_vlan == 0) {
		*act++ = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL};
		return act;
	}
	if (a->out_vlan == 0 || (tagged && (tci & 0xfff) == a->out_vlan))
		return act;
	if (!tagged) {
		r->push.ethertype = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		*act++ = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, &r->push};
	}
	r->vid.vlan_vid = rte_cpu_to_be_16(a->out_vlan);
	r->pcp.vlan_pcp = tagged ? (uint8_t)(tci >> 13) : 0;
	*act++ = (struct rte_flow_action){RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID,
					  &r->vid};
	*act++ = (struct rte_flow_action){RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP,
					  &r->pcp};
	return act;
}

/* A security-group flow (vs.h): IPV4 also matches the source, and an L4
 * item (the spec's item order puts it after VXLAN) the ports; a tracked
 * connection's TCP item matches FIN, SYN and RST clear (§7.7.1), so the
 * packets that open and close it keep missing the NIC. */
static void
sg_items_build(const struct vs_flow_key *k, const struct vs_acts *a,
	       struct vs_rule *r)
{
	int n = 0;

	while (r->items[n].type != RTE_FLOW_ITEM_TYPE_END)
		n++;
	r->ip4.hdr.src_addr = k->src_ip4;
	r->ip4_mask.hdr.src_addr = RTE_BE32(0xffffffff);
	if (k->ip_proto == IPPROTO_TCP) {
		r->tcp.hdr.src_port = k->sport;
		r->tcp.hdr.dst_port = k->dport;
		r->tcp_mask.hdr.src_port = RTE_BE16(0xffff);
		r->tcp_mask.hdr.dst_port = RTE_BE16(0xffff);
		if (a->flags & VS_A_CT)
			r->tcp_mask.hdr.tcp_flags = RTE_TCP_FIN_FLAG |
				RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG;
		r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_TCP,
						       &r->tcp, NULL,
						       &r->tcp_mask};
	} else {
		r->udp.hdr.src_port = k->sport;
		r->udp.hdr.dst_port = k->dport;
		r->udp_mask.hdr.src_port = RTE_BE16(0xffff);
		r->udp_mask.hdr.dst_port = RTE_BE16(0xffff);
		r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_UDP,
						       &r->udp, NULL,
						       &r->udp_mask};
	}
	r->items[n].type = RTE_FLOW_ITEM_TYPE_END;
}

int
vs_rule_build(const struct vs_flow_key *k, const struct vs_acts *a,
	      uint32_t count_id, struct vs_rule *r, char *err, size_t errlen)
{
	struct rte_flow_action *act = r->actions;

	memset(r, 0, sizeof(*r));
	rte_be16_t l3 = vs_key_l3type(k);

	if ((l3 != RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	     l3 != RTE_BE16(RTE_ETHER_TYPE_IPV6)) ||
	    (k->ip_proto != IPPROTO_TCP && k->ip_proto != IPPROTO_UDP)) {
		snprintf(err, errlen, "not offloadable (N-3): only IPv4/IPv6 "
			 "TCP/UDP unicast");
		return -ENOTSUP;
	}
	if (a->tpl >= VS_TPL_MAX) {
		snprintf(err, errlen, "no template %u", a->tpl);
		return -ENOTSUP;
	}
	if (a->flags & VS_A_SW) {
		snprintf(err, errlen, "connection closing (CT): its last "
			 "packets stay in software");
		return -ENOTSUP;
	}
	pattern_build(k, r);
	if (k->sg)
		sg_items_build(k, a, r);
	r->count.id = count_id;
	r->port.id = a->out_port;
	for (const enum step *s = tpls[a->tpl].steps; *s != A_END; s++) {
		switch (*s) {
		case A_COUNT:
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_COUNT, &r->count};
			break;
		case A_DECAP:
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL};
			break;
		case A_MAC:
			memcpy(r->mac_src.mac_addr, &a->mac_src, 6);
			memcpy(r->mac_dst.mac_addr, &a->mac_dst, 6);
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &r->mac_src};
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &r->mac_dst};
			break;
		case A_NAT:
			if (!(a->flags & (VS_A_SNAT | VS_A_DNAT)))
				break;
			r->nat.ipv4_addr = a->nat_ip;
			*act++ = (struct rte_flow_action){
				(a->flags & VS_A_SNAT) ?
				RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC :
				RTE_FLOW_ACTION_TYPE_SET_IPV4_DST, &r->nat};
			break;
		case A_ENCAP:
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP,
				encap_build(&r->encap, a->vni, &a->o_src,
					    &a->o_dst, &a->o_sip, &a->o_dip)};
			break;
		case A_VLAN:
			act = vlan_build(k, a, r, act);
			break;
		case A_SAMPLE:
			if (a->mirror != VS_MIR_NONE)
				*act++ = (struct rte_flow_action){
					RTE_FLOW_ACTION_TYPE_SAMPLE,
					sample_build(a, r)};
			break;
		case A_TTL:
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL};
			break;
		case A_PORT:
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_PORT_ID, &r->port};
			break;
		case A_DROP:
			*act++ = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_DROP, NULL};
			break;
		default:
			break;
		}
	}
	act->type = RTE_FLOW_ACTION_TYPE_END;
	return 0;
}
