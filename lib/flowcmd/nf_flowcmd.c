/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nf_flowcmd: statements, attributes, pattern items, "set vxlan" and the
 * rule's storage (nf_flowcmd.h has the syntax). Actions are in
 * nf_flowcmd_actions.c.
 *
 * The input is split into words once; each ';'-separated statement is then
 * parsed left to right with one word of look-ahead. Items are table-driven
 * like snic_flow_cmd.c's formatter: one entry per item with its testpmd
 * name and its fields described by offset, size and kind, so one routine
 * applies "FIELD is|spec|last|mask|prefix VALUE" to any of them.
 * Everything a rule points to lives in chunks of one arena (chunks never
 * move, so pointers taken while parsing stay valid); on error the arena is
 * freed whole.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include "nf_flowcmd_private.h"

/* ---------------------------------------------------------- storage */

#define FC_CHUNK 4096

void *
fc_alloc(struct fc_ctx *c, size_t size)
{
	struct nf_flowcmd_mem *m = c->mem;
	size_t need = RTE_ALIGN_CEIL(size == 0 ? 1 : size, 16);

	if (m == NULL || m->size - m->used < need) {
		size_t sz = need > FC_CHUNK ? need : FC_CHUNK;

		m = calloc(1, sizeof(*m) + sz);
		if (m == NULL) {
			fc_fail(c, -ENOMEM, "out of memory");
			return NULL;
		}
		m->size = sz;
		m->next = c->mem;
		c->mem = m;
	}
	m->used += need;
	return m->data + m->used - need;
}

static void
fc_mem_free(struct nf_flowcmd_mem *m)
{
	while (m != NULL) {
		struct nf_flowcmd_mem *next = m->next;

		free(m);
		m = next;
	}
}

int
fc_fail(struct fc_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->rc != 0)
		return c->rc;
	c->rc = rc;
	if (c->err != NULL && c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ----------------------------------------------------------- values */

/* A token as a C string (values are short; longer ones are invalid). */
static int
tok_cstr(const struct fc_tok *t, char *buf, size_t size)
{
	if (t->len >= size)
		return -EINVAL;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	return 0;
}

int
fc_parse_uint(const struct fc_tok *t, uint64_t max, uint64_t *v)
{
	char buf[32], *end;
	uintmax_t u;

	if (tok_cstr(t, buf, sizeof(buf)) != 0 || !isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	u = strtoumax(buf, &end, 0);
	if (errno != 0 || *end != '\0' || u > max)
		return -EINVAL;
	*v = u;
	return 0;
}

int
fc_parse_mac(const struct fc_tok *t, uint8_t mac[6])
{
	struct rte_ether_addr a;
	char buf[32];

	if (tok_cstr(t, buf, sizeof(buf)) != 0 ||
	    rte_ether_unformat_addr(buf, &a) != 0)
		return -EINVAL;
	memcpy(mac, a.addr_bytes, 6);
	return 0;
}

int
fc_parse_ip(const struct fc_tok *t, bool v6, uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (tok_cstr(t, buf, sizeof(buf)) != 0 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------ items */

enum fc_fkind {
	F_BE,   /* big-endian number of len bytes, bits [shift, shift+bits) */
	F_HOST, /* host-order uint8/16/32 */
	F_BIT,  /* a 1-bit bit-field, located with probe() */
	F_MAC,
	F_IPV4,
	F_IPV6,
};

struct fc_field {
	const char *name;      /* testpmd token */
	uint16_t off;
	uint8_t len;           /* bytes */
	uint8_t kind;          /* enum fc_fkind */
	uint8_t shift;         /* F_BE sub-field */
	uint8_t bits;          /* F_BE sub-field width; 0: len * 8 */
	void (*probe)(void *obj); /* F_BIT: sets the bit */
};

struct fc_item_desc {
	const char *name;
	enum rte_flow_item_type type;
	uint16_t size;         /* spec/last/mask size; 0: no fields */
	struct fc_field f[9];  /* up to the first with name NULL */
};

#define FC_ITEM_MAX_SIZE 128

static void
probe_eth_has_vlan(void *o)
{
	((struct rte_flow_item_eth *)o)->has_vlan = 1;
}

static void
probe_vlan_more(void *o)
{
	((struct rte_flow_item_vlan *)o)->has_more_vlan = 1;
}

static void
probe_ipv6_frag(void *o)
{
	((struct rte_flow_item_ipv6 *)o)->has_frag_ext = 1;
}

#define IOFF(t, f) ((uint16_t)offsetof(struct rte_flow_item_##t, f))
#define ISZ(t, f) ((uint8_t)sizeof(((struct rte_flow_item_##t *)0)->f))
#define BE(n, t, f) { n, IOFF(t, f), ISZ(t, f), F_BE, 0, 0, NULL }
#define BE_BITS(n, t, f, sh, b) { n, IOFF(t, f), ISZ(t, f), F_BE, sh, b, NULL }
#define HOST(n, t, f) { n, IOFF(t, f), ISZ(t, f), F_HOST, 0, 0, NULL }
#define BYTES(n, t, f, k) { n, IOFF(t, f), ISZ(t, f), k, 0, 0, NULL }
#define BIT(n, p) { n, 0, 1, F_BIT, 0, 0, p }
#define ITEM(n, T, t) n, RTE_FLOW_ITEM_TYPE_##T, \
	(uint16_t)sizeof(struct rte_flow_item_##t)

static const struct fc_item_desc item_descs[] = {
	{ "void", RTE_FLOW_ITEM_TYPE_VOID, 0, { { NULL } } },
	{ ITEM("eth", ETH, eth), {
		BYTES("dst", eth, dst, F_MAC),
		BYTES("src", eth, src, F_MAC),
		BE("type", eth, type),
		BIT("has_vlan", probe_eth_has_vlan),
	} },
	{ ITEM("vlan", VLAN, vlan), {
		BE("tci", vlan, tci),
		BE_BITS("pcp", vlan, tci, 13, 3),
		BE_BITS("dei", vlan, tci, 12, 1),
		BE_BITS("vid", vlan, tci, 0, 12),
		BE("inner_type", vlan, inner_type),
		BIT("has_more_vlan", probe_vlan_more),
	} },
	{ ITEM("ipv4", IPV4, ipv4), {
		BE("version_ihl", ipv4, hdr.version_ihl),
		BE("tos", ipv4, hdr.type_of_service),
		BE("packet_id", ipv4, hdr.packet_id),
		BE("fragment_offset", ipv4, hdr.fragment_offset),
		BE("ttl", ipv4, hdr.time_to_live),
		BE("proto", ipv4, hdr.next_proto_id),
		BYTES("src", ipv4, hdr.src_addr, F_IPV4),
		BYTES("dst", ipv4, hdr.dst_addr, F_IPV4),
	} },
	{ ITEM("ipv6", IPV6, ipv6), {
		/* traffic class and flow label are parts of vtc_flow */
		BE_BITS("tc", ipv6, hdr.vtc_flow, 20, 8),
		BE_BITS("flow", ipv6, hdr.vtc_flow, 0, 20),
		BE("proto", ipv6, hdr.proto),
		BE("hop", ipv6, hdr.hop_limits),
		BYTES("src", ipv6, hdr.src_addr, F_IPV6),
		BYTES("dst", ipv6, hdr.dst_addr, F_IPV6),
		BIT("has_frag_ext", probe_ipv6_frag),
	} },
	{ ITEM("icmp", ICMP, icmp), {
		BE("type", icmp, hdr.icmp_type),
		BE("code", icmp, hdr.icmp_code),
		BE("ident", icmp, hdr.icmp_ident),
		BE("seq", icmp, hdr.icmp_seq_nb),
	} },
	{ ITEM("udp", UDP, udp), {
		BE("src", udp, hdr.src_port),
		BE("dst", udp, hdr.dst_port),
	} },
	{ ITEM("tcp", TCP, tcp), {
		BE("src", tcp, hdr.src_port),
		BE("dst", tcp, hdr.dst_port),
		BE("flags", tcp, hdr.tcp_flags),
	} },
	{ ITEM("vxlan", VXLAN, vxlan), {
		BE("vni", vxlan, vni),
		BE("last_rsvd", vxlan, rsvd1),
	} },
	{ ITEM("tag", TAG, tag), {
		HOST("data", tag, data),
		HOST("index", tag, index),
	} },
	{ ITEM("port_id", PORT_ID, port_id), {
		HOST("id", port_id, id),
	} },
	{ ITEM("represented_port", REPRESENTED_PORT, ethdev), {
		HOST("ethdev_port_id", ethdev, port_id),
	} },
};

static const struct fc_item_desc *
item_desc_find(const struct fc_tok *t)
{
	for (unsigned int i = 0; i < RTE_DIM(item_descs); i++)
		if (fc_tok_is(t, item_descs[i].name))
			return &item_descs[i];
	return NULL;
}

static unsigned int
fld_bits(const struct fc_field *f)
{
	if (f->kind == F_BIT)
		return 1;
	if (f->kind == F_BE && f->bits != 0)
		return f->bits;
	return f->len * 8u;
}

/* Where a bit-field lives: its byte and bit in an object of item size. */
static void
fld_bit_locate(const struct fc_field *f, uint16_t *off, uint8_t *bit)
{
	uint8_t tmp[FC_ITEM_MAX_SIZE] = { 0 };

	f->probe(tmp);
	for (unsigned int i = 0; i < sizeof(tmp); i++)
		if (tmp[i] != 0) {
			*off = (uint16_t)i;
			*bit = tmp[i];
			return;
		}
	*off = 0;
	*bit = 0;
}

/* Set a numeric field of obj to v (v fits fld_bits(f)). */
static void
fld_set_num(const struct fc_field *f, uint8_t *obj, uint64_t v)
{
	uint8_t *p = obj + f->off;

	switch (f->kind) {
	case F_HOST:
		if (f->len == 1) {
			*p = (uint8_t)v;
		} else if (f->len == 2) {
			uint16_t x = (uint16_t)v;

			memcpy(p, &x, 2);
		} else {
			uint32_t x = (uint32_t)v;

			memcpy(p, &x, 4);
		}
		return;
	case F_BIT: {
		uint16_t off;
		uint8_t bit;

		fld_bit_locate(f, &off, &bit);
		obj[off] = (uint8_t)(v != 0 ? obj[off] | bit : obj[off] & ~bit);
		return;
	}
	default: {
		unsigned int bits = fld_bits(f);
		uint64_t x = 0, fm = (bits >= 64 ? UINT64_MAX :
				      (UINT64_C(1) << bits) - 1) << f->shift;

		for (unsigned int i = 0; i < f->len; i++)
			x = x << 8 | p[i];
		x = (x & ~fm) | ((v << f->shift) & fm);
		for (unsigned int i = f->len; i-- > 0; x >>= 8)
			p[i] = (uint8_t)x;
		return;
	}
	}
}

/* Set the first n bits of a byte field (MAC, IP) of obj, clear the rest. */
static void
fld_set_prefix_bytes(const struct fc_field *f, uint8_t *obj, unsigned int n)
{
	uint8_t *p = obj + f->off;

	for (unsigned int i = 0; i < f->len; i++, n = n > 8 ? n - 8 : 0)
		p[i] = n >= 8 ? 0xff : (uint8_t)(0xff00 >> n);
}

enum fc_param { P_IS, P_SPEC, P_LAST, P_MASK, P_PREFIX };

struct fc_item_state {
	struct rte_flow_item *item;
	const struct fc_item_desc *d;
	unsigned int pos;
	uint8_t *buf[3];       /* spec, last, mask */
};

static uint8_t *
item_buf(struct fc_ctx *c, struct fc_item_state *s, unsigned int which)
{
	if (s->buf[which] == NULL)
		s->buf[which] = fc_alloc(c, s->d->size);
	return s->buf[which];
}

/* "FIELD PARAM VALUE" at c->i. */
static int
item_field(struct fc_ctx *c, struct fc_item_state *s)
{
	static const char *const params[] = {
		"is", "spec", "last", "mask", "prefix",
	};
	const struct fc_tok *ft = &c->t[c->i++], *pt, *vt;
	const struct fc_field *f = NULL;
	unsigned int p, bits;
	uint8_t bytes[16];
	uint64_t v = 0;
	uint8_t *spec, *mask, *dst;

	for (unsigned int i = 0; s->d->f[i].name != NULL; i++)
		if (fc_tok_is(ft, s->d->f[i].name))
			f = &s->d->f[i];
	if (f == NULL)
		return fc_fail(c, -EINVAL,
			       "pattern item %u '%s': unknown field '%.*s'",
			       s->pos, s->d->name, (int)ft->len, ft->s);
	pt = fc_peek(c);
	for (p = 0; pt != NULL && p < RTE_DIM(params); p++)
		if (fc_tok_is(pt, params[p]))
			break;
	if (pt == NULL || p == RTE_DIM(params))
		return fc_fail(c, -EINVAL,
			       "pattern item %u '%s': field '%s' needs is, spec, last, mask or prefix",
			       s->pos, s->d->name, f->name);
	c->i++;
	vt = fc_peek(c);
	if (vt == NULL || fc_tok_is(vt, "/"))
		return fc_fail(c, -EINVAL,
			       "pattern item %u '%s': field '%s' needs a value after '%s'",
			       s->pos, s->d->name, f->name, params[p]);
	c->i++;
	bits = fld_bits(f);
	if (p == P_PREFIX) {
		if (fc_parse_uint(vt, bits, &v) != 0)
			return fc_fail(c, -EINVAL,
				       "pattern item %u '%s': bad prefix '%.*s' for field '%s' (0..%u)",
				       s->pos, s->d->name, (int)vt->len,
				       vt->s, f->name, bits);
	} else if (f->kind == F_MAC || f->kind == F_IPV4 ||
		   f->kind == F_IPV6) {
		int rc = f->kind == F_MAC ? fc_parse_mac(vt, bytes) :
			 fc_parse_ip(vt, f->kind == F_IPV6, bytes);

		if (rc != 0)
			return fc_fail(c, -EINVAL,
				       "pattern item %u '%s': bad %s '%.*s' for field '%s'",
				       s->pos, s->d->name,
				       f->kind == F_MAC ? "MAC address" :
				       f->kind == F_IPV4 ? "IPv4 address" :
				       "IPv6 address", (int)vt->len, vt->s,
				       f->name);
	} else {
		uint64_t max = bits >= 64 ? UINT64_MAX :
			       (UINT64_C(1) << bits) - 1;

		if (fc_parse_uint(vt, max, &v) != 0)
			return fc_fail(c, -EINVAL,
				       "pattern item %u '%s': bad value '%.*s' for field '%s' (0..%" PRIu64 ")",
				       s->pos, s->d->name, (int)vt->len,
				       vt->s, f->name, max);
	}

	spec = p == P_IS || p == P_SPEC ? item_buf(c, s, 0) :
	       p == P_LAST ? item_buf(c, s, 1) : NULL;
	mask = p == P_IS || p == P_MASK || p == P_PREFIX ? item_buf(c, s, 2) :
	       NULL;
	if (c->rc != 0)
		return c->rc;
	if (p == P_SPEC || p == P_IS)
		s->item->spec = spec;
	if (p == P_LAST)
		s->item->last = spec;
	if (mask != NULL)
		s->item->mask = mask;
	/* the value goes to spec/last, or to the mask for mask */
	dst = spec != NULL ? spec : p == P_MASK ? mask : NULL;
	if (f->kind == F_MAC || f->kind == F_IPV4 || f->kind == F_IPV6) {
		if (dst != NULL)
			memcpy(dst + f->off, bytes, f->len);
		if (p == P_IS)
			fld_set_prefix_bytes(f, mask, f->len * 8u);
		else if (p == P_PREFIX)
			fld_set_prefix_bytes(f, mask, (unsigned int)v);
		return 0;
	}
	if (dst != NULL)
		fld_set_num(f, dst, v);
	if (p == P_IS)
		fld_set_num(f, mask, bits >= 64 ? UINT64_MAX :
			    (UINT64_C(1) << bits) - 1);
	else if (p == P_PREFIX)
		fld_set_num(f, mask, v == 0 ? 0 :
			    ((UINT64_C(1) << v) - 1) << (bits - v));
	return 0;
}

/* "ITEM ... / ... / end" from c->i. */
static int
parse_pattern(struct fc_ctx *c, struct nf_flowcmd_rule *r)
{
	struct rte_flow_item tmp[NF_FLOWCMD_MAX_ITEMS];
	unsigned int n = 0;

	for (;;) {
		const struct fc_tok *t = fc_peek(c);
		struct fc_item_state s = { .pos = n + 1 };

		if (t == NULL)
			return fc_fail(c, -EINVAL, "pattern: missing 'end'");
		c->i++;
		if (fc_tok_is(t, "end"))
			break;
		if (n == NF_FLOWCMD_MAX_ITEMS)
			return fc_fail(c, -EINVAL,
				       "pattern: more than %u items",
				       NF_FLOWCMD_MAX_ITEMS);
		s.d = item_desc_find(t);
		if (s.d == NULL)
			return fc_fail(c, -EINVAL,
				       "pattern item %u: unknown item '%.*s'",
				       s.pos, (int)t->len, t->s);
		tmp[n] = (struct rte_flow_item){ .type = s.d->type };
		s.item = &tmp[n];
		for (;;) {
			t = fc_peek(c);
			if (t == NULL)
				return fc_fail(c, -EINVAL,
					       "pattern: missing 'end'");
			if (fc_tok_is(t, "/")) {
				c->i++;
				break;
			}
			if (item_field(c, &s) != 0)
				return c->rc;
		}
		n++;
	}
	r->pattern = fc_alloc(c, (n + 1) * sizeof(*r->pattern));
	if (r->pattern == NULL)
		return c->rc;
	memcpy(r->pattern, tmp, n * sizeof(*tmp));
	r->pattern[n].type = RTE_FLOW_ITEM_TYPE_END;
	r->n_pattern = n;
	return 0;
}

/* ------------------------------------------------------- set vxlan */

int
fc_vxlan_keys(struct fc_ctx *c, struct fc_vxlan *vx, const char *what)
{
	enum { K_VER, K_VNI, K_USRC, K_UDST, K_TOS, K_TTL, K_IPSRC, K_IPDST,
	       K_TCI, K_ESRC, K_EDST, K_N };
	static const char *const keys[K_N] = {
		"ip-version", "vni", "udp-src", "udp-dst", "ip-tos", "ip-ttl",
		"ip-src", "ip-dst", "vlan-tci", "eth-src", "eth-dst",
	};
	static const uint64_t max[K_N] = {
		0, 0xffffff, 0xffff, 0xffff, 0xff, 0xff, 0, 0, 0xffff, 0, 0,
	};
	const struct fc_tok *val[K_N] = { NULL };
	const struct fc_tok *t;
	uint64_t v;

	memset(vx, 0, sizeof(*vx));
	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "/")) {
		unsigned int k;

		for (k = 0; k < K_N; k++)
			if (fc_tok_is(t, keys[k]))
				break;
		if (k == K_N)
			return fc_fail(c, -EINVAL, "%s: unknown key '%.*s'",
				       what, (int)t->len, t->s);
		c->i++;
		val[k] = fc_peek(c);
		if (val[k] == NULL || fc_tok_is(val[k], "/"))
			return fc_fail(c, -EINVAL, "%s: '%s' needs a value",
				       what, keys[k]);
		c->i++;
	}
	for (unsigned int k = 0; k < K_N; k++) {
		if (val[k] != NULL || k == K_TOS || k == K_TTL || k == K_TCI)
			continue;
		return fc_fail(c, -EINVAL, "%s: needs '%s'", what, keys[k]);
	}
	if (fc_tok_is(val[K_VER], "ipv6"))
		vx->ipv6 = true;
	else if (!fc_tok_is(val[K_VER], "ipv4"))
		return fc_fail(c, -EINVAL,
			       "%s: 'ip-version' is ipv4 or ipv6, not '%.*s'",
			       what, (int)val[K_VER]->len, val[K_VER]->s);
	for (unsigned int k = K_VNI; k <= K_TCI; k++) {
		if (val[k] == NULL || k == K_IPSRC || k == K_IPDST)
			continue;
		if (fc_parse_uint(val[k], max[k], &v) != 0)
			return fc_fail(c, -EINVAL,
				       "%s: bad value '%.*s' for '%s' (0..%" PRIu64 ")",
				       what, (int)val[k]->len, val[k]->s,
				       keys[k], max[k]);
		switch (k) {
		case K_VNI: vx->vni = (uint32_t)v; break;
		case K_USRC: vx->udp_src = (uint16_t)v; break;
		case K_UDST: vx->udp_dst = (uint16_t)v; break;
		case K_TOS: vx->tos = (uint8_t)v; break;
		case K_TTL: vx->ttl = (uint8_t)v; break;
		default: vx->tci = (uint16_t)v; break;
		}
	}
	vx->tos_ttl = val[K_TOS] != NULL || val[K_TTL] != NULL;
	vx->vlan = val[K_TCI] != NULL;
	for (unsigned int k = K_IPSRC; k <= K_IPDST; k++)
		if (fc_parse_ip(val[k], vx->ipv6,
				k == K_IPSRC ? vx->src : vx->dst) != 0)
			return fc_fail(c, -EINVAL,
				       "%s: bad %s address '%.*s' for '%s'",
				       what, vx->ipv6 ? "IPv6" : "IPv4",
				       (int)val[k]->len, val[k]->s, keys[k]);
	for (unsigned int k = K_ESRC; k <= K_EDST; k++)
		if (fc_parse_mac(val[k], k == K_ESRC ? vx->eth_src :
				 vx->eth_dst) != 0)
			return fc_fail(c, -EINVAL,
				       "%s: bad MAC address '%.*s' for '%s'",
				       what, (int)val[k]->len, val[k]->s,
				       keys[k]);
	vx->set = true;
	return 0;
}

/* "set vxlan[-tos-ttl|-with-vlan] KEY VALUE ..." */
static int
stmt_set_vxlan(struct fc_ctx *c)
{
	const struct fc_tok *var = &c->t[c->i - 1];
	char what[32];
	struct fc_vxlan vx;

	snprintf(what, sizeof(what), "set %.*s", (int)var->len, var->s);
	if (fc_vxlan_keys(c, &vx, what) != 0)
		return c->rc;
	if (c->i < c->n)
		return fc_fail(c, -EINVAL, "%s: unexpected '/'", what);
	if (fc_tok_is(var, "vxlan-with-vlan") && !vx.vlan)
		return fc_fail(c, -EINVAL, "%s: needs 'vlan-tci'", what);
	if (fc_tok_is(var, "vxlan-tos-ttl") && !vx.tos_ttl)
		return fc_fail(c, -EINVAL, "%s: needs 'ip-tos' and 'ip-ttl'",
			       what);
	c->vxlan = vx;
	return 0;
}

/* "set sample_actions N ACTION / ... / end" */
static int
stmt_set_sample(struct fc_ctx *c)
{
	const struct fc_tok *t = fc_peek(c);
	struct rte_flow_action *list;
	unsigned int n;
	char what[48];
	uint64_t idx;

	if (t == NULL || fc_parse_uint(t, NF_FLOWCMD_MAX_SAMPLES - 1, &idx))
		return fc_fail(c, -EINVAL,
			       "set sample_actions: needs an index 0..%u, got '%.*s'",
			       NF_FLOWCMD_MAX_SAMPLES - 1,
			       t != NULL ? (int)t->len : 0,
			       t != NULL ? t->s : "");
	c->i++;
	snprintf(what, sizeof(what), "set sample_actions %u: ",
		 (unsigned int)idx);
	if (fc_parse_actions(c, what, true, &list, &n) != 0)
		return c->rc;
	if (c->i < c->n)
		return fc_fail(c, -EINVAL, "%sunexpected '%.*s' after 'end'",
			       what, (int)c->t[c->i].len, c->t[c->i].s);
	c->samples[idx] = list;
	return 0;
}

/* "flow indirect_action P create [action_id N] [ingress] [egress]
 * [transfer] action ACTION / end" */
static int
stmt_indirect(struct fc_ctx *c)
{
	static const char what[] = "flow indirect_action: ";
	struct fc_indirect_def *d;
	const struct fc_tok *t;
	uint64_t v, id = 0;
	bool have_id = false;

	t = fc_peek(c);
	if (t == NULL || fc_parse_uint(t, UINT16_MAX, &v) != 0)
		return fc_fail(c, -EINVAL, "%sneeds a port number", what);
	c->i++;
	t = fc_peek(c);
	if (t == NULL || !fc_tok_is(t, "create"))
		return fc_fail(c, -EINVAL, "%sonly 'create' is accepted",
			       what);
	c->i++;
	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "action")) {
		c->i++;
		if (fc_tok_is(t, "ingress") || fc_tok_is(t, "egress") ||
		    fc_tok_is(t, "transfer"))
			continue;
		if (!fc_tok_is(t, "action_id"))
			return fc_fail(c, -EINVAL, "%sunknown attribute '%.*s'",
				       what, (int)t->len, t->s);
		t = fc_peek(c);
		if (t == NULL || fc_parse_uint(t, UINT32_MAX, &id) != 0)
			return fc_fail(c, -EINVAL,
				       "%s'action_id' needs a number", what);
		c->i++;
		have_id = true;
	}
	if (t == NULL)
		return fc_fail(c, -EINVAL, "%smissing 'action'", what);
	c->i++;
	if (!have_id) /* testpmd numbers them itself; so do we */
		for (id = 0;; id++) {
			unsigned int k;

			for (k = 0; k < c->n_defs; k++)
				if (c->defs[k].id == id)
					break;
			if (k == c->n_defs)
				break;
		}
	for (d = c->defs; d < c->defs + c->n_defs; d++)
		if (d->id == id)
			break;
	if (d == c->defs + FC_MAX_INDIRECT)
		return fc_fail(c, -EINVAL, "%smore than %u indirect actions",
			       what, FC_MAX_INDIRECT);
	if (fc_parse_one_action(c, what, &d->act) != 0)
		return c->rc;
	if (c->i < c->n)
		return fc_fail(c, -EINVAL, "%sunexpected '%.*s' after 'end'",
			       what, (int)c->t[c->i].len, c->t[c->i].s);
	d->id = (uint32_t)id;
	if (d == c->defs + c->n_defs)
		c->n_defs++;
	return 0;
}

/* ------------------------------------------------------------- rule */

/* Attributes, pattern and actions from c->i. */
static int
parse_rule(struct fc_ctx *c, struct nf_flowcmd_rule *r)
{
	const struct fc_tok *t;
	uint64_t v;

	while ((t = fc_peek(c)) != NULL && !fc_tok_is(t, "pattern")) {
		bool grp = fc_tok_is(t, "group");

		if (fc_tok_is(t, "actions"))
			break;
		c->i++;
		if (fc_tok_is(t, "ingress")) {
			r->attr.ingress = 1;
		} else if (fc_tok_is(t, "egress")) {
			r->attr.egress = 1;
		} else if (fc_tok_is(t, "transfer")) {
			r->attr.transfer = 1;
		} else if (grp || fc_tok_is(t, "priority")) {
			const struct fc_tok *vt = fc_peek(c);

			if (vt == NULL || fc_parse_uint(vt, UINT32_MAX, &v))
				return fc_fail(c, -EINVAL,
					       "flow create: '%s' needs a number, got '%.*s'",
					       grp ? "group" : "priority",
					       vt != NULL ? (int)vt->len : 0,
					       vt != NULL ? vt->s : "");
			c->i++;
			if (grp)
				r->attr.group = (uint32_t)v;
			else
				r->attr.priority = (uint32_t)v;
		} else {
			return fc_fail(c, -EINVAL,
				       "flow create: unknown attribute '%.*s'",
				       (int)t->len, t->s);
		}
	}
	if (t == NULL || !fc_tok_is(t, "pattern"))
		return fc_fail(c, -EINVAL, "flow create: missing 'pattern'");
	c->i++;
	if (parse_pattern(c, r) != 0)
		return c->rc;
	t = fc_peek(c);
	if (t == NULL || !fc_tok_is(t, "actions"))
		return fc_fail(c, -EINVAL,
			       "flow create: missing 'actions' after the pattern's 'end'");
	c->i++;
	if (fc_parse_actions(c, "", false, &r->actions, &r->n_actions) != 0)
		return c->rc;
	if (c->i < c->n)
		return fc_fail(c, -EINVAL,
			       "flow create: unexpected '%.*s' after the actions' 'end'",
			       (int)c->t[c->i].len, c->t[c->i].s);
	return 0;
}

static bool
is_rule_start(const struct fc_tok *t)
{
	static const char *const w[] = {
		"group", "priority", "ingress", "egress", "transfer", "pattern",
	};

	for (unsigned int i = 0; i < RTE_DIM(w); i++)
		if (fc_tok_is(t, w[i]))
			return true;
	return false;
}

/* One statement: c->t[0 .. c->n). */
static int
parse_statement(struct fc_ctx *c, unsigned int no, int port,
		struct nf_flowcmd_rule *r, bool *have_rule)
{
	const struct fc_tok *t0 = &c->t[0];
	const struct fc_tok *t1 = c->n > 1 ? &c->t[1] : NULL;
	uint64_t v;

	if (fc_tok_is(t0, "set") && t1 != NULL &&
	    (fc_tok_is(t1, "vxlan") || fc_tok_is(t1, "vxlan-tos-ttl") ||
	     fc_tok_is(t1, "vxlan-with-vlan"))) {
		c->i = 2;
		return stmt_set_vxlan(c);
	}
	if (fc_tok_is(t0, "set") && t1 != NULL &&
	    fc_tok_is(t1, "sample_actions")) {
		c->i = 2;
		return stmt_set_sample(c);
	}
	if (fc_tok_is(t0, "flow") && t1 != NULL &&
	    fc_tok_is(t1, "indirect_action")) {
		c->i = 2;
		return stmt_indirect(c);
	}
	if (fc_tok_is(t0, "flow") && t1 != NULL &&
	    (fc_tok_is(t1, "create") || fc_tok_is(t1, "validate"))) {
		if (*have_rule)
			return fc_fail(c, -EINVAL,
				       "statement %u: a second rule", no);
		if (c->n < 3 || fc_parse_uint(&c->t[2], UINT16_MAX, &v) != 0)
			return fc_fail(c, -EINVAL,
				       "flow create: needs a port number, got '%.*s'",
				       c->n < 3 ? 0 : (int)c->t[2].len,
				       c->n < 3 ? "" : c->t[2].s);
		r->port_id = (uint16_t)v;
		*have_rule = true;
		c->i = 3;
		return parse_rule(c, r);
	}
	if (port >= 0 && is_rule_start(t0)) {
		if (*have_rule)
			return fc_fail(c, -EINVAL,
				       "statement %u: a second rule", no);
		r->port_id = (uint16_t)port;
		*have_rule = true;
		c->i = 0;
		return parse_rule(c, r);
	}
	return fc_fail(c, -EINVAL, "statement %u: unknown command '%.*s%s%.*s'",
		       no, (int)t0->len, t0->s, t1 != NULL ? " " : "",
		       t1 != NULL ? (int)t1->len : 0, t1 != NULL ? t1->s : "");
}

/* Split text into words; ';' is always a word of its own. */
static int
tokenize(const char *text, struct fc_tok **out, unsigned int *n)
{
	size_t len = strlen(text);
	struct fc_tok *t = malloc((len + 1) * sizeof(*t));
	unsigned int k = 0;
	const char *p = text;

	if (t == NULL)
		return -ENOMEM;
	while (*p != '\0') {
		const char *s;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		s = p;
		if (*p == ';')
			p++;
		else
			while (*p != '\0' && !isspace((unsigned char)*p) &&
			       *p != ';')
				p++;
		t[k].s = s;
		t[k].len = (unsigned int)(p - s);
		k++;
	}
	*out = t;
	*n = k;
	return 0;
}

/* Look up every INDIRECT action's handle (opts; file comment). */
static int
resolve_indirect(struct fc_ctx *c, const struct nf_flowcmd_opts *o,
		 uint16_t port)
{
	for (unsigned int i = 0; i < c->n_refs; i++) {
		const struct fc_indirect_ref *ref = &c->refs[i];
		struct rte_flow_action_handle *h = NULL;

		if (o->indirect != NULL) {
			const struct rte_flow_action *def = NULL;
			int rc;

			for (unsigned int k = 0; k < c->n_defs; k++)
				if (c->defs[k].id == ref->id)
					def = &c->defs[k].act;
			rc = o->indirect(o->indirect_arg, port, ref->id, def, &h);
			if (rc < 0)
				return fc_fail(c, rc,
					       "action %u 'indirect': action %u: %s",
					       ref->pos, ref->id, strerror(-rc));
		} else if (ref->id < o->n_handles && o->handles != NULL) {
			h = o->handles[ref->id];
		}
		if (h == NULL)
			return fc_fail(c, -EINVAL,
				       "action %u 'indirect': no indirect action %u",
				       ref->pos, ref->id);
		ref->act->conf = h;
	}
	return 0;
}

int
nf_flowcmd_parse(const char *text, const struct nf_flowcmd_opts *opts,
		 struct nf_flowcmd_rule **rule, char *err, size_t errlen)
{
	static const struct nf_flowcmd_opts def_opts = { .port = -1 };
	const struct nf_flowcmd_opts *o = opts != NULL ? opts : &def_opts;
	struct nf_flowcmd_rule *r = NULL;
	struct fc_ctx *c;
	struct fc_tok *toks = NULL;
	unsigned int ntok = 0, no = 1;
	bool have_rule = false;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (rule == NULL)
		return -EINVAL;
	*rule = NULL;
	c = calloc(1, sizeof(*c));
	r = calloc(1, sizeof(*r));
	if (c == NULL || r == NULL || text == NULL ||
	    tokenize(text, &toks, &ntok) != 0) {
		rc = text == NULL ? -EINVAL : -ENOMEM;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", text == NULL ?
				 "no text" : "out of memory");
		free(c);
		free(r);
		return rc;
	}
	c->err = err;
	c->errlen = errlen;
	for (unsigned int i = 0; i < ntok && c->rc == 0; no++) {
		unsigned int j = i;

		while (j < ntok && !fc_tok_is(&toks[j], ";"))
			j++;
		if (j > i) {
			c->t = &toks[i];
			c->n = j - i;
			c->i = 0;
			parse_statement(c, no, o->port, r, &have_rule);
		}
		i = j + 1;
	}
	if (c->rc == 0 && !have_rule)
		fc_fail(c, -EINVAL, "no 'flow create' rule");
	if (c->rc == 0)
		resolve_indirect(c, o, r->port_id);
	rc = c->rc;
	free(toks);
	if (rc != 0) {
		fc_mem_free(c->mem);
		free(c);
		free(r);
		return rc;
	}
	r->mem = c->mem;
	free(c);
	*rule = r;
	return 0;
}

void
nf_flowcmd_free(struct nf_flowcmd_rule *rule)
{
	if (rule == NULL)
		return;
	fc_mem_free(rule->mem);
	free(rule);
}
