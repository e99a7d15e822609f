/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Internet checksum helpers.
 *
 * All arithmetic is done on 16-bit words exactly as they sit in memory. The
 * one's-complement sum commutes with byte swapping (RFC 1071 section 2(B)),
 * so a checksum computed from memory-order words is already in network
 * order, and no conversion is needed on either side.
 *
 * Updates follow RFC 1624 equation 3, HC' = ~(~HC + ~m + m'), rather than
 * equation 2: it gives the same value a recomputation from scratch gives,
 * including the 0x0000 / 0xffff corner (RFC 1624 section 3), so a rewritten
 * packet is bit-identical to one built fresh.
 */

#include <stddef.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "nf_pkt.h"

/* Fold a one's-complement accumulator to 16 bits (end-around carry). */
static inline uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Memory-order 16-bit word at p, any alignment. */
static inline uint16_t
load16(const uint8_t *p)
{
	uint16_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

rte_be16_t
nf_csum_update16(rte_be16_t csum, rte_be16_t old_w, rte_be16_t new_w)
{
	uint64_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old_w;
	sum += new_w;
	return (rte_be16_t)~csum_fold(sum);
}

/*
 * A trailing odd byte is the high-order half of a word whose low half is
 * zero, as in the checksum itself; that is only meaningful when the run
 * starts at an even offset of the checksummed data, which is why the
 * interface asks for an even length.
 */
rte_be16_t
nf_csum_update(rte_be16_t csum, const void *old_b, const void *new_b,
	       unsigned int len)
{
	const uint8_t *o = old_b;
	const uint8_t *n = new_b;
	uint64_t sum = (uint16_t)~csum;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint16_t)~load16(o + i);
		sum += load16(n + i);
	}
	if (len & 1) {
		uint8_t ot[2] = { o[i], 0 };
		uint8_t nt[2] = { n[i], 0 };

		sum += (uint16_t)~load16(ot);
		sum += load16(nt);
	}
	return (rte_be16_t)~csum_fold(sum);
}

void
nf_pkt_l4_csum_addr(void *l4, uint8_t proto, const void *old_a,
		    const void *new_a, unsigned int alen, bool ipv6)
{
	uint8_t *field;
	rte_be16_t csum;

	if (proto == IPPROTO_TCP)
		field = (uint8_t *)l4 + offsetof(struct rte_tcp_hdr, cksum);
	else if (proto == IPPROTO_UDP)
		field = (uint8_t *)l4 + offsetof(struct rte_udp_hdr,
			dgram_cksum);
	else
		return;

	/*
	 * A zero UDP checksum is never a computed one (that is sent as
	 * 0xffff): over IPv4 it means "none", over IPv6 it is an RFC 6935
	 * zero-checksum tunnel. Either way updating it would only corrupt
	 * it, so both IP versions leave it alone.
	 */
	RTE_SET_USED(ipv6);
	memcpy(&csum, field, sizeof(csum));
	if (proto == IPPROTO_UDP && csum == 0)
		return;
	csum = nf_csum_update(csum, old_a, new_a, alen);
	/* A computed UDP checksum of 0 is sent as all ones (RFC 768). */
	if (proto == IPPROTO_UDP && csum == 0)
		csum = RTE_BE16(0xffff);
	memcpy(field, &csum, sizeof(csum));
}

/*
 * The header is trusted to be a parsed one (IHL >= 5). Skipping the checksum
 * word instead of zeroing it lets the header stay const.
 */
rte_be16_t
nf_ipv4_csum(const void *ipv4_hdr)
{
	const unsigned int skip = offsetof(struct rte_ipv4_hdr, hdr_checksum);
	const uint8_t *h = ipv4_hdr;
	unsigned int hlen = (h[0] & RTE_IPV4_HDR_IHL_MASK) *
		RTE_IPV4_IHL_MULTIPLIER;
	uint64_t sum = 0;

	for (unsigned int i = 0; i + 1 < hlen; i += 2)
		if (i != skip)
			sum += load16(h + i);
	return (rte_be16_t)~csum_fold(sum);
}
