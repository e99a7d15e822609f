/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * rte_flow operations of net_snic (N-4, N-11, N-12, N-13, N-14, N-21):
 * validate, create, destroy, query, flush, dev_dump, indirect COUNT handles,
 * and the spec's dump API (rte_flow_dump_start/next/done).
 *
 * A rule is parsed completely (attributes, items, actions) before anything
 * is inserted, and every failure path releases what it took, so a refused
 * rule leaves no state behind. All control operations of a switch hold its
 * lock; the datapath never takes it. A destroyed rule is unlinked at once
 * and freed after an RCU grace period, so rte_flow_destroy is safe under
 * traffic (N-14).
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <ethdev_driver.h>
#include <rte_errno.h>
#include <rte_flow_driver.h>

#include "snic.h"


/* What a rule's attributes ask for. */
struct snic_attr {
	uint32_t type;
	enum snic_dir dir;
	uint16_t group;
};

static const char *const snic_type_name[] = {
	"exact-match forwarding", "fuzzy-match forwarding", "DP-hash",
	"ACL",
};

static int
snic_attr_parse(const struct rte_flow_attr *attr, struct snic_attr *sa,
		struct rte_flow_error *err)
{
	uint32_t low = attr->reserved & ((1u << RTE_PMD_SNIC_FLOW_TYPE_SHIFT) -
					 1);

	sa->type = rte_pmd_snic_flow_type_get(attr);
	sa->group = (uint16_t)attr->group;
	if (low != 0)
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, attr,
			"attr.reserved 0x%x: only the top two bits (flow type) "
			"may be set", attr->reserved);
	if (sa->type == RTE_PMD_SNIC_FLOW_TYPE_EXACT &&
	    attr->group >= RTE_PMD_SNIC_ACL_GROUP_BASE) {
		sa->type = RTE_PMD_SNIC_FLOW_TYPE_ACL;
		sa->group = (uint16_t)(attr->group -
				       RTE_PMD_SNIC_ACL_GROUP_BASE);
		if (attr->group - RTE_PMD_SNIC_ACL_GROUP_BASE >= 0xffff)
			sa->group = 0xffff;
	}
	if (sa->type == RTE_PMD_SNIC_FLOW_TYPE_FUZZY ||
	    sa->type == RTE_PMD_SNIC_FLOW_TYPE_DPHASH)
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, attr,
			"flow type %u (%s) is not supported: use 0 "
			"(exact-match forwarding) or 3 (ACL)", sa->type,
			snic_type_name[sa->type]);
	if (sa->type == RTE_PMD_SNIC_FLOW_TYPE_EXACT) {
		if (attr->group != 0)
			return snic_err(err, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_ATTR_GROUP, attr,
				"group %u: the forwarding table has one group "
				"(0); ACL groups are %u and %u", attr->group,
				RTE_PMD_SNIC_ACL_GROUP_BASE,
				RTE_PMD_SNIC_ACL_GROUP_BASE + 1);
		if (attr->egress)
			return snic_err(err, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_ATTR_EGRESS, attr,
				"forwarding rules match at ingress; egress is "
				"for ACL rules (flow type 3)");
		if (!attr->ingress && !attr->transfer)
			return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR,
				attr, "forwarding rule: set ingress or "
				"transfer");
		sa->dir = SNIC_DIR_IN;
		return 0;
	}
	if (sa->group >= RTE_PMD_SNIC_ACL_GROUPS)
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
			attr, "ACL group %u out of range: %d groups per "
			"direction (0 and 1)", sa->group,
			RTE_PMD_SNIC_ACL_GROUPS);
	if (attr->transfer)
		return snic_err(err, ENOTSUP,
			RTE_FLOW_ERROR_TYPE_ATTR_TRANSFER, attr,
			"ACL rules are per port: transfer is not supported");
	if (attr->ingress == attr->egress)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR, attr,
			"ACL rules need exactly one direction: ingress or "
			"egress");
	sa->dir = attr->ingress ? SNIC_DIR_IN : SNIC_DIR_OUT;
	return 0;
}

static void
snic_flow_free(void *arg)
{
	struct rte_flow *f = arg;

	/* The handle and meter references were dropped at destroy time,
	 * under the lock; no reader can see f any more. */
	f->act.flags &= ~(SNIC_A_SHARED_CNT | SNIC_A_METER);
	f->act.shared = NULL;
	f->act.mtr = NULL;
	snic_actions_release(&f->act);
	free(f->acl);
	snic_slab_free(f, snic_flow_size(f->nw));
}

/* Drop the rule's references on its indirect COUNT handle and its flow
 * meter (lock held). */
static void
snic_flow_unref(struct rte_flow *f)
{
	if ((f->act.flags & SNIC_A_SHARED_CNT) && f->act.shared != NULL)
		f->act.shared->refcnt--;
	if ((f->act.flags & SNIC_A_METER) && f->act.mtr != NULL)
		snic_mtr_flow_unref(f->act.mtr);
}

/* Parse everything (lock held); on success *fp is a complete rule, not
 * yet visible to the datapath, and *m its match. */
static int
snic_flow_build(struct snic_port *port, const struct rte_flow_attr *attr,
		const struct rte_flow_item items[],
		const struct rte_flow_action actions[], struct rte_flow **fp,
		struct snic_match *m, struct rte_flow_error *err)
{
	struct snic_attr sa = {0};
	struct rte_flow *f;
	unsigned int nw;
	int rc;

	if (attr == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR, NULL,
				"NULL attributes");
	if (items == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM_NUM,
				NULL, "NULL pattern");
	if (actions == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_NUM,
				NULL, "NULL actions");
	rc = snic_attr_parse(attr, &sa, err);
	if (rc != 0)
		return rc;
	rc = snic_items_parse(port, items, sa.type, m, err);
	if (rc != 0)
		return rc;
	/* A forwarding rule carries its table's compact key. */
	nw = sa.type == RTE_PMD_SNIC_FLOW_TYPE_ACL ? 0 :
		snic_tbl_key_words(&m->mask);
	f = snic_slab_alloc(snic_flow_size(nw));
	if (f == NULL)
		return snic_err(err, ENOMEM, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				NULL, "out of memory");
	f->nw = (uint8_t)nw;
	rc = snic_actions_parse(port, actions, sa.type, sa.dir, m, &f->act,
				err);
	if (rc != 0) {
		snic_slab_free(f, snic_flow_size(nw));
		return rc;
	}
	f->type = (uint8_t)sa.type;
	f->dir = (uint8_t)sa.dir;
	f->group = sa.group;
	f->priority = attr->priority;
	f->port = port;
	if (sa.type == RTE_PMD_SNIC_FLOW_TYPE_ACL) {
		f->acl = malloc(sizeof(*f->acl));
		if (f->acl == NULL) {
			snic_flow_unref(f);
			snic_flow_free(f);
			return snic_err(err, ENOMEM,
				RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				"out of memory");
		}
		f->acl->key = m->key;
		f->acl->mask = m->mask;
	}
	*fp = f;
	return 0;
}

/*
 * Would the table take f? Run by validate and by create before inserting,
 * so both refuse a rule the same way (same errno, type, cause, message):
 * a full table (N-9, N-21) or a duplicate match (EEXIST).
 */
static int
snic_flow_room(struct snic_port *port, const struct rte_flow_attr *attr,
	       const struct rte_flow *f, const struct snic_match *m,
	       struct rte_flow_error *err)
{
	if (f->type != RTE_PMD_SNIC_FLOW_TYPE_ACL) {
		if (port->sw->nb_fwd_rules >= port->sw->max_rules)
			return snic_err(err, ENOSPC,
				RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				"forwarding table full (max_rules=%u): "
				"traffic stays in software",
				port->sw->max_rules);
		if (snic_tbl_exists(port->sw, m, f->priority))
			return snic_err(err, EEXIST,
				RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				"a rule with the same match and priority "
				"exists");
		return 0;
	}
	return snic_acl_room(port, f, attr, err);
}

/*
 * Project rule: a refused offload is logged as the testpmd command that
 * replays it. Formatting is done only when DEBUG is enabled for the PMD's
 * log type, so the normal path pays one test.
 */
static void
snic_flow_log_refused(const struct snic_port *port,
		      const struct rte_flow_attr *attr,
		      const struct rte_flow_item items[],
		      const struct rte_flow_action actions[],
		      const struct rte_flow_error *err, int rc)
{
	char cmd[2048];

	if (!rte_log_can_log(snic_logtype, RTE_LOG_DEBUG))
		return;
	snic_flow_cmd_format(cmd, sizeof(cmd), port->port_id, attr, items,
			     actions);
	SNIC_LOG(DEBUG, "port %u: rule refused: %s; replay: %s",
		 port->port_id, err->message != NULL ? err->message :
		 rte_strerror(-rc), cmd);
}

static int
snic_flow_validate(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		   const struct rte_flow_item items[],
		   const struct rte_flow_action actions[],
		   struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	struct rte_flow_error local_err = { .message = NULL };
	struct snic_match m;
	struct rte_flow *f = NULL;
	int rc;

	/* err may be NULL (ethdev passes the application's); the refusal
	 * log still wants the message. */
	if (err == NULL)
		err = &local_err;
	pthread_mutex_lock(&port->sw->lock);
	rc = snic_flow_build(port, attr, items, actions, &f, &m, err);
	if (rc == 0) {
		rc = snic_flow_room(port, attr, f, &m, err);
		snic_flow_unref(f);
		snic_flow_free(f);
	}
	pthread_mutex_unlock(&port->sw->lock);
	if (rc != 0)
		snic_flow_log_refused(port, attr, items, actions, err, rc);
	return rc;
}

static struct rte_flow *
snic_flow_create(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		 const struct rte_flow_item items[],
		 const struct rte_flow_action actions[],
		 struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	struct snic_switch *sw = port->sw;
	struct rte_flow_error local_err = { .message = NULL };
	struct snic_match m;
	struct rte_flow *f = NULL;
	int rc;

	if (err == NULL)
		err = &local_err; /* as in validate: the log wants it */
	pthread_mutex_lock(&sw->lock);
	rc = snic_flow_build(port, attr, items, actions, &f, &m, err);
	if (rc == 0) {
		rc = snic_flow_room(port, attr, f, &m, err);
		if (rc == 0 && f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL)
			rc = snic_acl_insert(port, f, err);
		else if (rc == 0)
			rc = snic_tbl_insert(sw, f, &m, err);
		if (rc != 0) {
			snic_flow_unref(f);
			snic_flow_free(f);
			f = NULL;
		}
	}
	if (f != NULL) {
		f->magic = SNIC_FLOW_MAGIC;
		f->seq = ++sw->next_seq;
		TAILQ_INSERT_TAIL(&port->flows, f, next);
		port->nb_flows++;
	}
	pthread_mutex_unlock(&sw->lock);
	if (f == NULL) {
		snic_flow_log_refused(port, attr, items, actions, err, rc);
		rte_errno = -rc;
	}
	return f;
}

/* Unlink f (lock held) and free it after a grace period. */
static void
snic_flow_unlink(struct snic_port *port, struct rte_flow *f)
{
	if (f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL)
		snic_acl_remove(port, f);
	else
		snic_tbl_remove(port->sw, f);
	TAILQ_REMOVE(&port->flows, f, next);
	port->nb_flows--;
	snic_flow_unref(f);
	f->magic = 0;
	snic_defer_call(port->sw, snic_flow_free, f);
}

static int
snic_flow_check(const struct snic_port *port, const struct rte_flow *f,
		struct rte_flow_error *err)
{
	if (f == NULL || f->magic != SNIC_FLOW_MAGIC || f->port != port)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE, f,
			"not a rule of port %u", port->port_id);
	return 0;
}

static int
snic_flow_destroy(struct rte_eth_dev *dev, struct rte_flow *f,
		  struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	int rc;

	pthread_mutex_lock(&port->sw->lock);
	rc = snic_flow_check(port, f, err);
	if (rc == 0)
		snic_flow_unlink(port, f);
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

void
snic_flow_flush_port(struct snic_port *port)
{
	struct rte_flow *f;

	pthread_mutex_lock(&port->sw->lock);
	while ((f = TAILQ_FIRST(&port->flows)) != NULL)
		snic_flow_unlink(port, f);
	pthread_mutex_unlock(&port->sw->lock);
}

static int
snic_flow_flush(struct rte_eth_dev *dev, struct rte_flow_error *err)
{
	RTE_SET_USED(err);
	snic_flow_flush_port(dev->data->dev_private);
	return 0;
}

/* N-12: hits and bytes since the last reset. */
static void
snic_counter_query(struct snic_counter *c, struct rte_flow_query_count *q)
{
	uint64_t hits = __atomic_load_n(&c->hits, __ATOMIC_RELAXED);
	uint64_t bytes = __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);

	q->hits_set = 1;
	q->bytes_set = 1;
	q->hits = hits - c->base_hits;
	q->bytes = bytes - c->base_bytes;
	if (q->reset) {
		c->base_hits = hits;
		c->base_bytes = bytes;
	}
}

static int
snic_flow_query(struct rte_eth_dev *dev, struct rte_flow *f,
		const struct rte_flow_action *action, void *data,
		struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	int rc;

	pthread_mutex_lock(&port->sw->lock);
	rc = snic_flow_check(port, f, err);
	for (; rc == 0 && action != NULL &&
	       action->type != RTE_FLOW_ACTION_TYPE_END; action++) {
		if (action->type == RTE_FLOW_ACTION_TYPE_VOID)
			continue;
		if (action->type != RTE_FLOW_ACTION_TYPE_COUNT) {
			rc = snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				action, "query: only COUNT can be queried");
		} else if (f->act.flags & SNIC_A_COUNT) {
			snic_counter_query(&f->cnt, data);
		} else if (f->act.flags & SNIC_A_SHARED_CNT) {
			snic_counter_query(&f->act.shared->cnt, data);
		} else {
			rc = snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				action, "query: the rule has no COUNT action");
		}
	}
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

/* ------------------------------------------------- indirect COUNT (N-11) */

static struct rte_flow_action_handle *
snic_handle_create(struct rte_eth_dev *dev,
		   const struct rte_flow_indir_action_conf *conf,
		   const struct rte_flow_action *action,
		   struct rte_flow_error *err)
{
	struct snic_switch *sw =
		((struct snic_port *)dev->data->dev_private)->sw;
	struct rte_flow_action_handle *h = NULL;
	int slot = -1;

	RTE_SET_USED(conf);
	if (action == NULL || action->type != RTE_FLOW_ACTION_TYPE_COUNT) {
		snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION, action,
			 "indirect actions: only COUNT is supported");
		return NULL;
	}
	pthread_mutex_lock(&sw->lock);
	for (int i = 0; i < RTE_PMD_SNIC_MAX_HANDLES && slot < 0; i++)
		if (sw->handles[i] == NULL)
			slot = i;
	if (slot < 0)
		snic_err(err, ENOSPC, RTE_FLOW_ERROR_TYPE_ACTION, action,
			 "all %d indirect COUNT handles are in use",
			 RTE_PMD_SNIC_MAX_HANDLES);
	else if ((h = calloc(1, sizeof(*h))) == NULL)
		snic_err(err, ENOMEM, RTE_FLOW_ERROR_TYPE_ACTION, action,
			 "out of memory");
	if (h != NULL) {
		h->magic = SNIC_HANDLE_MAGIC;
		h->sw = sw;
		sw->handles[slot] = h;
	}
	pthread_mutex_unlock(&sw->lock);
	return h;
}

static int
snic_handle_check(struct snic_switch *sw,
		  const struct rte_flow_action_handle *h,
		  struct rte_flow_error *err)
{
	if (h == NULL || h->magic != SNIC_HANDLE_MAGIC || h->sw != sw)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE, h,
				"not an indirect action of this switch");
	return 0;
}

static int
snic_handle_destroy(struct rte_eth_dev *dev, struct rte_flow_action_handle *h,
		    struct rte_flow_error *err)
{
	struct snic_switch *sw =
		((struct snic_port *)dev->data->dev_private)->sw;
	int rc;

	pthread_mutex_lock(&sw->lock);
	rc = snic_handle_check(sw, h, err);
	if (rc == 0 && h->refcnt > 0)
		rc = snic_err(err, EBUSY, RTE_FLOW_ERROR_TYPE_HANDLE, h,
			"indirect COUNT is used by %u rules: destroy them "
			"first", h->refcnt);
	if (rc == 0) {
		for (int i = 0; i < RTE_PMD_SNIC_MAX_HANDLES; i++)
			if (sw->handles[i] == h)
				sw->handles[i] = NULL;
		h->magic = 0;
		snic_defer_free(sw, h);
	}
	pthread_mutex_unlock(&sw->lock);
	return rc;
}

static int
snic_handle_query(struct rte_eth_dev *dev,
		  const struct rte_flow_action_handle *h, void *data,
		  struct rte_flow_error *err)
{
	struct snic_switch *sw =
		((struct snic_port *)dev->data->dev_private)->sw;
	int rc;

	pthread_mutex_lock(&sw->lock);
	rc = snic_handle_check(sw, h, err);
	if (rc == 0)
		snic_counter_query(
			&((struct rte_flow_action_handle *)(uintptr_t)h)->cnt,
			data);
	pthread_mutex_unlock(&sw->lock);
	return rc;
}

static int
snic_handle_update(struct rte_eth_dev *dev, struct rte_flow_action_handle *h,
		   const void *update, struct rte_flow_error *err)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(update);
	return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_HANDLE, h,
			"indirect COUNT cannot be updated; query with reset");
}

/* ------------------------------------------------------------ dev_dump */

static void
snic_show_ip(FILE *o, const char *name, const uint8_t *v, const uint8_t *m,
	     bool v6)
{
	char a[64], b[64];
	unsigned int n = v6 ? 16 : 4;
	bool any = false;

	for (unsigned int i = 0; i < n; i++)
		any |= m[i] != 0;
	if (!any)
		return;
	inet_ntop(v6 ? AF_INET6 : AF_INET, v, a, sizeof(a));
	inet_ntop(v6 ? AF_INET6 : AF_INET, m, b, sizeof(b));
	fprintf(o, " %s=%s/%s", name, a, b);
}

/* One line per rule: its match as field=value/mask, actions, counters. */
static void
snic_show_rule(FILE *o, const struct rte_flow *f)
{
	static const char *const act_names[] = {
		"count", "sample", "vxlan_decap", "pop_vlan", "set_mac_src",
		"set_mac_dst", "set_ip_src", "set_ip_dst", "dec_ttl",
		"set_dscp", "push_vlan", "set_vid", "set_pcp", "vxlan_encap",
		"set_rsvd0", "set_tag", "port", "drop", "upcall", "indirect",
	};
	struct snic_match m;
	const struct nf_flow_key *k = &m.key, *mk = &m.mask;
	bool v6;

	if (f->acl != NULL) {
		m.key = f->acl->key;
		m.mask = f->acl->mask;
	} else if (snic_tbl_rule_match(f, &m) != 0) {
		return;
	}
	v6 = k->flags & NF_KEY_F_IPV6;
	fprintf(o, "rule %" PRIu64 " port %u %s", f->seq, f->port->port_id,
		f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL ? "acl" : "exact");
	if (f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL)
		fprintf(o, " %s group %u", f->dir ? "egress" : "ingress",
			f->group);
	fprintf(o, " priority %u match:", f->priority);
	if (mk->flags)
		fprintf(o, " flags=0x%02x/0x%02x", k->flags, mk->flags);
	if (!rte_is_zero_ether_addr(&mk->dst_mac))
		fprintf(o, " eth_dst=" RTE_ETHER_ADDR_PRT_FMT,
			RTE_ETHER_ADDR_BYTES(&k->dst_mac));
	if (!rte_is_zero_ether_addr(&mk->src_mac))
		fprintf(o, " eth_src=" RTE_ETHER_ADDR_PRT_FMT,
			RTE_ETHER_ADDR_BYTES(&k->src_mac));
	if (mk->eth_type)
		fprintf(o, " eth_type=0x%04x", rte_be_to_cpu_16(k->eth_type));
	if (mk->vlan_tci)
		fprintf(o, " vlan_tci=0x%04x", rte_be_to_cpu_16(k->vlan_tci));
	snic_show_ip(o, "ip_src", k->src_ip, mk->src_ip, v6);
	snic_show_ip(o, "ip_dst", k->dst_ip, mk->dst_ip, v6);
	if (mk->ip_proto)
		fprintf(o, " proto=%u", k->ip_proto);
	if (mk->src_port)
		fprintf(o, " sport=%u", rte_be_to_cpu_16(k->src_port));
	if (mk->dst_port)
		fprintf(o, " dport=%u", rte_be_to_cpu_16(k->dst_port));
	if (mk->tcp_flags)
		fprintf(o, " tcp_flags=0x%x/0x%x", k->tcp_flags, mk->tcp_flags);
	if (mk->vni)
		fprintf(o, " vni=%u", rte_be_to_cpu_32(k->vni) >> 8);
	if (mk->tag)
		fprintf(o, " tag=0x%04x/0x%04x", k->tag, mk->tag);
	snic_show_ip(o, "outer_src", k->outer_src, mk->outer_src,
		     k->flags & NF_KEY_F_OUTER_V6);
	snic_show_ip(o, "outer_dst", k->outer_dst, mk->outer_dst,
		     k->flags & NF_KEY_F_OUTER_V6);
	fprintf(o, " actions:");
	for (unsigned int i = 0; i < RTE_DIM(act_names); i++)
		if (f->act.flags & (1u << i))
			fprintf(o, " %s", act_names[i]);
	if (f->act.flags & SNIC_A_PORT)
		fprintf(o, " out=%u", f->port->sw->ports[f->act.out_port] ?
			f->port->sw->ports[f->act.out_port]->port_id : 0);
	fprintf(o, " hits=%" PRIu64 " bytes=%" PRIu64 "\n",
		f->cnt.hits - f->cnt.base_hits,
		f->cnt.bytes - f->cnt.base_bytes);
}

static int
snic_flow_dev_dump(struct rte_eth_dev *dev, struct rte_flow *flow, FILE *file,
		   struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	struct rte_flow *f;
	int rc = 0;

	pthread_mutex_lock(&port->sw->lock);
	if (flow != NULL) {
		rc = snic_flow_check(port, flow, err);
		if (rc == 0)
			snic_show_rule(file, flow);
	} else {
		fprintf(file, "port %u (%s): %u rules\n", port->port_id,
			port->name, port->nb_flows);
		TAILQ_FOREACH(f, &port->flows, next)
			snic_show_rule(file, f);
	}
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

const struct rte_flow_ops snic_flow_ops = {
	.validate = snic_flow_validate,
	.create = snic_flow_create,
	.destroy = snic_flow_destroy,
	.flush = snic_flow_flush,
	.query = snic_flow_query,
	.dev_dump = snic_flow_dev_dump,
	.action_handle_create = snic_handle_create,
	.action_handle_destroy = snic_handle_destroy,
	.action_handle_update = snic_handle_update,
	.action_handle_query = snic_handle_query,
	.tunnel_decap_set = snic_tunnel_decap_set,
	.tunnel_match = snic_tunnel_match,
	.get_restore_info = snic_tunnel_get_restore_info,
	.tunnel_action_decap_release = snic_tunnel_action_decap_release,
	.tunnel_item_release = snic_tunnel_item_release,
};

/* ------------------------------------------------ dump API (N-13, §8.7) */

/*
 * The cursor is (switch position, port index, last rule sequence number):
 * each call walks forward under the switch lock, so rules created or
 * destroyed between calls neither crash the dump nor repeat entries.
 */
struct snic_dump_ctx {
	uint32_t type;
	uint32_t sw_pos;
	uint16_t port_idx;
	uint64_t last_seq;
	uint32_t n;                       /* entries of the last batch */
	uint32_t cap;
	struct snic_dump_buf **bufs;
	uint16_t *port_ids;
	struct rte_flow_attr *attrs;
};

static void
snic_dump_ctx_clear(struct snic_dump_ctx *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		snic_dump_buf_free(c->bufs[i]);
	c->n = 0;
}

int
rte_flow_dump_start(void **context, uint32_t type)
{
	struct snic_dump_ctx *c;

	if (context == NULL || (type != RTE_PMD_SNIC_FLOW_TYPE_EXACT &&
				type != RTE_PMD_SNIC_FLOW_TYPE_ACL)) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rte_errno = ENOMEM;
		return -ENOMEM;
	}
	c->type = type;
	*context = c;
	return 0;
}

static struct snic_switch *
snic_switch_at(uint32_t pos)
{
	struct snic_switch *sw;

	TAILQ_FOREACH(sw, &snic_switches, next)
		if (pos-- == 0)
			return sw;
	return NULL;
}

/* Take up to count rules of port p after c->last_seq (sw lock held). */
static int
snic_dump_port(struct snic_dump_ctx *c, struct snic_port *p, uint32_t count,
	       const struct rte_flow_item *pattern[],
	       const struct rte_flow_action *actions[])
{
	struct rte_flow *f;

	TAILQ_FOREACH(f, &p->flows, next) {
		if (c->n == count)
			return 0;
		if (f->seq <= c->last_seq || f->type != c->type)
			continue;
		if (snic_dump_rule(f, &c->bufs[c->n], &pattern[c->n],
				   &actions[c->n]) != 0)
			return -ENOMEM;
		c->port_ids[c->n] = p->port_id;
		c->attrs[c->n] = (struct rte_flow_attr){
			.priority = f->priority,
			.ingress = f->dir == SNIC_DIR_IN,
			.egress = f->dir == SNIC_DIR_OUT,
		};
		rte_pmd_snic_flow_type_set(&c->attrs[c->n], f->type);
		if (f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL)
			c->attrs[c->n].group = f->group;
		c->n++;
		c->last_seq = f->seq;
	}
	return 0;
}

int
rte_flow_dump_next(void *context, uint32_t count, uint32_t *dumped_count,
		   const struct rte_flow_item *pattern[],
		   const struct rte_flow_action *actions[])
{
	struct snic_dump_ctx *c = context;
	struct snic_switch *sw;
	int rc = 0;

	if (c == NULL || dumped_count == NULL ||
	    (count > 0 && (pattern == NULL || actions == NULL))) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	snic_dump_ctx_clear(c);
	if (count > c->cap) {
		free(c->bufs);
		free(c->port_ids);
		free(c->attrs);
		c->bufs = calloc(count, sizeof(*c->bufs));
		c->port_ids = calloc(count, sizeof(*c->port_ids));
		c->attrs = calloc(count, sizeof(*c->attrs));
		c->cap = c->bufs && c->port_ids && c->attrs ? count : 0;
		if (c->cap == 0) {
			rte_errno = ENOMEM;
			return -ENOMEM;
		}
	}
	pthread_mutex_lock(&snic_list_lock);
	while (rc == 0 && c->n < count &&
	       (sw = snic_switch_at(c->sw_pos)) != NULL) {
		struct snic_port *p;

		pthread_mutex_lock(&sw->lock);
		p = snic_port_get(sw, c->port_idx);
		if (p != NULL)
			rc = snic_dump_port(c, p, count, pattern, actions);
		pthread_mutex_unlock(&sw->lock);
		if (rc == 0 && c->n < count) {
			c->last_seq = 0;
			if (++c->port_idx >= sw->nb_ports) {
				c->port_idx = 0;
				c->sw_pos++;
			}
		}
	}
	pthread_mutex_unlock(&snic_list_lock);
	*dumped_count = c->n;
	if (rc != 0)
		rte_errno = -rc;
	return rc;
}

int
rte_pmd_snic_dump_port(void *context, uint32_t i)
{
	struct snic_dump_ctx *c = context;

	if (c == NULL || i >= c->n)
		return -EINVAL;
	return c->port_ids[i];
}

int
rte_pmd_snic_dump_attr(void *context, uint32_t i, struct rte_flow_attr *attr)
{
	struct snic_dump_ctx *c = context;

	if (c == NULL || attr == NULL || i >= c->n)
		return -EINVAL;
	*attr = c->attrs[i];
	return 0;
}

int
rte_flow_dump_done(void *context)
{
	struct snic_dump_ctx *c = context;

	if (c == NULL) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	snic_dump_ctx_clear(c);
	free(c->bufs);
	free(c->port_ids);
	free(c->attrs);
	free(c);
	return 0;
}
