/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_FLOWCMD_PRIVATE_H
#define NF_FLOWCMD_PRIVATE_H

/*
 * Shared by the parser's files: tokens, the storage arena, the parse
 * context and the value parsers. Not installed.
 */

#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_flow.h>

#include "nf_flowcmd.h"

/* One whitespace-separated word of the input (';' is a word of its own). */
struct fc_tok {
	const char *s;
	unsigned int len;
};

/* Storage owned by a rule: chunks that never move, freed together. */
struct nf_flowcmd_mem {
	struct nf_flowcmd_mem *next;
	size_t used;
	size_t size;
	alignas(16) unsigned char data[];
};

/* What "set vxlan ..." (or an inline vxlan_encap definition) said. */
struct fc_vxlan {
	bool set;
	bool ipv6;
	bool vlan;            /* vlan-tci given */
	bool tos_ttl;         /* ip-tos or ip-ttl given */
	uint32_t vni;
	uint16_t udp_src, udp_dst, tci;
	uint8_t tos, ttl;
	uint8_t src[16], dst[16];
	uint8_t eth_src[6], eth_dst[6];
};

/* An INDIRECT action whose handle is looked up once the text is parsed. */
struct fc_indirect_ref {
	struct rte_flow_action *act;
	uint32_t id;
	unsigned int pos;     /* action position, for the message */
};

struct fc_indirect_def {
	uint32_t id;
	struct rte_flow_action act;
};

#define FC_MAX_INDIRECT 32

struct fc_ctx {
	const struct fc_tok *t; /* tokens of the statement being parsed */
	unsigned int n;       /* how many */
	unsigned int i;       /* next one */
	char *err;
	size_t errlen;
	int rc;               /* first error */
	struct nf_flowcmd_mem *mem;
	struct fc_vxlan vxlan;                       /* "set vxlan" state */
	struct rte_flow_action *samples[NF_FLOWCMD_MAX_SAMPLES];
	struct fc_indirect_def defs[FC_MAX_INDIRECT];
	unsigned int n_defs;
	struct fc_indirect_ref refs[NF_FLOWCMD_MAX_ACTIONS];
	unsigned int n_refs;
};

/* Record the first error (rc and message); always returns rc. */
int fc_fail(struct fc_ctx *c, int rc, const char *fmt, ...)
	__rte_format_printf(3, 4);

/* Zeroed, 16-byte aligned storage of the rule; NULL sets -ENOMEM. */
void *fc_alloc(struct fc_ctx *c, size_t size);

/* Token helpers. */
static inline bool
fc_tok_is(const struct fc_tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->len == n && memcmp(t->s, s, n) == 0;
}

static inline const struct fc_tok *
fc_peek(const struct fc_ctx *c)
{
	return c->i < c->n ? &c->t[c->i] : NULL;
}

/* Value parsers: 0 or -EINVAL (no message: the caller writes one). */
int fc_parse_uint(const struct fc_tok *t, uint64_t max, uint64_t *v);
int fc_parse_mac(const struct fc_tok *t, uint8_t mac[6]);
int fc_parse_ip(const struct fc_tok *t, bool v6, uint8_t *addr);

/* "set vxlan" keys from c->i up to the end of the statement or a '/';
 * what: the message prefix ("set vxlan", "action 2 'vxlan_encap'"). */
int fc_vxlan_keys(struct fc_ctx *c, struct fc_vxlan *vx, const char *what);

/* nf_flowcmd_actions.c: "ACTION / ... / end" from c->i into a new
 * END-terminated list; what prefixes messages ("", "set sample_actions 3:
 * "). nested: inside a sample list (no sample, no indirect). *n: count
 * before END. */
int fc_parse_actions(struct fc_ctx *c, const char *what, bool nested,
		     struct rte_flow_action **list, unsigned int *n);

/* One action at c->i into *act (indirect_action create). */
int fc_parse_one_action(struct fc_ctx *c, const char *what,
			struct rte_flow_action *act);

#endif /* NF_FLOWCMD_PRIVATE_H */
