/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * Managed mode (C-2): the application adds, updates and removes entries
 * and their actions; and the UDP duplicate filter (C-5), which is how
 * ct_entry_add settles racing first packets of one connection.
 */
#include <errno.h>
#include <string.h>

#include <rte_pause.h>

#include "ct_private.h"

/* How often an adder retries a key that a remover is deleting. */
#define CT_ADD_RETRIES 1000

static int
ct_action_alloc(struct ct *ct, const struct ct_nat *nat, bool shared,
		uint32_t *handle)
{
	uint32_t idx;

	if (rte_ring_mc_dequeue_elem(ct->act_free, &idx, sizeof(idx)) != 0)
		return -ENOSPC;
	ct->actions[idx].nat = *nat;
	ct->actions[idx].shared = shared;
	__atomic_store_n(&ct->actions[idx].used, 1, __ATOMIC_RELEASE);
	*handle = idx + 1;
	return 0;
}

static bool
ct_action_valid(const struct ct *ct, uint32_t handle, bool shared)
{
	return handle != CT_ACTION_NONE && handle <= ct->cfg.nb_actions &&
		__atomic_load_n(&ct->actions[handle - 1].used,
			__ATOMIC_ACQUIRE) &&
		ct->actions[handle - 1].shared == shared;
}

int64_t
ct_action_create(struct ct *ct, const struct ct_nat *nat)
{
	uint32_t h;
	int rc;

	if (ct == NULL || nat == NULL)
		return -EINVAL;
	rc = ct_action_alloc(ct, nat, true, &h);
	return rc ? rc : (int64_t)h;
}

int
ct_action_destroy(struct ct *ct, uint32_t handle)
{
	if (ct == NULL || !ct_action_valid(ct, handle, true))
		return -EINVAL;
	ct_i_action_put(ct, handle);
	return 0;
}

int
ct_action_get(const struct ct *ct, uint32_t handle, struct ct_nat *nat)
{
	if (ct == NULL || handle == CT_ACTION_NONE ||
			handle > ct->cfg.nb_actions ||
			!__atomic_load_n(&ct->actions[handle - 1].used,
				__ATOMIC_ACQUIRE))
		return -EINVAL;
	*nat = ct->actions[handle - 1].nat;
	return 0;
}

/*
 * Resolve direction d's action: the entry's own NAT (allocated, *own set)
 * or a shared handle (checked). Shared handles are resolved first by the
 * caller so a failure never leaves a slot allocated.
 */
static int
ct_dir_action(struct ct *ct, const struct ct_entry_params *prm, int d,
	      uint32_t *action, bool *own)
{
	*own = false;
	*action = CT_ACTION_NONE;
	if (prm == NULL)
		return 0;
	if (prm->nat[d] != NULL) {
		*own = true;
		return ct_action_alloc(ct, prm->nat[d], false, action);
	}
	if (prm->action[d] != CT_ACTION_NONE &&
			!ct_action_valid(ct, prm->action[d], true))
		return -EINVAL;
	*action = prm->action[d];
	return 0;
}

static int
ct_reserve(struct ct *ct)
{
	for (int tries = 0; tries < 2; tries++) {
		uint32_t n = __atomic_fetch_add(&ct->live, 1, __ATOMIC_ACQUIRE);

		if (n < ct->cfg.nb_conns)
			return 0;
		__atomic_fetch_sub(&ct->live, 1, __ATOMIC_RELEASE);
		/* removed entries may be waiting for their grace period */
		ct_i_reclaim(ct);
	}
	return -ENOSPC;
}

static int32_t
ct_hash_add(struct ct *ct, const struct ct_tuple *k)
{
	int32_t pos;

	rte_spinlock_lock(&ct->wlock);
	pos = rte_hash_add_key(ct->h, k);
	rte_spinlock_unlock(&ct->wlock);
	return pos;
}

/*
 * Insert the key and claim its slot. The hash's add is "add or update":
 * racing adders of one connection all get the same position, and the
 * FREE → CLAIMED compare-and-swap picks the one winner (C-5).
 */
static int
ct_claim(struct ct *ct, const struct ct_tuple *k, struct ct_entry **ep)
{
	for (int tries = 0; tries < CT_ADD_RETRIES; tries++) {
		int32_t pos = ct_hash_add(ct, k);
		struct ct_entry *e;
		uint32_t w = CT_LIFE_FREE;

		if (pos == -ENOSPC) {
			ct_i_reclaim(ct);
			pos = ct_hash_add(ct, k);
		}
		if (pos < 0)
			return pos == -ENOSPC ? -ENOSPC : -EINVAL;
		if ((uint32_t)pos >= ct->nb_slots)
			return -ENOSPC; /* cannot happen: positions < entries */
		e = &ct->entries[pos];
		*ep = e;
		if (__atomic_compare_exchange_n(&e->word, &w, CT_LIFE_CLAIMED,
				false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
			return 0;
		if (ct_w_life(w) != CT_LIFE_DEAD)
			return -EEXIST;
		/* being removed: its key goes away in a moment */
		rte_pause();
	}
	return -EBUSY;
}

int
ct_entry_add(struct ct *ct, const struct ct_pkt *p,
	     const struct ct_entry_params *prm, struct ct_entry **out)
{
	const struct ct_l4_proto *l4;
	uint32_t act[2], state, flags, own = 0;
	struct ct_entry *e = NULL;
	struct ct_tuple k;
	bool swapped, o[2] = { false, false };
	int rc;

	if (ct == NULL || p == NULL)
		return -EINVAL;
	l4 = ct_i_proto(p->tuple.proto);
	if (l4 == NULL)
		return -EPROTONOSUPPORT;
	if (!l4->valid_new(ct, p) ||
			(p->tuple.family != 4 && p->tuple.family != 6))
		return -EINVAL;
	swapped = ct_i_key(&p->tuple, &k);
	rc = ct_reserve(ct);
	if (rc)
		return rc;
	rc = ct_dir_action(ct, prm, CT_DIR_ORIG, &act[0], &o[0]);
	if (rc == 0 && !(prm != NULL && (prm->flags & CT_EF_ORIG_ONLY)))
		rc = ct_dir_action(ct, prm, CT_DIR_REPLY, &act[1], &o[1]);
	else
		act[1] = CT_ACTION_NONE;
	if (rc == 0)
		rc = ct_claim(ct, &k, &e);
	if (rc != 0) {
		for (int d = 0; d < 2; d++)
			if (o[d] && act[d] != CT_ACTION_NONE)
				ct_i_action_put(ct, act[d]);
		__atomic_fetch_sub(&ct->live, 1, __ATOMIC_RELEASE);
		if (out != NULL)
			*out = rc == -EEXIST ? e : NULL;
		return rc;
	}
	/* The slot is ours and invisible to lookups until the release
	 * store below, so plain writes suffice. */
	l4->init(ct, e, p, &state);
	e->meta = prm ? prm->meta : 0;
	e->fwd[0] = prm ? prm->fwd[0] : CT_FWD_NONE;
	e->fwd[1] = prm && !(prm->flags & CT_EF_ORIG_ONLY) ? prm->fwd[1] :
		CT_FWD_NONE;
	e->action[0] = act[0];
	e->action[1] = act[1];
	e->last_seen = (uint32_t)ct_i_now(ct);
	memset(e->pkts, 0, sizeof(e->pkts));
	memset(e->bytes, 0, sizeof(e->bytes));
	if (!(ct->cfg.flags & CT_CFG_F_NO_COUNTERS)) {
		e->pkts[0] = 1;
		e->bytes[0] = p->len;
	}
	flags = CT_WF_DIR_ORIG | (swapped ? CT_WF_ORIG_SWAPPED : 0);
	if (prm != NULL)
		flags |= prm->flags & (CT_WF_SHARED | CT_WF_NO_AGING);
	if (!(prm != NULL && (prm->flags & CT_EF_ORIG_ONLY)))
		flags |= CT_WF_DIR_REPLY;
	own = (o[0] ? CT_WO_ORIG : 0) | (o[1] ? CT_WO_REPLY : 0);
	__atomic_store_n(&e->word,
		CT_LIFE_LIVE | state << CT_W_STATE_SHIFT |
			flags << CT_W_FLAGS_SHIFT | own << CT_W_OWN_SHIFT,
		__ATOMIC_RELEASE);
	if (out != NULL)
		*out = e;
	return 0;
}

int
ct_entry_add_dir(struct ct *ct, struct ct_entry *e, enum ct_dir dir,
		 const struct ct_entry_params *prm)
{
	uint32_t bit, w, nw, act;
	bool own;
	int rc;

	if (ct == NULL || e == NULL || prm == NULL ||
			(dir != CT_DIR_ORIG && dir != CT_DIR_REPLY))
		return -EINVAL;
	bit = dir == CT_DIR_ORIG ? CT_WF_DIR_ORIG : CT_WF_DIR_REPLY;
	w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	if (ct_w_life(w) != CT_LIFE_LIVE)
		return -ENOENT;
	if (ct_w_flags(w) & bit)
		return -EEXIST;
	rc = ct_dir_action(ct, prm, dir, &act, &own);
	if (rc)
		return rc;
	/* Fields first, then the direction bit that makes lookups of
	 * this direction hit. */
	__atomic_store_n(&e->fwd[dir], prm->fwd[dir], __ATOMIC_RELAXED);
	__atomic_store_n(&e->action[dir], act, __ATOMIC_RELAXED);
	do {
		if (ct_w_life(w) != CT_LIFE_LIVE || (ct_w_flags(w) & bit)) {
			if (own)
				ct_i_action_put(ct, act);
			return ct_w_life(w) != CT_LIFE_LIVE ? -ENOENT :
				-EEXIST;
		}
		nw = w | bit << CT_W_FLAGS_SHIFT;
		if (own)
			nw |= (uint32_t)(dir == CT_DIR_ORIG ? CT_WO_ORIG :
				CT_WO_REPLY) << CT_W_OWN_SHIFT;
	} while (!__atomic_compare_exchange_n(&e->word, &w, nw, false,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return 0;
}

int
ct_entry_update(struct ct *ct, struct ct_entry *e, uint32_t what,
		uint32_t meta, const uint16_t fwd[2])
{
	if (ct == NULL || e == NULL || (what & ~(CT_UPD_META | CT_UPD_FWD)) ||
			((what & CT_UPD_FWD) && fwd == NULL))
		return -EINVAL;
	if (ct_w_life(__atomic_load_n(&e->word, __ATOMIC_ACQUIRE)) !=
			CT_LIFE_LIVE)
		return -ENOENT;
	if (what & CT_UPD_META)
		__atomic_store_n(&e->meta, meta, __ATOMIC_RELAXED);
	if (what & CT_UPD_FWD) {
		__atomic_store_n(&e->fwd[0], fwd[0], __ATOMIC_RELAXED);
		__atomic_store_n(&e->fwd[1], fwd[1], __ATOMIC_RELAXED);
	}
	return 0;
}
