/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The L4 protocol handlers: the TCP state machine with sequence/window
 * tracking, and UDP (C-1, C-3).
 *
 * The TCP machine follows the handshake and teardown a firewall needs to
 * tell legitimate packets from stray ones: a packet is invalid when it
 * cannot belong to the connection's current state (an ACK before the
 * SYN-ACK, a SYN-ACK acknowledging the wrong ISN, a SYN with a new ISN on
 * an open connection, anything after an RST but a new SYN). Invalid
 * packets never change the state, so an attacker cannot reset or advance
 * a connection with them. Every transition is one compare-and-swap of
 * the entry's state word, so both directions may be processed on
 * different threads.
 *
 * Window tracking (unless CT_CFG_F_NO_TCP_WINDOW, and only for packets
 * with CT_TCPI_WIN) then checks the segment against what each side has
 * sent and advertised, the four bounds of Linux's tcp_in_window (after
 * G. van Rooij, "Real stateful TCP packet filtering in IP Filter"):
 *   I    seq      <= sender.maxend             (within the peer's window)
 *   II   seq+len  >  sender.end - receiver.maxwin (not an old duplicate)
 *   III  ack      <= receiver.end               (nothing unsent acked)
 *   IV   ack      >  receiver.end - sender.maxwin (not a stale ACK)
 * An empty segment (pure ACK, keepalive, window probe) skips I and II,
 * as in Linux; an RST is checked by its sequence number. A side's window
 * fields are scaled by the shift of its SYN's window-scale option when
 * both SYNs carried one (RFC 7323), and by 14 when the connection was
 * picked up mid-stream (scale unknown: loose). The checks run on a
 * snapshot before the state word is committed; the window update follows
 * the commit, each edge advanced by a CAS loop of its own.
 */
#include <netinet/in.h>
#include <string.h>

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
	bool reuse;        /* a new connection in a closed entry */
};

static inline bool
seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool
tcp_win_on(const struct ct *ct, const struct ct_pkt *p)
{
	return !(ct->cfg.flags & CT_CFG_F_NO_TCP_WINDOW) &&
		(p->tcp_info & CT_TCPI_WIN);
}

/* Sequence space the segment occupies: data, SYN and FIN count. */
static inline uint32_t
tcp_seg_end(const struct ct_pkt *p)
{
	return p->seq + p->tcp_dlen + !!(p->tcp_flags & TCP_SYN) +
		!!(p->tcp_flags & TCP_FIN);
}

/* Advance *f to v if v is after it (modulo 2^32); racing writers keep
 * the furthest value. */
static inline void
seq_advance(uint32_t *f, uint32_t v)
{
	uint32_t cur = __atomic_load_n(f, __ATOMIC_RELAXED);

	while (seq_after(v, cur) && !__atomic_compare_exchange_n(f, &cur, v,
			true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static inline void
win_advance(uint16_t *f, uint16_t v)
{
	uint16_t cur = __atomic_load_n(f, __ATOMIC_RELAXED);

	while (v > cur && !__atomic_compare_exchange_n(f, &cur, v, true,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* A consistent-enough copy of one side's window state. */
struct tcp_snap {
	uint32_t end, maxend, maxwin; /* maxwin scaled */
	uint8_t wscale, flags;
};

static inline void
tcp_snap(const struct ct_tcp_peer *tp, struct tcp_snap *s)
{
	s->flags = __atomic_load_n(&tp->flags, __ATOMIC_ACQUIRE);
	s->end = __atomic_load_n(&tp->end, __ATOMIC_RELAXED);
	s->maxend = __atomic_load_n(&tp->maxend, __ATOMIC_RELAXED);
	s->wscale = __atomic_load_n(&tp->wscale, __ATOMIC_RELAXED);
	s->maxwin = (uint32_t)__atomic_load_n(&tp->maxwin, __ATOMIC_RELAXED)
		<< s->wscale;
}

/* Write one side's state; flags last, so a reader that sees KNOWN sees
 * the fields of this or a later initialisation. */
static void
tcp_peer_set(struct ct_tcp_peer *tp, uint32_t end, uint32_t maxend,
	     uint16_t maxwin, uint8_t wscale, uint8_t flags)
{
	__atomic_store_n(&tp->end, end, __ATOMIC_RELAXED);
	__atomic_store_n(&tp->maxend, maxend, __ATOMIC_RELAXED);
	__atomic_store_n(&tp->maxwin, maxwin, __ATOMIC_RELAXED);
	__atomic_store_n(&tp->wscale, wscale, __ATOMIC_RELAXED);
	__atomic_store_n(&tp->flags, flags, __ATOMIC_RELEASE);
}

/* A SYN's (unscaled) window in units of the side's scale, rounded up:
 * maxwin holds window fields, which are shifted when used. */
static inline uint16_t
syn_win_units(uint32_t win, uint8_t ws)
{
	return (uint16_t)RTE_MAX((win + (1u << ws) - 1) >> ws, 1u);
}

/*
 * Side dir sends a SYN (or SYN-ACK): a fresh sequence space. Once both
 * SYNs are seen the scales are settled: each side's option if both had
 * one, else 0 for both (RFC 7323), and the first SYN's window is put in
 * units of its side's scale.
 */
static void
tcp_win_syn(struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p)
{
	struct ct_tcp_peer *rx = &e->peer[dir ^ 1];
	uint8_t rf = __atomic_load_n(&rx->flags, __ATOMIC_ACQUIRE);
	uint8_t flags = CT_TP_KNOWN | CT_TP_SYN;
	uint8_t ws = 0;
	uint32_t end = tcp_seg_end(p);
	uint16_t mw = RTE_MAX(p->tcp_win, 1);

	if (p->tcp_info & CT_TCPI_WSCALE) {
		flags |= CT_TP_WSOPT;
		ws = RTE_MIN(p->tcp_wscale, 14);
	}
	if (rf & CT_TP_SYN) {
		if ((rf & CT_TP_WSOPT) && (flags & CT_TP_WSOPT)) {
			uint8_t rws = __atomic_load_n(&rx->wscale,
				__ATOMIC_RELAXED);

			__atomic_store_n(&rx->maxwin, syn_win_units(
				__atomic_load_n(&rx->maxwin, __ATOMIC_RELAXED),
				rws), __ATOMIC_RELAXED);
			mw = syn_win_units(p->tcp_win, ws);
		} else {
			ws = 0;
			__atomic_store_n(&rx->wscale, 0, __ATOMIC_RELAXED);
		}
	}
	tcp_peer_set(&e->peer[dir], end, end, mw, ws, flags);
}

/* First window-checked packet of side dir without its SYN: picked up
 * mid-stream, or its SYN carried no window information. */
static void
tcp_win_pickup(struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p)
{
	uint32_t end = tcp_seg_end(p);
	uint16_t w = RTE_MAX(p->tcp_win, 1);

	tcp_peer_set(&e->peer[dir], end,
		end + ((uint32_t)w << CT_TP_GUESS_SCALE), w,
		CT_TP_GUESS_SCALE, CT_TP_KNOWN);
}

/*
 * Check a segment of side dir against both sides' window state.
 * @return CT_INV_NONE or the bound it breaks.
 */
static enum ct_invalid
tcp_in_window(const struct ct_entry *e, enum ct_dir dir,
	      const struct ct_pkt *p, uint32_t st)
{
	struct tcp_snap tx, rx;
	uint32_t seq = p->seq, end = tcp_seg_end(p);
	bool rst = p->tcp_flags & TCP_RST;
	bool check_ack = (p->tcp_flags & TCP_ACK) && !(rst && p->ack == 0);

	tcp_snap(&e->peer[dir], &tx);
	tcp_snap(&e->peer[dir ^ 1], &rx);
	if (!(tx.flags & CT_TP_KNOWN)) {
		/* first packet of this side: nothing to hold its sequence
		 * numbers against; its ACK still must not run ahead */
		if (rst && !(rx.flags & CT_TP_KNOWN))
			return CT_INV_NONE;
		goto ack;
	}
	/* empty segments (and an RST answering a SYN with seq 0) carry no
	 * sequence space: only their ACK is checked */
	if (!((seq == end && !rst) ||
			(rst && seq == 0 && st == CT_TCP_SYN_SENT))) {
		if (seq_after(seq, tx.maxend))
			return CT_INV_SEQ_HIGH;
		if ((rx.flags & CT_TP_KNOWN) &&
				!seq_after(end, tx.end - rx.maxwin - 1))
			return CT_INV_SEQ_LOW;
	}
ack:
	if (!check_ack || !(rx.flags & CT_TP_KNOWN))
		return CT_INV_NONE;
	if (seq_after(p->ack, rx.end))
		return CT_INV_ACK_HIGH;
	if ((tx.flags & CT_TP_KNOWN) &&
			!seq_after(p->ack, rx.end - tx.maxwin - 1))
		return CT_INV_ACK_LOW;
	return CT_INV_NONE;
}

/* An accepted segment of side dir: move the edges it proves. */
static void
tcp_win_update(struct ct_entry *e, enum ct_dir dir, const struct ct_pkt *p,
	       bool init)
{
	struct ct_tcp_peer *tx = &e->peer[dir], *rx = &e->peer[dir ^ 1];
	uint8_t tf = __atomic_load_n(&tx->flags, __ATOMIC_ACQUIRE);
	uint32_t win = p->tcp_win;

	if (p->tcp_flags & TCP_RST)
		return;
	if (init) {
		tcp_win_syn(e, dir, p);
	} else if (!(tf & CT_TP_KNOWN)) {
		tcp_win_pickup(e, dir, p);
	} else {
		seq_advance(&tx->end, tcp_seg_end(p));
		/* a (retransmitted) SYN's window is in bytes */
		win_advance(&tx->maxwin, p->tcp_flags & TCP_SYN ?
			syn_win_units(p->tcp_win, __atomic_load_n(&tx->wscale,
				__ATOMIC_RELAXED)) : p->tcp_win);
	}
	if (!(p->tcp_flags & TCP_ACK))
		return;
	/* the receiver may send up to what this ACK opens; a SYN's window
	 * is never scaled */
	if (!(p->tcp_flags & TCP_SYN))
		win <<= __atomic_load_n(&tx->wscale, __ATOMIC_RELAXED);
	if (__atomic_load_n(&rx->flags, __ATOMIC_ACQUIRE) & CT_TP_KNOWN)
		seq_advance(&rx->maxend, p->ack + RTE_MAX(win, 1u));
}

static bool
tcp_valid_new(const struct ct *ct, const struct ct_pkt *p)
{
	uint8_t f = p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);

	return f == TCP_SYN ||
		(f == TCP_ACK && (ct->cfg.flags & CT_CFG_F_TCP_PICKUP));
}

static void
tcp_init(const struct ct *ct, struct ct_entry *e, const struct ct_pkt *p,
	 uint32_t *state)
{
	bool syn = p->tcp_flags & TCP_SYN;

	memset(e->peer, 0, sizeof(e->peer));
	e->isn[CT_DIR_ORIG] = syn ? p->seq : 0;
	e->isn[CT_DIR_REPLY] = 0;
	*state = syn ? CT_TCP_SYN_SENT : CT_TCP_ESTABLISHED;
	if (tcp_win_on(ct, p))
		tcp_win_update(e, CT_DIR_ORIG, p, syn);
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
			s->reuse = true;
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
tcp_update(const struct ct *ct, struct ct_entry *e, enum ct_dir dir,
	   const struct ct_pkt *p, uint8_t *why)
{
	uint32_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	bool win = tcp_win_on(ct, p);

	for (;;) {
		struct tcp_step s = { .word = w, .v = CT_V_EST, .isn_dir = -1 };
		uint32_t st = ct_w_state(w);

		if (ct_w_life(w) != CT_LIFE_LIVE) {
			*why = CT_INV_STATE;
			return CT_V_INVALID;
		}
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
		if (s.v == CT_V_INVALID) {
			*why = CT_INV_STATE;
			return s.v;
		}
		/* a SYN that starts a sequence space is not checked
		 * against the old one (the state machine vetted it) */
		if (win && s.isn_dir < 0) {
			enum ct_invalid r = tcp_in_window(e, dir, p, st);

			if (r != CT_INV_NONE) {
				*why = r;
				return CT_V_INVALID;
			}
		}
		if (s.word == w || __atomic_compare_exchange_n(&e->word,
					&w, s.word, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
			if (s.isn_dir >= 0)
				__atomic_store_n(&e->isn[s.isn_dir], p->seq,
					__ATOMIC_RELAXED);
			if (s.reuse || (s.isn_dir >= 0 && !win))
				/* forget the old sequence space: the new
				 * one starts from this SYN (or from the
				 * first packet with window information) */
				__atomic_store_n(&e->peer[dir].flags, 0,
					__ATOMIC_RELAXED);
			if (s.reuse)
				__atomic_store_n(&e->peer[dir ^ 1].flags, 0,
					__ATOMIC_RELAXED);
			if (win)
				tcp_win_update(e, dir, p, s.isn_dir >= 0);
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
udp_valid_new(const struct ct *ct, const struct ct_pkt *p)
{
	(void)ct;
	(void)p;
	return true;
}

static void
udp_init(const struct ct *ct, struct ct_entry *e, const struct ct_pkt *p,
	 uint32_t *state)
{
	(void)ct;
	(void)p;
	e->isn[0] = e->isn[1] = 0;
	*state = CT_TCP_NONE;
}

static enum ct_verdict
udp_update(const struct ct *ct, struct ct_entry *e, enum ct_dir dir,
	   const struct ct_pkt *p, uint8_t *why)
{
	(void)ct;
	(void)why;
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
