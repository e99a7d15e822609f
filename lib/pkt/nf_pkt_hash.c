/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Flow hashes derived from a parsed key.
 *
 * Both hashes run Jenkins' lookup3 (rte_jhash) over a small tuple copied out
 * of the key. A CRC would be cheaper but is linear: tuples that differ in a
 * few bits (consecutive ports) map to a structured set of values, and after
 * reducing to 14 bits for the VXLAN port that shows up as collisions. jhash
 * mixes every input bit into every output bit.
 *
 * Fragments are hashed without ports in both cases: a later fragment has
 * none, and every fragment of a datagram must land on the same path (same
 * outer UDP port, same queue) or reassembly downstream suffers.
 */

#include <string.h>
#include <netinet/in.h> /* nf_pkt.h uses IPPROTO_* without including it */

#include <rte_byteorder.h>
#include <rte_jhash.h>

#include "nf_pkt.h"

/* First port of the RFC 6335 dynamic range and its size (2^14). */
#define NF_SPORT_BASE 49152u
#define NF_SPORT_SPAN 16384u

/* Arbitrary, distinct seeds so the two hashes are unrelated. */
#define NF_VXLAN_SEED 0x6e667678u
#define NF_SYM_SEED 0x6e667379u

/*
 * Hash input: {a, b, a_port, b_port, proto} as 32-bit words. rte_jhash
 * reads its input as uint32_t, so the tuple is built as words with memcpy;
 * filling a struct of bytes and shorts and handing that over would break
 * strict aliasing, and at -O3 GCC does reorder the port stores after the
 * hash's loads.
 */
#define TUPLE_WORDS 10

static void
tuple_fill(uint32_t w[TUPLE_WORDS], const struct nf_flow_key *k, bool swap)
{
	rte_be16_t ports[2] = { 0, 0 };

	memcpy(&w[0], swap ? k->dst_ip : k->src_ip, sizeof(k->src_ip));
	memcpy(&w[4], swap ? k->src_ip : k->dst_ip, sizeof(k->dst_ip));
	if (!(k->flags & NF_KEY_F_FRAG)) {
		ports[0] = swap ? k->dst_port : k->src_port;
		ports[1] = swap ? k->src_port : k->dst_port;
	}
	memcpy(&w[8], ports, sizeof(ports));
	w[9] = k->ip_proto;
}

uint16_t
nf_vxlan_src_port(const struct nf_flow_key *inner)
{
	uint32_t w[TUPLE_WORDS];
	uint32_t h;

	tuple_fill(w, inner, false);
	h = rte_jhash_32b(w, TUPLE_WORDS, NF_VXLAN_SEED);
	return (uint16_t)(NF_SPORT_BASE + h % NF_SPORT_SPAN);
}

/*
 * Order the two endpoints (address, then port) canonically before hashing,
 * so both directions produce the same tuple and so the same hash. Unlike
 * XOR-ing the halves, this keeps A->B distinct from unrelated flows that
 * merely share the XOR.
 */
uint32_t
nf_pkt_sym_hash(const struct nf_flow_key *k)
{
	uint32_t w[TUPLE_WORDS];
	int c = memcmp(k->src_ip, k->dst_ip, sizeof(k->src_ip));
	bool frag = k->flags & NF_KEY_F_FRAG;
	bool swap = c > 0 ||
		(c == 0 && !frag && rte_be_to_cpu_16(k->src_port) >
			rte_be_to_cpu_16(k->dst_port));

	tuple_fill(w, k, swap);
	return rte_jhash_32b(w, TUPLE_WORDS, NF_SYM_SEED);
}
