/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd's DPDK telemetry commands (nfd.h, V-11; docs/vswitch.md,
 * "Telemetry"): the counters a monitoring agent polls, on the socket every
 * DPDK process already has (/var/run/dpdk/<file-prefix>/
 * dpdk_telemetry.v2), so dpdk-telemetry.py and collectd/telegraf's DPDK
 * plugins read nicflowd like any DPDK application.
 *
 * The answers are built from the same JSON the RPC methods return
 * (vs_stats_to_json() and friends, which lock what they read), converted
 * by nfd_tel_from_json(): one source of truth, and nothing here depends on
 * the vSwitch's structures. Callbacks run on the telemetry thread; DPDK
 * 22.11 passes them no context and cannot unregister a command, so the
 * daemon is reached through a pointer guarded by a rwlock that
 * nfd_telemetry_unregister() clears before the switch is destroyed.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "nfd.h"

static pthread_rwlock_t tel_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct nfd *tel_nfd;

/* A telemetry name (22.11 accepts A-Z a-z 0-9 _ /) from a JSON key. */
static void
tel_name(char *out, size_t size, const char *key)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < size; i++) {
		char c = key[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '/' ? c : '_';
	}
	out[i] = '\0';
}

static int tel_dict(struct rte_tel_data *t, json_t *obj);

/* Value v into dict t under name; containers are allocated here and
 * handed over (keep = 0: telemetry frees them after output). */
static int
tel_dict_value(struct rte_tel_data *t, const char *name, json_t *v)
{
	struct rte_tel_data *c;
	int rc;

	switch (json_typeof(v)) {
	case JSON_STRING:
		rte_tel_data_add_dict_string(t, name, json_string_value(v));
		return 0;
	case JSON_INTEGER:
		if (json_integer_value(v) < 0)
			rte_tel_data_add_dict_int(t, name,
						  (int)json_integer_value(v));
		else
			rte_tel_data_add_dict_u64(t, name,
				(uint64_t)json_integer_value(v));
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		rte_tel_data_add_dict_u64(t, name, json_is_true(v));
		return 0;
	case JSON_OBJECT:
	case JSON_ARRAY:
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		rc = nfd_tel_from_json(c, v);
		if (rc == 0 && rte_tel_data_add_dict_container(t, name, c, 0)
		    == 0)
			return 0;
		rte_tel_data_free(c);
		return rc;
	default:
		return 0; /* null, real: not a counter */
	}
}

static int
tel_dict(struct rte_tel_data *t, json_t *obj)
{
	char name[RTE_TEL_MAX_STRING_LEN];
	const char *k;
	json_t *v;
	int rc;

	rte_tel_data_start_dict(t);
	json_object_foreach(obj, k, v) {
		tel_name(name, sizeof(name), k);
		rc = tel_dict_value(t, name, v);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* An array's telemetry type: values of one kind, else a dict by index
 * (22.11's arrays hold values or value arrays, not dicts). */
static int
tel_array(struct rte_tel_data *t, json_t *arr)
{
	bool ints = true, strs = true, neg = false;
	char name[24];
	size_t i;
	json_t *v;
	int rc;

	json_array_foreach(arr, i, v) {
		ints &= json_is_integer(v);
		strs &= json_is_string(v);
		neg |= json_is_integer(v) && json_integer_value(v) < 0;
	}
	if (ints && json_array_size(arr) > 0) {
		rte_tel_data_start_array(t, neg ? RTE_TEL_INT_VAL :
					 RTE_TEL_U64_VAL);
		json_array_foreach(arr, i, v)
			if (neg)
				rte_tel_data_add_array_int(t,
					(int)json_integer_value(v));
			else
				rte_tel_data_add_array_u64(t,
					(uint64_t)json_integer_value(v));
		return 0;
	}
	if (strs) {
		rte_tel_data_start_array(t, RTE_TEL_STRING_VAL);
		json_array_foreach(arr, i, v)
			rte_tel_data_add_array_string(t, json_string_value(v));
		return 0;
	}
	rte_tel_data_start_dict(t);
	json_array_foreach(arr, i, v) {
		snprintf(name, sizeof(name), "%zu", i);
		rc = tel_dict_value(t, name, v);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
nfd_tel_from_json(struct rte_tel_data *t, json_t *j)
{
	if (json_is_object(j))
		return tel_dict(t, j);
	if (json_is_array(j))
		return tel_array(t, j);
	return -EINVAL;
}

/* ---------------------------------------------------- commands */

typedef json_t *(*tel_fn)(struct nfd *d);

static json_t *
tel_stats(struct nfd *d)
{
	return vs_stats_to_json(d->vs);
}

/* Counts by where a flow is, and the packets each side carried. */
static json_t *
tel_flows(struct nfd *d)
{
	static const char *const wheres[] = {"software", "pending", "nic",
					     "refused"};
	json_t *flows = vs_flows_to_json(d->vs);
	json_t *r = json_pack("{s:i, s:i}", "total",
			      (int)json_array_size(flows), "max",
			      VS_MAX_FLOWS);
	json_int_t sw = 0, nic = 0;
	size_t i;
	json_t *f;

	for (size_t w = 0; w < RTE_DIM(wheres); w++)
		json_object_set_new(r, wheres[w], json_integer(0));
	json_array_foreach(flows, i, f) {
		const char *w = json_string_value(json_object_get(f, "where"));
		json_t *c = json_object_get(f, "counters");
		json_t *n = w != NULL ? json_object_get(r, w) : NULL;

		if (n != NULL)
			json_integer_set(n, json_integer_value(n) + 1);
		sw += json_integer_value(json_object_get(c, "sw_packets"));
		nic += json_integer_value(json_object_get(c, "nic_packets"));
	}
	json_object_set_new(r, "sw_packets", json_integer(sw));
	json_object_set_new(r, "nic_packets", json_integer(nic));
	json_decref(flows);
	return r;
}

/* The configured VM ports keyed by name (made a telemetry name; a
 * clash adds the port id), each with its representor's ethdev counters
 * and, if nicflowd created its underlying port, that vport. */
static json_t *
tel_ports(struct nfd *d)
{
	json_t *m = vs_model_to_json(d->vs), *r = json_object();
	char key[RTE_TEL_MAX_STRING_LEN];
	const char *name;
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(m, "ports"), i, p) {
		json_t *jpid = json_object_get(p, "port_id");
		json_int_t pid = json_integer_value(jpid);
		struct rte_eth_stats st;

		if (json_is_integer(jpid) &&
		    rte_eth_stats_get((uint16_t)pid, &st) == 0)
			json_object_set_new(p, "stats", json_pack(
				"{s:I, s:I, s:I, s:I, s:I, s:I}",
				"rx_packets", (json_int_t)st.ipackets,
				"tx_packets", (json_int_t)st.opackets,
				"rx_bytes", (json_int_t)st.ibytes,
				"tx_bytes", (json_int_t)st.obytes,
				"rx_missed", (json_int_t)st.imissed,
				"tx_errors", (json_int_t)st.oerrors));
		for (int k = 0; k < d->opts.nb_vports; k++) {
			json_t *s = nfd_vport_status(&d->opts.vports[k],
						     d->opts.nic);
			json_t *rid = json_object_get(s, "rep_port_id");

			if (json_is_integer(jpid) && json_is_integer(rid) &&
			    json_integer_value(rid) == pid)
				json_object_set(p, "vport", s);
			json_decref(s);
		}
		name = json_string_value(json_object_get(p, "name"));
		tel_name(key, sizeof(key), name != NULL ? name : "port");
		if (json_object_get(r, key) != NULL)
			snprintf(key + strlen(key), sizeof(key) - strlen(key),
				 "_%lld", (long long)pid);
		json_object_set(r, key, p);
	}
	json_decref(m);
	return r;
}

/* Keyed by vdev name (net_vhost0: already a telemetry name). */
static json_t *
tel_vports(struct nfd *d)
{
	json_t *r = json_object();

	for (int k = 0; k < d->opts.nb_vports; k++)
		json_object_set_new(r, d->opts.vports[k].vdev,
				    nfd_vport_status(&d->opts.vports[k],
						     d->opts.nic));
	return r;
}

static const struct {
	const char *cmd;
	tel_fn fn;
	const char *help;
} tel_cmds[] = {
	{"/nicflowd/stats", tel_stats, "nicflowd datapath counters: upcalls, "
	 "forwarded, offloads, aged, drops by reason. Takes no parameters."},
	{"/nicflowd/flows", tel_flows, "nicflowd flow counts by where "
	 "(software, pending, nic, refused), packets per side. Takes no "
	 "parameters."},
	{"/nicflowd/ports", tel_ports, "nicflowd VM ports with their "
	 "representor's counters and vport. Takes no parameters."},
	{"/nicflowd/vports", tel_vports, "nicflowd vhost-user and tap ports "
	 "it created: vdev, representor, link. Takes no parameters."},
};

static int
tel_cb(const char *cmd, const char *params, struct rte_tel_data *info)
{
	json_t *j = NULL;
	int rc = -EINVAL;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	pthread_rwlock_rdlock(&tel_lock);
	for (size_t i = 0; i < RTE_DIM(tel_cmds); i++)
		if (tel_nfd != NULL && strcmp(cmd, tel_cmds[i].cmd) == 0)
			j = tel_cmds[i].fn(tel_nfd);
	if (tel_nfd == NULL)
		rc = -ENODEV;
	pthread_rwlock_unlock(&tel_lock);
	if (j != NULL)
		rc = nfd_tel_from_json(info, j);
	json_decref(j);
	return rc;
}

int
nfd_telemetry_register(struct nfd *d)
{
	/* 22.11 would list a command registered twice twice (a test that
	 * creates a second daemon context): register once, re-point. */
	static bool registered;
	int rc;

	pthread_rwlock_wrlock(&tel_lock);
	tel_nfd = d;
	pthread_rwlock_unlock(&tel_lock);
	for (size_t i = 0; !registered && i < RTE_DIM(tel_cmds); i++) {
		rc = rte_telemetry_register_cmd(tel_cmds[i].cmd, tel_cb,
						tel_cmds[i].help);
		if (rc != 0)
			return rc;
	}
	registered = true;
	return 0;
}

void
nfd_telemetry_unregister(void)
{
	pthread_rwlock_wrlock(&tel_lock);
	tel_nfd = NULL;
	pthread_rwlock_unlock(&tel_lock);
}
