/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * ACL rules and shared counters in the NIC (spec §7.8, V-6; vs.h "Model").
 *
 * A counter is an indirect COUNT action handle; an ACL is one NIC rule of
 * flow type 3 (the spec's top two bits of rte_flow_attr.reserved) on a
 * port, in a direction and group, whose pattern and actions the operator
 * writes in dpdk-testpmd syntax (lib/flowcmd): "pattern ... / end actions
 * ... / end", with "indirect <id>" naming a counter by its id. This is how
 * colouring works: SET_TAG in an ingress ACL, a TAG item in an egress ACL
 * counting into a shared counter. The NIC runs the ACLs on every packet,
 * whether a flow rule or the slow path forwards it, so no flow depends on
 * them and a change is in force as soon as the rule is in (or out of) the
 * NIC. Rules are created at once, under flow_mtx: a refusal is the RPC's
 * error (the NIC's message), and nothing is left behind.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_log.h>
#include <rte_string_fns.h>

#include "nf_flowcmd.h"
#include "vs.h"
#include "vs_kind.h"

#define ERR VS_ERR

/* Spec §7.1: the flow type in the top two bits of the 29-bit reserved
 * field; 3 is the ACL table. */
#define VS_FLOW_TYPE_SHIFT 27
#define VS_FLOW_TYPE_ACL 3u

static int
counter_find(const struct vs_switch *vs, const char *name)
{
	for (int i = 0; i < VS_MAX_COUNTERS; i++)
		if (vs->counters[i].used &&
		    strcmp(vs->counters[i].name, name) == 0)
			return i;
	return -1;
}

static int
acl_find(const struct vs_switch *vs, const char *name)
{
	for (int i = 0; i < VS_MAX_ACLS; i++)
		if (vs->acls[i].used && strcmp(vs->acls[i].name, name) == 0)
			return i;
	return -1;
}

/* "uplink" or a VM port's name: its slot (-1 for the uplink) and port id. */
static int
port_resolve(const struct vs_switch *vs, const char *name, int *slot,
	     uint16_t *port_id, char *err, size_t errlen)
{
	if (strcmp(name, "uplink") == 0) {
		*slot = -1;
		*port_id = vs->uplink;
		return 0;
	}
	*slot = vs_port_find(vs, name);
	if (*slot < 0)
		return ERR(ENOENT, "port: unknown port '%s' (a port name or "
			   "'uplink')", name);
	*port_id = vs->ports[*slot].port_id;
	return 0;
}

static const char *
port_name(const struct vs_switch *vs, int slot)
{
	return slot < 0 ? "uplink" : vs->ports[slot].name;
}

/* ---------------------------------------------------- counters */

int
vs_counter_add(struct vs_switch *vs, const struct fval *v, char *err,
	       size_t errlen)
{
	static const struct rte_flow_indir_action_conf conf = {.ingress = 1};
	const struct rte_flow_action count = {RTE_FLOW_ACTION_TYPE_COUNT,
					      NULL};
	struct rte_flow_error ferr = {0};
	uint16_t port_id = vs->uplink;
	int slot = -1, pslot, rc;

	if (counter_find(vs, v[0].s) >= 0)
		return ERR(EEXIST, "counter '%s' already exists", v[0].s);
	if (v[1].set &&
	    (rc = port_resolve(vs, v[1].s, &pslot, &port_id, err, errlen)) != 0)
		return rc;
	/* ACL rules name a counter by its id ("indirect <id>"): an explicit
	 * id keeps them valid across a restart. */
	if (v[2].set) {
		slot = (int)v[2].u;
		if (vs->counters[slot].used)
			return ERR(EEXIST, "id: %d is already counter '%s'",
				   slot, vs->counters[slot].name);
	}
	for (int i = 0; i < VS_MAX_COUNTERS && slot < 0; i++)
		if (!vs->counters[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many counters (at most %d)",
			   VS_MAX_COUNTERS);
	vs->counters[slot].h = rte_flow_action_handle_create(port_id, &conf,
							     &count, &ferr);
	if (vs->counters[slot].h == NULL)
		return ERR(rte_errno != 0 ? rte_errno : EINVAL,
			   "counter: NIC refused the shared COUNT: %s",
			   ferr.message != NULL ? ferr.message : "no message");
	vs->counters[slot].used = true;
	vs->counters[slot].port_id = port_id;
	vs->counters[slot].users = 0;
	strlcpy(vs->counters[slot].name, v[0].s, VS_NAME_MAX);
	return 0;
}

int
vs_counter_del(struct vs_switch *vs, const struct fval *key, char *err,
	       size_t errlen)
{
	int c = counter_find(vs, key->s);
	struct vs_counter *ct;

	if (c < 0)
		return ERR(ENOENT, "counter '%s' does not exist", key->s);
	ct = &vs->counters[c];
	if (ct->users > 0)
		for (int i = 0; i < VS_MAX_ACLS; i++)
			if (vs->acls[i].used && (vs->acls[i].counters & 1u << c))
				return ERR(EBUSY, "counter '%s' is used by acl "
					   "'%s'", key->s, vs->acls[i].name);
	rte_flow_action_handle_destroy(ct->port_id, ct->h, NULL);
	memset(ct, 0, sizeof(*ct));
	return 0;
}

void
vs_counter_list(const struct vs_switch *vs, json_t *out)
{
	for (int i = 0; i < VS_MAX_COUNTERS; i++) {
		const struct vs_counter *c = &vs->counters[i];
		struct rte_flow_query_count q = {0};

		if (!c->used)
			continue;
		int p = vs_port_by_rx(vs, c->port_id, 0);

		rte_flow_action_handle_query(c->port_id, c->h, &q, NULL);
		json_array_append_new(out, json_pack("{s:s, s:i, s:s, s:I, s:I}",
			"name", c->name, "id", i, "port",
			p >= 0 ? vs->ports[p].name : "uplink",
			"hits", (json_int_t)q.hits,
			"bytes", (json_int_t)q.bytes));
	}
}

/* ---------------------------------------------------- ACL rules */

/* Which counters the parsed actions use; whether one is a direct COUNT. */
static uint32_t
acl_counters(const struct vs_switch *vs, const struct nf_flowcmd_rule *r,
	     bool *has_count)
{
	uint32_t used = 0;

	*has_count = false;
	for (unsigned int a = 0; a < r->n_actions; a++) {
		if (r->actions[a].type == RTE_FLOW_ACTION_TYPE_COUNT)
			*has_count = true;
		if (r->actions[a].type != RTE_FLOW_ACTION_TYPE_INDIRECT)
			continue;
		for (int i = 0; i < VS_MAX_COUNTERS; i++)
			if (vs->counters[i].used &&
			    (const void *)vs->counters[i].h ==
			    r->actions[a].conf)
				used |= 1u << i;
	}
	return used;
}

/* fields: name port direction group rule */
int
vs_acl_add(struct vs_switch *vs, const struct fval *v, char *err,
	   size_t errlen)
{
	struct rte_flow_action_handle *handles[VS_MAX_COUNTERS];
	struct nf_flowcmd_opts opts = {.handles = handles,
				       .n_handles = VS_MAX_COUNTERS};
	struct rte_flow_error ferr = {0};
	struct nf_flowcmd_rule *rule = NULL;
	struct vs_acl acl = {.used = true, .group = (uint8_t)v[3].u};
	char perr[256];
	int slot = -1, rc;

	if (acl_find(vs, v[0].s) >= 0)
		return ERR(EEXIST, "acl '%s' already exists", v[0].s);
	rc = port_resolve(vs, v[1].s, &acl.port, &acl.port_id, err, errlen);
	if (rc != 0)
		return rc;
	if (strcmp(v[2].s, "ingress") != 0 && strcmp(v[2].s, "egress") != 0)
		return ERR(EINVAL, "direction: '%s' is not ingress or egress",
			   v[2].s);
	acl.egress = strcmp(v[2].s, "egress") == 0;
	if (strlcpy(acl.rule, v[4].s, sizeof(acl.rule)) >= sizeof(acl.rule))
		return ERR(EINVAL, "rule: longer than %d characters",
			   VS_ACL_RULE_MAX - 1);
	for (int i = 0; i < VS_MAX_ACLS && slot < 0; i++)
		if (!vs->acls[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many acls (at most %d)", VS_MAX_ACLS);
	for (int i = 0; i < VS_MAX_COUNTERS; i++)
		handles[i] = vs->counters[i].used ? vs->counters[i].h : NULL;
	opts.port = acl.port_id;
	rc = nf_flowcmd_parse(acl.rule, &opts, &rule, perr, sizeof(perr));
	if (rc != 0)
		return ERR(-rc, "rule: %s", perr);
	if (rule->attr.ingress || rule->attr.egress || rule->attr.transfer ||
	    rule->attr.group != 0 || rule->attr.priority != 0) {
		nf_flowcmd_free(rule);
		return ERR(EINVAL, "rule: give only 'pattern ... actions ...' "
			   "(direction and group are fields of the acl)");
	}
	rule->attr.ingress = !acl.egress;
	rule->attr.egress = acl.egress;
	rule->attr.group = acl.group;
	rule->attr.reserved = VS_FLOW_TYPE_ACL << VS_FLOW_TYPE_SHIFT;
	acl.counters = acl_counters(vs, rule, &acl.has_count);
	acl.flow = rte_flow_create(acl.port_id, &rule->attr, rule->pattern,
				   rule->actions, &ferr);
	nf_flowcmd_free(rule);
	if (acl.flow == NULL) {
		rc = rte_errno != 0 ? rte_errno : EINVAL;
		RTE_LOG(ERR, USER1, "nicflowd: acl '%s' refused by port %u "
			"(%s, group %u, flow type 3): %s: %s\n", v[0].s,
			acl.port_id, v[2].s, acl.group, acl.rule,
			ferr.message != NULL ? ferr.message : "no message");
		return ERR(rc, "rule: NIC refused: %s (%s)",
			   ferr.message != NULL ? ferr.message : "no message",
			   strerror(rc));
	}
	strlcpy(acl.name, v[0].s, VS_NAME_MAX);
	for (int i = 0; i < VS_MAX_COUNTERS; i++)
		if (acl.counters & 1u << i)
			vs->counters[i].users++;
	vs->acls[slot] = acl;
	return 0;
}

static void
acl_destroy(struct vs_switch *vs, struct vs_acl *a)
{
	rte_flow_destroy(a->port_id, a->flow, NULL);
	for (int i = 0; i < VS_MAX_COUNTERS; i++)
		if (a->counters & 1u << i)
			vs->counters[i].users--;
	memset(a, 0, sizeof(*a));
}

int
vs_acl_del(struct vs_switch *vs, const struct fval *key, char *err,
	   size_t errlen)
{
	int a = acl_find(vs, key->s);

	if (a < 0)
		return ERR(ENOENT, "acl '%s' does not exist", key->s);
	acl_destroy(vs, &vs->acls[a]);
	return 0;
}

void
vs_acl_list(const struct vs_switch *vs, json_t *out)
{
	static const struct rte_flow_action count[] = {
		{RTE_FLOW_ACTION_TYPE_COUNT, NULL},
		{RTE_FLOW_ACTION_TYPE_END, NULL},
	};

	for (int i = 0; i < VS_MAX_ACLS; i++) {
		const struct vs_acl *a = &vs->acls[i];
		struct rte_flow_query_count q = {0};
		json_t *o;

		if (!a->used)
			continue;
		o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "name", a->name,
			      "port", port_name(vs, a->port), "direction",
			      a->egress ? "egress" : "ingress", "group",
			      (int)a->group, "rule", a->rule);
		if (a->has_count &&
		    rte_flow_query(a->port_id, a->flow, count, &q, NULL) == 0) {
			json_object_set_new(o, "hits",
					    json_integer((json_int_t)q.hits));
			json_object_set_new(o, "bytes",
					    json_integer((json_int_t)q.bytes));
		}
		json_array_append_new(out, o);
	}
}

void
vs_acls_flush(struct vs_switch *vs)
{
	for (int i = 0; i < VS_MAX_ACLS; i++)
		if (vs->acls[i].used)
			acl_destroy(vs, &vs->acls[i]);
	for (int i = 0; i < VS_MAX_COUNTERS; i++)
		if (vs->counters[i].used) {
			rte_flow_action_handle_destroy(vs->counters[i].port_id,
						       vs->counters[i].h, NULL);
			memset(&vs->counters[i], 0, sizeof(vs->counters[i]));
		}
}
