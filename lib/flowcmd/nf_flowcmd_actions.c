/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nf_flowcmd: the actions of a "flow create" (and of "set
 * sample_actions" and "flow indirect_action ... create").
 *
 * Table-driven: one entry per action with its testpmd name, the size of its
 * configuration and its parameters described by offset, size and kind; one
 * routine parses "NAME [PARAM VALUE]..." for all of them. The few actions
 * whose configuration is not a flat struct (vxlan_encap's item list,
 * sample's sub-actions, indirect's handle, rss's queue list, modify_field's
 * nested fields) have a parse hook of their own.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>

#include "nf_flowcmd_private.h"

enum fc_akind {
	A_U8,
	A_U16,
	A_U32,
	A_BE16,
	A_BIT,  /* 1-bit bit-field located with probe() */
	A_MAC,
	A_IPV4,
	A_IPV6,
};

struct fc_aparam {
	const char *name;     /* testpmd token */
	uint16_t off;
	uint8_t kind;         /* enum fc_akind */
	bool required;        /* nf_flowcmd.h: where we differ from testpmd */
	void (*probe)(void *conf);
};

struct fc_act {
	struct rte_flow_action *act;
	unsigned int pos;     /* 1-based position in its list */
	const char *what;     /* message prefix */
	bool nested;          /* in a sample list or an indirect definition */
};

struct fc_action_desc;
typedef int (*fc_action_parse_fn)(struct fc_ctx *c,
				  const struct fc_action_desc *d,
				  struct fc_act *a);

struct fc_action_desc {
	const char *name;
	enum rte_flow_action_type type;
	uint16_t size;        /* configuration; 0: conf NULL */
	fc_action_parse_fn parse; /* NULL: the generic parser */
	void (*init)(void *conf); /* defaults before the parameters */
	struct fc_aparam p[4];  /* up to the first with name NULL */
};

#define ACT_FAIL(c, a, d, fmt, ...) \
	fc_fail(c, -EINVAL, "%saction %u '%s': " fmt, (a)->what, (a)->pos, \
		(d)->name, ##__VA_ARGS__)

/* The next token as a value of a parameter; NULL (and an error) if none. */
static const struct fc_tok *
param_value(struct fc_ctx *c, const struct fc_action_desc *d,
	    struct fc_act *a, const char *param)
{
	const struct fc_tok *t = fc_peek(c);

	if (t == NULL || fc_tok_is(t, "/")) {
		ACT_FAIL(c, a, d, "'%s' needs a value", param);
		return NULL;
	}
	c->i++;
	return t;
}

static int
param_uint(struct fc_ctx *c, const struct fc_action_desc *d, struct fc_act *a,
	   const char *param, uint64_t max, uint64_t *v)
{
	const struct fc_tok *t = param_value(c, d, a, param);

	if (t == NULL)
		return c->rc;
	if (fc_parse_uint(t, max, v) != 0)
		return ACT_FAIL(c, a, d, "bad value '%.*s' for '%s' (0..%" PRIu64 ")",
				(int)t->len, t->s, param, max);
	return 0;
}

/* ---------------------------------------------------- generic parser */

static int
act_generic(struct fc_ctx *c, const struct fc_action_desc *d, struct fc_act *a)
{
	static const uint64_t max[] = {
		[A_U8] = UINT8_MAX, [A_U16] = UINT16_MAX, [A_U32] = UINT32_MAX,
		[A_BE16] = UINT16_MAX, [A_BIT] = 1,
	};
	uint8_t *conf = d->size != 0 ? fc_alloc(c, d->size) : NULL;
	unsigned int seen = 0;
	const struct fc_tok *t;

	if (d->size != 0 && conf == NULL)
		return c->rc;
	if (d->init != NULL)
		d->init(conf);
	a->act->conf = conf;
	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "/")) {
		const struct fc_aparam *p = NULL;
		unsigned int k;
		uint64_t v = 0;

		for (k = 0; d->p[k].name != NULL; k++)
			if (fc_tok_is(t, d->p[k].name)) {
				p = &d->p[k];
				break;
			}
		if (p == NULL)
			return ACT_FAIL(c, a, d, "unknown parameter '%.*s'",
					(int)t->len, t->s);
		c->i++;
		seen |= 1u << k;
		if (p->kind == A_MAC || p->kind == A_IPV4 ||
		    p->kind == A_IPV6) {
			const struct fc_tok *vt = param_value(c, d, a, p->name);
			int rc;

			if (vt == NULL)
				return c->rc;
			rc = p->kind == A_MAC ? fc_parse_mac(vt, conf + p->off) :
			     fc_parse_ip(vt, p->kind == A_IPV6, conf + p->off);
			if (rc != 0)
				return ACT_FAIL(c, a, d,
						"bad %s '%.*s' for '%s'",
						p->kind == A_MAC ? "MAC address" :
						p->kind == A_IPV4 ? "IPv4 address"
						: "IPv6 address",
						(int)vt->len, vt->s, p->name);
			continue;
		}
		if (param_uint(c, d, a, p->name, max[p->kind], &v) != 0)
			return c->rc;
		switch (p->kind) {
		case A_U8:
			conf[p->off] = (uint8_t)v;
			break;
		case A_U16: {
			uint16_t x = (uint16_t)v;

			memcpy(conf + p->off, &x, 2);
			break;
		}
		case A_U32: {
			uint32_t x = (uint32_t)v;

			memcpy(conf + p->off, &x, 4);
			break;
		}
		case A_BE16: {
			rte_be16_t x = rte_cpu_to_be_16((uint16_t)v);

			memcpy(conf + p->off, &x, 2);
			break;
		}
		default: { /* A_BIT */
			uint8_t tmp[64] = { 0 };

			p->probe(tmp);
			for (unsigned int i = 0; i < d->size; i++)
				if (tmp[i] != 0)
					conf[i] = (uint8_t)(v ? conf[i] | tmp[i] :
							    conf[i] & ~tmp[i]);
			break;
		}
		}
	}
	for (unsigned int k = 0; d->p[k].name != NULL; k++)
		if (d->p[k].required && !(seen & 1u << k))
			return ACT_FAIL(c, a, d, "needs '%s'", d->p[k].name);
	return 0;
}

static void
init_set_tag(void *conf)
{
	((struct rte_flow_action_set_tag *)conf)->mask = UINT32_MAX;
}

static void
probe_port_id_original(void *conf)
{
	((struct rte_flow_action_port_id *)conf)->original = 1;
}

/* -------------------------------------------------------- vxlan_encap */

/* testpmd's definition (nf_flowcmd.h) from a "set vxlan" state. */
struct fc_encap {
	struct rte_flow_action_vxlan_encap conf;
	struct rte_flow_item items[6];
	struct rte_flow_item_eth eth;
	struct rte_flow_item_vlan vlan;
	struct rte_flow_item_ipv4 ip4, ip4_mask;
	struct rte_flow_item_ipv6 ip6, ip6_mask;
	struct rte_flow_item_udp udp;
	struct rte_flow_item_vxlan vxlan;
};

static struct rte_flow_action_vxlan_encap *
encap_build(struct fc_ctx *c, const struct fc_vxlan *vx)
{
	struct fc_encap *e = fc_alloc(c, sizeof(*e));
	unsigned int n = 0;

	if (e == NULL)
		return NULL;
	memcpy(e->eth.dst.addr_bytes, vx->eth_dst, 6);
	memcpy(e->eth.src.addr_bytes, vx->eth_src, 6);
	e->items[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_ETH,
		.spec = &e->eth, .mask = &rte_flow_item_eth_mask };
	if (vx->vlan) {
		e->vlan.tci = rte_cpu_to_be_16(vx->tci);
		e->items[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_VLAN, .spec = &e->vlan,
			.mask = &rte_flow_item_vlan_mask };
	}
	if (!vx->ipv6) {
		memcpy(&e->ip4.hdr.src_addr, vx->src, 4);
		memcpy(&e->ip4.hdr.dst_addr, vx->dst, 4);
		e->ip4_mask = rte_flow_item_ipv4_mask;
		if (vx->tos_ttl) {
			e->ip4.hdr.type_of_service = vx->tos;
			e->ip4.hdr.time_to_live = vx->ttl;
			e->ip4_mask.hdr.type_of_service = 0xff;
			e->ip4_mask.hdr.time_to_live = 0xff;
		}
		e->items[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &e->ip4,
			.mask = &e->ip4_mask };
	} else {
		memcpy(e->ip6.hdr.src_addr, vx->src, 16);
		memcpy(e->ip6.hdr.dst_addr, vx->dst, 16);
		e->ip6_mask = rte_flow_item_ipv6_mask;
		if (vx->tos_ttl) {
			e->ip6.hdr.vtc_flow = rte_cpu_to_be_32(
				(uint32_t)vx->tos << RTE_IPV6_HDR_TC_SHIFT);
			e->ip6.hdr.hop_limits = vx->ttl;
			e->ip6_mask.hdr.vtc_flow |=
				rte_cpu_to_be_32(RTE_IPV6_HDR_TC_MASK);
			e->ip6_mask.hdr.hop_limits = 0xff;
		}
		e->items[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV6, .spec = &e->ip6,
			.mask = &e->ip6_mask };
	}
	e->udp.hdr.src_port = rte_cpu_to_be_16(vx->udp_src);
	e->udp.hdr.dst_port = rte_cpu_to_be_16(vx->udp_dst);
	e->items[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_UDP,
		.spec = &e->udp, .mask = &rte_flow_item_udp_mask };
	e->vxlan.vni[0] = (uint8_t)(vx->vni >> 16);
	e->vxlan.vni[1] = (uint8_t)(vx->vni >> 8);
	e->vxlan.vni[2] = (uint8_t)vx->vni;
	e->items[n++] = (struct rte_flow_item){
		.type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &e->vxlan,
		.mask = &rte_flow_item_vxlan_mask };
	e->items[n].type = RTE_FLOW_ITEM_TYPE_END;
	e->conf.definition = e->items;
	return &e->conf;
}

static int
act_vxlan_encap(struct fc_ctx *c, const struct fc_action_desc *d,
		struct fc_act *a)
{
	const struct fc_tok *t = fc_peek(c);
	const struct fc_vxlan *vx = &c->vxlan;
	struct fc_vxlan inl;

	if (t != NULL && !fc_tok_is(t, "/")) {
		char what[96];

		snprintf(what, sizeof(what), "%saction %u '%s'", a->what,
			 a->pos, d->name);
		if (fc_vxlan_keys(c, &inl, what) != 0)
			return c->rc;
		vx = &inl;
	} else if (!vx->set) {
		return ACT_FAIL(c, a, d,
				"no definition: give one inline or in a preceding 'set vxlan'");
	}
	a->act->conf = encap_build(c, vx);
	return c->rc;
}

/* ------------------------------------------------------------- sample */

static int
act_sample(struct fc_ctx *c, const struct fc_action_desc *d, struct fc_act *a)
{
	struct rte_flow_action_sample *s;
	const struct fc_tok *t;
	uint64_t v, idx = 0;
	bool have_idx = false;

	if (a->nested)
		return ACT_FAIL(c, a, d, "not allowed here");
	s = fc_alloc(c, sizeof(*s));
	if (s == NULL)
		return c->rc;
	s->ratio = 1;
	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "/")) {
		bool ratio = fc_tok_is(t, "ratio");

		if (!ratio && !fc_tok_is(t, "index"))
			return ACT_FAIL(c, a, d, "unknown parameter '%.*s'",
					(int)t->len, t->s);
		c->i++;
		if (param_uint(c, d, a, ratio ? "ratio" : "index",
			       ratio ? UINT32_MAX : NF_FLOWCMD_MAX_SAMPLES - 1,
			       &v) != 0)
			return c->rc;
		if (ratio) {
			s->ratio = (uint32_t)v;
		} else {
			idx = v;
			have_idx = true;
		}
	}
	if (!have_idx)
		return ACT_FAIL(c, a, d, "needs 'index'");
	if (c->samples[idx] == NULL)
		return ACT_FAIL(c, a, d, "no 'set sample_actions %u' before",
				(unsigned int)idx);
	s->actions = c->samples[idx];
	a->act->conf = s;
	return 0;
}

/* ----------------------------------------------------------- indirect */

static int
act_indirect(struct fc_ctx *c, const struct fc_action_desc *d,
	     struct fc_act *a)
{
	const struct fc_tok *t = fc_peek(c);
	uint64_t id;

	if (a->nested)
		return ACT_FAIL(c, a, d, "not allowed here");
	if (t == NULL || fc_tok_is(t, "/"))
		return ACT_FAIL(c, a, d, "needs an action id");
	if (fc_parse_uint(t, UINT32_MAX, &id) != 0)
		return ACT_FAIL(c, a, d, "bad action id '%.*s'", (int)t->len,
				t->s);
	c->i++;
	/* the handle is looked up once the whole text is parsed */
	c->refs[c->n_refs++] = (struct fc_indirect_ref){
		.act = a->act, .id = (uint32_t)id, .pos = a->pos,
	};
	return 0;
}

/* ---------------------------------------------------------------- rss */

struct fc_rss {
	struct rte_flow_action_rss conf;
	uint16_t queue[NF_FLOWCMD_MAX_RSS_QUEUES];
};

static const struct {
	const char *name;
	uint64_t types;
} rss_types[] = {
	{ "eth", RTE_ETH_RSS_ETH }, { "vlan", RTE_ETH_RSS_VLAN },
	{ "ip", RTE_ETH_RSS_IP }, { "udp", RTE_ETH_RSS_UDP },
	{ "tcp", RTE_ETH_RSS_TCP }, { "sctp", RTE_ETH_RSS_SCTP },
	{ "ipv4", RTE_ETH_RSS_IPV4 }, { "ipv6", RTE_ETH_RSS_IPV6 },
	{ "ipv4-frag", RTE_ETH_RSS_FRAG_IPV4 },
	{ "ipv4-tcp", RTE_ETH_RSS_NONFRAG_IPV4_TCP },
	{ "ipv4-udp", RTE_ETH_RSS_NONFRAG_IPV4_UDP },
	{ "ipv4-other", RTE_ETH_RSS_NONFRAG_IPV4_OTHER },
	{ "ipv6-frag", RTE_ETH_RSS_FRAG_IPV6 },
	{ "ipv6-tcp", RTE_ETH_RSS_NONFRAG_IPV6_TCP },
	{ "ipv6-udp", RTE_ETH_RSS_NONFRAG_IPV6_UDP },
	{ "ipv6-other", RTE_ETH_RSS_NONFRAG_IPV6_OTHER },
	{ "l3-src-only", RTE_ETH_RSS_L3_SRC_ONLY },
	{ "l3-dst-only", RTE_ETH_RSS_L3_DST_ONLY },
	{ "l4-src-only", RTE_ETH_RSS_L4_SRC_ONLY },
	{ "l4-dst-only", RTE_ETH_RSS_L4_DST_ONLY },
	{ "none", 0 },
};

static int
act_rss(struct fc_ctx *c, const struct fc_action_desc *d, struct fc_act *a)
{
	static const struct {
		const char *name;
		enum rte_eth_hash_function f;
	} funcs[] = {
		{ "default", RTE_ETH_HASH_FUNCTION_DEFAULT },
		{ "toeplitz", RTE_ETH_HASH_FUNCTION_TOEPLITZ },
		{ "simple_xor", RTE_ETH_HASH_FUNCTION_SIMPLE_XOR },
		{ "symmetric_toeplitz",
		  RTE_ETH_HASH_FUNCTION_SYMMETRIC_TOEPLITZ },
	};
	struct fc_rss *r = fc_alloc(c, sizeof(*r));
	const struct fc_tok *t;
	uint64_t v;

	if (r == NULL)
		return c->rc;
	r->conf.func = RTE_ETH_HASH_FUNCTION_DEFAULT;
	r->conf.types = RTE_ETH_RSS_IP; /* testpmd's default rss_hf */
	a->act->conf = &r->conf;
	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "/")) {
		c->i++;
		if (fc_tok_is(t, "func")) {
			const struct fc_tok *vt = param_value(c, d, a, "func");
			unsigned int k;

			if (vt == NULL)
				return c->rc;
			for (k = 0; k < RTE_DIM(funcs); k++)
				if (fc_tok_is(vt, funcs[k].name))
					break;
			if (k == RTE_DIM(funcs))
				return ACT_FAIL(c, a, d,
						"unknown func '%.*s'",
						(int)vt->len, vt->s);
			r->conf.func = funcs[k].f;
		} else if (fc_tok_is(t, "level")) {
			if (param_uint(c, d, a, "level", UINT32_MAX, &v) != 0)
				return c->rc;
			r->conf.level = (uint32_t)v;
		} else if (fc_tok_is(t, "types")) {
			r->conf.types = 0;
			for (;;) {
				const struct fc_tok *vt = fc_peek(c);
				unsigned int k;

				if (vt == NULL || fc_tok_is(vt, "/"))
					return ACT_FAIL(c, a, d,
							"'types' list needs 'end'");
				c->i++;
				if (fc_tok_is(vt, "end"))
					break;
				for (k = 0; k < RTE_DIM(rss_types); k++)
					if (fc_tok_is(vt, rss_types[k].name))
						break;
				if (k == RTE_DIM(rss_types))
					return ACT_FAIL(c, a, d,
							"unknown type '%.*s'",
							(int)vt->len, vt->s);
				r->conf.types |= rss_types[k].types;
			}
		} else if (fc_tok_is(t, "queues")) {
			unsigned int n = 0;

			for (;;) {
				const struct fc_tok *vt = fc_peek(c);

				if (vt == NULL || fc_tok_is(vt, "/"))
					return ACT_FAIL(c, a, d,
							"'queues' list needs 'end'");
				c->i++;
				if (fc_tok_is(vt, "end"))
					break;
				if (n == NF_FLOWCMD_MAX_RSS_QUEUES)
					return ACT_FAIL(c, a, d,
							"more than %u queues",
							NF_FLOWCMD_MAX_RSS_QUEUES);
				if (fc_parse_uint(vt, UINT16_MAX, &v) != 0)
					return ACT_FAIL(c, a, d,
							"bad queue '%.*s'",
							(int)vt->len, vt->s);
				r->queue[n++] = (uint16_t)v;
			}
			r->conf.queue_num = n;
			r->conf.queue = n != 0 ? r->queue : NULL;
		} else {
			return ACT_FAIL(c, a, d, "unknown parameter '%.*s'",
					(int)t->len, t->s);
		}
	}
	return 0;
}

/* ------------------------------------------------------- modify_field */

static const struct {
	const char *name;
	enum rte_flow_field_id id;
} modify_fields[] = {
	{ "mac_dst", RTE_FLOW_FIELD_MAC_DST },
	{ "mac_src", RTE_FLOW_FIELD_MAC_SRC },
	{ "vlan_type", RTE_FLOW_FIELD_VLAN_TYPE },
	{ "vlan_id", RTE_FLOW_FIELD_VLAN_ID },
	{ "mac_type", RTE_FLOW_FIELD_MAC_TYPE },
	{ "ipv4_dscp", RTE_FLOW_FIELD_IPV4_DSCP },
	{ "ipv4_ttl", RTE_FLOW_FIELD_IPV4_TTL },
	{ "ipv4_src", RTE_FLOW_FIELD_IPV4_SRC },
	{ "ipv4_dst", RTE_FLOW_FIELD_IPV4_DST },
	{ "ipv6_dscp", RTE_FLOW_FIELD_IPV6_DSCP },
	{ "ipv6_hoplimit", RTE_FLOW_FIELD_IPV6_HOPLIMIT },
	{ "ipv6_src", RTE_FLOW_FIELD_IPV6_SRC },
	{ "ipv6_dst", RTE_FLOW_FIELD_IPV6_DST },
	{ "tcp_port_src", RTE_FLOW_FIELD_TCP_PORT_SRC },
	{ "tcp_port_dst", RTE_FLOW_FIELD_TCP_PORT_DST },
	{ "tcp_flags", RTE_FLOW_FIELD_TCP_FLAGS },
	{ "udp_port_src", RTE_FLOW_FIELD_UDP_PORT_SRC },
	{ "udp_port_dst", RTE_FLOW_FIELD_UDP_PORT_DST },
	{ "vxlan_vni", RTE_FLOW_FIELD_VXLAN_VNI },
	{ "tag", RTE_FLOW_FIELD_TAG },
	{ "mark", RTE_FLOW_FIELD_MARK },
	{ "meta", RTE_FLOW_FIELD_META },
};

/* Hex digits (optionally 0x-prefixed) into at most size bytes from out[0]
 * (an odd count gets a leading 0). */
static int
parse_hex(const struct fc_tok *t, uint8_t *out, size_t size)
{
	const char *s = t->s;
	size_t n = t->len;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n == 0 || (n + 1) / 2 > size)
		return -EINVAL;
	for (size_t i = 0, k = n % 2; i < n; i++, k++) {
		char ch = s[i];
		int x = ch >= '0' && ch <= '9' ? ch - '0' :
			ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
			ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

		if (x < 0)
			return -EINVAL;
		out[k / 2] = (uint8_t)(out[k / 2] | (k % 2 ? x : x << 4));
	}
	return 0;
}

static int
act_modify(struct fc_ctx *c, const struct fc_action_desc *d, struct fc_act *a)
{
	static const char *const ops[] = { "set", "add", "sub" };
	struct rte_flow_action_modify_field *m = fc_alloc(c, sizeof(*m));
	bool have_op = false, have_dst = false, have_width = false;
	const struct fc_tok *t, *vt;
	uint64_t v;

	if (m == NULL)
		return c->rc;
	m->src.field = RTE_FLOW_FIELD_VALUE;
	a->act->conf = m;
	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "/")) {
		unsigned int k;

		c->i++;
		if (fc_tok_is(t, "op")) {
			if ((vt = param_value(c, d, a, "op")) == NULL)
				return c->rc;
			for (k = 0; k < RTE_DIM(ops); k++)
				if (fc_tok_is(vt, ops[k]))
					break;
			if (k == RTE_DIM(ops))
				return ACT_FAIL(c, a, d, "unknown op '%.*s'",
						(int)vt->len, vt->s);
			m->operation = (enum rte_flow_modify_op)k;
			have_op = true;
		} else if (fc_tok_is(t, "dst_type")) {
			if ((vt = param_value(c, d, a, "dst_type")) == NULL)
				return c->rc;
			for (k = 0; k < RTE_DIM(modify_fields); k++)
				if (fc_tok_is(vt, modify_fields[k].name))
					break;
			if (k == RTE_DIM(modify_fields))
				return ACT_FAIL(c, a, d,
						"unknown dst_type '%.*s'",
						(int)vt->len, vt->s);
			m->dst.field = modify_fields[k].id;
			have_dst = true;
		} else if (fc_tok_is(t, "dst_level") ||
			   fc_tok_is(t, "dst_offset") ||
			   fc_tok_is(t, "width")) {
			char name[16];

			snprintf(name, sizeof(name), "%.*s", (int)t->len, t->s);
			if (param_uint(c, d, a, name, UINT32_MAX, &v) != 0)
				return c->rc;
			if (name[0] == 'w') {
				m->width = (uint32_t)v;
				have_width = true;
			} else if (name[4] == 'l') {
				m->dst.level = (uint32_t)v;
			} else {
				m->dst.offset = (uint32_t)v;
			}
		} else if (fc_tok_is(t, "src_type")) {
			if ((vt = param_value(c, d, a, "src_type")) == NULL)
				return c->rc;
			if (!fc_tok_is(vt, "value"))
				return ACT_FAIL(c, a, d,
						"src_type '%.*s' not supported (only 'value')",
						(int)vt->len, vt->s);
		} else if (fc_tok_is(t, "src_value")) {
			if ((vt = param_value(c, d, a, "src_value")) == NULL)
				return c->rc;
			memset(m->src.value, 0, sizeof(m->src.value));
			if (parse_hex(vt, m->src.value,
				      sizeof(m->src.value)) != 0)
				return ACT_FAIL(c, a, d,
						"bad hex value '%.*s' for 'src_value'",
						(int)vt->len, vt->s);
		} else {
			return ACT_FAIL(c, a, d, "unknown parameter '%.*s'",
					(int)t->len, t->s);
		}
	}
	if (!have_op || !have_dst || !have_width)
		return ACT_FAIL(c, a, d, "needs '%s'", !have_op ? "op" :
				!have_dst ? "dst_type" : "width");
	return 0;
}

/* -------------------------------------------------------------- table */

#define AOFF(t, f) ((uint16_t)offsetof(struct rte_flow_action_##t, f))
#define ACT(n, T, t) n, RTE_FLOW_ACTION_TYPE_##T, \
	(uint16_t)sizeof(struct rte_flow_action_##t)
#define ACT0(n, T) n, RTE_FLOW_ACTION_TYPE_##T, 0
#define REQ true
#define OPT false

static const struct fc_action_desc action_descs[] = {
	{ ACT0("void", VOID), NULL, NULL, { { NULL } } },
	{ ACT0("passthru", PASSTHRU), NULL, NULL, { { NULL } } },
	{ ACT0("flag", FLAG), NULL, NULL, { { NULL } } },
	{ ACT0("drop", DROP), NULL, NULL, { { NULL } } },
	{ ACT0("dec_ttl", DEC_TTL), NULL, NULL, { { NULL } } },
	{ ACT0("vxlan_decap", VXLAN_DECAP), NULL, NULL, { { NULL } } },
	{ ACT0("of_pop_vlan", OF_POP_VLAN), NULL, NULL, { { NULL } } },
	{ ACT("count", COUNT, count), NULL, NULL, {
		{ "identifier", AOFF(count, id), A_U32, OPT, NULL },
	} },
	{ ACT("port_id", PORT_ID, port_id), NULL, NULL, {
		{ "original", 0, A_BIT, OPT, probe_port_id_original },
		{ "id", AOFF(port_id, id), A_U32, REQ, NULL },
	} },
	{ ACT("represented_port", REPRESENTED_PORT, ethdev), NULL, NULL, {
		{ "ethdev_port_id", AOFF(ethdev, port_id), A_U16, REQ, NULL },
	} },
	{ ACT("port_representor", PORT_REPRESENTOR, ethdev), NULL, NULL, {
		{ "port_id", AOFF(ethdev, port_id), A_U16, REQ, NULL },
	} },
	{ ACT("queue", QUEUE, queue), NULL, NULL, {
		{ "index", AOFF(queue, index), A_U16, REQ, NULL },
	} },
	{ ACT("jump", JUMP, jump), NULL, NULL, {
		{ "group", AOFF(jump, group), A_U32, REQ, NULL },
	} },
	{ ACT("mark", MARK, mark), NULL, NULL, {
		{ "id", AOFF(mark, id), A_U32, REQ, NULL },
	} },
	{ ACT("meter", METER, meter), NULL, NULL, {
		{ "mtr_id", AOFF(meter, mtr_id), A_U32, REQ, NULL },
	} },
	{ ACT("set_tag", SET_TAG, set_tag), NULL, init_set_tag, {
		{ "data", AOFF(set_tag, data), A_U32, REQ, NULL },
		{ "index", AOFF(set_tag, index), A_U8, OPT, NULL },
		{ "mask", AOFF(set_tag, mask), A_U32, OPT, NULL },
	} },
	{ ACT("set_mac_src", SET_MAC_SRC, set_mac), NULL, NULL, {
		{ "mac_addr", AOFF(set_mac, mac_addr), A_MAC, REQ, NULL },
	} },
	{ ACT("set_mac_dst", SET_MAC_DST, set_mac), NULL, NULL, {
		{ "mac_addr", AOFF(set_mac, mac_addr), A_MAC, REQ, NULL },
	} },
	{ ACT("set_ipv4_src", SET_IPV4_SRC, set_ipv4), NULL, NULL, {
		{ "ipv4_addr", AOFF(set_ipv4, ipv4_addr), A_IPV4, REQ, NULL },
	} },
	{ ACT("set_ipv4_dst", SET_IPV4_DST, set_ipv4), NULL, NULL, {
		{ "ipv4_addr", AOFF(set_ipv4, ipv4_addr), A_IPV4, REQ, NULL },
	} },
	{ ACT("set_ipv6_src", SET_IPV6_SRC, set_ipv6), NULL, NULL, {
		{ "ipv6_addr", AOFF(set_ipv6, ipv6_addr), A_IPV6, REQ, NULL },
	} },
	{ ACT("set_ipv6_dst", SET_IPV6_DST, set_ipv6), NULL, NULL, {
		{ "ipv6_addr", AOFF(set_ipv6, ipv6_addr), A_IPV6, REQ, NULL },
	} },
	{ ACT("of_push_vlan", OF_PUSH_VLAN, of_push_vlan), NULL, NULL, {
		{ "ethertype", AOFF(of_push_vlan, ethertype), A_BE16, REQ,
		  NULL },
	} },
	{ ACT("of_set_vlan_vid", OF_SET_VLAN_VID, of_set_vlan_vid), NULL,
	  NULL, {
		{ "vlan_vid", AOFF(of_set_vlan_vid, vlan_vid), A_BE16, REQ,
		  NULL },
	} },
	{ ACT("of_set_vlan_pcp", OF_SET_VLAN_PCP, of_set_vlan_pcp), NULL,
	  NULL, {
		{ "vlan_pcp", AOFF(of_set_vlan_pcp, vlan_pcp), A_U8, REQ,
		  NULL },
	} },
	{ ACT0("vxlan_encap", VXLAN_ENCAP), act_vxlan_encap, NULL,
	  { { NULL } } },
	{ ACT0("sample", SAMPLE), act_sample, NULL, { { NULL } } },
	{ ACT0("indirect", INDIRECT), act_indirect, NULL, { { NULL } } },
	{ ACT0("rss", RSS), act_rss, NULL, { { NULL } } },
	{ ACT0("modify_field", MODIFY_FIELD), act_modify, NULL,
	  { { NULL } } },
};

/* "NAME [PARAM VALUE]..." at c->i, up to (not including) '/'. */
static int
parse_action(struct fc_ctx *c, const char *what, unsigned int pos,
	     bool nested, struct rte_flow_action *act)
{
	const struct fc_tok *t = &c->t[c->i++];
	const struct fc_action_desc *d = NULL;
	struct fc_act a = {
		.act = act, .pos = pos, .what = what, .nested = nested,
	};

	for (unsigned int i = 0; i < RTE_DIM(action_descs); i++)
		if (fc_tok_is(t, action_descs[i].name))
			d = &action_descs[i];
	if (d == NULL)
		return fc_fail(c, -EINVAL, "%saction %u: unknown action '%.*s'",
			       what, pos, (int)t->len, t->s);
	*act = (struct rte_flow_action){ .type = d->type };
	return d->parse != NULL ? d->parse(c, d, &a) : act_generic(c, d, &a);
}

int
fc_parse_actions(struct fc_ctx *c, const char *what, bool nested,
		 struct rte_flow_action **list, unsigned int *n_out)
{
	struct rte_flow_action tmp[NF_FLOWCMD_MAX_ACTIONS];
	struct rte_flow_action *out;
	unsigned int n = 0, ref0 = c->n_refs;

	for (;;) {
		const struct fc_tok *t = fc_peek(c);

		if (t == NULL)
			return fc_fail(c, -EINVAL, "%sactions: missing 'end'",
				       what);
		if (fc_tok_is(t, "end")) {
			c->i++;
			break;
		}
		if (n == NF_FLOWCMD_MAX_ACTIONS)
			return fc_fail(c, -EINVAL,
				       "%sactions: more than %u actions", what,
				       NF_FLOWCMD_MAX_ACTIONS);
		if (parse_action(c, what, n + 1, nested, &tmp[n]) != 0)
			return c->rc;
		n++;
		t = fc_peek(c);
		if (t == NULL)
			return fc_fail(c, -EINVAL, "%sactions: missing 'end'",
				       what);
		c->i++; /* the '/' */
	}
	out = fc_alloc(c, (n + 1) * sizeof(*out));
	if (out == NULL)
		return c->rc;
	memcpy(out, tmp, n * sizeof(*tmp));
	out[n].type = RTE_FLOW_ACTION_TYPE_END;
	/* INDIRECT references point into tmp: move them to the copy */
	for (unsigned int i = ref0; i < c->n_refs; i++)
		c->refs[i].act = out + (c->refs[i].act - tmp);
	*list = out;
	*n_out = n;
	return 0;
}

int
fc_parse_one_action(struct fc_ctx *c, const char *what,
		    struct rte_flow_action *act)
{
	const struct fc_tok *t = fc_peek(c);

	if (t == NULL || fc_tok_is(t, "end") || fc_tok_is(t, "/"))
		return fc_fail(c, -EINVAL, "%smissing the action", what);
	if (parse_action(c, what, 1, true, act) != 0)
		return c->rc;
	t = fc_peek(c);
	if (t == NULL || !fc_tok_is(t, "/") || c->i + 1 >= c->n ||
	    !fc_tok_is(&c->t[c->i + 1], "end"))
		return fc_fail(c, -EINVAL, "%sneeds '/ end' after the action",
			       what);
	c->i += 2;
	return 0;
}
