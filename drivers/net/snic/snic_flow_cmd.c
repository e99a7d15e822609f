/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * A rule as the dpdk-testpmd 22.11 commands that re-create it, so that a
 * refused offload can be logged in a replayable form (project rule).
 *
 * Output: zero or more set-up commands, each followed by "; ", then
 *   flow create <port> [group N] [priority N] [ingress] [egress] [transfer]
 *   pattern <item> / ... / end actions <action> / ... / end
 * Set-up commands exist because testpmd takes some action configurations
 * from its own state, not from the flow command:
 *   - VXLAN_ENCAP: "set vxlan ..." (snapshot taken when a rule or a
 *     "set sample_actions" is parsed), so a SAMPLE's encap comes before its
 *     "set sample_actions" and the rule's own encap comes last;
 *   - SAMPLE: "set sample_actions <index> ... / end";
 *   - INDIRECT: the PMD's handle has no number testpmd knows (and may be
 *     stale: it is never dereferenced here), so a fresh indirect COUNT is
 *     created under action id 0, 1, ... and the rule refers to it.
 * What testpmd cannot express (flow types 1/2, reserved bits, PMD-specific
 * items and actions, fields testpmd has no token for) is written between
 * '<' and '>', which testpmd refuses rather than silently replaying another
 * rule. The tunnel offload API's PMD item and action are such: testpmd
 * expresses them only as tunnel_match/tunnel_set <id> on the attributes,
 * with an id of testpmd's own that the rule does not carry.
 *
 * Items and actions are table-driven: one entry per type with its testpmd
 * name; item fields are described by offset/size so one formatter prints
 * "f is v" (full mask), "f spec v f mask m" (partial mask) or nothing.
 */

#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "snic.h"

/* Bounded writer: counts what would have been written, like snprintf. */
struct cmd_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void __rte_format_printf(2, 3)
cmd_printf(struct cmd_buf *b, const char *fmt, ...)
{
	size_t room = b->len < b->size ? b->size - b->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->buf + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* Lists are END-terminated; a bound keeps a corrupt one from looping. */
#define CMD_MAX_ENTRIES 256

/* ------------------------------------------------------------ values */

static void
cmd_mac(struct cmd_buf *b, const uint8_t *a)
{
	cmd_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x",
		   a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void
cmd_ip(struct cmd_buf *b, const void *a, bool v6)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, s, sizeof(s)) == NULL)
		s[0] = '\0';
	cmd_printf(b, "%s", s);
}

/* ------------------------------------------------------------- items */

enum fld_kind {
	FLD_BE,     /* big-endian number of 1..4 bytes, bits [shift, +bits) */
	FLD_HOST,   /* host-order uint8/16/32 */
	FLD_MAC,
	FLD_IPV4,
	FLD_IPV6,
};

struct item_fld {
	const char *name;     /* testpmd token */
	uint16_t off;
	uint8_t len;          /* bytes */
	uint8_t kind;         /* enum fld_kind */
	uint8_t shift;        /* FLD_BE: sub-field position */
	uint8_t bits;         /* FLD_BE: sub-field width, 0 = len * 8 */
	bool hex;             /* print the value in hex */
	bool no_token;        /* testpmd 22.11 has no token: write <...> */
};

/* Bit-fields have no offset: items with some get a small hook. */
typedef void (*item_extra_fn)(struct cmd_buf *b, const void *spec,
			      const void *mask);

struct item_desc {
	enum rte_flow_item_type type;
	const char *name;
	const void *def_mask; /* what a NULL mask means (rte_flow) */
	bool no_token;        /* PMD-specific: the whole item is <...> */
	item_extra_fn extra;
	struct item_fld f[8]; /* up to the first entry with name NULL */
};

static uint32_t
fld_num(const struct item_fld *d, const uint8_t *p)
{
	uint32_t v = 0;

	if (d->kind == FLD_HOST) {
		uint16_t v16;
		uint32_t v32;

		switch (d->len) {
		case 1:
			return p[0];
		case 2:
			memcpy(&v16, p, 2);
			return v16;
		default:
			memcpy(&v32, p, 4);
			return v32;
		}
	}
	for (unsigned int i = 0; i < d->len; i++)
		v = v << 8 | p[i];
	v >>= d->shift;
	if (d->bits != 0 && d->bits < 32)
		v &= (1u << d->bits) - 1;
	return v;
}

static uint32_t
fld_full(const struct item_fld *d)
{
	unsigned int bits = d->bits != 0 ? d->bits : d->len * 8u;

	return bits >= 32 ? UINT32_MAX : (1u << bits) - 1;
}

static void
fld_print_num(struct cmd_buf *b, const struct item_fld *d, uint32_t v,
	      bool hex)
{
	unsigned int bits = d->bits != 0 ? d->bits : d->len * 8u;

	if (hex)
		cmd_printf(b, "0x%0*x", (int)(bits + 3) / 4, v);
	else
		cmd_printf(b, "%u", v);
}

/* One value of a byte field (MAC, IP), masked. */
static void
fld_print_bytes(struct cmd_buf *b, const struct item_fld *d,
		const uint8_t *v, const uint8_t *m)
{
	uint8_t x[16];

	for (unsigned int i = 0; i < d->len; i++)
		x[i] = m != NULL ? v[i] & m[i] : v[i];
	if (d->kind == FLD_MAC)
		cmd_mac(b, x);
	else
		cmd_ip(b, x, d->kind == FLD_IPV6);
}

/* " name is v", " name spec v name mask m" or nothing (mask 0); plus
 * " name last l" for a range. */
static void
fld_print(struct cmd_buf *b, const struct item_fld *d, const uint8_t *spec,
	  const uint8_t *last, const uint8_t *mask)
{
	const char *open = d->no_token ? " <" : " ";
	const char *close = d->no_token ? ">" : "";

	if (d->kind == FLD_MAC || d->kind == FLD_IPV4 || d->kind == FLD_IPV6) {
		const uint8_t *s = spec + d->off, *m = mask + d->off;
		bool any = false, full = true, range = false;

		for (unsigned int i = 0; i < d->len; i++) {
			any |= m[i] != 0;
			full &= m[i] == 0xff;
			if (last != NULL)
				range |= ((last[d->off + i] ^ s[i]) & m[i]) != 0;
		}
		if (!any)
			return;
		cmd_printf(b, "%s%s %s ", open, d->name, full ? "is" : "spec");
		fld_print_bytes(b, d, s, m);
		if (!full) {
			cmd_printf(b, " %s mask ", d->name);
			fld_print_bytes(b, d, m, NULL);
		}
		if (range) {
			cmd_printf(b, " %s last ", d->name);
			fld_print_bytes(b, d, last + d->off, m);
		}
		cmd_printf(b, "%s", close);
		return;
	}

	uint32_t m = fld_num(d, mask + d->off);
	uint32_t v = fld_num(d, spec + d->off) & m;

	if (m == 0)
		return;
	if (m == fld_full(d)) {
		cmd_printf(b, "%s%s is ", open, d->name);
		fld_print_num(b, d, v, d->hex);
	} else {
		cmd_printf(b, "%s%s spec ", open, d->name);
		fld_print_num(b, d, v, d->hex);
		cmd_printf(b, " %s mask ", d->name);
		fld_print_num(b, d, m, true);
	}
	if (last != NULL) {
		uint32_t l = fld_num(d, last + d->off) & m;

		if (l != v && l != 0) {
			cmd_printf(b, " %s last ", d->name);
			fld_print_num(b, d, l, d->hex);
		}
	}
	cmd_printf(b, "%s", close);
}

static void
item_eth_extra(struct cmd_buf *b, const void *spec, const void *mask)
{
	const struct rte_flow_item_eth *s = spec, *m = mask;

	if (m->has_vlan)
		cmd_printf(b, " has_vlan is %u", s->has_vlan);
}

static void
item_vlan_extra(struct cmd_buf *b, const void *spec, const void *mask)
{
	const struct rte_flow_item_vlan *s = spec, *m = mask;

	if (m->has_more_vlan)
		cmd_printf(b, " has_more_vlan is %u", s->has_more_vlan);
}

static void
item_ipv6_extra(struct cmd_buf *b, const void *spec, const void *mask)
{
	const struct rte_flow_item_ipv6 *s = spec, *m = mask;

	if (m->has_frag_ext)
		cmd_printf(b, " has_frag_ext is %u", s->has_frag_ext);
}

#define OFF(t, f) ((uint16_t)offsetof(struct rte_flow_item_##t, f))
#define SZ(t, f) ((uint8_t)sizeof(((struct rte_flow_item_##t *)0)->f))
#define NUM(n, t, f, h) { n, OFF(t, f), SZ(t, f), FLD_BE, 0, 0, h, false }
#define HOST(n, t, f) { n, OFF(t, f), SZ(t, f), FLD_HOST, 0, 0, false, false }
#define BYTES(n, t, f, k) { n, OFF(t, f), SZ(t, f), k, 0, 0, false, false }

static const struct item_desc item_descs[] = {
	{ RTE_FLOW_ITEM_TYPE_ETH, "eth", &rte_flow_item_eth_mask, false,
	  item_eth_extra, {
		BYTES("dst", eth, dst, FLD_MAC),
		BYTES("src", eth, src, FLD_MAC),
		NUM("type", eth, type, true),
	} },
	{ RTE_FLOW_ITEM_TYPE_VLAN, "vlan", &rte_flow_item_vlan_mask, false,
	  item_vlan_extra, {
		NUM("tci", vlan, tci, false),
		NUM("inner_type", vlan, inner_type, true),
	} },
	{ RTE_FLOW_ITEM_TYPE_IPV4, "ipv4", &rte_flow_item_ipv4_mask, false,
	  NULL, {
		NUM("tos", ipv4, hdr.type_of_service, false),
		NUM("fragment_offset", ipv4, hdr.fragment_offset, true),
		NUM("ttl", ipv4, hdr.time_to_live, false),
		NUM("proto", ipv4, hdr.next_proto_id, false),
		BYTES("src", ipv4, hdr.src_addr, FLD_IPV4),
		BYTES("dst", ipv4, hdr.dst_addr, FLD_IPV4),
	} },
	{ RTE_FLOW_ITEM_TYPE_IPV6, "ipv6", &rte_flow_item_ipv6_mask, false,
	  item_ipv6_extra, {
		/* testpmd's tc and flow are parts of vtc_flow. */
		{ "tc", OFF(ipv6, hdr.vtc_flow), 4, FLD_BE, 20, 8, false,
		  false },
		{ "flow", OFF(ipv6, hdr.vtc_flow), 4, FLD_BE, 0, 20, false,
		  false },
		NUM("proto", ipv6, hdr.proto, false),
		NUM("hop", ipv6, hdr.hop_limits, false),
		BYTES("src", ipv6, hdr.src_addr, FLD_IPV6),
		BYTES("dst", ipv6, hdr.dst_addr, FLD_IPV6),
	} },
	{ RTE_FLOW_ITEM_TYPE_TCP, "tcp", &rte_flow_item_tcp_mask, false,
	  NULL, {
		NUM("src", tcp, hdr.src_port, false),
		NUM("dst", tcp, hdr.dst_port, false),
		NUM("flags", tcp, hdr.tcp_flags, true),
	} },
	{ RTE_FLOW_ITEM_TYPE_UDP, "udp", &rte_flow_item_udp_mask, false,
	  NULL, {
		NUM("src", udp, hdr.src_port, false),
		NUM("dst", udp, hdr.dst_port, false),
	} },
	{ RTE_FLOW_ITEM_TYPE_ICMP, "icmp", &rte_flow_item_icmp_mask, false,
	  NULL, {
		NUM("type", icmp, hdr.icmp_type, false),
		NUM("code", icmp, hdr.icmp_code, false),
	} },
	{ RTE_FLOW_ITEM_TYPE_VXLAN, "vxlan", &rte_flow_item_vxlan_mask, false,
	  NULL, {
		NUM("vni", vxlan, vni, false),
		NUM("last_rsvd", vxlan, rsvd1, true),
		/* No testpmd 22.11 token for these two. */
		{ "flags", OFF(vxlan, flags), 1, FLD_BE, 0, 0, true, true },
		{ "rsvd0", OFF(vxlan, rsvd0), 3, FLD_BE, 0, 0, true, true },
	} },
	{ RTE_FLOW_ITEM_TYPE_TAG, "tag", &rte_flow_item_tag_mask, false,
	  NULL, {
		HOST("data", tag, data),
		HOST("index", tag, index),
	} },
	{ RTE_FLOW_ITEM_TYPE_PORT_ID, "port_id", &rte_flow_item_port_id_mask,
	  false, NULL, {
		HOST("id", port_id, id),
	} },
	{ RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT, "represented_port",
	  &rte_flow_item_ethdev_mask, false, NULL, {
		HOST("ethdev_port_id", ethdev, port_id),
	} },
	/* PMD-specific: not replayable, but still worth reading. */
	{ RTE_FLOW_ITEM_TYPE_OUTER_IPV4, "outer_ipv4",
	  &rte_flow_item_ipv4_mask, true, NULL, {
		NUM("proto", ipv4, hdr.next_proto_id, false),
		BYTES("src", ipv4, hdr.src_addr, FLD_IPV4),
		BYTES("dst", ipv4, hdr.dst_addr, FLD_IPV4),
	} },
	{ RTE_FLOW_ITEM_TYPE_OUTER_IPV6, "outer_ipv6",
	  &rte_flow_item_ipv6_mask, true, NULL, {
		NUM("proto", ipv6, hdr.proto, false),
		BYTES("src", ipv6, hdr.src_addr, FLD_IPV6),
		BYTES("dst", ipv6, hdr.dst_addr, FLD_IPV6),
	} },
	/* The tunnel offload PMD item: testpmd adds it itself for "flow
	 * create ... tunnel_match <id>", an id of its own tunnel list that
	 * this formatter cannot know. */
	{ RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL, "snic_tunnel", NULL, true, NULL,
	  { { NULL } } },
};

static const struct item_desc *
item_desc_get(enum rte_flow_item_type type)
{
	for (unsigned int i = 0; i < RTE_DIM(item_descs); i++)
		if (item_descs[i].type == type)
			return &item_descs[i];
	return NULL;
}

static void
cmd_item(struct cmd_buf *b, const struct rte_flow_item *it)
{
	const struct item_desc *d = item_desc_get(it->type);
	const void *mask;

	if (d == NULL) {
		cmd_printf(b, "<type %d>", (int)it->type);
		return;
	}
	cmd_printf(b, "%s%s", d->no_token ? "<" : "", d->name);
	/* No spec: the item only says the header is there. */
	if (it->spec != NULL) {
		mask = it->mask != NULL ? it->mask : d->def_mask;
		for (const struct item_fld *f = d->f; f->name != NULL; f++)
			fld_print(b, f, it->spec, it->last, mask);
		if (d->extra != NULL)
			d->extra(b, it->spec, mask);
	}
	cmd_printf(b, "%s", d->no_token ? ">" : "");
}

/* ----------------------------------------------------------- actions */

struct cmd_ctx {
	uint16_t port_id;
	uint32_t n_sample;    /* next "set sample_actions" index */
	uint32_t n_indirect;  /* next indirect action id */
};

typedef void (*action_fn)(struct cmd_buf *b, const void *conf,
			  struct cmd_ctx *c);

struct action_desc {
	enum rte_flow_action_type type;
	const char *name;
	action_fn fmt;        /* what follows the name; NULL: nothing */
	bool need_conf;
};

static void
act_port_id(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	const struct rte_flow_action_port_id *a = conf;

	RTE_SET_USED(c);
	cmd_printf(b, "%s id %u", a->original ? " original 1" : "", a->id);
}

static void
act_ethdev(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " ethdev_port_id %u",
		   ((const struct rte_flow_action_ethdev *)conf)->port_id);
}

static void
act_representor(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " port_id %u",
		   ((const struct rte_flow_action_ethdev *)conf)->port_id);
}

static void
act_push_vlan(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " ethertype 0x%04x", rte_be_to_cpu_16(
		((const struct rte_flow_action_of_push_vlan *)conf)->ethertype));
}

static void
act_set_vid(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " vlan_vid %u", rte_be_to_cpu_16(
		((const struct rte_flow_action_of_set_vlan_vid *)conf)->vlan_vid));
}

static void
act_set_pcp(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " vlan_pcp %u",
		((const struct rte_flow_action_of_set_vlan_pcp *)conf)->vlan_pcp);
}

static void
act_set_mac(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " mac_addr ");
	cmd_mac(b, ((const struct rte_flow_action_set_mac *)conf)->mac_addr);
}

static void
act_set_ipv4(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " ipv4_addr ");
	cmd_ip(b, &((const struct rte_flow_action_set_ipv4 *)conf)->ipv4_addr,
	       false);
}

static void
act_set_ipv6(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " ipv6_addr ");
	cmd_ip(b, ((const struct rte_flow_action_set_ipv6 *)conf)->ipv6_addr,
	       true);
}

static void
act_set_tag(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	const struct rte_flow_action_set_tag *a = conf;

	RTE_SET_USED(c);
	cmd_printf(b, " data %u index %u", a->data, a->index);
	/* testpmd's default mask is all ones; the PMD ignores it anyway. */
	if (a->mask != UINT32_MAX)
		cmd_printf(b, " mask 0x%x", a->mask);
}

static void
act_queue(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " index %u",
		   ((const struct rte_flow_action_queue *)conf)->index);
}

/* testpmd's names of the MODIFY_FIELD fields and operations in use. */
static const struct {
	enum rte_flow_field_id id;
	const char *name;
	uint8_t bytes;        /* of src.value holding the value */
} modify_fields[] = {
	{ RTE_FLOW_FIELD_IPV4_DSCP, "ipv4_dscp", 1 },
	{ RTE_FLOW_FIELD_IPV6_DSCP, "ipv6_dscp", 1 },
	{ RTE_FLOW_FIELD_VXLAN_VNI, "vxlan_vni", 3 },
	{ RTE_FLOW_FIELD_TAG, "tag", 4 },
	{ RTE_FLOW_FIELD_VALUE, "value", 0 },
};

static void
act_modify(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	static const char *const ops[] = { "set", "add", "sub" };
	const struct rte_flow_action_modify_field *a = conf;
	unsigned int bytes = 0, i;

	RTE_SET_USED(c);
	if ((unsigned int)a->operation < RTE_DIM(ops))
		cmd_printf(b, " op %s", ops[a->operation]);
	else
		cmd_printf(b, " op <%d>", (int)a->operation);
	for (i = 0; i < RTE_DIM(modify_fields); i++)
		if (modify_fields[i].id == a->dst.field)
			break;
	if (i < RTE_DIM(modify_fields)) {
		cmd_printf(b, " dst_type %s", modify_fields[i].name);
		bytes = modify_fields[i].bytes;
	} else {
		/* e.g. the PMD's VXLAN_RSVD0 (3 bytes of value) */
		cmd_printf(b, " dst_type <field %d>", (int)a->dst.field);
		bytes = a->dst.field == RTE_FLOW_FIELD_VXLAN_RSVD0 ? 3 : 0;
	}
	if (a->dst.offset != 0)
		cmd_printf(b, " dst_offset %u", a->dst.offset);
	if (a->src.field != RTE_FLOW_FIELD_VALUE) {
		cmd_printf(b, " src_type <field %d> width %u",
			   (int)a->src.field, a->width);
		return;
	}
	/* src_value is parsed as hex bytes into src.value[0..]: the value is
	 * big-endian in the field's first bytes (docs/snic.md MODIFY_FIELD). */
	if (bytes == 0)
		for (bytes = sizeof(a->src.value); bytes > 1 &&
		     a->src.value[bytes - 1] == 0; bytes--)
			;
	cmd_printf(b, " src_type value src_value ");
	for (i = 0; i < bytes; i++)
		cmd_printf(b, "%02x", a->src.value[i]);
	cmd_printf(b, " width %u", a->width);
}

static void
act_sample(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	cmd_printf(b, " ratio %u index %u",
		   ((const struct rte_flow_action_sample *)conf)->ratio,
		   c->n_sample++);
}

static void
act_meter(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(c);
	cmd_printf(b, " mtr_id %u",
		   ((const struct rte_flow_action_meter *)conf)->mtr_id);
}

static void
act_indirect(struct cmd_buf *b, const void *conf, struct cmd_ctx *c)
{
	RTE_SET_USED(conf);
	cmd_printf(b, " %u", c->n_indirect++);
}

static const struct action_desc action_descs[] = {
	{ RTE_FLOW_ACTION_TYPE_COUNT, "count", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_DROP, "drop", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_PORT_ID, "port_id", act_port_id, true },
	{ RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, "represented_port",
	  act_ethdev, true },
	{ RTE_FLOW_ACTION_TYPE_PORT_REPRESENTOR, "port_representor",
	  act_representor, true },
	{ RTE_FLOW_ACTION_TYPE_QUEUE, "queue", act_queue, true },
	/* The PMD's UPCALL is what testpmd spells QUEUE 0 (docs/snic.md). */
	{ RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, "queue index 0", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, "of_pop_vlan", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, "of_push_vlan", act_push_vlan,
	  true },
	{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, "of_set_vlan_vid",
	  act_set_vid, true },
	{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, "of_set_vlan_pcp",
	  act_set_pcp, true },
	{ RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, "vxlan_decap", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, "vxlan_encap", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_DEC_TTL, "dec_ttl", NULL, false },
	{ RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, "set_mac_src", act_set_mac, true },
	{ RTE_FLOW_ACTION_TYPE_SET_MAC_DST, "set_mac_dst", act_set_mac, true },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, "set_ipv4_src", act_set_ipv4,
	  true },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV4_DST, "set_ipv4_dst", act_set_ipv4,
	  true },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC, "set_ipv6_src", act_set_ipv6,
	  true },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV6_DST, "set_ipv6_dst", act_set_ipv6,
	  true },
	{ RTE_FLOW_ACTION_TYPE_SET_TAG, "set_tag", act_set_tag, true },
	{ RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, "modify_field", act_modify,
	  true },
	{ RTE_FLOW_ACTION_TYPE_SAMPLE, "sample", act_sample, true },
	{ RTE_FLOW_ACTION_TYPE_INDIRECT, "indirect", act_indirect, false },
	{ RTE_FLOW_ACTION_TYPE_METER, "meter", act_meter, true },
	/* testpmd 22.11 has no token for the tunnel offload PMD action: it
	 * adds it itself for "flow create ... tunnel_set <id>", an id of its
	 * own tunnel list that this formatter cannot know. */
	{ RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET, "<snic_tunnel_set>", NULL,
	  false },
};

static const struct action_desc *
action_desc_get(enum rte_flow_action_type type)
{
	for (unsigned int i = 0; i < RTE_DIM(action_descs); i++)
		if (action_descs[i].type == type)
			return &action_descs[i];
	return NULL;
}

/* "<a> / <b> / end" (VOIDs left out: they mean nothing). */
static void
cmd_actions(struct cmd_buf *b, const struct rte_flow_action *acts,
	    struct cmd_ctx *c)
{
	unsigned int n = 0;

	if (acts == NULL) {
		cmd_printf(b, "<null> end");
		return;
	}
	for (; acts->type != RTE_FLOW_ACTION_TYPE_END; acts++) {
		const struct action_desc *d = action_desc_get(acts->type);

		if (++n > CMD_MAX_ENTRIES) {
			cmd_printf(b, "<no end> ");
			break;
		}
		if (acts->type == RTE_FLOW_ACTION_TYPE_VOID)
			continue;
		if (d == NULL)
			cmd_printf(b, "<type %d>", (int)acts->type);
		else if (d->need_conf && acts->conf == NULL)
			cmd_printf(b, "%s <null conf>", d->name);
		else
			cmd_printf(b, "%s", d->name);
		if (d != NULL && d->fmt != NULL &&
		    (!d->need_conf || acts->conf != NULL))
			d->fmt(b, acts->conf, c);
		cmd_printf(b, " / ");
	}
	cmd_printf(b, "end");
}

/* "set vxlan ...; " from a VXLAN_ENCAP definition, in the form testpmd
 * needs: plain, -with-vlan (outer tag) or -tos-ttl (non-default TOS/TTL;
 * testpmd's default TTL is 64, as is the PMD's for 0). */
static void
cmd_set_vxlan(struct cmd_buf *b, const struct rte_flow_action *act)
{
	const struct rte_flow_action_vxlan_encap *e = act->conf;
	const struct rte_flow_item_eth *eth = NULL;
	const struct rte_flow_item_vlan *vlan = NULL;
	const struct rte_flow_item_ipv4 *ip4 = NULL;
	const struct rte_flow_item_ipv6 *ip6 = NULL;
	const struct rte_flow_item_udp *udp = NULL;
	const struct rte_flow_item_vxlan *vx = NULL;
	const struct rte_flow_item *it;
	unsigned int tos = 0, ttl = 0, n = 0;

	for (it = e != NULL ? e->definition : NULL;
	     it != NULL && it->type != RTE_FLOW_ITEM_TYPE_END &&
	     ++n <= CMD_MAX_ENTRIES; it++) {
		switch (it->type) {
		case RTE_FLOW_ITEM_TYPE_ETH: eth = it->spec; break;
		case RTE_FLOW_ITEM_TYPE_VLAN: vlan = it->spec; break;
		case RTE_FLOW_ITEM_TYPE_IPV4: ip4 = it->spec; break;
		case RTE_FLOW_ITEM_TYPE_IPV6: ip6 = it->spec; break;
		case RTE_FLOW_ITEM_TYPE_UDP: udp = it->spec; break;
		case RTE_FLOW_ITEM_TYPE_VXLAN: vx = it->spec; break;
		default: break;
		}
	}
	if (eth == NULL || (ip4 == NULL) == (ip6 == NULL) || udp == NULL ||
	    vx == NULL) {
		cmd_printf(b, "set vxlan <definition not expressible>; ");
		return;
	}
	if (ip4 != NULL) {
		tos = ip4->hdr.type_of_service;
		ttl = ip4->hdr.time_to_live;
	} else {
		tos = (rte_be_to_cpu_32(ip6->hdr.vtc_flow) >> 20) & 0xff;
		ttl = ip6->hdr.hop_limits;
	}
	if (ttl == 0)
		ttl = 64;
	cmd_printf(b, "set vxlan%s ip-version %s vni %u udp-src %u udp-dst %u",
		   vlan != NULL ? "-with-vlan" :
		   tos != 0 || ttl != 64 ? "-tos-ttl" : "",
		   ip4 != NULL ? "ipv4" : "ipv6",
		   (unsigned int)vx->vni[0] << 16 | vx->vni[1] << 8 | vx->vni[2],
		   rte_be_to_cpu_16(udp->hdr.src_port),
		   rte_be_to_cpu_16(udp->hdr.dst_port));
	if (vlan == NULL && (tos != 0 || ttl != 64))
		cmd_printf(b, " ip-tos %u ip-ttl %u", tos, ttl);
	cmd_printf(b, " ip-src ");
	cmd_ip(b, ip4 != NULL ? (const void *)&ip4->hdr.src_addr :
	       ip6->hdr.src_addr, ip6 != NULL);
	cmd_printf(b, " ip-dst ");
	cmd_ip(b, ip4 != NULL ? (const void *)&ip4->hdr.dst_addr :
	       ip6->hdr.dst_addr, ip6 != NULL);
	if (vlan != NULL)
		cmd_printf(b, " vlan-tci %u", rte_be_to_cpu_16(vlan->tci));
	cmd_printf(b, " eth-src ");
	cmd_mac(b, eth->src.addr_bytes);
	cmd_printf(b, " eth-dst ");
	cmd_mac(b, eth->dst.addr_bytes);
	cmd_printf(b, "; ");
}

/* Set-up commands, in the order testpmd needs (file comment). */
static void
cmd_prologue(struct cmd_buf *b, const struct rte_flow_action *acts,
	     struct cmd_ctx *c)
{
	const struct rte_flow_action *a;
	unsigned int n = 0;

	for (a = acts; a->type != RTE_FLOW_ACTION_TYPE_END &&
	     ++n <= CMD_MAX_ENTRIES; a++) {
		const struct rte_flow_action_sample *s = a->conf;

		if (a->type == RTE_FLOW_ACTION_TYPE_INDIRECT) {
			cmd_printf(b, "flow indirect_action %u create "
				   "action_id %u ingress action count / end; ",
				   c->port_id, c->n_indirect++);
		} else if (a->type == RTE_FLOW_ACTION_TYPE_SAMPLE &&
			   s != NULL) {
			unsigned int k = 0;

			for (const struct rte_flow_action *sa = s->actions;
			     sa != NULL && sa->type != RTE_FLOW_ACTION_TYPE_END
			     && ++k <= CMD_MAX_ENTRIES; sa++)
				if (sa->type == RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP)
					cmd_set_vxlan(b, sa);
			cmd_printf(b, "set sample_actions %u ", c->n_sample++);
			cmd_actions(b, s->actions, c);
			cmd_printf(b, "; ");
		}
	}
	n = 0;
	for (a = acts; a->type != RTE_FLOW_ACTION_TYPE_END &&
	     ++n <= CMD_MAX_ENTRIES; a++)
		if (a->type == RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP)
			cmd_set_vxlan(b, a);
}

/* -------------------------------------------------------------- rule */

static void
cmd_attr(struct cmd_buf *b, const struct rte_flow_attr *attr)
{
	uint32_t type = rte_pmd_snic_flow_type_get(attr);
	uint32_t low = attr->reserved &
		       ((1u << RTE_PMD_SNIC_FLOW_TYPE_SHIFT) - 1);
	uint32_t group = attr->group;

	/* testpmd cannot set attr.reserved: ACL rules use the group alias. */
	if (type == RTE_PMD_SNIC_FLOW_TYPE_ACL)
		group += RTE_PMD_SNIC_ACL_GROUP_BASE;
	if (group != 0)
		cmd_printf(b, " group %u", group);
	if (type == RTE_PMD_SNIC_FLOW_TYPE_FUZZY ||
	    type == RTE_PMD_SNIC_FLOW_TYPE_DPHASH)
		cmd_printf(b, " <flow type %u>", type);
	if (low != 0)
		cmd_printf(b, " <reserved 0x%x>", low);
	if (attr->priority != 0)
		cmd_printf(b, " priority %u", attr->priority);
	if (attr->ingress)
		cmd_printf(b, " ingress");
	if (attr->egress)
		cmd_printf(b, " egress");
	if (attr->transfer)
		cmd_printf(b, " transfer");
}

int
snic_flow_cmd_format(char *buf, size_t size, uint16_t port_id,
		     const struct rte_flow_attr *attr,
		     const struct rte_flow_item items[],
		     const struct rte_flow_action actions[])
{
	struct cmd_buf b = { .buf = buf, .size = buf != NULL ? size : 0 };
	struct cmd_ctx c = { .port_id = port_id };
	unsigned int n = 0;

	if (b.size > 0)
		buf[0] = '\0';
	if (actions != NULL)
		cmd_prologue(&b, actions, &c);
	/* The rule numbers its samples and handles as the prologue did. */
	c.n_sample = 0;
	c.n_indirect = 0;
	cmd_printf(&b, "flow create %u", port_id);
	if (attr != NULL)
		cmd_attr(&b, attr);
	else
		cmd_printf(&b, " <null attr>");
	cmd_printf(&b, " pattern ");
	if (items == NULL)
		cmd_printf(&b, "<null> ");
	for (; items != NULL && items->type != RTE_FLOW_ITEM_TYPE_END;
	     items++) {
		if (++n > CMD_MAX_ENTRIES) {
			cmd_printf(&b, "<no end> ");
			break;
		}
		if (items->type == RTE_FLOW_ITEM_TYPE_VOID)
			continue;
		cmd_item(&b, items);
		cmd_printf(&b, " / ");
	}
	cmd_printf(&b, "end actions ");
	cmd_actions(&b, actions, &c);
	return b.len > INT_MAX ? INT_MAX : (int)b.len;
}
