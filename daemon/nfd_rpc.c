/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd's JSON-RPC methods (docs/vswitch.md, "RPC"). The model methods
 * are "<kind>_add", "<kind>_del" and "<kind>_list" for every kind of
 * vs_kind_names[]: params go to the model as they are, which checks them
 * against the kind's field table (known keys, types, values) and names the
 * wrong field. A successful change is persisted at once.
 *
 * port_add's "rep" may also name a vport (nfd.h) by its socket path or tap
 * interface: the operator knows which socket a VM was given, not which
 * representor number it became. It is stored as the representor's ethdev
 * name, as an explicit one would be.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_log.h>

#include "nfd.h"

static int
persist(struct nfd *d, int rc, json_t **result)
{
	int src;

	if (rc != 0)
		return rc;
	src = nfd_config_save(&d->opts, d->vs);
	if (src != 0)
		RTE_LOG(ERR, USER1, "nicflowd: cannot save %s: %s\n",
			d->opts.config, strerror(-src));
	*result = json_null();
	return 0;
}

/* A vport's representor name for rep, or rep itself. A number is always
 * a representor index. */
static const char *
vport_rep(const struct nfd *d, const char *rep, char *buf, size_t len)
{
	if (rep == NULL || strspn(rep, "0123456789") == strlen(rep))
		return rep;
	for (int i = 0; i < d->opts.nb_vports; i++)
		if (strcmp(d->opts.vports[i].path, rep) == 0 &&
		    d->opts.vports[i].rep >= 0) {
			snprintf(buf, len, "%s_representor_%d", d->opts.nic,
				 d->opts.vports[i].rep);
			return buf;
		}
	return rep;
}

/* The list/dump methods take no params. */
static int
no_params(json_t *params, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	json_object_foreach(params, k, v) {
		snprintf(err, errlen, "%s: unknown parameter", k);
		return -EINVAL;
	}
	return 0;
}

static int
obj_add(void *ctx, json_t *params, json_t **result, char *err,
	size_t errlen, const char *kind)
{
	struct nfd *d = ctx;
	const char *rep = json_string_value(json_object_get(params, "rep"));
	char buf[VS_NAME_MAX + 32];
	json_t *p = json_incref(params);
	int rc;

	if (strcmp(kind, "port") == 0 && rep != NULL &&
	    vport_rep(d, rep, buf, sizeof(buf)) != rep) {
		json_decref(p);
		p = json_deep_copy(params);
		json_object_set_new(p, "rep", json_string(buf));
	}
	rc = vs_obj_add(d->vs, kind, p, err, errlen);
	json_decref(p);
	return persist(d, rc, result);
}

static int
obj_del(void *ctx, json_t *params, json_t **result, char *err,
	size_t errlen, const char *kind)
{
	struct nfd *d = ctx;

	return persist(d, vs_obj_del(d->vs, kind, params, err, errlen),
		       result);
}

static int
obj_list(void *ctx, json_t *params, json_t **result, char *err,
	 size_t errlen, const char *kind)
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);

	if (rc == 0)
		*result = vs_obj_list(d->vs, kind);
	return rc;
}

/* nf_rpc methods carry no argument: one thin wrapper per kind and verb. */
#define KIND_METHODS(kind)                                                   \
static int                                                                   \
m_##kind##_add(void *ctx, json_t *p, json_t **r, char *e, size_t el)        \
{                                                                            \
	return obj_add(ctx, p, r, e, el, #kind);                             \
}                                                                            \
static int                                                                   \
m_##kind##_del(void *ctx, json_t *p, json_t **r, char *e, size_t el)        \
{                                                                            \
	return obj_del(ctx, p, r, e, el, #kind);                             \
}                                                                            \
static int                                                                   \
m_##kind##_list(void *ctx, json_t *p, json_t **r, char *e, size_t el)       \
{                                                                            \
	return obj_list(ctx, p, r, e, el, #kind);                            \
}

KIND_METHODS(router)
KIND_METHODS(network)
KIND_METHODS(port)
KIND_METHODS(remote)
KIND_METHODS(fip)
KIND_METHODS(vtep)
KIND_METHODS(mirror)
KIND_METHODS(counter)
KIND_METHODS(acl)
KIND_METHODS(route)
KIND_METHODS(sg)
KIND_METHODS(sg_rule)
KIND_METHODS(sg_drop)
KIND_METHODS(sg_port)

/* A method without params whose result is one view of the switch. */
static int
view(void *ctx, json_t *params, json_t **result, char *err, size_t errlen,
     json_t *(*fn)(struct vs_switch *vs))
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);

	if (rc == 0)
		*result = fn(d->vs);
	return rc;
}

static int
m_flow_dump(void *ctx, json_t *params, json_t **result, char *err,
	    size_t errlen)
{
	return view(ctx, params, result, err, errlen, vs_flows_to_json);
}

/* V-8's raw view: each port's rules as the NIC itself shows them
 * (rte_flow_dev_dump, whatever the PMD), keyed by port name. */
static int
m_nic_dump(void *ctx, json_t *params, json_t **result, char *err,
	   size_t errlen)
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid;

	if (rc != 0)
		return rc;
	*result = json_object();
	pthread_mutex_lock(&d->vs->flow_mtx);
	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_flow_error ferr;
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (f == NULL)
			continue;
		rc = rte_flow_dev_dump(pid, NULL, f, &ferr);
		fclose(f);
		if (rc == 0 && len > 0 &&
		    rte_eth_dev_get_name_by_port(pid, name) == 0)
			json_object_set_new(*result, name, json_string(buf));
		free(buf);
	}
	pthread_mutex_unlock(&d->vs->flow_mtx);
	return 0;
}

/* The underlay neighbours (V-9): which next hops are resolved, by ARP on
 * which uplink. */
static int
m_neigh_list(void *ctx, json_t *params, json_t **result, char *err,
	     size_t errlen)
{
	return view(ctx, params, result, err, errlen, vs_neigh_to_json);
}

static int
m_stats_get(void *ctx, json_t *params, json_t **result, char *err,
	    size_t errlen)
{
	return view(ctx, params, result, err, errlen, vs_stats_to_json);
}

/* The vports with their representor and link (nfd_vport_status()). */
static int
m_vport_list(void *ctx, json_t *params, json_t **result, char *err,
	     size_t errlen)
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);

	if (rc != 0)
		return rc;
	*result = json_array();
	for (int i = 0; i < d->opts.nb_vports; i++)
		json_array_append_new(*result, nfd_vport_status(
			&d->opts.vports[i], d->opts.nic));
	return 0;
}

#define KIND_ROWS(kind) {#kind "_add", m_##kind##_add},                       \
	{#kind "_del", m_##kind##_del}, {#kind "_list", m_##kind##_list}

static const struct nf_rpc_method nfd_methods[] = {
	KIND_ROWS(router),
	KIND_ROWS(network),
	KIND_ROWS(port),
	KIND_ROWS(remote),
	KIND_ROWS(fip),
	KIND_ROWS(vtep),
	KIND_ROWS(mirror),
	KIND_ROWS(counter),
	KIND_ROWS(acl),
	KIND_ROWS(route),
	{"neigh_list", m_neigh_list},
	{"vport_list", m_vport_list},
	KIND_ROWS(sg),
	KIND_ROWS(sg_rule),
	KIND_ROWS(sg_drop),
	KIND_ROWS(sg_port),
	{"flow_dump", m_flow_dump},
	{"nic_dump", m_nic_dump},
	{"stats_get", m_stats_get},
	{NULL, NULL},
};

const struct nf_rpc_method *const nfd_rpc_tables[] = {
	nfd_methods,
	NULL,
};
