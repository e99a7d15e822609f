/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_FLOWCMD_H
#define NF_FLOWCMD_H

/**
 * @file
 * nf_flowcmd — a dpdk-testpmd 22.11 "flow create" command line to rte_flow.
 *
 * What: nicflowd accepts raw NIC rules in testpmd syntax (V-11) and
 * persists them as text; this module turns such text into a self-contained
 * rule (attributes, pattern, actions, and every spec/last/mask and action
 * configuration they point to) ready for rte_flow_validate/create. It is
 * the inverse of snic_flow_cmd_format() (drivers/net/snic/snic_flow_cmd.c):
 * whatever that formatter writes for a rule, this parser reads back into an
 * equal rule.
 *
 * Input: one or more statements separated by ';', exactly one of them a
 * rule:
 *
 *   flow create <port> [group N] [priority N] [ingress] [egress] [transfer]
 *        pattern ITEM / ... / end actions ACTION / ... / end
 *
 * ("flow validate" is accepted as a synonym). When the caller gives a port
 * (nf_flowcmd_opts.port >= 0) the rule may also be written without its
 * leading "flow create <port>" (it then starts with an attribute or
 * "pattern"). Set-up statements, applied in order as testpmd would:
 *
 *   set vxlan ip-version ipv4|ipv6 vni V udp-src S udp-dst D
 *       ip-src A ip-dst B eth-src M eth-dst M
 *   set vxlan-tos-ttl ... ip-tos T ip-ttl T ...     (as testpmd)
 *   set vxlan-with-vlan ... vlan-tci T ...           (as testpmd)
 *       the definition a later argument-less "vxlan_encap" takes (the
 *       keys may come in any order and every variant accepts every key);
 *   set sample_actions N ACTION / ... / end
 *       the sub-action list "sample ... index N" refers to (N < 32);
 *   flow indirect_action <port> create [action_id N] [ingress] [egress]
 *        [transfer] action ACTION / end
 *       the definition of indirect action N, handed to the caller's
 *       resolver (below); nothing is created here.
 *
 * Items (fields; each "FIELD is|spec|last|mask|prefix VALUE" as testpmd):
 *   eth (dst src type has_vlan), vlan (tci vid pcp dei inner_type
 *   has_more_vlan), ipv4 (version_ihl tos packet_id fragment_offset ttl
 *   proto src dst), ipv6 (tc flow proto hop src dst has_frag_ext), icmp
 *   (type code ident seq), udp (src dst), tcp (src dst flags), vxlan (vni
 *   last_rsvd), tag (data index), port_id (id), represented_port
 *   (ethdev_port_id), void.
 * Semantics are testpmd's: an item starts with NULL spec, last and mask;
 * "is" sets the spec and a full mask on that field and makes the item's
 * mask non-NULL; "spec"/"last" set only spec/last; "mask" sets the mask,
 * "prefix N" the N leading bits of the mask. So "ipv4 src spec A" alone
 * keeps rte_flow's default mask (NULL), while "ipv4 src spec A dst is B"
 * matches only dst (src's mask is 0), exactly as testpmd builds it.
 * Numbers are decimal, 0x hex or 0 octal (strtoumax base 0) and must fit
 * the field; MAC aa:bb:cc:dd:ee:ff; IPv4/IPv6 in inet_pton form.
 *
 * Actions: void, drop, count [identifier N], port_id [original 0|1] id N,
 * represented_port ethdev_port_id N, port_representor port_id N,
 * queue index N, jump group N, mark id N, meter mtr_id N,
 * set_tag data N [index N] [mask N], set_mac_src|set_mac_dst mac_addr M,
 * set_ipv4_src|set_ipv4_dst ipv4_addr A, set_ipv6_src|set_ipv6_dst
 * ipv6_addr A, dec_ttl, vxlan_decap, vxlan_encap [inline definition],
 * of_pop_vlan, of_push_vlan ethertype N, of_set_vlan_vid vlan_vid N,
 * of_set_vlan_pcp vlan_pcp N, sample [ratio N] index N, indirect N,
 * modify_field op set|add|sub dst_type F [dst_level N] [dst_offset N]
 * src_type value src_value HEX width N, rss [func default|toeplitz|
 * simple_xor|symmetric_toeplitz] [level N] [types T ... end]
 * [queues Q ... end].
 * Where we differ from testpmd (documented choices):
 *   - fields a rule cannot sensibly omit are required (testpmd silently
 *     uses 0): port_id id, represented_port ethdev_port_id,
 *     port_representor port_id, queue index, jump group, mark id,
 *     meter mtr_id, set_tag data, the address of set_mac_* / set_ipv4_* /
 *     set_ipv6_*, of_push_vlan ethertype, of_set_vlan_vid vlan_vid,
 *     of_set_vlan_pcp vlan_pcp, sample index;
 *   - set_tag's mask defaults to 0xffffffff (testpmd: 0, which would set
 *     no bit; snic_flow_cmd_format omits an all-ones mask);
 *   - sample's ratio defaults to 1 (every packet; testpmd: 0);
 *   - rss alone is func default, level 0, types RTE_ETH_RSS_IP (testpmd's
 *     default), no key and an empty queue list (testpmd fills in its own
 *     number of rx queues, which a parser cannot know);
 *   - vxlan_encap accepts an INLINE DEFINITION of our own: the "set vxlan"
 *     keys written right after the action name, up to the next '/':
 *       vxlan_encap ip-version ipv4 vni 100 udp-src 0 udp-dst 4789
 *           ip-src 192.168.1.1 ip-dst 192.168.1.2
 *           eth-src 02:aa:00:00:00:01 eth-dst 02:aa:00:00:00:02
 *           [vlan-tci T] [ip-tos T] [ip-ttl T] / ...
 *     required: ip-version vni udp-src udp-dst ip-src ip-dst eth-src
 *     eth-dst. An argument-less vxlan_encap takes the last "set vxlan"
 *     before it (in a "set sample_actions", the one before that statement),
 *     as testpmd does. Either way the definition is testpmd's:
 *     ETH(src, dst) / [VLAN(tci)] / IPV4|IPV6(src, dst[, tos, ttl]) /
 *     UDP(src, dst) / VXLAN(vni) / END with the items' default masks (plus
 *     TOS/TTL when given); VOID placeholders are left out.
 *   - "indirect N" is resolved through the caller (nf_flowcmd_opts): the
 *     resolver callback if any, else the handle array.
 *   - attr.reserved (the snic flow type) has no testpmd token and is never
 *     set; write ACL rules with the PMD's group alias (group 1000 + g).
 *
 * Errors: every refusal is -EINVAL with a one-line message naming the
 * statement part, the position and the token, e.g.
 *   "pattern item 2 'ipv4': unknown field 'foo'"
 *   "action 2 'port_id': needs 'id'"
 *   "set vxlan: bad IPv4 address '10.0.0.300' for 'ip-src'"
 * Nothing stays allocated after an error.
 *
 * Thread-safety: re-entrant; no global state. A parsed rule is immutable
 * to the parser and may be used from any thread; free it once.
 *
 * Usage:
 *   struct nf_flowcmd_rule *r;
 *   char err[256];
 *   int rc = nf_flowcmd_parse(text, NULL, &r, err, sizeof(err));
 *   if (rc < 0) reply_error(err);
 *   else rte_flow_create(r->port_id, &r->attr, r->pattern, r->actions, &e);
 *   nf_flowcmd_free(r);
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_flow.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Entries of one pattern or action list, END excluded. */
#define NF_FLOWCMD_MAX_ITEMS 32
#define NF_FLOWCMD_MAX_ACTIONS 32
/** "set sample_actions N": N < NF_FLOWCMD_MAX_SAMPLES. */
#define NF_FLOWCMD_MAX_SAMPLES 32
/** "rss queues ... end": at most this many queues. */
#define NF_FLOWCMD_MAX_RSS_QUEUES 128

/**
 * Resolve "indirect <id>" to an action handle.
 *
 * @param arg   nf_flowcmd_opts.indirect_arg
 * @param port  the rule's port
 * @param id    the number written after "indirect"
 * @param def   the action a "flow indirect_action ... create action_id <id>
 *              ... action A / end" statement of the same input defined
 *              (its conf is valid during the call only), or NULL
 * @param[out] handle the handle to put into the rule's INDIRECT action
 * @return 0, or a negative errno: the parse fails with it and a message
 *         naming the action.
 * Called only once the whole text has been parsed without error, once per
 * INDIRECT action, in order. A handle the callback created stays the
 * caller's, also when a later callback fails.
 */
typedef int (*nf_flowcmd_indirect_fn)(void *arg, uint16_t port, uint32_t id,
				      const struct rte_flow_action *def,
				      struct rte_flow_action_handle **handle);

/** Parse options; NULL means all defaults (port required in the text, no
 * indirect actions). */
struct nf_flowcmd_opts {
	/** Port of a rule written without "flow create <port>"; -1: the
	 * text must have it. When the text has it, the text wins. */
	int port;
	/** "indirect N" → handles[N] (when no callback), N < n_handles and
	 * handles[N] != NULL. */
	struct rte_flow_action_handle *const *handles;
	uint32_t n_handles;
	/** If set, used instead of handles. */
	nf_flowcmd_indirect_fn indirect;
	void *indirect_arg;
};

struct nf_flowcmd_mem;

/** A parsed rule. Everything it points to is owned by it. */
struct nf_flowcmd_rule {
	uint16_t port_id;
	struct rte_flow_attr attr;
	struct rte_flow_item *pattern;   /**< n_pattern items, then END */
	struct rte_flow_action *actions; /**< n_actions actions, then END */
	unsigned int n_pattern;
	unsigned int n_actions;
	struct nf_flowcmd_mem *mem;      /**< private storage */
};

/**
 * Parse text (NUL-terminated) into a new rule.
 *
 * @param text   statements as described in the file comment
 * @param opts   options, or NULL
 * @param[out] rule the rule; NULL on error
 * @param err    a one-line message on error (may be NULL)
 * @param errlen size of err
 * @return 0; -EINVAL (syntax, unknown or missing token, value out of
 *         range, no or two rules, unresolved indirect action, too many
 *         items/actions); -ENOMEM; or the resolver's negative errno.
 */
int nf_flowcmd_parse(const char *text, const struct nf_flowcmd_opts *opts,
		     struct nf_flowcmd_rule **rule, char *err, size_t errlen);

/** Free a rule and everything it owns. NULL is a no-op. */
void nf_flowcmd_free(struct nf_flowcmd_rule *rule);

#ifdef __cplusplus
}
#endif

#endif /* NF_FLOWCMD_H */
