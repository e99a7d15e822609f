/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The datapath: packets to tuples, burst lookup, per-packet state and
 * counter updates. Lock-free; nothing is allocated.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "nf_pkt.h"
#include "ct_private.h"

/* rte_hash_lookup_bulk takes at most this many keys. */
#define CT_CHUNK RTE_HASH_LOOKUP_BULK_MAX

int
ct_pkt_from_key(struct ct_pkt *p, uint16_t zone,
		const struct nf_flow_key *key, const void *l4, uint16_t len)
{
	if (!(key->flags & (NF_KEY_F_IPV4 | NF_KEY_F_IPV6)) ||
			(key->flags & (NF_KEY_F_TUNNEL | NF_KEY_F_FRAG)) ||
			(key->ip_proto != IPPROTO_TCP &&
				key->ip_proto != IPPROTO_UDP))
		return -ENOTSUP;
	memset(p, 0, sizeof(*p));
	memcpy(p->tuple.src, key->src_ip, sizeof(p->tuple.src));
	memcpy(p->tuple.dst, key->dst_ip, sizeof(p->tuple.dst));
	p->tuple.sport = key->src_port;
	p->tuple.dport = key->dst_port;
	p->tuple.zone = zone;
	p->tuple.proto = key->ip_proto;
	p->tuple.family = key->flags & NF_KEY_F_IPV4 ? 4 : 6;
	p->tcp_flags = key->tcp_flags;
	p->len = len;
	if (key->ip_proto == IPPROTO_TCP && l4 != NULL) {
		const struct rte_tcp_hdr *th = l4;

		p->seq = rte_be_to_cpu_32(th->sent_seq);
		p->ack = rte_be_to_cpu_32(th->recv_ack);
		p->tcp_win = rte_be_to_cpu_16(th->rx_win);
	}
	return 0;
}

/* TCP option kinds (RFC 9293, RFC 7323). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_WSCALE 3

int
ct_pkt_tcp(struct ct_pkt *p, const void *l4, uint32_t l4_len)
{
	const struct rte_tcp_hdr *th = l4;
	const uint8_t *opt = (const uint8_t *)(th + 1);
	uint32_t hlen;

	p->tcp_info = 0;
	if (l4_len < sizeof(*th))
		return -EINVAL;
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < sizeof(*th) || hlen > l4_len)
		return -EINVAL;
	p->seq = rte_be_to_cpu_32(th->sent_seq);
	p->ack = rte_be_to_cpu_32(th->recv_ack);
	p->tcp_flags = th->tcp_flags;
	p->tcp_win = rte_be_to_cpu_16(th->rx_win);
	p->tcp_dlen = l4_len - hlen;
	p->tcp_wscale = 0;
	p->tcp_info = CT_TCPI_WIN;
	if (!(th->tcp_flags & RTE_TCP_SYN_FLAG))
		return 0; /* the scale is only negotiated on SYNs */
	for (uint32_t i = 0, n = hlen - sizeof(*th); i < n;) {
		uint8_t kind = opt[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || (olen = opt[i + 1]) < 2 || i + olen > n)
			break; /* malformed: ignore the rest, keep the header */
		if (kind == TCPOPT_WSCALE && olen == 3) {
			/* RFC 7323 2.3: a shift above 14 is used as 14 */
			p->tcp_wscale = RTE_MIN(opt[i + 2], 14);
			p->tcp_info |= CT_TCPI_WSCALE;
		}
		i += olen;
	}
	return 0;
}

int
ct_pkt_from_mbuf(struct ct_pkt *p, uint16_t zone,
		 const struct nf_flow_key *key, const struct rte_mbuf *m,
		 const struct nf_pkt_layout *lay)
{
	uint16_t len = (uint16_t)RTE_MIN(m->pkt_len, (uint32_t)UINT16_MAX);
	int rc = ct_pkt_from_key(p, zone, key, NULL, len);
	const struct rte_tcp_hdr *th;

	if (rc != 0 || key->ip_proto != IPPROTO_TCP)
		return rc;
	/* nf_pkt_parse checked the IP length and the TCP data offset
	 * against the first segment; check again, it is cheap */
	if (lay->l3 == NF_OFF_NONE || lay->l4 == NF_OFF_NONE ||
			lay->l4 < lay->l3 ||
			lay->l3_len < lay->l4 - lay->l3 ||
			(uint32_t)lay->l4 + sizeof(struct rte_tcp_hdr) >
				m->data_len)
		return -EINVAL;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, lay->l4);
	if ((uint32_t)lay->l4 + (th->data_off >> 4) * 4u > m->data_len)
		return -EINVAL; /* options beyond the first segment */
	return ct_pkt_tcp(p, th, lay->l3_len - (lay->l4 - lay->l3));
}

/* A packet that found no usable entry. */
static void
ct_miss(const struct ct *ct, const struct ct_pkt *p, struct ct_result *r)
{
	const struct ct_l4_proto *l4 = ct_i_proto(p->tuple.proto);

	r->entry = NULL;
	r->dir = CT_DIR_ORIG;
	r->state = CT_TCP_NONE;
	if (l4 != NULL && l4->valid_new(ct, p)) {
		r->verdict = CT_V_NEW;
		r->why = CT_INV_NONE;
	} else {
		r->verdict = CT_V_INVALID;
		r->why = CT_INV_NO_CONN;
	}
}

/* Packet p of direction-in-key kdir hit entry e. @return true if the
 * entry is tracked (live and this direction present). */
static bool
ct_hit(struct ct *ct, struct ct_entry *e, bool kdir, const struct ct_pkt *p,
       uint32_t now, struct ct_result *r)
{
	uint32_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	uint32_t f = ct_w_flags(w);
	enum ct_dir d;
	unsigned int c;

	if (ct_w_life(w) != CT_LIFE_LIVE)
		return false;
	d = (enum ct_dir)(kdir ^ !!(f & CT_WF_ORIG_SWAPPED));
	if (!(f & (d == CT_DIR_ORIG ? CT_WF_DIR_ORIG : CT_WF_DIR_REPLY)))
		return false;
	r->entry = e;
	r->dir = d;
	r->why = CT_INV_NONE;
	r->verdict = ct_i_proto(p->tuple.proto)->update(ct, e, d, p, &r->why);
	r->state = ct_entry_state(e);
	if (r->verdict == CT_V_INVALID)
		return true;
	if (__atomic_load_n(&e->last_seen, __ATOMIC_RELAXED) != now)
		__atomic_store_n(&e->last_seen, now, __ATOMIC_RELAXED);
	if (ct->cfg.flags & CT_CFG_F_NO_COUNTERS)
		return true;
	c = f & CT_WF_SHARED ? 0 : d;
	__atomic_fetch_add(&e->pkts[c], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&e->bytes[c], p->len, __ATOMIC_RELAXED);
	return true;
}

unsigned int
ct_lookup_burst(struct ct *ct, const struct ct_pkt *pkts, unsigned int n,
		struct ct_result *res)
{
	struct ct_tuple keys[CT_CHUNK];
	const void *kp[CT_CHUNK];
	int32_t pos[CT_CHUNK];
	bool swapped[CT_CHUNK];
	uint32_t now = (uint32_t)ct_i_now(ct);
	unsigned int hits = 0;

	for (unsigned int base = 0; base < n; base += CT_CHUNK) {
		unsigned int m = RTE_MIN(n - base, (unsigned int)CT_CHUNK);

		for (unsigned int i = 0; i < m; i++) {
			swapped[i] = ct_i_key(&pkts[base + i].tuple, &keys[i]);
			kp[i] = &keys[i];
		}
		if (rte_hash_lookup_bulk(ct->h, kp, m, pos) != 0) {
			for (unsigned int i = 0; i < m; i++)
				pos[i] = -ENOENT;
		}
		/* the entries are a third cache miss per packet after the
		 * bucket and the key, which the bulk lookup prefetched; an
		 * 80-byte entry spans two cache lines */
		for (unsigned int i = 0; i < m; i++)
			if (pos[i] >= 0 && (uint32_t)pos[i] < ct->nb_slots) {
				const char *ep = (const char *)
					&ct->entries[pos[i]];

				rte_prefetch0(ep);
				rte_prefetch0(ep + sizeof(struct ct_entry) - 1);
			}
		for (unsigned int i = 0; i < m; i++) {
			const struct ct_pkt *p = &pkts[base + i];
			struct ct_result *r = &res[base + i];

			if (pos[i] >= 0 && (uint32_t)pos[i] < ct->nb_slots &&
					ct_hit(ct, &ct->entries[pos[i]],
						swapped[i], p, now, r))
				hits++;
			else
				ct_miss(ct, p, r);
		}
	}
	return hits;
}
