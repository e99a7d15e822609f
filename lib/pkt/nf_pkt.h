/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_PKT_H
#define NF_PKT_H

/**
 * @file
 * nf_pkt — packet headers to flow key, header rewrites, checksums, hashes.
 *
 * What: the one place in nicflow that reads and writes packet headers. The
 * smart-NIC PMD (net_snic), the vSwitch slow path, the gateway and the tests
 * all parse packets into the same fixed-layout flow key (struct nf_flow_key),
 * so a rule written by one is matched the same way by the other.
 *
 * Design: the key is a flat 112-byte struct with no holes, so a masked match
 * is "AND 14 words, compare 14 words" and the key can be used directly as an
 * rte_hash key. Layers are found once by nf_pkt_parse(), which also records
 * their offsets (struct nf_pkt_layout) so rewrites never re-parse. A VXLAN
 * packet (UDP destination 4789, I flag set) is keyed by its *inner* headers;
 * the outer addresses, VNI and reserved byte go to dedicated fields and
 * NF_KEY_F_TUNNEL is set. Malformed packets are refused with a precise
 * reason (enum nf_pkt_err) so the caller can count and drop them; the parser
 * never reads past the first segment's data_len or the frame's length.
 * Checksum updates are incremental (RFC 1624), so a rewrite costs a few adds
 * instead of a pass over the payload.
 *
 * Thread-safety: every function is re-entrant; none keeps state.
 *
 * Usage:
 *   struct nf_flow_key key;
 *   struct nf_pkt_layout lay;
 *   int rc = nf_pkt_parse(m, port, &key, &lay);
 *   if (rc > 0) drops[rc]++;           // malformed: reason rc
 *   else if (nf_pkt_offloadable(&key)) lookup(&key);
 */

#include <stdint.h>
#include <stdbool.h>
#include <netinet/in.h> /* IPPROTO_* in nf_pkt_offloadable() */

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** VXLAN's IANA UDP port. */
#define NF_VXLAN_PORT 4789
/** Outer headers a VXLAN encapsulation adds: Ethernet + IPv4 + UDP + VXLAN. */
#define NF_VXLAN_V4_OVERHEAD (14 + 20 + 8 + 8)
/** Outer headers of VXLAN over IPv6. */
#define NF_VXLAN_V6_OVERHEAD (14 + 40 + 8 + 8)

/** Key flags (struct nf_flow_key.flags). */
#define NF_KEY_F_VLAN 0x01       /**< an 802.1Q tag follows the MACs */
#define NF_KEY_F_IPV4 0x02       /**< (inner) L3 is IPv4 */
#define NF_KEY_F_IPV6 0x04       /**< (inner) L3 is IPv6 */
#define NF_KEY_F_TUNNEL 0x08     /**< VXLAN: L2..L4 fields are the inner ones */
#define NF_KEY_F_FRAG 0x10       /**< IP fragment (first or later) */
#define NF_KEY_F_LATER_FRAG 0x20 /**< non-first fragment: no L4 header */
#define NF_KEY_F_TAG 0x40        /**< tag holds a value set by SET_TAG */
#define NF_KEY_F_OUTER_V6 0x80   /**< VXLAN outer L3 is IPv6 */

/**
 * Flow key. All multi-byte fields are in network byte order, as in the
 * packet and as in rte_flow item specs, so items copy into it unchanged.
 * IPv4 addresses occupy the first 4 bytes of the 16-byte address fields; the
 * rest is zero.
 */
struct nf_flow_key {
	uint16_t in_port;   /**< switch-local ingress port (host order) */
	uint8_t flags;      /**< NF_KEY_F_* */
	uint8_t ip_proto;   /**< IPv4 next_proto_id / IPv6 upper-layer proto */
	rte_be16_t eth_type; /**< EtherType after the MACs (0x8100 if tagged) */
	rte_be16_t vlan_tci; /**< TCI of the (first) VLAN tag, 0 if untagged */
	struct rte_ether_addr dst_mac;
	struct rte_ether_addr src_mac;
	rte_be16_t inner_type; /**< EtherType after the VLAN tag, 0 if none */
	uint8_t tos;           /**< IPv4 TOS byte / IPv6 traffic class */
	uint8_t tcp_flags;     /**< TCP flags byte (FIN 0x01 SYN 0x02 RST 0x04) */
	rte_be16_t src_port;   /**< TCP/UDP source port */
	rte_be16_t dst_port;   /**< TCP/UDP destination port */
	uint16_t tag;          /**< N-10: index << 8 | data (host order) */
	uint8_t icmp_type;     /**< ICMP / ICMPv6 type */
	uint8_t icmp_code;     /**< ICMP / ICMPv6 code */
	rte_be32_t vni;        /**< VXLAN: VNI in the upper 24 bits (as on wire) */
	rte_be32_t vxlan_rsvd0; /**< VXLAN: the 3 reserved bytes after flags,
				  * in the low 24 bits (byte 3 = colouring) */
	uint8_t src_ip[16];    /**< (inner) source address */
	uint8_t dst_ip[16];    /**< (inner) destination address */
	uint8_t outer_src[16]; /**< VXLAN outer source address */
	uint8_t outer_dst[16]; /**< VXLAN outer destination address */
	uint8_t ttl;           /**< (inner) TTL / hop limit, never matched */
	uint8_t pad[7];
} __rte_aligned(8);

/** Size of the key in 64-bit words. */
#define NF_KEY_WORDS (sizeof(struct nf_flow_key) / 8)

/**
 * Where each layer starts, as byte offsets from the start of the frame
 * (rte_pktmbuf_mtod). For a non-tunnelled packet the outer_* offsets are
 * NF_OFF_NONE and l2/l3/l4 describe the only headers.
 */
struct nf_pkt_layout {
	uint16_t outer_l3; /**< outer IP header (VXLAN only) */
	uint16_t outer_l4; /**< outer UDP header (VXLAN only) */
	uint16_t vxlan;    /**< VXLAN header (VXLAN only) */
	uint16_t l2;       /**< (inner) Ethernet header: 0, or after VXLAN */
	uint16_t l3;       /**< (inner) IP header, NF_OFF_NONE if not IP */
	uint16_t l4;       /**< (inner) L4 header, NF_OFF_NONE if none */
	uint16_t l3_len;   /**< IPv4 total length / IPv6 40 + payload length */
	uint16_t vlan;     /**< the VLAN tag (TPID) or NF_OFF_NONE */
};
#define NF_OFF_NONE 0xffff

/** Why a packet was refused. 0 is success; every reason has a name. */
enum nf_pkt_err {
	NF_PKT_OK = 0,
	NF_PKT_ERR_TRUNC_ETH,   /**< shorter than an Ethernet header */
	NF_PKT_ERR_TRUNC_VLAN,  /**< VLAN tag cut short */
	NF_PKT_ERR_TRUNC_IPV4,  /**< shorter than the IPv4 header */
	NF_PKT_ERR_IPV4_IHL,    /**< IHL < 5, version != 4 or options cut */
	NF_PKT_ERR_IPV4_LEN,    /**< total length < IHL*4 or > frame */
	NF_PKT_ERR_TRUNC_IPV6,  /**< shorter than the IPv6 header */
	NF_PKT_ERR_IPV6_LEN,    /**< payload length > frame, or version != 6 */
	NF_PKT_ERR_IPV6_EXT,    /**< extension header cut short or too many */
	NF_PKT_ERR_TRUNC_TCP,   /**< TCP header cut short */
	NF_PKT_ERR_TCP_DOFF,    /**< TCP data offset < 5 or beyond the packet */
	NF_PKT_ERR_TRUNC_UDP,   /**< UDP header cut short */
	NF_PKT_ERR_UDP_LEN,     /**< UDP length < 8 or > IP payload */
	NF_PKT_ERR_TRUNC_ICMP,  /**< ICMP header cut short */
	NF_PKT_ERR_TRUNC_VXLAN, /**< VXLAN header or inner Ethernet cut short */
	NF_PKT_ERR_VXLAN_FLAGS, /**< VXLAN I flag clear or reserved flags set */
	NF_PKT_ERR_MAX
};

/** Short stable name of a reason ("trunc_eth", "ipv4_ihl", ...). */
const char *nf_pkt_err_name(enum nf_pkt_err err);

/**
 * Parse a frame into a flow key and a layout.
 *
 * Reads Ethernet, at most one 802.1Q/802.1ad tag (0x8100 or 0x88a8), IPv4
 * (options skipped) or IPv6 (hop-by-hop, routing, destination-options and
 * fragment extension headers walked, at most 8), TCP / UDP / ICMP / ICMPv6;
 * for UDP to port 4789 with a well-formed VXLAN header, the inner frame the
 * same way (one level). Only the first segment is read. Sets every key field
 * (unused ones zero) except tag, which is the caller's.
 *
 * @param m       the frame
 * @param in_port value for key->in_port
 * @param key     filled in
 * @param lay     filled in (may be NULL)
 * @return NF_PKT_OK, or the enum nf_pkt_err reason (positive) for a
 *         malformed frame; key and lay are then unspecified.
 */
int nf_pkt_parse(const struct rte_mbuf *m, uint16_t in_port,
		 struct nf_flow_key *key, struct nf_pkt_layout *lay);

/**
 * nf_pkt_parse() without its fast path for the common untagged IPv4
 * TCP/UDP frame: the general layer walk alone, same contract. For tests
 * that check both give the same result on every frame.
 */
int nf_pkt_parse_walk(const struct rte_mbuf *m, uint16_t in_port,
		      struct nf_flow_key *key, struct nf_pkt_layout *lay);

/**
 * N-3: may the NIC forwarding table handle this packet? True only for
 * unicast (destination MAC not group) IPv4/IPv6 TCP or UDP — for VXLAN the
 * inner packet decides. ARP, ICMP, multicast, broadcast and the rest: false.
 */
static inline bool
nf_pkt_offloadable(const struct nf_flow_key *k)
{
	if (rte_is_multicast_ether_addr(&k->dst_mac))
		return false;
	if (!(k->flags & (NF_KEY_F_IPV4 | NF_KEY_F_IPV6)))
		return false;
	return k->ip_proto == IPPROTO_TCP || k->ip_proto == IPPROTO_UDP;
}

/*
 * 64-bit view of a key for nf_key_mask/nf_key_match. Keys are written field
 * by field; reading them through plain uint64_t pointers breaks strict
 * aliasing and GCC -O2 then compares stale values. may_alias makes the view
 * legal at no cost.
 */
typedef uint64_t __attribute__((__may_alias__)) nf_key_word_t;

/** key &= mask, word by word. */
static inline void
nf_key_mask(struct nf_flow_key *dst, const struct nf_flow_key *key,
	    const struct nf_flow_key *mask)
{
	const nf_key_word_t *k = (const nf_key_word_t *)key;
	const nf_key_word_t *mk = (const nf_key_word_t *)mask;
	nf_key_word_t *d = (nf_key_word_t *)dst;

	for (unsigned int i = 0; i < NF_KEY_WORDS; i++)
		d[i] = k[i] & mk[i];
}

/** True when (key & mask) == value (value already masked). */
static inline bool
nf_key_match(const struct nf_flow_key *key, const struct nf_flow_key *mask,
	     const struct nf_flow_key *value)
{
	const nf_key_word_t *k = (const nf_key_word_t *)key;
	const nf_key_word_t *mk = (const nf_key_word_t *)mask;
	const nf_key_word_t *v = (const nf_key_word_t *)value;
	uint64_t diff = 0;

	for (unsigned int i = 0; i < NF_KEY_WORDS; i++)
		diff |= (k[i] & mk[i]) ^ v[i];
	return diff == 0;
}

/**
 * RFC 1624 incremental update of a 16-bit one's-complement checksum
 * (network order in and out) when a 16-bit word changes old → new.
 */
rte_be16_t nf_csum_update16(rte_be16_t csum, rte_be16_t old_w, rte_be16_t new_w);

/** Same for a run of @p len bytes (even) changing from @p old to @p new. */
rte_be16_t nf_csum_update(rte_be16_t csum, const void *old_b,
			  const void *new_b, unsigned int len);

/**
 * Fix the L4 checksum after the pseudo-header addresses change, for a TCP or
 * UDP header at l4. A UDP checksum of 0 stays 0: over IPv4 it means "none",
 * over IPv6 it is the zero checksum RFC 6935 allows for tunnels (VXLAN); a
 * UDP result of 0 is written as 0xffff. old/new are 4 (IPv4) or 16 (IPv6)
 * bytes.
 */
void nf_pkt_l4_csum_addr(void *l4, uint8_t proto, const void *old_a,
			 const void *new_a, unsigned int alen, bool ipv6);

/** Full IPv4 header checksum (header with its checksum field ignored). */
rte_be16_t nf_ipv4_csum(const void *ipv4_hdr);

/**
 * N-7: VXLAN UDP source port for an inner packet. Hash of the inner 5-tuple
 * {proto, src, dst, sport, dport}; for fragments (NF_KEY_F_FRAG) of the
 * 3-tuple {proto, src, dst} so every fragment of a datagram gets the same
 * port. Result is in 49152..65535 (RFC 6335 dynamic range), host order.
 */
uint16_t nf_vxlan_src_port(const struct nf_flow_key *inner);

/**
 * Symmetric 5-tuple hash (same value for both directions), for spreading
 * upcalls and connections over queues/threads.
 */
uint32_t nf_pkt_sym_hash(const struct nf_flow_key *k);

#ifdef __cplusplus
}
#endif

#endif /* NF_PKT_H */
