/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Flows: the software flow cache, the offload of queued flows (rules from
 * vs_rule.c), aging, revalidation after model changes and the V-8 dump
 * (vs.h has the model and the locking rules).
 *
 * A flow's rte_flow calls happen on the control thread (or an RPC method)
 * under vs->flow_mtx only; the flow entry itself is read and written under
 * vs->lock. The offload copies what it needs under the lock, creates the
 * rule without it, and attaches the rule under it again; if the flow went
 * away or changed meanwhile (revalidation), the rule is destroyed at once.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_hash.h>
#include <rte_ring.h>

#include "vs.h"

/* ---------------------------------------------------- cache */

static bool
encaps(const struct vs_acts *a)
{
	return a->tpl == VS_TPL_L2_ENCAP || a->tpl == VS_TPL_L3_ENCAP;
}

static const char *
port_name(uint16_t port_id, char *buf)
{
	if (rte_eth_dev_get_name_by_port(port_id, buf) != 0)
		snprintf(buf, RTE_ETH_NAME_MAX_LEN, "port %u", port_id);
	return buf;
}

/* ---- the tunnel index (V-9): outer destination → its flows. All under
 * vs->lock; the slot rte_hash gives a key indexes vs->tuns. */

static const struct vs_ip *
tun_dst(const struct vs_acts *a)
{
	if (a->tpl == VS_TPL_L2_ENCAP || a->tpl == VS_TPL_L3_ENCAP)
		return &a->o_dip;
	return a->mirror == VS_MIR_REMOTE ? &a->m_o_dip : NULL;
}

static void
tun_link(struct vs_switch *vs, uint32_t idx)
{
	struct vs_flow *f = &vs->flows[idx];
	const struct vs_ip *ip = tun_dst(&f->acts);
	struct vs_tun *t;
	int pos;

	f->tun_prev = f->tun_next = -1;
	if (ip == NULL || vs_ip_none(ip))
		return;
	pos = rte_hash_lookup(vs->tun_hash, ip);
	if (pos < 0) {
		pos = rte_hash_add_key(vs->tun_hash, ip);
		if (pos < 0)
			return; /* full: revalidation by generation still works */
		vs->tuns[pos] = (struct vs_tun){.ip = *ip, .head = -1};
	}
	t = &vs->tuns[pos];
	f->tun1 = (uint16_t)(pos + 1);
	f->tun_next = t->head;
	if (t->head >= 0)
		vs->flows[t->head].tun_prev = (int32_t)idx;
	t->head = (int32_t)idx;
	t->nflows++;
}

static void
tun_unlink(struct vs_switch *vs, uint32_t idx)
{
	struct vs_flow *f = &vs->flows[idx];
	struct vs_tun *t;

	if (f->tun1 == 0)
		return;
	t = &vs->tuns[f->tun1 - 1];
	if (f->tun_prev >= 0)
		vs->flows[f->tun_prev].tun_next = f->tun_next;
	else
		t->head = f->tun_next;
	if (f->tun_next >= 0)
		vs->flows[f->tun_next].tun_prev = f->tun_prev;
	if (--t->nflows == 0)
		rte_hash_del_key(vs->tun_hash, &t->ip);
	f->tun1 = 0;
}

/* A tunnel now arriving on another uplink (the peer's underlay route
 * changed, V-9): the same flow on the other uplinks is left to age out at
 * the next aging pass, so the old NIC's rule goes within a second. */
static void
decap_moved(struct vs_switch *vs, const struct vs_flow_key *k,
	    const struct vs_acts *a)
{
	struct vs_flow_key o = *k;
	struct vs_flow *f;

	if (a->tpl != VS_TPL_L2_DECAP && a->tpl != VS_TPL_L3_DECAP)
		return;
	for (int u = 0; u < VS_MAX_UPLINKS; u++) {
		if (!vs->uplinks[u].used || vs->uplinks[u].port_id == k->in_port)
			continue;
		o.in_port = vs->uplinks[u].port_id;
		f = vs_flow_lookup(vs, &o);
		if (f != NULL) {
			f->last_seen = 0;
			f->stale = true;
		}
	}
}

/*
 * What the NIC cannot take even though the template can express it (V-9):
 * a rule lives in one switch domain, so a flow whose egress (or mirror)
 * port is on another NIC stays in software; and N-15: an encap flow whose
 * VM MTU plus the 50 (IPv4) or 70 (IPv6) bytes of VXLAN exceeds the egress
 * uplink's MTU is not
 * offloaded (the NIC would refuse it; software answers DF packets with
 * "fragmentation needed"). Lock held. @return 0 or -ENOTSUP with why.
 */
static int
offload_check(struct vs_switch *vs, const struct vs_flow_key *k,
	      const struct vs_acts *a, char *err, size_t errlen)
{
	char in[RTE_ETH_NAME_MAX_LEN], out[RTE_ETH_NAME_MAX_LEN];
	uint16_t din = vs_port_domain(vs, k->in_port);
	uint16_t in_mtu = 0, out_mtu = 0;

	if (a->tpl == VS_TPL_DROP)
		return 0;
	if (din != vs_port_domain(vs, a->out_port) ||
	    (a->mirror != VS_MIR_NONE &&
	     din != vs_port_domain(vs, a->m_port))) {
		snprintf(err, errlen, "egress %s is on another NIC than "
			 "ingress %s (switch domains differ): kept in software",
			 port_name(a->out_port, out), port_name(k->in_port, in));
		return -ENOTSUP;
	}
	if (encaps(a) && rte_eth_dev_get_mtu(k->in_port, &in_mtu) == 0 &&
	    rte_eth_dev_get_mtu(a->out_port, &out_mtu) == 0 &&
	    in_mtu + vs_encap_len(&a->o_dip) > out_mtu) {
		snprintf(err, errlen, "MTU: %s's %u + %u bytes of VXLAN over "
			 "IPv%c > %s's %u (N-15): kept in software",
			 port_name(k->in_port, in), in_mtu,
			 vs_encap_len(&a->o_dip),
			 vs_ip_is4(&a->o_dip) ? '4' : '6',
			 port_name(a->out_port, out), out_mtu);
		return -ENOTSUP;
	}
	return 0;
}

struct vs_flow *
vs_flow_lookup(struct vs_switch *vs, const struct vs_flow_key *k)
{
	int idx = rte_hash_lookup(vs->flow_hash, k);

	return idx < 0 ? NULL : &vs->flows[idx];
}

struct vs_flow *
vs_flow_account(struct vs_switch *vs, const struct vs_flow_key *k,
		const struct vs_acts *acts, uint32_t len, uint64_t now)
{
	struct vs_flow *f;
	int idx = rte_hash_lookup(vs->flow_hash, k);

	if (idx < 0) {
		struct vs_rule r;

		idx = rte_hash_add_key(vs->flow_hash, k);
		if (idx < 0) {
			vs->stats.drops[VS_DROP_FLOW_FULL]++;
			return NULL;
		}
		f = &vs->flows[idx];
		memset(f, 0, sizeof(*f));
		f->used = true;
		f->key = *k;
		f->acts = *acts;
		tun_link(vs, (uint32_t)idx);
		decap_moved(vs, k, acts);
		if (acts->flags & VS_A_UNRESOLVED) {
			char ip[VS_IP_STRLEN];

			f->where = VS_FLOW_SOFTWARE;
			snprintf(f->reason, sizeof(f->reason), "next hop toward "
				 "VTEP %s unresolved: waiting for %s (V-9)",
				 vs_ip_str(&acts->o_dip, ip),
				 vs_ip_is4(&acts->o_dip) ? "ARP" :
				 "neighbour discovery");
		} else if (vs_rule_build(k, acts, 0, &r, f->reason,
				  sizeof(f->reason)) != 0 ||
		    offload_check(vs, k, acts, f->reason,
				  sizeof(f->reason)) != 0)
			f->where = VS_FLOW_SOFTWARE;
		else if (vs->no_offload)
			snprintf(f->reason, sizeof(f->reason),
				 "offload disabled (--no-offload)");
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
	return f;
}

/* ---------------------------------------------------- offload */

static int
offload_one(struct vs_switch *vs, uint32_t idx)
{
	struct vs_flow *f = &vs->flows[idx];
	struct rte_flow_error ferr = {0};
	struct vs_flow_key key;
	struct vs_acts acts;
	struct rte_flow *rule;
	struct vs_rule r;
	char reason[sizeof(f->reason)] = "";
	int rc;

	rte_spinlock_lock(&vs->lock);
	if (!f->used || f->where != VS_FLOW_PENDING) {
		rte_spinlock_unlock(&vs->lock);
		return 0; /* deleted (or re-used) since it was queued */
	}
	key = f->key;
	acts = f->acts;
	rte_spinlock_unlock(&vs->lock);

	rc = vs_rule_build(&key, &acts, idx, &r, reason, sizeof(reason));
	rule = rc != 0 ? NULL : rte_flow_create(key.in_port, &r.attr, r.items,
						r.actions, &ferr);
	if (rc == 0 && rule == NULL)
		snprintf(reason, sizeof(reason), "NIC refused: %s (%s)",
			 ferr.message != NULL ? ferr.message : "no message",
			 strerror(rte_errno));
	rte_spinlock_lock(&vs->lock);
	if (f->used && f->where == VS_FLOW_PENDING &&
	    memcmp(&f->key, &key, sizeof(key)) == 0 &&
	    memcmp(&f->acts, &acts, sizeof(acts)) == 0) {
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

	tun_unlink(vs, idx);
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
	uint64_t hz = rte_get_timer_hz();
	/* V-7: per protocol; TCP flows often idle longer between bursts. */
	uint64_t idle_other = (uint64_t)vs->idle_timeout * hz;
	uint64_t idle_tcp = vs->tcp_timeout != 0 ?
			    (uint64_t)vs->tcp_timeout * hz : idle_other;
	uint64_t idle_udp = vs->udp_timeout != 0 ?
			    (uint64_t)vs->udp_timeout * hz : idle_other;

	pthread_mutex_lock(&vs->flow_mtx);
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		struct vs_flow *f = &vs->flows[i];
		struct rte_flow *rule = NULL;
		uint64_t hits = 0, bytes = 0, idle;
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
		idle = f->key.ip_proto == IPPROTO_TCP ? idle_tcp :
		       f->key.ip_proto == IPPROTO_UDP ? idle_udp : idle_other;
		if (f->where != VS_FLOW_PENDING &&
		    (f->stale || now - f->last_seen > vs_sg_idle(vs, f, idle))) {
			vs_sg_flow_aged(vs, f);
			rule = flow_unlink(vs, i);
			vs->aged++;
		}
		rte_spinlock_unlock(&vs->lock);
		if (rule != NULL)
			rte_flow_destroy(port, rule, NULL);
	}
	pthread_mutex_unlock(&vs->flow_mtx);
	vs_sg_age(vs);
}

void
vs_flows_flush(struct vs_switch *vs)
{
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		struct vs_flow *f = &vs->flows[i];
		struct rte_flow *rule = NULL;
		uint16_t port = f->key.in_port;

		rte_spinlock_lock(&vs->lock);
		if (f->used)
			rule = flow_unlink(vs, i);
		rte_spinlock_unlock(&vs->lock);
		if (rule != NULL)
			rte_flow_destroy(port, rule, NULL);
	}
}

/* ---------------------------------------------------- revalidation */

/* Translate flow i again; remove it (NIC rule and cache entry) when its
 * actions changed or it is no longer allowed. flow_mtx held. Removed, not
 * updated in place: the next packet takes the slow path and installs what
 * the model says now, and a rule never forwards by a decision the model no
 * longer makes. */
static bool
reval_one(struct vs_switch *vs, uint32_t i)
{
	struct vs_flow *f = &vs->flows[i];
	struct rte_flow *rule = NULL;
	struct vs_xlate_out x;
	uint16_t port = f->key.in_port;
	bool removed = false;

	if (!f->used) /* only this thread clears used */
		return false;
	rte_spinlock_lock(&vs->lock);
	if (vs_xlate(vs, &f->key, &x) != VS_V_FLOW ||
	    memcmp(&x.acts, &f->acts, sizeof(x.acts)) != 0) {
		rule = flow_unlink(vs, i);
		removed = true;
	}
	rte_spinlock_unlock(&vs->lock);
	if (rule != NULL)
		rte_flow_destroy(port, rule, NULL);
	return removed;
}

/* The tunnel index's selection (V-9): the outer destinations match()
 * accepts (lock held), and their flows revalidated. flow_mtx held. */
typedef bool (*tun_match_t)(const struct vs_switch *vs, const struct vs_ip *ip,
			    const void *arg);

static unsigned int
reval_tuns(struct vs_switch *vs, tun_match_t match, const void *arg)
{
	static int32_t todo[VS_MAX_FLOWS];
	unsigned int removed = 0, n = 0;
	const void *key;
	void *data;
	uint32_t it = 0;
	int32_t pos;

	rte_spinlock_lock(&vs->lock);
	while ((pos = rte_hash_iterate(vs->tun_hash, &key, &data, &it)) >= 0) {
		if (!match(vs, &vs->tuns[pos].ip, arg))
			continue;
		for (int32_t f = vs->tuns[pos].head; f >= 0;
		     f = vs->flows[f].tun_next)
			todo[n++] = f;
	}
	rte_spinlock_unlock(&vs->lock);
	for (unsigned int i = 0; i < n; i++)
		removed += reval_one(vs, (uint32_t)todo[i]);
	vs->revalidated += removed;
	return removed;
}

/* Is ip's next hop a neighbour that changed after neigh_gen *since? */
static bool
tun_neigh_changed(const struct vs_switch *vs, const struct vs_ip *ip,
		  const void *since)
{
	struct vs_ip nh;
	int u = vs_underlay_next_hop(vs, ip, &nh);

	for (int i = 0; u >= 0 && i < VS_MAX_NEIGH; i++) {
		const struct vs_neigh *n = &vs->neigh[i];

		if (n->used && n->uplink == u && vs_ip_eq(&n->ip, &nh))
			return n->changed_at > *(const uint64_t *)since;
	}
	return false;
}

unsigned int
vs_revalidate(struct vs_switch *vs)
{
	unsigned int removed = 0;
	uint64_t gen, ngen;

	pthread_mutex_lock(&vs->flow_mtx);
	rte_spinlock_lock(&vs->lock);
	gen = vs->gen;
	ngen = vs->neigh_gen;
	rte_spinlock_unlock(&vs->lock);
	if (gen != vs->reval_gen) {
		for (uint32_t i = 0; i < VS_MAX_FLOWS; i++)
			removed += reval_one(vs, i);
		vs->revalidated += removed;
	} else if (ngen != vs->neigh_reval) {
		removed = reval_tuns(vs, tun_neigh_changed, &vs->neigh_reval);
	}
	vs->reval_gen = gen;
	vs->neigh_reval = ngen;
	pthread_mutex_unlock(&vs->flow_mtx);
	return removed;
}

struct tun_prefix {
	const struct vs_ip *prefix;
	uint8_t plen;
};

static bool
tun_in_prefix(const struct vs_switch *vs, const struct vs_ip *ip,
	      const void *arg)
{
	const struct tun_prefix *p = arg;

	RTE_SET_USED(vs);
	return vs_ip_in(ip, p->prefix, p->plen);
}

unsigned int
vs_revalidate_tun(struct vs_switch *vs, const struct vs_ip *prefix,
		  uint8_t plen)
{
	struct tun_prefix p = {prefix, plen};
	unsigned int removed;

	pthread_mutex_lock(&vs->flow_mtx);
	removed = reval_tuns(vs, tun_in_prefix, &p);
	pthread_mutex_unlock(&vs->flow_mtx);
	return removed;
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
	json_t *m;

	rte_ether_format_addr(src, sizeof(src), &k->src);
	rte_ether_format_addr(dst, sizeof(dst), &k->dst);
	snprintf(type, sizeof(type), "0x%04x", rte_be_to_cpu_16(k->eth_type));
	if (k->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    k->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		inet_ntop(k->is_v6 ? AF_INET6 : AF_INET, k->dst_ip, ip,
			  sizeof(ip));
	m = json_pack("{s:i, s:s, s:s, s:s, s:i, s:s, s:i}",
		"in_port", (int)k->in_port, "eth_src", src, "eth_dst", dst,
		"eth_type", type,
		"vlan_tci", (int)rte_be_to_cpu_16(k->vlan_tci), "ip_dst", ip,
		"ip_proto", (int)k->ip_proto);
	if (k->vni != 0)
		json_object_set_new(m, "vni", json_integer(k->vni));
	return m;
}

/* The actions in the template's terms (V-8). */
static json_t *
flow_acts_json(const struct vs_acts *a)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN];
	json_t *o = json_pack("{s:s, s:b}", "template", vs_tpl_name(a->tpl),
			      "count", 1);

	if (a->tpl == VS_TPL_L2_DECAP || a->tpl == VS_TPL_L3_DECAP)
		json_object_set_new(o, "vxlan_decap", json_true());
	if (a->tpl == VS_TPL_L3 || a->tpl == VS_TPL_L3_ENCAP ||
	    a->tpl == VS_TPL_L3_DECAP) {
		rte_ether_format_addr(mac, sizeof(mac), &a->mac_src);
		json_object_set_new(o, "set_mac_src", json_string(mac));
		rte_ether_format_addr(mac, sizeof(mac), &a->mac_dst);
		json_object_set_new(o, "set_mac_dst", json_string(mac));
		json_object_set_new(o, "dec_ttl", json_true());
	}
	if (a->flags & (VS_A_SNAT | VS_A_DNAT))
		json_object_set_new(o, (a->flags & VS_A_SNAT) ?
				    "set_ipv4_src" : "set_ipv4_dst",
				    json_string(inet_ntop(AF_INET, &a->nat_ip,
							  ip, sizeof(ip))));
	if (a->tpl == VS_TPL_L2_ENCAP || a->tpl == VS_TPL_L3_ENCAP) {
		char sip[VS_IP_STRLEN], dip[VS_IP_STRLEN];
		char smac[RTE_ETHER_ADDR_FMT_SIZE];

		rte_ether_format_addr(smac, sizeof(smac), &a->o_src);
		rte_ether_format_addr(mac, sizeof(mac), &a->o_dst);
		json_object_set_new(o, "vxlan_encap", json_pack(
			"{s:i, s:s, s:s, s:s, s:s}", "vni", (int)a->vni,
			"eth_src", smac, "eth_dst", mac,
			"ip_src", vs_ip_str(&a->o_sip, sip),
			"ip_dst", vs_ip_str(&a->o_dip, dip)));
	}
	json_object_set_new(o, "port_id", json_integer(a->out_port));
	if (a->mirror != VS_MIR_NONE) {
		json_t *m = json_pack("{s:i, s:i}", "ratio", 1, "port_id",
				      (int)a->m_port);
		char mip[VS_IP_STRLEN];

		if (a->mirror == VS_MIR_REMOTE) {
			json_object_set_new(m, "vni", json_integer(a->m_vni));
			json_object_set_new(m, "ip_dst", json_string(
				vs_ip_str(&a->m_o_dip, mip)));
		}
		json_object_set_new(o, "sample", m);
	}
	return o;
}

json_t *
vs_flows_to_json(struct vs_switch *vs)
{
	json_t *out = json_array();

	pthread_mutex_lock(&vs->flow_mtx);
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		struct vs_flow *f = &vs->flows[i];
		uint64_t hits, bytes;
		json_t *match, *acts;
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
		match = flow_match_json(&c.key);
		acts = flow_acts_json(&c.acts);
		vs_sg_flow_json(&c.key, &c.acts, match, acts);
		json_array_append_new(out, json_pack(
			"{s:i, s:o, s:o, s:s, s:s, s:{s:I, s:I, s:I, "
			"s:I}}", "id", (int)i, "match", match,
			"actions", acts,
			"where", where_names[c.where], "reason", c.reason,
			"counters", "sw_packets", (json_int_t)c.sw_packets,
			"sw_bytes", (json_int_t)c.sw_bytes,
			"nic_packets", (json_int_t)c.nic_hits,
			"nic_bytes", (json_int_t)c.nic_bytes));
	}
	pthread_mutex_unlock(&vs->flow_mtx);
	return out;
}
