/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd's JSON-RPC methods (docs/vswitch.md, "RPC"): params are checked
 * against a per-method table (known keys, types, required), then the model
 * (vs.h) validates values. A successful change is persisted at once.
 *
 * port_add's "rep" may also name a vport (nfd.h) by its socket path or tap
 * interface: the operator knows which socket a VM was given, not which
 * representor number it became. It is stored as the representor's ethdev
 * name, as an explicit one would be.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "nfd.h"

enum ptype { P_STR, P_UINT };

struct pspec {
	const char *key;
	enum ptype type;
	bool required;
};

union pval {
	const char *s;
	uint32_t u;
};

#define PMAX 6

/* Check params against spec (NULL-key-terminated) into val[]. */
static int
params_get(json_t *params, const struct pspec *spec, union pval *val,
	   char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	int i;

	json_object_foreach(params, k, v) {
		for (i = 0; spec[i].key != NULL; i++)
			if (strcmp(spec[i].key, k) == 0)
				break;
		if (spec[i].key == NULL) {
			snprintf(err, errlen, "%s: unknown parameter", k);
			return -EINVAL;
		}
	}
	for (i = 0; spec[i].key != NULL; i++) {
		v = json_object_get(params, spec[i].key);
		val[i].s = NULL;
		if (v == NULL && spec[i].required) {
			snprintf(err, errlen, "%s: missing", spec[i].key);
			return -EINVAL;
		}
		if (v == NULL)
			continue;
		if (spec[i].type == P_STR && !json_is_string(v)) {
			snprintf(err, errlen, "%s: must be a string",
				 spec[i].key);
			return -EINVAL;
		}
		if (spec[i].type == P_UINT && (!json_is_integer(v) ||
		    json_integer_value(v) < 0 ||
		    json_integer_value(v) > UINT32_MAX)) {
			snprintf(err, errlen, "%s: must be a non-negative "
				 "integer", spec[i].key);
			return -EINVAL;
		}
		if (spec[i].type == P_STR)
			val[i].s = json_string_value(v);
		else
			val[i].u = (uint32_t)json_integer_value(v);
	}
	return 0;
}

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

static int
m_network_add(void *ctx, json_t *params, json_t **result, char *err,
	      size_t errlen)
{
	static const struct pspec spec[] = {
		{"name", P_STR, true}, {"vni", P_UINT, true}, {NULL, 0, 0}};
	struct nfd *d = ctx;
	union pval v[PMAX];
	int rc = params_get(params, spec, v, err, errlen);

	if (rc == 0)
		rc = vs_network_add(d->vs, v[0].s, v[1].u, err, errlen);
	return persist(d, rc, result);
}

static int
m_network_del(void *ctx, json_t *params, json_t **result, char *err,
	      size_t errlen)
{
	static const struct pspec spec[] = {
		{"name", P_STR, true}, {NULL, 0, 0}};
	struct nfd *d = ctx;
	union pval v[PMAX];
	int rc = params_get(params, spec, v, err, errlen);

	if (rc == 0)
		rc = vs_network_del(d->vs, v[0].s, err, errlen);
	return persist(d, rc, result);
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

static int
m_port_add(void *ctx, json_t *params, json_t **result, char *err,
	   size_t errlen)
{
	static const struct pspec spec[] = {
		{"name", P_STR, true}, {"rep", P_STR, true},
		{"mac", P_STR, true}, {"ipv4", P_STR, true},
		{"network", P_STR, true}, {NULL, 0, 0}};
	struct nfd *d = ctx;
	union pval v[PMAX];
	char rep[VS_NAME_MAX + 32];
	int rc = params_get(params, spec, v, err, errlen);

	if (rc == 0)
		rc = vs_port_add(d->vs, v[0].s, vport_rep(d, v[1].s, rep,
				 sizeof(rep)), v[2].s, v[3].s, v[4].s, err,
				 errlen);
	return persist(d, rc, result);
}

static int
m_port_del(void *ctx, json_t *params, json_t **result, char *err,
	   size_t errlen)
{
	static const struct pspec spec[] = {
		{"name", P_STR, true}, {NULL, 0, 0}};
	struct nfd *d = ctx;
	union pval v[PMAX];
	int rc = params_get(params, spec, v, err, errlen);

	if (rc == 0)
		rc = vs_port_del(d->vs, v[0].s, err, errlen);
	return persist(d, rc, result);
}

/* The list/dump methods take no params. */
static int
no_params(json_t *params, char *err, size_t errlen)
{
	static const struct pspec spec[] = {{NULL, 0, 0}};
	union pval v[1];

	return params_get(params, spec, v, err, errlen);
}

/* One section ("networks", "ports") of the model. */
static int
model_part(void *ctx, json_t *params, json_t **result, char *err,
	   size_t errlen, const char *part)
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);
	json_t *m;

	if (rc != 0)
		return rc;
	m = vs_model_to_json(d->vs);
	*result = json_incref(json_object_get(m, part));
	json_decref(m);
	return 0;
}

static int
m_network_list(void *ctx, json_t *params, json_t **result, char *err,
	       size_t errlen)
{
	return model_part(ctx, params, result, err, errlen, "networks");
}

static int
m_port_list(void *ctx, json_t *params, json_t **result, char *err,
	    size_t errlen)
{
	return model_part(ctx, params, result, err, errlen, "ports");
}

static int
m_flow_dump(void *ctx, json_t *params, json_t **result, char *err,
	    size_t errlen)
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);

	if (rc == 0)
		*result = vs_flows_to_json(d->vs);
	return rc;
}

static int
m_stats_get(void *ctx, json_t *params, json_t **result, char *err,
	    size_t errlen)
{
	struct nfd *d = ctx;
	int rc = no_params(params, err, errlen);

	if (rc == 0)
		*result = vs_stats_to_json(d->vs);
	return rc;
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

static const struct nf_rpc_method nfd_methods[] = {
	{"network_add", m_network_add},
	{"network_del", m_network_del},
	{"network_list", m_network_list},
	{"port_add", m_port_add},
	{"port_del", m_port_del},
	{"port_list", m_port_list},
	{"vport_list", m_vport_list},
	{"flow_dump", m_flow_dump},
	{"stats_get", m_stats_get},
	{NULL, NULL},
};

const struct nf_rpc_method *const nfd_rpc_tables[] = {
	nfd_methods,
	NULL,
};
