/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Flows: the §7.2 rule translator, the offload of queued flows, aging and
 * the V-8 dump (vs.h has the model and the locking rules).
 *
 * A flow's rte_flow calls happen on the control thread (or an RPC method)
 * under vs->flow_mtx only; the flow entry itself is read and written under
 * vs->lock. The offload copies what it needs under the lock, creates the
 * rule without it, and attaches the rule under it again; if the flow went
 * away meanwhile (port deleted), the rule is destroyed at once.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_flow.h>
#include <rte_hash.h>
#include <rte_ring.h>

#include "vs.h"

int
vs_rule_build(const struct vs_flow_key *k, uint16_t out_port,
	      uint32_t count_id, struct vs_rule *r, char *err, size_t errlen)
{
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (k->eth_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		/* §7.2 tagged VMs (OF_SET_VLAN_VID/PCP): phase 2. */
		snprintf(err, errlen, "VLAN-tagged VM traffic is not offloaded "
			 "yet (phase 1)");
		return -ENOTSUP;
	}
	if ((k->eth_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	     k->eth_type != RTE_BE16(RTE_ETHER_TYPE_IPV6)) ||
	    (k->ip_proto != IPPROTO_TCP && k->ip_proto != IPPROTO_UDP)) {
		snprintf(err, errlen, "not offloadable (N-3): only IPv4/IPv6 "
			 "TCP/UDP unicast");
		return -ENOTSUP;
	}
	r->attr.ingress = 1;
	/* ETH: src, dst, type. */
	r->eth.hdr.src_addr = k->src;
	r->eth.hdr.dst_addr = k->dst;
	r->eth.hdr.ether_type = k->eth_type;
	memset(&r->eth_mask.hdr.src_addr, 0xff, RTE_ETHER_ADDR_LEN);
	memset(&r->eth_mask.hdr.dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	r->eth_mask.hdr.ether_type = RTE_BE16(0xffff);
	r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_ETH,
					       &r->eth, NULL, &r->eth_mask};
	/* VLAN: eth.type != 0x8100, so every value is 0 (the placeholder). */
	r->vlan_mask = rte_flow_item_vlan_mask;
	r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_VLAN,
					       &r->vlan, NULL, &r->vlan_mask};
	/* IPV4 | IPV6: dst + protocol. */
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
	/* VXLAN vni 0 (masked): not tunnelled. */
	memset(r->vxlan_mask.vni, 0xff, 3);
	r->items[n++] = (struct rte_flow_item){RTE_FLOW_ITEM_TYPE_VXLAN,
					       &r->vxlan, NULL, &r->vxlan_mask};
	r->items[n].type = RTE_FLOW_ITEM_TYPE_END;
	r->count.id = count_id;
	r->port.id = out_port;
	r->actions[0] = (struct rte_flow_action){RTE_FLOW_ACTION_TYPE_COUNT,
						 &r->count};
	r->actions[1] = (struct rte_flow_action){RTE_FLOW_ACTION_TYPE_PORT_ID,
						 &r->port};
	r->actions[2].type = RTE_FLOW_ACTION_TYPE_END;
	return 0;
}

/* ---------------------------------------------------- offload */

static int
offload_one(struct vs_switch *vs, uint32_t idx)
{
	struct vs_flow *f = &vs->flows[idx];
	struct rte_flow_error ferr = {0};
	struct vs_flow_key key;
	struct rte_flow *rule;
	struct vs_rule r;
	char reason[sizeof(f->reason)] = "";
	uint16_t out;
	int rc;

	rte_spinlock_lock(&vs->lock);
	if (!f->used || f->where != VS_FLOW_PENDING) {
		rte_spinlock_unlock(&vs->lock);
		return 0; /* deleted (or re-used) since it was queued */
	}
	key = f->key;
	out = f->out_port;
	rte_spinlock_unlock(&vs->lock);

	rc = vs_rule_build(&key, out, idx, &r, reason, sizeof(reason));
	rule = rc != 0 ? NULL : rte_flow_create(key.in_port, &r.attr, r.items,
						r.actions, &ferr);
	if (rc == 0 && rule == NULL)
		snprintf(reason, sizeof(reason), "NIC refused: %s (%s)",
			 ferr.message != NULL ? ferr.message : "no message",
			 strerror(rte_errno));
	rte_spinlock_lock(&vs->lock);
	if (f->used && f->where == VS_FLOW_PENDING &&
	    memcmp(&f->key, &key, sizeof(key)) == 0) {
		f->where = rule != NULL ? VS_FLOW_NIC : VS_FLOW_REFUSED;
		f->rule = rule;
		strcpy(f->reason, reason);
		f->last_seen = rte_get_timer_cycles();
		rule = NULL;
	}
	rte_spinlock_unlock(&vs->lock);
	if (rule != NULL) /* the flow went away while the rule landed */
		rte_flow_destroy(key.in_port, rule, &ferr);
	if (reason[0] != '\0')
		vs->offload_refused++;
	else
		vs->offloads++;
	return 1;
}

unsigned int
vs_offload_run(struct vs_switch *vs, unsigned int n)
{
	void *objs[VS_BURST];
	unsigned int done = 0, got;

	pthread_mutex_lock(&vs->flow_mtx);
	while (done < n) {
		got = rte_ring_dequeue_burst(vs->offload_q, objs,
					     RTE_MIN(n - done, (unsigned int)VS_BURST), NULL);
		if (got == 0)
			break;
		for (unsigned int i = 0; i < got; i++)
			offload_one(vs, (uint32_t)(uintptr_t)objs[i]);
		done += got;
	}
	pthread_mutex_unlock(&vs->flow_mtx);
	return done;
}

/* ---------------------------------------------------- aging, flush */

/* Remove flow idx from the table; caller holds flow_mtx and lock. Returns
 * the rule to destroy (outside the lock). */
static struct rte_flow *
flow_unlink(struct vs_switch *vs, uint32_t idx)
{
	struct vs_flow *f = &vs->flows[idx];
	struct rte_flow *rule = f->where == VS_FLOW_NIC ? f->rule : NULL;

	rte_hash_del_key(vs->flow_hash, &f->key);
	memset(f, 0, sizeof(*f));
	return rule;
}

static int
nic_count(uint16_t port, struct rte_flow *rule, uint64_t *hits,
	  uint64_t *bytes)
{
	struct rte_flow_query_count q = {0};
	const struct rte_flow_action count[] = {
		{RTE_FLOW_ACTION_TYPE_COUNT, NULL},
		{RTE_FLOW_ACTION_TYPE_END, NULL},
	};
	struct rte_flow_error ferr;

	if (rte_flow_query(port, rule, count, &q, &ferr) != 0)
		return -1;
	*hits = q.hits;
	*bytes = q.bytes;
	return 0;
}

void
vs_aging_run(struct vs_switch *vs)
{
	uint64_t now = rte_get_timer_cycles();
	uint64_t idle = (uint64_t)vs->idle_timeout * rte_get_timer_hz();

	pthread_mutex_lock(&vs->flow_mtx);
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		struct vs_flow *f = &vs->flows[i];
		struct rte_flow *rule = NULL;
		uint64_t hits = 0, bytes = 0;
		uint16_t port = f->key.in_port;
		bool have = false;

		if (!f->used) /* only this thread clears used */
			continue;
		if (f->where == VS_FLOW_NIC)
			have = nic_count(port, f->rule, &hits, &bytes) == 0;
		rte_spinlock_lock(&vs->lock);
		if (have && hits != f->nic_hits) {
			f->nic_hits = hits;
			f->nic_bytes = bytes;
			f->last_seen = now;
		}
		if (f->where != VS_FLOW_PENDING && now - f->last_seen > idle) {
			rule = flow_unlink(vs, i);
			vs->aged++;
		}
		rte_spinlock_unlock(&vs->lock);
		if (rule != NULL)
			rte_flow_destroy(port, rule, NULL);
	}
	pthread_mutex_unlock(&vs->flow_mtx);
}

void
vs_flows_flush(struct vs_switch *vs, uint16_t port_id)
{
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		struct vs_flow *f = &vs->flows[i];
		struct rte_flow *rule = NULL;
		uint16_t port = f->key.in_port;

		rte_spinlock_lock(&vs->lock);
		if (f->used && (port_id == UINT16_MAX || port == port_id ||
				f->out_port == port_id))
			rule = flow_unlink(vs, i);
		rte_spinlock_unlock(&vs->lock);
		if (rule != NULL)
			rte_flow_destroy(port, rule, NULL);
	}
}

/* ---------------------------------------------------- dump (V-8) */

static const char *const where_names[] = {
	[VS_FLOW_SOFTWARE] = "software",
	[VS_FLOW_PENDING] = "pending",
	[VS_FLOW_NIC] = "nic",
	[VS_FLOW_REFUSED] = "refused",
};

static json_t *
flow_match_json(const struct vs_flow_key *k)
{
	char src[RTE_ETHER_ADDR_FMT_SIZE], dst[RTE_ETHER_ADDR_FMT_SIZE];
	char ip[INET6_ADDRSTRLEN] = "", type[8];

	rte_ether_format_addr(src, sizeof(src), &k->src);
	rte_ether_format_addr(dst, sizeof(dst), &k->dst);
	snprintf(type, sizeof(type), "0x%04x", rte_be_to_cpu_16(k->eth_type));
	if (k->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    k->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		inet_ntop(k->is_v6 ? AF_INET6 : AF_INET, k->dst_ip, ip,
			  sizeof(ip));
	return json_pack("{s:i, s:s, s:s, s:s, s:i, s:s, s:i}",
		"in_port", (int)k->in_port, "eth_src", src, "eth_dst", dst,
		"eth_type", type,
		"vlan_tci", (int)rte_be_to_cpu_16(k->vlan_tci), "ip_dst", ip,
		"ip_proto", (int)k->ip_proto);
}

json_t *
vs_flows_to_json(struct vs_switch *vs)
{
	json_t *out = json_array();

	pthread_mutex_lock(&vs->flow_mtx);
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		struct vs_flow *f = &vs->flows[i];
		uint64_t hits, bytes;
		struct vs_flow c;

		if (!f->used)
			continue;
		if (f->where == VS_FLOW_NIC &&
		    nic_count(f->key.in_port, f->rule, &hits, &bytes) == 0) {
			rte_spinlock_lock(&vs->lock);
			if (hits != f->nic_hits)
				f->last_seen = rte_get_timer_cycles();
			f->nic_hits = hits;
			f->nic_bytes = bytes;
			rte_spinlock_unlock(&vs->lock);
		}
		rte_spinlock_lock(&vs->lock);
		c = *f;
		rte_spinlock_unlock(&vs->lock);
		json_array_append_new(out, json_pack(
			"{s:i, s:o, s:{s:b, s:i}, s:s, s:s, s:{s:I, s:I, s:I, "
			"s:I}}", "id", (int)i, "match", flow_match_json(&c.key),
			"actions", "count", 1, "port_id", (int)c.out_port,
			"where", where_names[c.where], "reason", c.reason,
			"counters", "sw_packets", (json_int_t)c.sw_packets,
			"sw_bytes", (json_int_t)c.sw_bytes,
			"nic_packets", (json_int_t)c.nic_hits,
			"nic_bytes", (json_int_t)c.nic_bytes));
	}
	pthread_mutex_unlock(&vs->flow_mtx);
	return out;
}
