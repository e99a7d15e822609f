/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The L4 protocol handlers: the TCP state machine and UDP (C-1, C-3).
 *
 * The TCP machine follows the handshake and teardown a firewall needs to
 * tell legitimate packets from stray ones, without window tracking: a
 * packet is invalid when it cannot belong to the connection's current
 * state (an ACK before the SYN-ACK, a SYN-ACK acknowledging the wrong
 * ISN, a SYN with a new ISN on an open connection, anything after an RST
 * but a new SYN). Invalid packets never change the state, so an attacker
 * cannot reset or advance a connection with them. Every transition is one
 * compare-and-swap of the entry's state word, so both directions may be
 * processed on different threads.
 */
#include <netinet/in.h>

#include "ct_private.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* A transition computed from a snapshot of the word. */
struct tcp_step {
	uint32_t word;     /* new word */
	enum ct_verdict v;
	int8_t isn_dir;    /* direction whose ISN to record, -1: none */
};

static bool
tcp_valid_new(const struct ct_pkt *p)
{
	return (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) ==
		TCP_SYN;
}

static void
tcp_init(struct ct_entry *e, const struct ct_pkt *p, uint32_t *state)
{
	e->isn[CT_DIR_ORIG] = p->seq;
	e->isn[CT_DIR_REPLY] = 0;
	*state = CT_TCP_SYN_SENT;
}

/* SYN without ACK. */
static void
tcp_syn(const struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p,
	uint32_t st, struct tcp_step *s)
{
	const uint32_t fins = (CT_WF_FIN_ORIG | CT_WF_FIN_REPLY)
		<< CT_W_FLAGS_SHIFT;

	switch (st) {
	case CT_TCP_SYN_SENT:
		if (dir == CT_DIR_ORIG) {
			/* retransmitted, or the client retried with a new
			 * ISN before any answer: follow it */
			s->isn_dir = dir;
		} else {
			s->word = ct_w_set_state(s->word, CT_TCP_SYN_SENT2);
			s->isn_dir = dir;
		}
		return;
	case CT_TCP_TIME_WAIT:
	case CT_TCP_CLOSED:
		/* port reuse after a close: a new connection in this entry */
		if (dir == CT_DIR_ORIG) {
			s->word = ct_w_set_state(s->word & ~fins,
				CT_TCP_SYN_SENT);
			s->isn_dir = dir;
			return;
		}
		s->v = CT_V_INVALID;
		return;
	default:
		/* a retransmitted SYN carries the same ISN; another ISN on
		 * an open connection is not this connection's */
		if (p->seq != e->isn[dir])
			s->v = CT_V_INVALID;
		return;
	}
}

/* SYN + ACK. */
static void
tcp_synack(const struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p,
	   uint32_t st, struct tcp_step *s)
{
	enum ct_dir other = (enum ct_dir)(dir ^ 1);

	switch (st) {
	case CT_TCP_SYN_SENT:
		if (dir == CT_DIR_REPLY &&
				p->ack == e->isn[CT_DIR_ORIG] + 1) {
			s->word = ct_w_set_state(s->word, CT_TCP_SYN_RECV);
			s->isn_dir = dir;
			return;
		}
		break;
	case CT_TCP_SYN_SENT2:
		/* simultaneous open: either side answers the other's SYN */
		if (p->ack == e->isn[other] + 1 && p->seq == e->isn[dir]) {
			s->word = ct_w_set_state(s->word, CT_TCP_SYN_RECV);
			return;
		}
		break;
	case CT_TCP_SYN_RECV:
	case CT_TCP_ESTABLISHED:
		if (p->seq == e->isn[dir]) /* retransmitted SYN-ACK */
			return;
		break;
	default:
		break;
	}
	s->v = CT_V_INVALID;
}

/* No SYN, no RST: ACK (and maybe FIN) of an open connection. */
static void
tcp_ack(enum ct_dir dir, const struct ct_pkt *p, uint32_t st,
	struct tcp_step *s)
{
	uint32_t f;

	if (!(p->tcp_flags & TCP_ACK)) {
		s->v = CT_V_INVALID;
		return;
	}
	switch (st) {
	case CT_TCP_SYN_RECV:
	case CT_TCP_ESTABLISHED:
	case CT_TCP_FIN_WAIT:
	case CT_TCP_CLOSING:
		break;
	case CT_TCP_TIME_WAIT:
		return; /* retransmissions of the teardown */
	default:
		/* SYN_SENT/SYN_SENT2: ACK before a SYN-ACK; CLOSED: after
		 * an RST */
		s->v = CT_V_INVALID;
		return;
	}
	if (p->tcp_flags & TCP_FIN)
		s->word |= (uint32_t)(dir == CT_DIR_ORIG ? CT_WF_FIN_ORIG :
			CT_WF_FIN_REPLY) << CT_W_FLAGS_SHIFT;
	f = ct_w_flags(s->word);
	if ((f & CT_WF_FIN_ORIG) && (f & CT_WF_FIN_REPLY)) {
		/* the ACK that follows both FINs completes the close */
		if (st == CT_TCP_CLOSING && !(p->tcp_flags & TCP_FIN)) {
			s->word = ct_w_set_state(s->word, CT_TCP_TIME_WAIT);
			s->v = CT_V_END;
		} else {
			s->word = ct_w_set_state(s->word, CT_TCP_CLOSING);
		}
	} else if (f & (CT_WF_FIN_ORIG | CT_WF_FIN_REPLY)) {
		s->word = ct_w_set_state(s->word, CT_TCP_FIN_WAIT);
	} else {
		s->word = ct_w_set_state(s->word, CT_TCP_ESTABLISHED);
	}
}

static enum ct_verdict
tcp_update(struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p)
{
	uint32_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);

	for (;;) {
		struct tcp_step s = { .word = w, .v = CT_V_EST, .isn_dir = -1 };
		uint32_t st = ct_w_state(w);

		if (ct_w_life(w) != CT_LIFE_LIVE)
			return CT_V_INVALID;
		if (p->tcp_flags & TCP_RST) {
			s.word = ct_w_set_state(w, CT_TCP_CLOSED);
			s.v = CT_V_END;
		} else if ((p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
			tcp_syn(e, dir, p, st, &s);
		} else if (p->tcp_flags & TCP_SYN) {
			tcp_synack(e, dir, p, st, &s);
		} else {
			tcp_ack(dir, p, st, &s);
		}
		if (s.v == CT_V_INVALID)
			return s.v;
		if (s.word == w || __atomic_compare_exchange_n(&e->word,
					&w, s.word, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
			if (s.isn_dir >= 0)
				__atomic_store_n(&e->isn[s.isn_dir], p->seq,
					__ATOMIC_RELAXED);
			return s.v;
		}
		/* another packet of this connection won: redo on its word */
	}
}

static uint32_t
tcp_timeout_ms(const struct ct *ct, uint32_t w)
{
	switch (ct_w_state(w)) {
	case CT_TCP_CLOSING:
	case CT_TCP_TIME_WAIT:
	case CT_TCP_CLOSED:
		return ct->cfg.tcp_session_del_s * 1000u;
	default:
		return ct->cfg.tcp_timeout_s * 1000u;
	}
}

const struct ct_l4_proto ct_i_tcp_proto = {
	.valid_new = tcp_valid_new,
	.init = tcp_init,
	.update = tcp_update,
	.timeout_ms = tcp_timeout_ms,
};

static bool
udp_valid_new(const struct ct_pkt *p)
{
	(void)p;
	return true;
}

static void
udp_init(struct ct_entry *e, const struct ct_pkt *p, uint32_t *state)
{
	(void)p;
	e->isn[0] = e->isn[1] = 0;
	*state = CT_TCP_NONE;
}

static enum ct_verdict
udp_update(struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p)
{
	(void)e;
	(void)dir;
	(void)p;
	return CT_V_EST;
}

static uint32_t
udp_timeout_ms(const struct ct *ct, uint32_t w)
{
	(void)w;
	return ct->cfg.udp_timeout_s * 1000u;
}

const struct ct_l4_proto ct_i_udp_proto = {
	.valid_new = udp_valid_new,
	.init = udp_init,
	.update = udp_update,
	.timeout_ms = udp_timeout_ms,
};
