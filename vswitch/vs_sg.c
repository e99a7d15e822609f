/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Security groups (V-5, spec §7.7; vs.h has the model and how stateful
 * groups use lib/ct and the tcp_flags match).
 *
 * Everything here runs under vs->lock, the connection table included: the
 * datapath looks connections up and creates them, the control thread ages
 * them and revalidation reads them, all holding the lock, so no entry is
 * removed while another thread looks at it and the table needs no RCU
 * readers (none is registered: its grace periods end at once).
 *
 * A rule check is a scan of the group's rules (at most VS_MAX_SG_RULES):
 * it runs for the first packet of a flow and at revalidation, never for
 * packets the flow cache or the NIC forwards.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_string_fns.h>
#include <rte_tcp.h>

#include "ct.h"
#include "nf_pkt.h"
#include "vs.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

#define TCP_FSR (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)

/* What the rules of one group say about one packet. */
enum sg_res { SG_ALLOW, SG_DENY, SG_DROP };

/* The IPv4 5-tuple a group judges: the port's own addresses (the key's,
 * with a floating IP as destination translated to its port). */
struct sg_tuple {
	uint32_t src, dst;     /* network order */
	rte_be16_t sport, dport;
	uint8_t proto;
};

/* ---------------------------------------------------- connection table */

/* Keep an idle connection while the flow table still holds one of its
 * flows: the NIC forwards those packets, CT never sees them. The flows'
 * aging ends it (vs_sg_flow_aged). */
static int sg_aging_cb(struct ct *ct, struct ct_entry *e, void *arg);

static void
sg_flow_log(const struct ct_flow_log *log, void *arg)
{
	struct vs_sg_state *s = arg;

	if (log->reason == CT_RM_DESTROY)
		return;
	if (log->state >= CT_TCP_CLOSING)
		s->conns_closed++;
	else
		s->conns_aged++;
}

static int
sg_ct_create(struct vs_switch *vs)
{
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	struct vs_sg_state *s = vs->sg;

	cfg.nb_conns = VS_MAX_FLOWS;
	cfg.nb_actions = 1;
	cfg.nb_readers = 1;
	cfg.flags = CT_CFG_F_FLOW_LOG;
	cfg.tcp_timeout_s = s->tcp_timeout_s;
	cfg.tcp_session_del_s = s->fin_timeout_s;
	cfg.udp_timeout_s = s->udp_timeout_s;
	cfg.aging_cb = sg_aging_cb;
	cfg.aging_arg = vs;
	cfg.flow_log_cb = sg_flow_log;
	cfg.flow_log_arg = s;
	s->ct = ct_create(&cfg);
	return s->ct == NULL ? -ENOMEM : 0;
}

int
vs_sg_init(struct vs_switch *vs)
{
	struct ct_cfg def = CT_CFG_DEFAULT;

	vs->sg = rte_zmalloc("vs_sg", sizeof(*vs->sg), 0);
	if (vs->sg == NULL)
		return -ENOMEM;
	vs->sg->tcp_timeout_s = def.tcp_timeout_s;
	vs->sg->fin_timeout_s = def.tcp_session_del_s;
	vs->sg->udp_timeout_s = def.udp_timeout_s;
	return sg_ct_create(vs);
}

void
vs_sg_fini(struct vs_switch *vs)
{
	if (vs->sg == NULL)
		return;
	ct_destroy(vs->sg->ct);
	rte_free(vs->sg);
	vs->sg = NULL;
}

int
vs_sg_timeouts(struct vs_switch *vs, unsigned int tcp_s, unsigned int fin_s,
	       unsigned int udp_s)
{
	struct vs_sg_state *s = vs->sg;
	int rc;

	rte_spinlock_lock(&vs->lock);
	if (tcp_s != 0)
		s->tcp_timeout_s = (uint16_t)RTE_MIN(tcp_s, (unsigned int)UINT16_MAX);
	if (fin_s != 0)
		s->fin_timeout_s = (uint16_t)RTE_MIN(fin_s, (unsigned int)UINT16_MAX);
	if (udp_s != 0)
		s->udp_timeout_s = (uint16_t)RTE_MIN(udp_s, (unsigned int)UINT16_MAX);
	ct_destroy(s->ct);
	rc = sg_ct_create(vs);
	rte_spinlock_unlock(&vs->lock);
	return rc;
}

/* ---------------------------------------------------- model */

static int
sg_find(const struct vs_sg_state *s, const char *name)
{
	for (int i = 0; i < VS_MAX_SGS; i++)
		if (s->groups[i].used && strcmp(s->groups[i].name, name) == 0)
			return i;
	return -1;
}

static int
port_find(const struct vs_switch *vs, const char *name)
{
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && strcmp(vs->ports[i].name, name) == 0)
			return i;
	return -1;
}

int
vs_sg_add(struct vs_switch *vs, const char *name, bool stateful, char *err,
	  size_t errlen)
{
	struct vs_sg_state *s = vs->sg;
	int slot = -1;

	if (sg_find(s, name) >= 0)
		return ERR(EEXIST, "sg '%s' already exists", name);
	for (int i = 0; i < VS_MAX_SGS && slot < 0; i++)
		if (!s->groups[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many sgs (at most %d)", VS_MAX_SGS);
	s->groups[slot] = (struct vs_sg){.used = true, .stateful = stateful};
	strlcpy(s->groups[slot].name, name, VS_NAME_MAX);
	return 0;
}

int
vs_sg_del(struct vs_switch *vs, const char *name, char *err, size_t errlen)
{
	struct vs_sg_state *s = vs->sg;
	int g = sg_find(s, name);

	if (g < 0)
		return ERR(ENOENT, "sg '%s' does not exist", name);
	for (int i = 0; i < VS_MAX_SG_RULES; i++)
		if (s->rules[i].used && s->rules[i].sg == g)
			return ERR(EBUSY, "sg '%s' still has %s '%s'", name,
				   s->rules[i].drop ? "sg_drop" : "sg_rule",
				   s->rules[i].name);
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (s->port_sg[i] == g + 1)
			return ERR(EBUSY, "sg '%s' is still on port '%s'", name,
				   vs->ports[i].name);
	memset(&s->groups[g], 0, sizeof(s->groups[g]));
	return 0;
}

void
vs_sg_list(const struct vs_switch *vs, json_t *out)
{
	const struct vs_sg_state *s = vs->sg;

	for (int i = 0; i < VS_MAX_SGS; i++)
		if (s->groups[i].used)
			json_array_append_new(out, json_pack("{s:s, s:i}",
				"name", s->groups[i].name, "stateful",
				(int)s->groups[i].stateful));
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{"any", 0}, {"tcp", IPPROTO_TCP}, {"udp", IPPROTO_UDP},
	{"icmp", IPPROTO_ICMP},
};

static const char *
proto_name(uint8_t proto)
{
	for (size_t i = 0; i < RTE_DIM(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return "?";
}

static int
rule_find(const struct vs_sg_state *s, const char *name, bool drop)
{
	for (int i = 0; i < VS_MAX_SG_RULES; i++)
		if (s->rules[i].used && s->rules[i].drop == drop &&
		    strcmp(s->rules[i].name, name) == 0)
			return i;
	return -1;
}

int
vs_sg_rule_add(struct vs_switch *vs, const struct vs_sg_rule_params *p,
	       char *err, size_t errlen)
{
	struct vs_sg_state *s = vs->sg;
	const char *kind = p->drop ? "sg_drop" : "sg_rule";
	struct vs_sg_rule r = {.used = true, .drop = p->drop};
	int slot = -1;
	size_t i;

	if (rule_find(s, p->name, p->drop) >= 0)
		return ERR(EEXIST, "%s '%s' already exists", kind, p->name);
	r.sg = sg_find(s, p->sg);
	if (r.sg < 0)
		return ERR(ENOENT, "sg: unknown sg '%s'", p->sg);
	if (strcmp(p->direction, "ingress") == 0)
		r.dir = VS_SG_INGRESS;
	else if (strcmp(p->direction, "egress") == 0)
		r.dir = VS_SG_EGRESS;
	else
		return ERR(EINVAL, "direction: '%s' is not ingress or egress",
			   p->direction);
	if (p->ethertype != NULL && strcmp(p->ethertype, "IPv4") != 0)
		return ERR(EINVAL, "ethertype: '%s' is not supported (IPv4 "
			   "only)", p->ethertype);
	for (i = 0; p->protocol != NULL && i < RTE_DIM(protos); i++)
		if (strcmp(p->protocol, protos[i].name) == 0)
			break;
	if (i == RTE_DIM(protos))
		return ERR(EINVAL, "protocol: '%s' is not tcp, udp, icmp or "
			   "any", p->protocol);
	r.proto = p->protocol != NULL ? protos[i].proto : 0;
	if (p->has_min || p->has_max) {
		if (r.proto != IPPROTO_TCP && r.proto != IPPROTO_UDP)
			return ERR(EINVAL, "%s: needs protocol tcp or udp",
				   p->has_min ? "port_min" : "port_max");
		/* One bound alone is one port, as "--dst-port 22". */
		r.ranged = true;
		r.port_min = (uint16_t)(p->has_min ? p->port_min : p->port_max);
		r.port_max = (uint16_t)(p->has_max ? p->port_max : p->port_min);
		if (r.port_max < r.port_min)
			return ERR(EINVAL, "port_max: %u is below port_min %u",
				   r.port_max, r.port_min);
	}
	if (p->has_remote) {
		r.remote = p->remote;
		r.plen = p->plen;
	}
	for (int j = 0; j < VS_MAX_SG_RULES && slot < 0; j++)
		if (!s->rules[j].used)
			slot = j;
	if (slot < 0)
		return ERR(ENOSPC, "too many sg rules (at most %d)",
			   VS_MAX_SG_RULES);
	strlcpy(r.name, p->name, VS_NAME_MAX);
	s->rules[slot] = r;
	return 0;
}

int
vs_sg_rule_del(struct vs_switch *vs, const char *name, bool drop, char *err,
	       size_t errlen)
{
	struct vs_sg_state *s = vs->sg;
	int r = rule_find(s, name, drop);

	if (r < 0)
		return ERR(ENOENT, "%s '%s' does not exist",
			   drop ? "sg_drop" : "sg_rule", name);
	memset(&s->rules[r], 0, sizeof(s->rules[r]));
	return 0;
}

static void
rules_list(const struct vs_switch *vs, bool drop, json_t *out)
{
	const struct vs_sg_state *s = vs->sg;
	char ip[INET_ADDRSTRLEN], cidr[24];

	for (int i = 0; i < VS_MAX_SG_RULES; i++) {
		const struct vs_sg_rule *r = &s->rules[i];
		json_t *o;

		if (!r->used || r->drop != drop)
			continue;
		snprintf(cidr, sizeof(cidr), "%s/%u",
			 inet_ntop(AF_INET, &r->remote, ip, sizeof(ip)),
			 r->plen);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", r->name,
			      "sg", s->groups[r->sg].name, "direction",
			      r->dir == VS_SG_INGRESS ? "ingress" : "egress",
			      "ethertype", "IPv4", "protocol",
			      proto_name(r->proto));
		if (r->ranged) {
			json_object_set_new(o, "port_min",
					    json_integer(r->port_min));
			json_object_set_new(o, "port_max",
					    json_integer(r->port_max));
		}
		json_object_set_new(o, "remote", json_string(cidr));
		json_array_append_new(out, o);
	}
}

void
vs_sg_rule_list(const struct vs_switch *vs, json_t *out)
{
	rules_list(vs, false, out);
}

void
vs_sg_drop_list(const struct vs_switch *vs, json_t *out)
{
	rules_list(vs, true, out);
}

int
vs_sg_port_add(struct vs_switch *vs, const char *port, const char *sg,
	       char *err, size_t errlen)
{
	struct vs_sg_state *s = vs->sg;
	int p = port_find(vs, port), g = sg_find(s, sg);

	if (p < 0)
		return ERR(ENOENT, "port: unknown port '%s'", port);
	if (g < 0)
		return ERR(ENOENT, "sg: unknown sg '%s'", sg);
	if (s->port_sg[p] != 0)
		return ERR(EEXIST, "port: '%s' already has sg '%s'", port,
			   s->groups[s->port_sg[p] - 1].name);
	s->port_sg[p] = (int16_t)(g + 1);
	s->nb_bound++;
	return 0;
}

int
vs_sg_port_del(struct vs_switch *vs, const char *port, char *err,
	       size_t errlen)
{
	struct vs_sg_state *s = vs->sg;
	int p = port_find(vs, port);

	if (p < 0 || s->port_sg[p] == 0)
		return ERR(ENOENT, "sg_port '%s' does not exist", port);
	s->port_sg[p] = 0;
	s->nb_bound--;
	return 0;
}

void
vs_sg_port_list(const struct vs_switch *vs, json_t *out)
{
	const struct vs_sg_state *s = vs->sg;

	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && s->port_sg[i] != 0)
			json_array_append_new(out, json_pack("{s:s, s:s}",
				"port", vs->ports[i].name, "sg",
				s->groups[s->port_sg[i] - 1].name));
}

const char *
vs_sg_of_port(const struct vs_switch *vs, int p)
{
	const struct vs_sg_state *s = vs->sg;

	return s->port_sg[p] != 0 ? s->groups[s->port_sg[p] - 1].name : NULL;
}

/* ---------------------------------------------------- rules */

static bool
in_prefix(uint32_t ip, uint32_t prefix, uint8_t plen)
{
	uint32_t m = plen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - plen));

	return (ip & m) == prefix;
}

/* Group g's rules of direction dir for a packet to/from remote. A DROP
 * rule wins over allow rules; no rule is a deny. */
static enum sg_res
rules_eval(const struct vs_sg_state *s, int g, uint8_t dir, uint8_t proto,
	   uint32_t remote, rte_be16_t dport)
{
	uint16_t port = rte_be_to_cpu_16(dport);
	bool allow = false;

	for (int i = 0; i < VS_MAX_SG_RULES; i++) {
		const struct vs_sg_rule *r = &s->rules[i];

		if (!r->used || r->sg != g || r->dir != dir ||
		    (r->proto != 0 && r->proto != proto) ||
		    (r->ranged && (port < r->port_min || port > r->port_max)) ||
		    !in_prefix(remote, r->remote, r->plen))
			continue;
		if (r->drop)
			return SG_DROP;
		allow = true;
	}
	return allow ? SG_ALLOW : SG_DENY;
}

/* Group g of the port at t's source (egress) or destination (ingress). */
static enum sg_res
side_eval(const struct vs_sg_state *s, int g, bool at_src,
	  const struct sg_tuple *t)
{
	return at_src ? rules_eval(s, g, VS_SG_EGRESS, t->proto, t->dst,
				   t->dport) :
			rules_eval(s, g, VS_SG_INGRESS, t->proto, t->src,
				   t->dport);
}

static void
tuple_reverse(const struct sg_tuple *t, struct sg_tuple *r)
{
	*r = (struct sg_tuple){.src = t->dst, .dst = t->src,
			       .sport = t->dport, .dport = t->sport,
			       .proto = t->proto};
}

static void
tuple_of(const struct vs_flow_key *k, const struct vs_acts *a,
	 struct sg_tuple *t)
{
	t->src = k->src_ip4;
	if (a->flags & VS_A_DNAT)
		t->dst = a->nat_ip;
	else
		memcpy(&t->dst, k->dst_ip, 4);
	t->sport = k->sport;
	t->dport = k->dport;
	t->proto = k->ip_proto;
}

static int
slot_sg(const struct vs_sg_state *s, int slot)
{
	return slot >= 0 ? s->port_sg[slot] - 1 : -1;
}

/* The CT zone: the local port's network, or its router (routed
 * connections cross networks of one router). */
static uint16_t
zone_of(const struct vs_switch *vs, const struct vs_flow_key *k,
	const struct vs_acts *a)
{
	int p = vs_uplink_by_port(vs, k->in_port) < 0 ?
		vs_port_by_rx(vs, k->in_port, vs_key_vid(k)) : -1;
	const struct vs_network *n;

	if (p < 0)
		p = vs_port_by_rx(vs, a->out_port, a->out_vlan);
	if (p < 0)
		return 0;
	n = &vs->nets[vs->ports[p].net];
	return (uint16_t)(n->router >= 0 ? VS_MAX_NETWORKS + n->router :
			  vs->ports[p].net);
}

static void
ct_tuple_of(const struct vs_switch *vs, const struct vs_flow_key *k,
	    const struct vs_acts *a, struct ct_tuple *ct)
{
	struct sg_tuple t;

	tuple_of(k, a, &t);
	memset(ct, 0, sizeof(*ct));
	memcpy(ct->src, &t.src, 4);
	memcpy(ct->dst, &t.dst, 4);
	ct->sport = t.sport;
	ct->dport = t.dport;
	ct->zone = zone_of(vs, k, a);
	ct->proto = t.proto;
	ct->family = 4;
}

static bool
closing(enum ct_tcp_state st)
{
	return st == CT_TCP_CLOSING || st == CT_TCP_TIME_WAIT ||
	       st == CT_TCP_CLOSED;
}

/* The verdict of the groups on the flow k → a (VS_V_FLOW from the
 * pipeline), with its connection when use_ct. */
struct sg_judgement {
	enum sg_res res;
	bool stateless_deny; /* a stateless group denies: DROP template */
	bool tracked;        /* a stateful group allows TCP/UDP: CT */
	bool closing;        /* its connection is closing */
};

static void
judge(const struct vs_switch *vs, const struct vs_flow_key *k,
      const struct vs_acts *a, bool use_ct, struct sg_judgement *j)
{
	const struct vs_sg_state *s = vs->sg;
	int ps = vs_uplink_by_port(vs, k->in_port) < 0 ?
	     vs_port_by_rx(vs, k->in_port, vs_key_vid(k)) : -1;
	int gs = slot_sg(s, ps);
	int gd = slot_sg(s, vs_port_by_rx(vs, a->out_port, a->out_vlan));
	int g[2] = {gs, gd};
	struct sg_tuple t, o;
	bool reply = false;

	memset(j, 0, sizeof(*j));
	tuple_of(k, a, &t);
	tuple_reverse(&t, &o);
	j->tracked = (t.proto == IPPROTO_TCP || t.proto == IPPROTO_UDP) &&
		     ((gs >= 0 && s->groups[gs].stateful) ||
		      (gd >= 0 && s->groups[gd].stateful));
	if (j->tracked && use_ct) {
		struct ct_tuple ct;
		struct ct_entry *e;
		enum ct_dir dir;

		ct_tuple_of(vs, k, a, &ct);
		e = ct_entry_find(s->ct, &ct, &dir);
		reply = e != NULL && dir == CT_DIR_REPLY;
		j->closing = e != NULL && closing(ct_entry_state(e));
	}
	for (int i = 0; i < 2; i++) {
		bool at_src = i == 0;
		enum sg_res r;

		if (g[i] < 0)
			continue;
		r = side_eval(s, g[i], at_src, &t);
		if (r != SG_DROP && s->groups[g[i]].stateful) {
			/* The reply of a tracked connection: what counts is
			 * whether the group allows its origin direction. An
			 * untracked protocol (ICMP) passes when the group
			 * allows the other way (an echo's reply). */
			if (reply)
				r = side_eval(s, g[i], !at_src, &o);
			else if (!j->tracked && r == SG_DENY &&
				 side_eval(s, g[i], !at_src, &o) == SG_ALLOW)
				r = SG_ALLOW;
		}
		if (r == SG_DENY && !s->groups[g[i]].stateful)
			j->stateless_deny = true;
		if (r > j->res)
			j->res = r;
	}
}

/* ---------------------------------------------------- slow path */

static bool
involved(const struct vs_switch *vs, const struct vs_flow_key *fk)
{
	const struct vs_sg_state *s = vs->sg;
	int p = vs_uplink_by_port(vs, fk->in_port) < 0 ?
		vs_port_by_rx(vs, fk->in_port, vs_key_vid(fk)) : -1;
	uint32_t dst;
	int f;

	if (slot_sg(s, p) >= 0)
		return true;
	/* Toward a port with a group: by MAC (L2), by address (L3), or
	 * by its floating IP. */
	memcpy(&dst, fk->dst_ip, 4);
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && s->port_sg[i] != 0 &&
		    (rte_is_same_ether_addr(&vs->ports[i].mac, &fk->dst) ||
		     vs->ports[i].ipv4 == dst))
			return true;
	f = vs_fip_by_ip(vs, dst);
	return f >= 0 && s->port_sg[vs->fips[f].port] != 0;
}

void
vs_sg_key(const struct vs_switch *vs, const struct nf_flow_key *k,
	  struct vs_flow_key *fk)
{
	if (vs->sg->nb_bound == 0 || !(k->flags & NF_KEY_F_IPV4) ||
	    !involved(vs, fk))
		return;
	fk->sg = 1;
	memcpy(&fk->src_ip4, k->src_ip, 4);
	if ((k->ip_proto == IPPROTO_TCP || k->ip_proto == IPPROTO_UDP) &&
	    !(k->flags & NF_KEY_F_LATER_FRAG)) {
		fk->sport = k->src_port;
		fk->dport = k->dst_port;
	}
}

enum vs_verdict
vs_sg_check(struct vs_switch *vs, const struct vs_flow_key *k,
	    struct vs_xlate_out *out, enum vs_verdict v)
{
	const struct vs_sg_state *s = vs->sg;
	struct sg_judgement j;
	int ps;

	if (v != VS_V_FLOW || s->nb_bound == 0)
		return v;
	ps = vs_uplink_by_port(vs, k->in_port) < 0 ?
	     vs_port_by_rx(vs, k->in_port, vs_key_vid(k)) : -1;
	if (slot_sg(s, ps) < 0 &&
	    slot_sg(s, vs_port_by_rx(vs, out->acts.out_port,
				      out->acts.out_vlan)) < 0)
		return v;
	if (vs_key_l3type(k) == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return v;
	/* IPv6 has no rules; a key without the SG fields is a flow from
	 * before the group was attached (revalidation removes it). */
	if (vs_key_l3type(k) != RTE_BE16(RTE_ETHER_TYPE_IPV4) || !k->sg) {
		out->drop = VS_DROP_SG_DENY;
		return VS_V_DROP;
	}
	judge(vs, k, &out->acts, true, &j);
	if (j.res == SG_DROP || j.stateless_deny) {
		memset(&out->acts, 0, sizeof(out->acts));
		out->acts.tpl = VS_TPL_DROP;
		return VS_V_FLOW;
	}
	if (j.res == SG_DENY) {
		out->drop = VS_DROP_SG_DENY;
		return VS_V_DROP;
	}
	if (j.tracked)
		out->acts.flags |= VS_A_CT | (j.closing ? VS_A_SW : 0);
	return v;
}

int
vs_sg_pkt(struct vs_switch *vs, const struct vs_flow_key *fk,
	  const struct nf_flow_key *k, const struct rte_mbuf *m,
	  const struct nf_pkt_layout *lay, const struct vs_acts *a,
	  enum vs_drop *why)
{
	struct vs_sg_state *s = vs->sg;
	struct ct_entry_params prm = {
		.fwd = {CT_FWD_NONE, CT_FWD_NONE},
	};
	struct sg_judgement j;
	struct ct_result r;
	struct ct_pkt cp;
	int rc;

	if (!(a->flags & VS_A_CT))
		return 0;
	memset(&cp, 0, sizeof(cp));
	ct_tuple_of(vs, fk, a, &cp.tuple);
	cp.tcp_flags = k->tcp_flags;
	cp.len = (uint16_t)RTE_MIN(m->pkt_len, (uint32_t)UINT16_MAX);
	if (k->ip_proto == IPPROTO_TCP && lay->l4 != NF_OFF_NONE) {
		const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
			const struct rte_tcp_hdr *, lay->l4);

		/* No window fields (ct_pkt_tcp): the connection's data goes
		 * through the NIC, so the tracker sees only SYN/FIN/RST and
		 * a FIN would look far beyond the last window it knew. */
		cp.seq = rte_be_to_cpu_32(th->sent_seq);
		cp.ack = rte_be_to_cpu_32(th->recv_ack);
	}
	ct_lookup_burst(s->ct, &cp, 1, &r);
	switch (r.verdict) {
	case CT_V_NEW:
		/* No connection: this packet may open one only if the groups
		 * allow its own direction (the flow may be cached as the
		 * reply of a connection that has gone since). */
		judge(vs, fk, a, false, &j);
		if (j.res != SG_ALLOW) {
			*why = VS_DROP_SG_DENY;
			return -1;
		}
		rc = ct_entry_add(s->ct, &cp, &prm, NULL);
		if (rc == 0)
			s->conns_new++;
		else if (rc != -EEXIST) {
			*why = rc == -ENOSPC ? VS_DROP_SG_CT_FULL :
					       VS_DROP_SG_INVALID;
			return -1;
		}
		return 0;
	case CT_V_INVALID:
		*why = VS_DROP_SG_INVALID;
		return -1;
	default:
		break;
	}
	/* FINs both ways or an RST: the NIC rules must go (revalidation
	 * sees VS_A_SW now); a new SYN on a closed 5-tuple reopens it. */
	if (closing((enum ct_tcp_state)r.state) != !!(a->flags & VS_A_SW))
		vs->gen++;
	return 0;
}

/* ---------------------------------------------------- control thread */

uint64_t
vs_sg_idle(const struct vs_switch *vs, const struct vs_flow *f, uint64_t def)
{
	const struct vs_sg_state *s = vs->sg;

	if (!(f->acts.flags & VS_A_CT))
		return def;
	/* A closing connection's last packets: as long as CT keeps it. */
	if (f->acts.flags & VS_A_SW)
		return (uint64_t)s->fin_timeout_s * rte_get_timer_hz();
	return (uint64_t)(f->key.ip_proto == IPPROTO_UDP ? s->udp_timeout_s :
			  s->tcp_timeout_s) * rte_get_timer_hz();
}

/* Does a flow other than except belong to connection e? */
static bool
conn_has_flow(const struct vs_switch *vs, struct ct *ct, struct ct_entry *e,
	      const struct vs_flow *except)
{
	struct ct_tuple orig, t, rev;

	if (ct_entry_tuple(ct, e, &orig) != 0)
		return false;
	rev = orig;
	memcpy(rev.src, orig.dst, sizeof(rev.src));
	memcpy(rev.dst, orig.src, sizeof(rev.dst));
	rev.sport = orig.dport;
	rev.dport = orig.sport;
	for (uint32_t i = 0; i < VS_MAX_FLOWS; i++) {
		const struct vs_flow *f = &vs->flows[i];

		if (!f->used || f == except || !(f->acts.flags & VS_A_CT))
			continue;
		ct_tuple_of(vs, &f->key, &f->acts, &t);
		if (memcmp(&t, &orig, sizeof(t)) == 0 ||
		    memcmp(&t, &rev, sizeof(t)) == 0)
			return true;
	}
	return false;
}

static int
sg_aging_cb(struct ct *ct, struct ct_entry *e, void *arg)
{
	return conn_has_flow(arg, ct, e, NULL);
}

void
vs_sg_flow_aged(struct vs_switch *vs, const struct vs_flow *f)
{
	struct ct *ct = vs->sg->ct;
	struct ct_entry *e;
	struct ct_tuple t;

	if (!(f->acts.flags & VS_A_CT))
		return;
	/* The connection's last flow timed out with the connection's own
	 * timeout: the connection ends with it (ct_age would only see it
	 * idle a whole timeout later, counting from the last packet CT
	 * itself saw). */
	ct_tuple_of(vs, &f->key, &f->acts, &t);
	e = ct_entry_find(ct, &t, NULL);
	if (e != NULL && !conn_has_flow(vs, ct, e, f))
		ct_entry_remove(ct, e);
}

void
vs_sg_age(struct vs_switch *vs)
{
	rte_spinlock_lock(&vs->lock);
	/* The flows of a removed connection are gone already (the callback
	 * kept it while they were there); moving gen also takes a lone
	 * cached reply direction out. */
	if (ct_age(vs->sg->ct, ct_time_ms(vs->sg->ct)) > 0)
		vs->gen++;
	rte_spinlock_unlock(&vs->lock);
}

void
vs_sg_flow_json(const struct vs_flow_key *k, const struct vs_acts *a,
		json_t *match, json_t *acts)
{
	char ip[INET_ADDRSTRLEN];

	if (k->sg) {
		json_object_set_new(match, "ip_src", json_string(inet_ntop(
			AF_INET, &k->src_ip4, ip, sizeof(ip))));
		if (k->ip_proto == IPPROTO_TCP || k->ip_proto == IPPROTO_UDP) {
			json_object_set_new(match, "tp_src", json_integer(
				rte_be_to_cpu_16(k->sport)));
			json_object_set_new(match, "tp_dst", json_integer(
				rte_be_to_cpu_16(k->dport)));
		}
	}
	if ((a->flags & VS_A_CT) && k->ip_proto == IPPROTO_TCP)
		json_object_set_new(match, "tcp_flags",
				    json_string("0x00/0x07"));
	if (a->flags & VS_A_CT)
		json_object_set_new(acts, "ct", json_true());
	if (a->tpl == VS_TPL_DROP) {
		json_object_del(acts, "port_id");
		json_object_set_new(acts, "drop", json_true());
	}
}

json_t *
vs_sg_stats_json(struct vs_switch *vs)
{
	struct vs_sg_state *s = vs->sg;
	json_t *o;

	rte_spinlock_lock(&vs->lock);
	o = json_pack("{s:I, s:I, s:I, s:I}",
		"connections", (json_int_t)ct_count(s->ct),
		"conns_new", (json_int_t)s->conns_new,
		"conns_closed", (json_int_t)s->conns_closed,
		"conns_aged", (json_int_t)s->conns_aged);
	rte_spinlock_unlock(&vs->lock);
	return o;
}
