/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The forwarding table: exact-match semantics (spec §7.1 type 0) over a
 * tuple space. Rules with the same mask and the same priority share one
 * rte_hash keyed by the masked nf_flow_key; a lookup masks the packet key
 * with each table's mask, highest priority table first, and stops at the
 * first hit. Rules of equal priority in different tables are expected not to
 * overlap (the spec's templates never do); if they do, the older table wins.
 *
 * Readers (the datapath) never lock: the table list is an immutable snapshot
 * replaced by copy-on-write, each rte_hash is created with lock-free
 * read/write concurrency, and a table that fills up is copied into one twice
 * its size and swapped in, the old one freed after a grace period (N-21).
 * The rule object is the hash's data, so rte_flow handles survive a resize.
 *
 * A table hashes and stores only the 64-bit words of the key its mask
 * touches ("compact key"): the spec's L2 template needs 6 of the 14 words,
 * which more than halves the hashing, the compare and the key store.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>

#include "snic.h"

#define SNIC_TBL_MIN_CAPACITY 1024u

static uint32_t snic_hash_seq; /* unique rte_hash names */

/* Which words of the key the mask touches. */
static void
snic_tbl_layout(struct snic_tbl *t)
{
	const nf_key_word_t *mw = (const nf_key_word_t *)&t->mask;

	t->nw = 0;
	for (unsigned int i = 0; i < NF_KEY_WORDS; i++)
		if (mw[i] != 0) {
			t->widx[t->nw] = (uint8_t)i;
			t->wmask[t->nw++] = mw[i];
		}
	if (t->nw == 0) { /* a mask of nothing: one zero word */
		t->widx[0] = 0;
		t->wmask[0] = 0;
		t->nw = 1;
	}
}

/*
 * The hash rte_hash computes for a compact key: rte_hash_crc(ck, nw * 8, 0)
 * is a chain of rte_hash_crc_8byte over the words (the key length is a
 * multiple of 8), and this file's copy of rte_hash_crc is the table's
 * hash_func, so the two agree. Inline, it saves the lookup an indirect call
 * and a byte-length loop per key.
 */
static inline hash_sig_t
snic_ckey_hash(const struct snic_tbl *t, const struct snic_ckey *ck)
{
	uint32_t h = 0;

	for (unsigned int i = 0; i < t->nw; i++)
		h = rte_hash_crc_8byte(ck->w[i], h);
	return h;
}

/* Compact key and its hash in one pass. */
static inline hash_sig_t
snic_tbl_compact_hash(const struct snic_tbl *t, const struct nf_flow_key *key,
		      struct snic_ckey *ck)
{
	const nf_key_word_t *kw = (const nf_key_word_t *)key;
	uint32_t h = 0;

	for (unsigned int i = 0; i < t->nw; i++) {
		ck->w[i] = kw[t->widx[i]] & t->wmask[i];
		h = rte_hash_crc_8byte(ck->w[i], h);
	}
	return h;
}

static struct rte_hash *
snic_hash_create(struct snic_tbl *t, uint32_t capacity)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = capacity,
		.key_len = t->nw * sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "snic_t%u_%u", t->id,
		 __atomic_fetch_add(&snic_hash_seq, 1, __ATOMIC_RELAXED));
	return rte_hash_create(&p);
}

/* Copy every rule of t into a hash of twice the capacity and swap it in. */
static int
snic_tbl_grow(struct snic_switch *sw, struct snic_tbl *t)
{
	uint32_t cap = t->capacity * 2, iter = 0;
	struct rte_hash *nh, *oh = t->h;
	const void *key;
	void *data;

	nh = snic_hash_create(t, cap);
	if (nh == NULL)
		return -ENOMEM;
	while (rte_hash_iterate(oh, &key, &data, &iter) >= 0) {
		struct rte_flow *f = data;
		hash_sig_t sig = snic_ckey_hash(t, key);

		if (rte_hash_add_key_with_hash_data(nh, key, sig, f) != 0) {
			rte_hash_free(nh);
			return -ENOSPC;
		}
		f->pos = rte_hash_lookup_with_hash(nh, key, sig);
	}
	t->capacity = cap;
	__atomic_store_n(&t->h, nh, __ATOMIC_RELEASE);
	snic_defer_hash_free(sw, oh);
	return 0;
}

/* Publish a new snapshot of tables: old one + add (or - del). */
static int
snic_tbls_publish(struct snic_switch *sw, struct snic_tbl *add,
		  struct snic_tbl *del)
{
	struct snic_tbl_set *old = sw->tbls, *ns;
	uint32_t n = old ? old->n : 0, j = 0;

	ns = malloc(sizeof(*ns) + (n + 1) * sizeof(ns->t[0]));
	if (ns == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct snic_tbl *t = old->t[i];

		if (t == del)
			continue;
		if (add != NULL && add->priority < t->priority) {
			ns->t[j++] = add;
			add = NULL;
		}
		ns->t[j++] = t;
	}
	if (add != NULL)
		ns->t[j++] = add;
	ns->n = j;
	__atomic_store_n(&sw->tbls, ns, __ATOMIC_RELEASE);
	if (old != NULL)
		snic_defer_free(sw, old, NULL, -1);
	return 0;
}

static struct snic_tbl *
snic_tbl_find(struct snic_switch *sw, const struct nf_flow_key *mask,
	      uint32_t priority)
{
	struct snic_tbl_set *s = sw->tbls;

	for (uint32_t i = 0; s != NULL && i < s->n; i++)
		if (s->t[i]->priority == priority &&
		    memcmp(&s->t[i]->mask, mask, sizeof(*mask)) == 0)
			return s->t[i];
	return NULL;
}

static struct snic_tbl *
snic_tbl_new(struct snic_switch *sw, const struct nf_flow_key *mask,
	     uint32_t priority)
{
	struct snic_tbl *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->mask = *mask;
	snic_tbl_layout(t);
	t->priority = priority;
	t->id = sw->next_tbl_id++;
	t->capacity = SNIC_TBL_MIN_CAPACITY;
	t->h = snic_hash_create(t, t->capacity);
	if (t->h == NULL || snic_tbls_publish(sw, t, NULL) != 0) {
		rte_hash_free(t->h);
		free(t);
		return NULL;
	}
	return t;
}

static void
snic_tbl_drop_if_empty(struct snic_switch *sw, struct snic_tbl *t)
{
	if (t->n_rules > 0 || snic_tbls_publish(sw, NULL, t) != 0)
		return;
	snic_defer_hash_free(sw, t->h);
	snic_defer_free(sw, t, NULL, -1);
}

int
snic_tbl_insert(struct snic_switch *sw, struct rte_flow *f,
		const struct snic_match *m, struct rte_flow_error *err)
{
	struct snic_ckey ck;
	struct snic_tbl *t;
	hash_sig_t sig;
	int rc;

	if (sw->nb_fwd_rules >= sw->max_rules)
		return rte_flow_error_set(err, ENOSPC,
			RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
			"forwarding table full (max_rules reached): "
			"traffic stays in software");
	t = snic_tbl_find(sw, &m->mask, f->priority);
	if (t == NULL) {
		t = snic_tbl_new(sw, &m->mask, f->priority);
		if (t == NULL)
			return rte_flow_error_set(err, ENOMEM,
				RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				"forwarding table: out of memory for a new mask");
	}
	/* Hash the key once: a grown table uses the same function. The
	 * caller refused a duplicate (snic_tbl_exists) under sw->lock,
	 * which it still holds, so the key is not in the table: an add of
	 * an existing key would replace its rule. */
	sig = snic_tbl_compact_hash(t, &m->key, &ck);
	/* With extendable buckets an insert fails only once the key store
	 * is full: grow then, so a table runs close to 100% of its slots
	 * (measured: 272 -> ~250 B/rule at 1M rules). */
	rc = rte_hash_add_key_with_hash_data(t->h, &ck, sig, f);
	if (rc == -ENOSPC) {
		if (snic_tbl_grow(sw, t) != 0)
			goto full;
		rc = rte_hash_add_key_with_hash_data(t->h, &ck, sig, f);
	}
	if (rc != 0)
		goto full;
	f->tbl = t;
	f->pos = rte_hash_lookup_with_hash(t->h, &ck, sig);
	t->n_rules++;
	sw->nb_fwd_rules++;
	return 0;
full:
	snic_tbl_drop_if_empty(sw, t);
	return rte_flow_error_set(err, ENOSPC, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
		NULL, "forwarding table: no memory for more rules");
}

void
snic_tbl_remove(struct snic_switch *sw, struct rte_flow *f)
{
	struct snic_tbl *t = f->tbl;
	struct snic_ckey ck;
	void *kp;
	int32_t pos;

	if (rte_hash_get_key_with_position(t->h, f->pos, &kp) != 0)
		return;
	memcpy(&ck, kp, t->nw * sizeof(uint64_t));
	pos = rte_hash_del_key(t->h, &ck);
	/* The slot is reused only after readers are done with it. */
	if (pos >= 0)
		snic_defer_free(sw, NULL, t->h, pos);
	t->n_rules--;
	sw->nb_fwd_rules--;
	f->tbl = NULL;
	snic_tbl_drop_if_empty(sw, t);
}

bool
snic_tbl_exists(struct snic_switch *sw, const struct snic_match *m,
		uint32_t priority)
{
	struct snic_tbl *t = snic_tbl_find(sw, &m->mask, priority);
	struct snic_ckey ck;

	hash_sig_t sig;

	if (t == NULL || t->n_rules == 0)
		return false;
	sig = snic_tbl_compact_hash(t, &m->key, &ck);
	return rte_hash_lookup_with_hash(t->h, &ck, sig) >= 0;
}

int
snic_tbl_rule_match(const struct rte_flow *f, struct snic_match *m)
{
	const struct snic_tbl *t = f->tbl;
	nf_key_word_t *kw = (nf_key_word_t *)&m->key;
	const uint64_t *ck;
	void *kp;

	if (t == NULL || rte_hash_get_key_with_position(t->h, f->pos, &kp) != 0)
		return -ENOENT;
	ck = kp;
	memset(&m->key, 0, sizeof(m->key));
	for (unsigned int i = 0; i < t->nw; i++)
		kw[t->widx[i]] = ck[i];
	m->mask = t->mask;
	return 0;
}

void
snic_tbl_lookup(const struct snic_switch *sw, const struct nf_flow_key *keys,
		uint32_t n, struct rte_flow **rules)
{
	const struct snic_tbl_set *s =
		__atomic_load_n(&sw->tbls, __ATOMIC_ACQUIRE);
	struct snic_ckey mk[SNIC_BURST];
	const void *kp[SNIC_BURST];
	hash_sig_t sig[SNIC_BURST];
	void *data[SNIC_BURST];
	uint32_t idx[SNIC_BURST], todo = n;

	for (uint32_t i = 0; i < n; i++) {
		rules[i] = NULL;
		idx[i] = i;
	}
	for (uint32_t ti = 0; s != NULL && ti < s->n && todo > 0; ti++) {
		const struct snic_tbl *t = s->t[ti];
		const struct rte_hash *h = __atomic_load_n(&t->h,
							   __ATOMIC_ACQUIRE);
		uint64_t hits = 0;
		uint32_t left = 0;

		for (uint32_t j = 0; j < todo; j++) {
			sig[j] = snic_tbl_compact_hash(t, &keys[idx[j]],
							&mk[j]);
			kp[j] = &mk[j];
		}
		rte_hash_lookup_with_hash_bulk_data(h, kp, sig, todo, &hits,
						    data);
		for (uint32_t j = 0; j < todo; j++) {
			if (hits & (1ull << j))
				rules[idx[j]] = data[j];
			else
				idx[left++] = idx[j];
		}
		todo = left;
	}
}
