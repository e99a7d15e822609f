/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The forwarding table: exact-match semantics (spec §7.1 type 0) over a
 * tuple space. Rules with the same mask and the same priority share one
 * table keyed by the masked nf_flow_key; a lookup masks the packet key
 * with each table's mask, highest priority table first, and stops at the
 * first hit. Rules of equal priority in different tables are expected not to
 * overlap (the spec's templates never do); if they do, the older table wins.
 *
 * A table hashes and stores only the 64-bit words of the key its mask
 * touches ("compact key"): the spec's L2 template needs 6 of the 14 words,
 * which more than halves the hashing and the compare. The compact key lives
 * in the rule itself (rte_flow.key), next to its counter and actions.
 *
 * The hash is the table's own, not rte_hash: an array of one-cache-line
 * buckets, each of 7 slots holding a rule pointer and a 16-bit tag of the
 * key's hash. A key goes into its primary bucket, or into a second one when
 * that is full, which the primary counts (ovf), so a lookup reads one
 * bucket and one rule unless that count is set. Measured against rte_hash
 * (bucket, separate key store, then the rule: three misses at 1M flows,
 * 157 B per slot, and create paying add + lookup for the key position):
 * see docs/performance.md "Update: own hash table".
 *
 * Readers (the datapath) never lock: the table list is an immutable snapshot
 * replaced by copy-on-write; a slot is published with one 64-bit store
 * after the rule is complete and cleared with one on removal (the rule is
 * freed after a grace period, so a reader that still holds its pointer
 * reads a valid rule and compares its key); keys never move between
 * buckets; and a full bucket array is copied into one twice its size and
 * swapped in, the old one freed after a grace period (N-21). A lookup that
 * races with an insert may miss the new rule for that burst, like any
 * packet that arrives before its rule.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "snic.h"

#define SNIC_BKT_SLOTS 7
/* A table grows when its rules would fill more than half of its slots:
 * with 7-slot buckets then ~6 % of the keys live in their second bucket
 * (Poisson tail at 3.5 keys per bucket), and buckets cost 9 B per slot. */
#define SNIC_TBL_MIN_BUCKETS 64u
#define SNIC_HUGE (2u << 20)
#define SNIC_MAP_MIN (64u << 10)

/* One cache line: 7 slots (0: empty, else rule pointer << 16 | tag) and
 * the number of keys whose primary bucket this is that live in their
 * second bucket. */
struct snic_bkt {
	uint64_t slot[SNIC_BKT_SLOTS];
	uint32_t ovf;
	uint32_t pad;
};

/* A bucket array, replaced as a whole when it grows. The buckets are a
 * separate allocation so that a power-of-two array fills whole huge
 * pages. */
struct snic_bkts {
	uint32_t mask;            /* buckets - 1 */
	uint32_t limit;           /* rules it takes before growing */
	size_t bytes;             /* of b */
	bool mapped;              /* b is mmap'd, else aligned_alloc'd */
	struct snic_bkt *b;
};

static inline uint64_t
snic_slot(const struct rte_flow *f, uint32_t h)
{
	return (uint64_t)(uintptr_t)f << 16 | (h >> 16);
}

static inline struct rte_flow *
snic_slot_rule(uint64_t v)
{
	return (struct rte_flow *)(uintptr_t)(v >> 16);
}

static inline bool
snic_slot_tag_eq(uint64_t v, uint32_t h)
{
	return v != 0 && (uint16_t)v == (uint16_t)(h >> 16);
}

/* The second bucket of a key: the primary index XOR a mix of the tag, so
 * it depends on the hash and the size only (growth recomputes it). */
static inline uint32_t
snic_bkt_alt(uint32_t h, uint32_t mask)
{
	uint32_t a = (uint32_t)(((uint64_t)((h >> 16) + 1) *
				 0x9e3779b97f4a7c15ull) >> 32);
	uint32_t p = h & mask, s = (p ^ a) & mask;

	return s != p ? s : p ^ (mask & 1);
}

/*
 * Bucket arrays of 2 MB and more are mapped on their own and advised to
 * use transparent huge pages: at 1M rules (32 MB of buckets) a lookup on
 * 4 KB pages is a TLB miss as well as a cache miss, and this VM has no
 * hugetlbfs for the EAL heap. From 64 KB they are mapped too, so an
 * outgrown array goes back to the system (libc keeps freed heap memory
 * resident: 20 B per rule at 100K rules); smaller ones come from libc.
 */
static struct snic_bkts *
snic_bkts_new(uint32_t nb)
{
	size_t bytes = (size_t)nb * sizeof(struct snic_bkt);
	bool huge = bytes >= SNIC_HUGE, mapped = bytes >= SNIC_MAP_MIN;
	struct snic_bkts *bk = malloc(sizeof(*bk));

	if (bk == NULL)
		return NULL;
	if (mapped) {
		size_t align = huge ? SNIC_HUGE : RTE_PGSIZE_4K;
		size_t len = RTE_ALIGN_CEIL(bytes, align);
		uint8_t *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *a;

		if (p == MAP_FAILED) {
			free(bk);
			return NULL;
		}
		/* Keep the aligned part only (2 MB: it can be huge pages). */
		a = RTE_PTR_ALIGN_CEIL(p, align);
		if (a > p)
			munmap(p, a - p);
		munmap(a + len, p + align - a);
		if (huge)
			madvise(a, len, MADV_HUGEPAGE);
		bk->b = (struct snic_bkt *)a;
		bytes = len;
	} else {
		bk->b = aligned_alloc(RTE_CACHE_LINE_SIZE, bytes);
		if (bk->b == NULL) {
			free(bk);
			return NULL;
		}
		memset(bk->b, 0, bytes);
	}
	bk->mask = nb - 1;
	bk->limit = nb * SNIC_BKT_SLOTS / 2;
	bk->bytes = bytes;
	bk->mapped = mapped;
	return bk;
}

static void
snic_bkts_free(void *arg)
{
	struct snic_bkts *bk = arg;

	if (bk->mapped)
		munmap(bk->b, bk->bytes);
	else
		free(bk->b);
	free(bk);
}

/* Which words of the key the mask touches. */
static unsigned int
snic_mask_layout(const struct nf_flow_key *mask, uint8_t *widx,
		 uint64_t *wmask)
{
	const nf_key_word_t *mw = (const nf_key_word_t *)mask;
	unsigned int nw = 0;

	for (unsigned int i = 0; i < NF_KEY_WORDS; i++)
		if (mw[i] != 0) {
			widx[nw] = (uint8_t)i;
			wmask[nw++] = mw[i];
		}
	if (nw == 0) { /* a mask of nothing: one zero word */
		widx[0] = 0;
		wmask[0] = 0;
		nw = 1;
	}
	return nw;
}

unsigned int
snic_tbl_key_words(const struct nf_flow_key *mask)
{
	uint8_t widx[NF_KEY_WORDS];
	uint64_t wmask[NF_KEY_WORDS];

	return snic_mask_layout(mask, widx, wmask);
}

/* Compact key (nw words: t->nw) and its hash in one pass: a CRC32C chain
 * over the words. */
static __rte_always_inline uint32_t
snic_compact_hash_nw(const struct snic_tbl *t, const struct nf_flow_key *key,
		     struct snic_ckey *ck, const unsigned int nw)
{
	const nf_key_word_t *kw = (const nf_key_word_t *)key;
	uint32_t h = 0;

	for (unsigned int i = 0; i < nw; i++) {
		ck->w[i] = kw[t->widx[i]] & t->wmask[i];
		h = rte_hash_crc_8byte(ck->w[i], h);
	}
	return h;
}

static inline uint32_t
snic_tbl_compact_hash(const struct snic_tbl *t, const struct nf_flow_key *key,
		      struct snic_ckey *ck)
{
	return snic_compact_hash_nw(t, key, ck, t->nw);
}

static __rte_always_inline bool
snic_key_eq(const struct rte_flow *f, const struct snic_ckey *ck,
	    unsigned int nw)
{
	uint64_t d = 0;

	for (unsigned int i = 0; i < nw; i++)
		d |= f->key[i] ^ ck->w[i];
	return d == 0;
}

/* The rule with this compact key in bk, or NULL (any thread). */
static struct rte_flow *
snic_bkts_find(const struct snic_bkts *bk, const struct snic_ckey *ck,
	       uint32_t h, unsigned int nw)
{
	const struct snic_bkt *b = &bk->b[h & bk->mask];

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int s = 0; s < SNIC_BKT_SLOTS; s++) {
			uint64_t v = __atomic_load_n(&b->slot[s],
						     __ATOMIC_ACQUIRE);

			if (snic_slot_tag_eq(v, h) &&
			    snic_key_eq(snic_slot_rule(v), ck, nw))
				return snic_slot_rule(v);
		}
		if (pass == 0 && __atomic_load_n(&b->ovf,
						 __ATOMIC_ACQUIRE) == 0)
			break;
		b = &bk->b[snic_bkt_alt(h, bk->mask)];
	}
	return NULL;
}

static int
snic_bkt_put(struct snic_bkt *b, uint64_t v)
{
	for (unsigned int s = 0; s < SNIC_BKT_SLOTS; s++)
		if (b->slot[s] == 0) {
			/* Release: the rule is complete before it is seen. */
			__atomic_store_n(&b->slot[s], v, __ATOMIC_RELEASE);
			return 0;
		}
	return -ENOSPC;
}

/* Place f (hash h) in bk (writer, lock held). */
static int
snic_bkts_add(struct snic_bkts *bk, struct rte_flow *f, uint32_t h)
{
	struct snic_bkt *p = &bk->b[h & bk->mask];
	uint64_t v = snic_slot(f, h);

	if (snic_bkt_put(p, v) == 0)
		return 0;
	if (snic_bkt_put(&bk->b[snic_bkt_alt(h, bk->mask)], v) != 0)
		return -ENOSPC;
	/* After the slot: a reader that sees the count finds the key. */
	__atomic_store_n(&p->ovf, p->ovf + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Copy every rule of t into a bucket array at least twice the size and
 * swap it in. */
static int
snic_tbl_grow(struct snic_switch *sw, struct snic_tbl *t)
{
	struct snic_bkts *ob = t->bk, *nb;
	uint32_t n = (ob->mask + 1) * 2;

retry:
	nb = snic_bkts_new(n);
	if (nb == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i <= ob->mask; i++)
		for (unsigned int s = 0; s < SNIC_BKT_SLOTS; s++) {
			uint64_t v = ob->b[i].slot[s];

			if (v != 0 &&
			    snic_bkts_add(nb, snic_slot_rule(v),
					  snic_slot_rule(v)->hash) != 0) {
				/* Both buckets full: more room, not likely
				 * to happen twice. */
				snic_bkts_free(nb);
				n *= 2;
				goto retry;
			}
		}
	__atomic_store_n(&t->bk, nb, __ATOMIC_RELEASE);
	snic_defer_call_big(sw, snic_bkts_free, ob);
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
		snic_defer_free(sw, old);
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
	t->nw = (uint8_t)snic_mask_layout(mask, t->widx, t->wmask);
	t->priority = priority;
	t->id = sw->next_tbl_id++;
	t->bk = snic_bkts_new(SNIC_TBL_MIN_BUCKETS);
	if (t->bk == NULL || snic_tbls_publish(sw, t, NULL) != 0) {
		if (t->bk != NULL)
			snic_bkts_free(t->bk);
		free(t);
		return NULL;
	}
	return t;
}

static void
snic_tbl_free(void *arg)
{
	struct snic_tbl *t = arg;

	snic_bkts_free(t->bk);
	free(t);
}

static void
snic_tbl_drop_if_empty(struct snic_switch *sw, struct snic_tbl *t)
{
	if (t->n_rules > 0 || snic_tbls_publish(sw, NULL, t) != 0)
		return;
	snic_defer_call(sw, snic_tbl_free, t);
}

int
snic_tbl_insert(struct snic_switch *sw, struct rte_flow *f,
		const struct snic_match *m, struct rte_flow_error *err)
{
	struct snic_ckey ck;
	struct snic_tbl *t;
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
	/* The caller refused a duplicate (snic_tbl_exists) under sw->lock,
	 * which it still holds, so the key is not in the table. The rule is
	 * complete before a slot publishes it. */
	f->hash = snic_tbl_compact_hash(t, &m->key, &ck);
	memcpy(f->key, ck.w, t->nw * sizeof(uint64_t));
	f->tbl = t;
	/* A slot keeps 48 bits of pointer: all of x86-64's and arm64's user
	 * space unless an application maps above 2^48 on purpose. */
	if ((uintptr_t)f >> 48 != 0)
		rc = -ENOMEM;
	else if (t->n_rules >= t->bk->limit)
		rc = -ENOSPC;
	else
		rc = snic_bkts_add(t->bk, f, f->hash);
	if (rc == -ENOSPC) {
		rc = snic_tbl_grow(sw, t);
		if (rc == 0)
			rc = snic_bkts_add(t->bk, f, f->hash);
	}
	if (rc != 0) {
		f->tbl = NULL;
		snic_tbl_drop_if_empty(sw, t);
		return rte_flow_error_set(err, ENOSPC,
			RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
			"forwarding table: no memory for more rules");
	}
	t->n_rules++;
	sw->nb_fwd_rules++;
	return 0;
}

void
snic_tbl_remove(struct snic_switch *sw, struct rte_flow *f)
{
	struct snic_tbl *t = f->tbl;
	struct snic_bkts *bk = t->bk;
	struct snic_bkt *p = &bk->b[f->hash & bk->mask], *b = p;
	uint64_t v = snic_slot(f, f->hash);

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int s = 0; s < SNIC_BKT_SLOTS; s++)
			if (b->slot[s] == v) {
				/* The rule itself is freed after a grace
				 * period, so the slot may be reused now. */
				__atomic_store_n(&b->slot[s], 0,
						 __ATOMIC_RELEASE);
				if (b != p)
					__atomic_store_n(&p->ovf, p->ovf - 1,
							 __ATOMIC_RELEASE);
				goto found;
			}
		b = &bk->b[snic_bkt_alt(f->hash, bk->mask)];
	}
found:
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
	uint32_t h;

	if (t == NULL || t->n_rules == 0)
		return false;
	h = snic_tbl_compact_hash(t, &m->key, &ck);
	return snic_bkts_find(t->bk, &ck, h, t->nw) != NULL;
}

int
snic_tbl_rule_match(const struct rte_flow *f, struct snic_match *m)
{
	const struct snic_tbl *t = f->tbl;
	nf_key_word_t *kw = (nf_key_word_t *)&m->key;

	if (t == NULL)
		return -ENOENT;
	memset(&m->key, 0, sizeof(m->key));
	for (unsigned int i = 0; i < t->nw; i++)
		kw[t->widx[i]] = f->key[i];
	m->mask = t->mask;
	return 0;
}

void
snic_tbl_fini(struct snic_switch *sw)
{
	struct snic_tbl_set *s = sw->tbls;

	for (uint32_t i = 0; s != NULL && i < s->n; i++)
		snic_tbl_free(s->t[i]);
	free(s);
	sw->tbls = NULL;
}

/*
 * n keys through one table, in three passes over the burst so that the
 * misses of different packets overlap (at 1M flows every bucket and every
 * rule is one): hash and prefetch the primary buckets; pick the slot whose
 * tag matches and prefetch its rule (counter/actions line and key line);
 * compare keys. A second tag match, or a key in the second bucket, takes
 * the full search, which is rare by construction (see SNIC_BKT_SLOTS).
 */
static __rte_always_inline void
snic_tbl_lookup_nw(const struct snic_tbl *t, const struct nf_flow_key *keys,
		   uint32_t *idx, uint32_t *todo, struct rte_flow **rules,
		   const unsigned int nw)
{
	const struct snic_bkts *bk = __atomic_load_n(&t->bk, __ATOMIC_ACQUIRE);
	struct snic_ckey mk[SNIC_BURST];
	const struct snic_bkt *b[SNIC_BURST];
	struct rte_flow *cand[SNIC_BURST];
	uint32_t h[SNIC_BURST], n = *todo, left = 0;

	for (uint32_t j = 0; j < n; j++) {
		h[j] = snic_compact_hash_nw(t, &keys[idx[j]], &mk[j], nw);
		b[j] = &bk->b[h[j] & bk->mask];
		rte_prefetch0(b[j]);
	}
	for (uint32_t j = 0; j < n; j++) {
		cand[j] = NULL;
		for (unsigned int s = 0; s < SNIC_BKT_SLOTS; s++) {
			uint64_t v = __atomic_load_n(&b[j]->slot[s],
						     __ATOMIC_ACQUIRE);

			if (snic_slot_tag_eq(v, h[j])) {
				cand[j] = snic_slot_rule(v);
				rte_prefetch0(cand[j]);
				rte_prefetch0(cand[j]->key);
				break;
			}
		}
	}
	for (uint32_t j = 0; j < n; j++) {
		struct rte_flow *f = cand[j];

		if (f == NULL || !snic_key_eq(f, &mk[j], nw))
			f = snic_bkts_find(bk, &mk[j], h[j], nw);
		if (f != NULL)
			rules[idx[j]] = f;
		else
			idx[left++] = idx[j];
	}
	*todo = left;
}

/*
 * With the compact key's length a constant, the gather-and-hash and the
 * compare loops unroll and the loop counters go: ~27 of ~100 instructions
 * per packet fewer for the 3 words of bench_fwd's IPv4/UDP rules
 * (callgrind). Masks of up to 8 words get their own copy; longer ones
 * (rare: VXLAN with outer addresses) take the loop.
 */
static void
snic_tbl_lookup_one(const struct snic_tbl *t, const struct nf_flow_key *keys,
		    uint32_t *idx, uint32_t *todo, struct rte_flow **rules)
{
	switch (t->nw) {
#define SNIC_LOOKUP_NW(n) \
	case n: \
		snic_tbl_lookup_nw(t, keys, idx, todo, rules, n); \
		break
	SNIC_LOOKUP_NW(1);
	SNIC_LOOKUP_NW(2);
	SNIC_LOOKUP_NW(3);
	SNIC_LOOKUP_NW(4);
	SNIC_LOOKUP_NW(5);
	SNIC_LOOKUP_NW(6);
	SNIC_LOOKUP_NW(7);
	SNIC_LOOKUP_NW(8);
#undef SNIC_LOOKUP_NW
	default:
		snic_tbl_lookup_nw(t, keys, idx, todo, rules, t->nw);
		break;
	}
}

void
snic_tbl_lookup(const struct snic_switch *sw, const struct nf_flow_key *keys,
		uint32_t n, struct rte_flow **rules)
{
	const struct snic_tbl_set *s =
		__atomic_load_n(&sw->tbls, __ATOMIC_ACQUIRE);
	uint32_t idx[SNIC_BURST], todo = n;

	for (uint32_t i = 0; i < n; i++) {
		rules[i] = NULL;
		idx[i] = i;
	}
	for (uint32_t ti = 0; s != NULL && ti < s->n && todo > 0; ti++)
		snic_tbl_lookup_one(s->t[ti], keys, idx, &todo, rules);
}
