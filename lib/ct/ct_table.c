/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The connection table (C-1): creation, key normalisation, removal and
 * RCU reclamation, reader registration, entry getters.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "ct_private.h"

/* rte_hash positions run 0..entries-1; one spare keeps the bound check
 * in the lookup honest if that ever changes. */
#define CT_HASH_SLACK 1u

static uint32_t ct_seq;

/* The reader id this thread registered with (last table only): a remover
 * that must wait for a grace period reports itself quiescent instead of
 * waiting for itself forever. */
static __thread const struct ct *ct_tls_ct;
static __thread unsigned int ct_tls_tid;

/* Address a vs b as unsigned big-endian numbers: -1, 0, 1. */
static inline int
ct_addr_cmp(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	a0 = rte_be_to_cpu_64(a0), b0 = rte_be_to_cpu_64(b0);
	if (a0 != b0)
		return a0 < b0 ? -1 : 1;
	a1 = rte_be_to_cpu_64(a1), b1 = rte_be_to_cpu_64(b1);
	return a1 == b1 ? 0 : a1 < b1 ? -1 : 1;
}

bool
ct_i_key(const struct ct_tuple *t, struct ct_tuple *k)
{
	int c = ct_addr_cmp(t->src, t->dst);
	bool swap;

	if (c == 0)
		c = (int)rte_be_to_cpu_16(t->sport) -
			(int)rte_be_to_cpu_16(t->dport);
	swap = c > 0;
	if (!swap) {
		*k = *t;
		return false;
	}
	memcpy(k->src, t->dst, sizeof(k->src));
	memcpy(k->dst, t->src, sizeof(k->dst));
	k->sport = t->dport;
	k->dport = t->sport;
	k->zone = t->zone;
	k->proto = t->proto;
	k->family = t->family;
	return true;
}

/*
 * Key compare for rte_hash: it only specialises 16/32/48/64.. byte keys
 * and calls memcmp for our 40 bytes, which was 15% of a lookup. Five
 * 64-bit XORs instead (0 when equal, like memcmp's contract needs).
 */
static int
ct_key_cmp(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint64_t diff = 0;

	RTE_BUILD_BUG_ON(sizeof(struct ct_tuple) != 40);
	(void)len;
	for (unsigned int i = 0; i < 40; i += 8) {
		uint64_t u, v;

		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		diff |= u ^ v;
	}
	return diff != 0;
}

const struct ct_l4_proto *
ct_i_proto(uint8_t proto)
{
	if (proto == IPPROTO_TCP)
		return &ct_i_tcp_proto;
	if (proto == IPPROTO_UDP)
		return &ct_i_udp_proto;
	return NULL;
}

static uint64_t
ct_monotonic_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The TSC in ms: every add stamps the time, and clock_gettime was 3% of
 * an add+remove. tsc_ms_mul is 2^64 / (TSC ticks per ms), so the
 * division is one 64x64->128 multiply. */
static uint64_t
ct_tsc_clock(void *arg)
{
	const struct ct *ct = arg;

	return (uint64_t)(((unsigned __int128)rte_rdtsc() * ct->tsc_ms_mul) >>
		64);
}

uint64_t
ct_time_ms(const struct ct *ct)
{
	return ct_i_now(ct);
}

uint64_t
ct_i_now(const struct ct *ct)
{
	return ct->cfg.clock(ct->cfg.clock_arg);
}

void
ct_i_action_put(struct ct *ct, uint32_t handle)
{
	uint32_t idx = handle - 1;

	ct->actions[idx].used = 0;
	rte_ring_mp_enqueue_elem(ct->act_free, &idx, sizeof(idx));
}

/* RCU defer-queue callback: the grace period of these slots is over. */
static void
ct_free_slots(void *p, void *elems, unsigned int n)
{
	struct ct *ct = p;
	const uint32_t *pos = elems;

	for (unsigned int i = 0; i < n; i++) {
		struct ct_entry *e = &ct->entries[pos[i]];
		uint32_t own = e->word >> CT_W_OWN_SHIFT;

		if (own & CT_WO_ORIG)
			ct_i_action_put(ct, e->action[CT_DIR_ORIG]);
		if (own & CT_WO_REPLY)
			ct_i_action_put(ct, e->action[CT_DIR_REPLY]);
		/* FREE before the key slot goes back: whoever gets the
		 * position next finds a claimable entry. */
		__atomic_store_n(&e->word, CT_LIFE_FREE, __ATOMIC_RELEASE);
		rte_spinlock_lock(&ct->wlock);
		rte_hash_free_key_with_position(ct->h, (int32_t)pos[i]);
		rte_spinlock_unlock(&ct->wlock);
		__atomic_fetch_sub(&ct->live, 1, __ATOMIC_RELEASE);
	}
}

void
ct_i_reclaim(struct ct *ct)
{
	unsigned int freed, pending, avail;

	rte_rcu_qsbr_dq_reclaim(ct->dq, UINT32_MAX, &freed, &pending, &avail);
}

static int
ct_create_actions(struct ct *ct)
{
	uint32_t n = ct->cfg.nb_actions ? ct->cfg.nb_actions : 1;
	char rname[RTE_RING_NAMESIZE];

	ct->actions = rte_zmalloc_socket("ct_actions",
		(size_t)n * sizeof(*ct->actions), 0, ct->cfg.socket_id);
	snprintf(rname, sizeof(rname), "cta_%.20s", ct->name);
	ct->act_free = rte_ring_create_elem(rname, sizeof(uint32_t), n,
		ct->cfg.socket_id, RING_F_EXACT_SZ);
	if (ct->actions == NULL || ct->act_free == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < ct->cfg.nb_actions; i++)
		rte_ring_enqueue_elem(ct->act_free, &i, sizeof(i));
	return 0;
}

static int
ct_create_rcu(struct ct *ct)
{
	size_t sz = rte_rcu_qsbr_get_memsize(ct->cfg.nb_readers);
	char dqname[RTE_RING_NAMESIZE];
	struct rte_rcu_qsbr_dq_parameters dp = { 0 };

	ct->qs = rte_zmalloc_socket("ct_qsbr", sz, RTE_CACHE_LINE_SIZE,
		ct->cfg.socket_id);
	if (ct->qs == NULL || rte_rcu_qsbr_init(ct->qs, ct->cfg.nb_readers))
		return -ENOMEM;
	snprintf(dqname, sizeof(dqname), "ctq_%.20s", ct->name);
	dp.name = dqname;
	/* A slice of the table: a full queue reclaims, and if readers
	 * still hold the oldest slots the remover waits for them
	 * (ct_i_remove), which bounds the queue's memory per connection. */
	dp.size = RTE_MAX(ct->cfg.nb_conns / 8, 1024u);
	dp.esize = sizeof(uint32_t);
	dp.trigger_reclaim_limit = 64;
	dp.max_reclaim_size = 64;
	dp.free_fn = ct_free_slots;
	dp.p = ct;
	dp.v = ct->qs;
	ct->dq = rte_rcu_qsbr_dq_create(&dp);
	return ct->dq == NULL ? -ENOMEM : 0;
}

static int
ct_create_hash(struct ct *ct)
{
	struct rte_hash_parameters hp = {
		.name = ct->name,
		.entries = ct->cfg.nb_conns,
		.key_len = sizeof(struct ct_tuple),
		/* SSE4.2 CRC32: ~3x cheaper than jhash over 40 bytes */
		.hash_func = rte_hash_crc,
		.socket_id = ct->cfg.socket_id,
		/* Lock-free readers; writers take ct->wlock instead of
		 * RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD, whose per-lcore
		 * slot caches index by rte_lcore_id() and crash in
		 * non-EAL threads in DPDK 22.11 (free_key_with_position). */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	/* Extendable buckets make the capacity exactly nb_conns whatever
	 * the load; CT_CFG_F_COMPACT trades that for 8 B per connection. */
	if (!(ct->cfg.flags & CT_CFG_F_COMPACT))
		hp.extra_flag |= RTE_HASH_EXTRA_FLAGS_EXT_TABLE;

	ct->h = rte_hash_create(&hp);
	if (ct->h == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	rte_hash_set_cmp_func(ct->h, ct_key_cmp);
	ct->nb_slots = ct->cfg.nb_conns + CT_HASH_SLACK;
	ct->entries = rte_zmalloc_socket("ct_entries",
		(size_t)ct->nb_slots * sizeof(struct ct_entry),
		RTE_CACHE_LINE_SIZE, ct->cfg.socket_id);
	return ct->entries == NULL ? -ENOMEM : 0;
}

struct ct *
ct_create(const struct ct_cfg *cfg)
{
	struct ct *ct;
	int rc;

	if (cfg == NULL || cfg->nb_conns == 0 || cfg->nb_readers == 0 ||
			cfg->nb_conns > UINT32_MAX - CT_HASH_SLACK) {
		rte_errno = EINVAL;
		return NULL;
	}
	ct = rte_zmalloc("ct", sizeof(*ct), 0);
	if (ct == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ct->cfg = *cfg;
	rte_spinlock_init(&ct->wlock);
	if (rte_get_tsc_hz() >= 1000)
		ct->tsc_ms_mul = (uint64_t)(((unsigned __int128)1 << 64) /
			(rte_get_tsc_hz() / 1000));
	if (ct->cfg.clock == NULL && ct->tsc_ms_mul != 0) {
		ct->cfg.clock = ct_tsc_clock;
		ct->cfg.clock_arg = ct;
	} else if (ct->cfg.clock == NULL) {
		ct->cfg.clock = ct_monotonic_clock;
	}
	if (cfg->name != NULL)
		snprintf(ct->name, sizeof(ct->name), "%s", cfg->name);
	else
		snprintf(ct->name, sizeof(ct->name), "ct%u",
			__atomic_fetch_add(&ct_seq, 1, __ATOMIC_RELAXED));
	ct->cfg.name = ct->name;
	rc = ct_create_hash(ct);
	if (rc == 0)
		rc = ct_create_rcu(ct);
	if (rc == 0)
		rc = ct_create_actions(ct);
	if (rc != 0) {
		ct_destroy(ct);
		rte_errno = -rc;
		return NULL;
	}
	return ct;
}

void
ct_destroy(struct ct *ct)
{
	if (ct == NULL)
		return;
	ct_aging_stop(ct);
	if (ct->entries != NULL && ct->h != NULL) {
		for (uint32_t i = 0; i < ct->nb_slots; i++)
			if (ct_w_life(ct->entries[i].word) == CT_LIFE_LIVE)
				ct_i_remove(ct, &ct->entries[i], CT_RM_DESTROY);
	}
	if (ct->dq != NULL)
		rte_rcu_qsbr_dq_delete(ct->dq);
	rte_hash_free(ct->h);
	rte_ring_free(ct->act_free);
	rte_free(ct->actions);
	rte_free(ct->entries);
	rte_free(ct->qs);
	rte_free(ct);
}

int
ct_thread_register(struct ct *ct, unsigned int tid)
{
	if (tid >= ct->cfg.nb_readers)
		return -EINVAL;
	if (rte_rcu_qsbr_thread_register(ct->qs, tid) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(ct->qs, tid);
	ct_tls_ct = ct;
	ct_tls_tid = tid;
	return 0;
}

void
ct_thread_unregister(struct ct *ct, unsigned int tid)
{
	if (tid >= ct->cfg.nb_readers)
		return;
	rte_rcu_qsbr_thread_offline(ct->qs, tid);
	rte_rcu_qsbr_thread_unregister(ct->qs, tid);
	if (ct_tls_ct == ct)
		ct_tls_ct = NULL;
}

void
ct_thread_quiescent(struct ct *ct, unsigned int tid)
{
	rte_rcu_qsbr_quiescent(ct->qs, tid);
}

/* Flow log of an entry that this thread just moved to DEAD. */
static void
ct_log(struct ct *ct, const struct ct_entry *e, enum ct_rm_reason why)
{
	struct ct_flow_log log = { 0 };
	uint32_t w = e->word;

	if (!(ct->cfg.flags & CT_CFG_F_FLOW_LOG) || ct->cfg.flow_log_cb == NULL)
		return;
	ct_entry_tuple(ct, e, &log.orig);
	for (int d = 0; d < 2; d++) {
		log.pkts[d] = e->pkts[d];
		log.bytes[d] = e->bytes[d];
	}
	log.meta = e->meta;
	log.state = ct_w_state(w);
	log.reason = why;
	ct->cfg.flow_log_cb(&log, ct->cfg.flow_log_arg);
}

int
ct_i_remove(struct ct *ct, struct ct_entry *e, enum ct_rm_reason why)
{
	uint32_t pos = (uint32_t)(e - ct->entries);
	uint32_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	struct ct_tuple key;
	void *kp;

	do {
		if (ct_w_life(w) != CT_LIFE_LIVE)
			return -ENOENT;
	} while (!__atomic_compare_exchange_n(&e->word, &w,
			(w & ~CT_LIFE_MASK) | CT_LIFE_DEAD, false,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	/* Log while the key slot still holds the tuple. */
	ct_log(ct, e, why);
	if (rte_hash_get_key_with_position(ct->h, (int32_t)pos, &kp) == 0) {
		memcpy(&key, kp, sizeof(key));
		rte_spinlock_lock(&ct->wlock);
		rte_hash_del_key(ct->h, &key);
		rte_spinlock_unlock(&ct->wlock);
	}
	if (rte_rcu_qsbr_dq_enqueue(ct->dq, &pos) != 0) {
		/* Queue full of slots readers still hold: wait them out
		 * (if this thread is one of them, it is quiescent now). */
		rte_rcu_qsbr_synchronize(ct->qs, ct_tls_ct == ct ? ct_tls_tid :
			RTE_QSBR_THRID_INVALID);
		ct_i_reclaim(ct);
		ct_free_slots(ct, &pos, 1);
	}
	return 0;
}

int
ct_entry_remove(struct ct *ct, struct ct_entry *e)
{
	if (ct == NULL || e == NULL)
		return -EINVAL;
	return ct_i_remove(ct, e, CT_RM_USER);
}

struct ct_entry *
ct_entry_find(struct ct *ct, const struct ct_tuple *t, enum ct_dir *dir)
{
	struct ct_tuple k;
	bool swapped = ct_i_key(t, &k);
	int32_t pos = rte_hash_lookup(ct->h, &k);
	struct ct_entry *e;
	uint32_t w, f;
	enum ct_dir d;

	if (pos < 0 || (uint32_t)pos >= ct->nb_slots)
		return NULL;
	e = &ct->entries[pos];
	w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	if (ct_w_life(w) != CT_LIFE_LIVE)
		return NULL;
	f = ct_w_flags(w);
	d = (enum ct_dir)(swapped ^ !!(f & CT_WF_ORIG_SWAPPED));
	if (!(f & (d == CT_DIR_ORIG ? CT_WF_DIR_ORIG : CT_WF_DIR_REPLY)))
		return NULL;
	if (dir != NULL)
		*dir = d;
	return e;
}

int
ct_entry_tuple(struct ct *ct, const struct ct_entry *e, struct ct_tuple *o)
{
	uint32_t pos = (uint32_t)(e - ct->entries);
	uint32_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	const struct ct_tuple *k;
	void *kp;

	if (ct_w_life(w) == CT_LIFE_FREE ||
			rte_hash_get_key_with_position(ct->h, (int32_t)pos,
				&kp) != 0)
		return -ENOENT;
	k = kp;
	*o = *k;
	if (ct_w_flags(w) & CT_WF_ORIG_SWAPPED) {
		memcpy(o->src, k->dst, sizeof(o->src));
		memcpy(o->dst, k->src, sizeof(o->dst));
		o->sport = k->dport;
		o->dport = k->sport;
	}
	return 0;
}

uint32_t
ct_entry_meta(const struct ct_entry *e)
{
	return __atomic_load_n(&e->meta, __ATOMIC_RELAXED);
}

enum ct_tcp_state
ct_entry_state(const struct ct_entry *e)
{
	return (enum ct_tcp_state)ct_w_state(
		__atomic_load_n(&e->word, __ATOMIC_RELAXED));
}

uint16_t
ct_entry_fwd(const struct ct_entry *e, enum ct_dir dir)
{
	return __atomic_load_n(&e->fwd[dir & 1], __ATOMIC_RELAXED);
}

uint32_t
ct_entry_action(const struct ct_entry *e, enum ct_dir dir)
{
	return __atomic_load_n(&e->action[dir & 1], __ATOMIC_RELAXED);
}

bool
ct_entry_fin(const struct ct_entry *e, enum ct_dir dir)
{
	uint32_t f = ct_w_flags(__atomic_load_n(&e->word, __ATOMIC_RELAXED));

	return f & (dir == CT_DIR_ORIG ? CT_WF_FIN_ORIG : CT_WF_FIN_REPLY);
}

void
ct_entry_counters(const struct ct_entry *e, enum ct_dir dir, uint64_t *pkts,
		  uint64_t *bytes)
{
	*pkts = __atomic_load_n(&e->pkts[dir & 1], __ATOMIC_RELAXED);
	*bytes = __atomic_load_n(&e->bytes[dir & 1], __ATOMIC_RELAXED);
}

uint32_t
ct_count(const struct ct *ct)
{
	return __atomic_load_n(&ct->live, __ATOMIC_RELAXED);
}

const char *
ct_tcp_state_name(enum ct_tcp_state s)
{
	static const char *const names[CT_TCP_STATE_MAX] = {
		"none", "syn_sent", "syn_sent2", "syn_recv", "established",
		"fin_wait", "closing", "time_wait", "closed",
	};

	return (unsigned int)s < CT_TCP_STATE_MAX ? names[s] : "?";
}

const char *
ct_invalid_name(enum ct_invalid why)
{
	static const char *const names[CT_INV_MAX] = {
		"none", "no_conn", "state", "seq_high", "seq_low",
		"ack_high", "ack_low",
	};

	return (unsigned int)why < CT_INV_MAX ? names[why] : "?";
}
