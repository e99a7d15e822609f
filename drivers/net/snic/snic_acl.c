/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * ACL tables (spec §7.8, N-9): per port and direction, two groups of at most
 * 16 rules, 32 rules per port in all. Every group is evaluated, in group
 * order; within a group the first matching rule (by priority, then age)
 * applies. A rule with a fate (PORT_ID, DROP, UPCALL) ends the walk; one
 * without (COUNT, SET_TAG, rewrites) lets the packet go on to the next group
 * and then to the forwarding table (ingress) or out (egress).
 *
 * With at most 32 rules a linear masked compare beats any index; the rules
 * of a port-direction are an immutable array replaced by copy-on-write and
 * freed after a grace period, so the datapath reads it without locking.
 */

#include <stdlib.h>

#include <rte_errno.h>

#include "snic.h"

static const char *const snic_dir_name[] = { "ingress", "egress" };

/* r's entry: the words of its mask that are not zero. */
static void
snic_acl_ent_fill(struct snic_acl_ent *e, struct rte_flow *r)
{
	const nf_key_word_t *m = (const nf_key_word_t *)&r->acl->mask;
	const nf_key_word_t *v = (const nf_key_word_t *)&r->acl->key;

	e->r = r;
	e->group = (uint8_t)r->group;
	e->nw = 0;
	for (unsigned int w = 0; w < NF_KEY_WORDS; w++) {
		if (m[w] == 0)
			continue;
		e->widx[e->nw] = (uint8_t)w;
		e->mask[e->nw] = m[w];
		e->val[e->nw++] = v[w];
	}
}

static int
snic_acl_publish(struct snic_port *port, enum snic_dir dir,
		 struct rte_flow *add, const struct rte_flow *del)
{
	struct snic_acl_set *old = port->acl[dir], *ns;
	uint32_t n = old ? old->n : 0, j = 0;

	ns = malloc(sizeof(*ns) + (n + 1) * sizeof(ns->e[0]));
	if (ns == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct rte_flow *r = old->e[i].r;

		if (r == del)
			continue;
		if (add != NULL && (add->group < r->group ||
		    (add->group == r->group && add->priority < r->priority))) {
			snic_acl_ent_fill(&ns->e[j++], add);
			add = NULL;
		}
		ns->e[j++] = old->e[i];
	}
	if (add != NULL)
		snic_acl_ent_fill(&ns->e[j++], add);
	ns->n = j;
	/* No rules left: no snapshot. The datapath skips a NULL ACL, and
	 * an empty set kept here would leak when the port closes. */
	if (j == 0) {
		free(ns);
		ns = NULL;
	}
	__atomic_store_n(&port->acl[dir], ns, __ATOMIC_RELEASE);
	if (old != NULL)
		snic_defer_free(port->sw, old);
	return 0;
}

int
snic_acl_room(const struct snic_port *port, const struct rte_flow *f,
	      const void *cause, struct rte_flow_error *err)
{
	uint32_t total = 0;

	for (int d = 0; d < 2; d++)
		for (int g = 0; g < RTE_PMD_SNIC_ACL_GROUPS; g++)
			total += port->acl_count[d][g];
	if (port->acl_count[f->dir][f->group] >=
	    RTE_PMD_SNIC_ACL_RULES_PER_GROUP)
		return snic_err(err, ENOSPC, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
			cause, "ACL table of port %u: %s group %u is full "
			"(%u rules per group)", port->port_id,
			snic_dir_name[f->dir], f->group,
			RTE_PMD_SNIC_ACL_RULES_PER_GROUP);
	if (total >= RTE_PMD_SNIC_ACL_RULES_PER_PORT)
		return snic_err(err, ENOSPC, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
			NULL, "ACL table of port %u is full (%u rules per "
			"port, both directions)", port->port_id,
			RTE_PMD_SNIC_ACL_RULES_PER_PORT);
	return 0;
}

int
snic_acl_insert(struct snic_port *port, struct rte_flow *f,
		struct rte_flow_error *err)
{
	int rc = snic_acl_room(port, f, NULL, err);

	if (rc != 0)
		return rc;
	if (snic_acl_publish(port, f->dir, f, NULL) != 0)
		return rte_flow_error_set(err, ENOMEM,
			RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
			"ACL: out of memory");
	port->acl_count[f->dir][f->group]++;
	SNIC_LOG(DEBUG, "%s: ACL %s group %u: %u rules", port->name,
		 snic_dir_name[f->dir], f->group,
		 port->acl_count[f->dir][f->group]);
	return 0;
}

void
snic_acl_remove(struct snic_port *port, struct rte_flow *f)
{
	/* On ENOMEM keep the rule visible rather than lose the snapshot:
	 * retry after reclaiming (the set is tiny). */
	while (snic_acl_publish(port, f->dir, NULL, f) != 0)
		snic_rcu_sync(port->sw);
	port->acl_count[f->dir][f->group]--;
}

int
snic_acl_run(struct snic_port *port, enum snic_dir dir, struct rte_mbuf *m,
	     struct nf_flow_key *key, struct nf_pkt_layout *lay,
	     uint16_t *out_port)
{
	const struct snic_acl_set *s =
		__atomic_load_n(&port->acl[dir], __ATOMIC_ACQUIRE);
	const nf_key_word_t *k = (const nf_key_word_t *)key;
	int skip_group = -1;

	if (s == NULL)
		return SNIC_V_CONTINUE;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct snic_acl_ent *e = &s->e[i];
		struct rte_flow *r;
		uint64_t diff = 0;
		int v;

		if (e->group == skip_group)
			continue;
		for (unsigned int w = 0; w < e->nw; w++)
			diff |= (k[e->widx[w]] & e->mask[w]) ^ e->val[w];
		if (diff != 0)
			continue;
		r = e->r;
		skip_group = e->group;
		v = snic_rule_exec(port->sw, r, m, key, lay);
		if (v != SNIC_V_CONTINUE) {
			*out_port = r->act.out_port;
			return v;
		}
	}
	return SNIC_V_CONTINUE;
}
