/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_CT_PRIVATE_H
#define NF_CT_PRIVATE_H

/*
 * lib/ct internals shared by its .c files. The public API is ct.h; the
 * functions here cross file boundaries inside the library only and are
 * named ct_i_* so nobody mistakes them for API.
 */

#include <pthread.h>
#include <stdatomic.h>

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "ct.h"

/*
 * The entry's state word: life in bits 0-1, TCP state in 8-15, entry
 * flags in 16-23, action ownership in 24-31. One word so that a single
 * compare-and-swap changes life and state together: a packet cannot
 * update a connection that a remover has just killed, and two adders of
 * the same connection cannot both claim its slot.
 */
#define CT_LIFE_MASK 0x3u
#define CT_LIFE_FREE 0u    /* slot not in use */
#define CT_LIFE_CLAIMED 1u /* an adder owns it and is filling it in */
#define CT_LIFE_LIVE 2u    /* visible to lookups */
#define CT_LIFE_DEAD 3u    /* removed, waiting for the grace period */

#define CT_W_STATE_SHIFT 8
#define CT_W_FLAGS_SHIFT 16
#define CT_W_OWN_SHIFT 24

/* Entry flags (bits 16-23 of the word); the low two are CT_EF_*. */
#define CT_WF_SHARED CT_EF_SHARED_COUNTER
#define CT_WF_NO_AGING CT_EF_NO_AGING
#define CT_WF_ORIG_SWAPPED 0x08 /* origin tuple = key with ends swapped */
#define CT_WF_DIR_ORIG 0x10     /* origin direction present */
#define CT_WF_DIR_REPLY 0x20    /* reply direction present */
#define CT_WF_FIN_ORIG 0x40     /* FIN seen from the origin */
#define CT_WF_FIN_REPLY 0x80    /* FIN seen from the reply side */

/* Action ownership (bits 24-31): the entry's own NAT, freed with it. */
#define CT_WO_ORIG 0x01
#define CT_WO_REPLY 0x02

static inline uint32_t
ct_w_life(uint32_t w)
{
	return w & CT_LIFE_MASK;
}

static inline uint32_t
ct_w_state(uint32_t w)
{
	return (w >> CT_W_STATE_SHIFT) & 0xff;
}

static inline uint32_t
ct_w_flags(uint32_t w)
{
	return (w >> CT_W_FLAGS_SHIFT) & 0xff;
}

static inline uint32_t
ct_w_set_state(uint32_t w, uint32_t state)
{
	return (w & ~(0xffu << CT_W_STATE_SHIFT)) | (state << CT_W_STATE_SHIFT);
}

/*
 * TCP window state of one direction (the "sender" of its packets), after
 * Linux's ip_ct_tcp_state and OVS's tcp_peer. Sequence numbers compare
 * modulo 2^32. Written with relaxed atomics: end, maxend and maxwin only
 * advance (a CAS loop per field), the rest is set when the direction is
 * (re)initialised by a SYN or picked up. See ct.h, "TCP windows".
 */
struct ct_tcp_peer {
	uint32_t end;     /* highest seq + len (+ SYN/FIN) sent */
	uint32_t maxend;  /* highest seq it may send: peer's ack + window */
	uint16_t maxwin;  /* largest window field it advertised (unscaled) */
	uint8_t wscale;   /* the scale its window fields are shifted by */
	uint8_t flags;    /* CT_TP_* */
};
#define CT_TP_KNOWN 0x01 /* initialised from one of its packets */
#define CT_TP_SYN 0x02   /* ... from its SYN: the scale is known */
#define CT_TP_WSOPT 0x04 /* its SYN carried the window-scale option */
/* Scale assumed for a direction picked up mid-stream (RFC 7323 max). */
#define CT_TP_GUESS_SCALE 14

/*
 * 80 bytes: with the 48-byte rte_hash key slot and its bucket share a
 * connection takes ~150 bytes (C-6). The fields every packet touches
 * (word, last_seen, counters, the TCP window state) come first. Packet
 * counts are 32-bit per direction (4G packets), byte counts 64-bit.
 */
struct ct_entry {
	uint32_t word;      /* life | state | flags | ownership, CAS only */
	uint32_t last_seen; /* table clock in ms, compared wrap-safe */
	uint32_t pkts[2];
	uint64_t bytes[2];
	struct ct_tcp_peer peer[2]; /* TCP window state per direction */
	uint32_t isn[2];    /* TCP initial sequence number per direction */
	uint32_t meta;
	uint16_t fwd[2];
	uint32_t action[2];
};
/* An action slot: shared (created by the user) or one entry's own NAT. */
struct ct_action {
	struct ct_nat nat;
	uint8_t used;
	uint8_t shared;
};

/* Per-protocol behaviour, like OVS's struct ct_l4_proto. */
struct ct_l4_proto {
	/* may this packet create a connection? */
	bool (*valid_new)(const struct ct *ct, const struct ct_pkt *p);
	/* first packet: initial state, stored in *state */
	void (*init)(const struct ct *ct, struct ct_entry *e,
		     const struct ct_pkt *p, uint32_t *state);
	/* packet of direction dir on a live entry: CAS the word, verdict;
	 * *why gets the enum ct_invalid of an invalid one */
	enum ct_verdict (*update)(const struct ct *ct, struct ct_entry *e,
				  enum ct_dir dir, const struct ct_pkt *p,
				  uint8_t *why);
	/* idle timeout of the entry in its state word w, ms */
	uint32_t (*timeout_ms)(const struct ct *ct, uint32_t w);
};

extern const struct ct_l4_proto ct_i_tcp_proto;
extern const struct ct_l4_proto ct_i_udp_proto;

struct ct {
	struct ct_cfg cfg;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash *h;
	rte_spinlock_t wlock;       /* serialises rte_hash writes */
	struct ct_entry *entries;
	uint32_t nb_slots;          /* entries[] size: hash positions */
	uint32_t live;              /* connections counted against nb_conns */
	uint64_t tsc_ms_mul;        /* default clock: 2^64 / TSC ticks per ms */
	struct rte_rcu_qsbr *qs;
	struct rte_rcu_qsbr_dq *dq;
	struct ct_action *actions;
	struct rte_ring *act_free;  /* free action indices */
	pthread_t aging_thread;
	bool aging_running;
	bool aging_stop;
	unsigned int aging_period_ms;
};

/* Normalise @p t into key @p k; true when the ends were swapped. */
bool ct_i_key(const struct ct_tuple *t, struct ct_tuple *k);
const struct ct_l4_proto *ct_i_proto(uint8_t proto);
uint64_t ct_i_now(const struct ct *ct);
/* Remove a live entry (CAS to DEAD, delete the key, defer the slot). */
int ct_i_remove(struct ct *ct, struct ct_entry *e, enum ct_rm_reason why);
/* Reclaim removed slots whose grace period has ended. */
void ct_i_reclaim(struct ct *ct);
/* Release a non-shared action slot. */
void ct_i_action_put(struct ct *ct, uint32_t handle);

#endif /* NF_CT_PRIVATE_H */
