/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The vSwitch's logical model (V-1 subset): networks and VM ports, their
 * validation and their JSON form (vs.h). Every change takes vs->lock so
 * the datapath sees either the old or the new model, never half of it.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_string_fns.h>

#include "vs.h"

#define VS_VNI_MAX 0xffffff

struct vs_switch *
vs_switch_create(const char *nic, struct rte_mempool *pool)
{
	struct rte_hash_parameters hp = {
		.entries = VS_MAX_FLOWS,
		.key_len = sizeof(struct vs_flow_key),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vs_switch *vs = rte_zmalloc("vs_switch", sizeof(*vs), 0);
	char name[RTE_HASH_NAMESIZE];

	if (vs == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rte_spinlock_init(&vs->lock);
	pthread_mutex_init(&vs->flow_mtx, NULL);
	strlcpy(vs->nic, nic, sizeof(vs->nic));
	vs->idle_timeout = VS_IDLE_TIMEOUT_S;
	vs->pool = pool;
	snprintf(name, sizeof(name), "vs_flows_%p", (void *)vs);
	hp.name = name;
	vs->flow_hash = rte_hash_create(&hp);
	vs->flows = rte_zmalloc("vs_flows", sizeof(*vs->flows) * VS_MAX_FLOWS,
				0);
	vs->offload_q = rte_ring_create(name, VS_MAX_FLOWS, SOCKET_ID_ANY,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (vs->flow_hash == NULL || vs->flows == NULL ||
	    vs->offload_q == NULL) {
		int e = rte_errno != 0 ? rte_errno : ENOMEM;

		vs_switch_destroy(vs);
		rte_errno = e;
		return NULL;
	}
	return vs;
}

void
vs_switch_destroy(struct vs_switch *vs)
{
	if (vs == NULL)
		return;
	if (vs->flows != NULL) {
		pthread_mutex_lock(&vs->flow_mtx);
		vs_flows_flush(vs, UINT16_MAX);
		pthread_mutex_unlock(&vs->flow_mtx);
	}
	rte_hash_free(vs->flow_hash);
	rte_ring_free(vs->offload_q);
	rte_free(vs->flows);
	pthread_mutex_destroy(&vs->flow_mtx);
	rte_free(vs);
}

/* ---------------------------------------------------- lookups */

static int
net_find(const struct vs_switch *vs, const char *name)
{
	for (int i = 0; i < VS_MAX_NETWORKS; i++)
		if (vs->nets[i].used && strcmp(vs->nets[i].name, name) == 0)
			return i;
	return -1;
}

static int
port_find(const struct vs_switch *vs, const char *name)
{
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && strcmp(vs->ports[i].name, name) == 0)
			return i;
	return -1;
}

/* Names: 1..31 of [A-Za-z0-9_.-]. */
static int
name_check(const char *what, const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n >= VS_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789_.-") != n) {
		snprintf(err, errlen, "%s: '%s' is not a name (1-%d of "
			 "A-Z a-z 0-9 _ . -)", what, name, VS_NAME_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------- networks */

int
vs_network_add(struct vs_switch *vs, const char *name, uint32_t vni,
	       char *err, size_t errlen)
{
	int rc = name_check("name", name, err, errlen), slot = -1;

	if (rc != 0)
		return rc;
	if (vni > VS_VNI_MAX) {
		snprintf(err, errlen, "vni: %u is out of range 0..%u", vni,
			 VS_VNI_MAX);
		return -EINVAL;
	}
	rte_spinlock_lock(&vs->lock);
	for (int i = 0; i < VS_MAX_NETWORKS; i++) {
		if (vs->nets[i].used && vs->nets[i].vni == vni && rc == 0) {
			snprintf(err, errlen, "vni: %u is already network '%s'",
				 vni, vs->nets[i].name);
			rc = -EEXIST;
		}
		if (!vs->nets[i].used && slot < 0)
			slot = i;
	}
	if (net_find(vs, name) >= 0) {
		snprintf(err, errlen, "network '%s' already exists", name);
		rc = -EEXIST;
	} else if (rc == 0 && slot < 0) {
		snprintf(err, errlen, "too many networks (at most %d)",
			 VS_MAX_NETWORKS);
		rc = -ENOSPC;
	}
	if (rc == 0) {
		vs->nets[slot].used = true;
		vs->nets[slot].vni = vni;
		strlcpy(vs->nets[slot].name, name, VS_NAME_MAX);
	}
	rte_spinlock_unlock(&vs->lock);
	return rc;
}

int
vs_network_del(struct vs_switch *vs, const char *name, char *err,
	       size_t errlen)
{
	int rc = 0, n;

	rte_spinlock_lock(&vs->lock);
	n = net_find(vs, name);
	if (n < 0) {
		snprintf(err, errlen, "network '%s' does not exist", name);
		rc = -ENOENT;
	}
	for (int i = 0; rc == 0 && i < VS_MAX_PORTS; i++) {
		if (vs->ports[i].used && vs->ports[i].net == n) {
			snprintf(err, errlen, "network '%s' still has port '%s'",
				 name, vs->ports[i].name);
			rc = -EBUSY;
		}
	}
	if (rc == 0)
		memset(&vs->nets[n], 0, sizeof(vs->nets[n]));
	rte_spinlock_unlock(&vs->lock);
	return rc;
}

/* ---------------------------------------------------- ports */

/* rep is an ethdev name, or a representor index of vs->nic. */
static int
rep_resolve(const struct vs_switch *vs, const char *rep, char *name,
	    size_t size, uint16_t *port_id, char *err, size_t errlen)
{
	char *end;
	unsigned long idx = strtoul(rep, &end, 10);

	if (rep[0] >= '0' && rep[0] <= '9' && *end == '\0' && idx < 64)
		snprintf(name, size, "%s_representor_%lu", vs->nic, idx);
	else
		strlcpy(name, rep, size);
	if (strstr(name, "_representor_") == NULL ||
	    rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		snprintf(err, errlen, "rep: no representor '%s' on %s", rep,
			 vs->nic);
		return -ENODEV;
	}
	return 0;
}

static int
port_conflict(const struct vs_switch *vs, const struct vs_port *np,
	      char *err, size_t errlen)
{
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	for (int i = 0; i < VS_MAX_PORTS; i++) {
		const struct vs_port *p = &vs->ports[i];

		if (!p->used)
			continue;
		if (strcmp(p->name, np->name) == 0) {
			snprintf(err, errlen, "port '%s' already exists",
				 np->name);
			return -EEXIST;
		}
		if (p->port_id == np->port_id) {
			snprintf(err, errlen, "rep: %s is already port '%s'",
				 np->rep, p->name);
			return -EEXIST;
		}
		if (p->net == np->net && rte_is_same_ether_addr(&p->mac,
								&np->mac)) {
			rte_ether_format_addr(buf, sizeof(buf), &np->mac);
			snprintf(err, errlen, "mac: %s is already port '%s'",
				 buf, p->name);
			return -EEXIST;
		}
	}
	return 0;
}

int
vs_port_add(struct vs_switch *vs, const char *name, const char *rep,
	    const char *mac, const char *ipv4, const char *network,
	    char *err, size_t errlen)
{
	struct vs_port np = {.used = true};
	struct in_addr a;
	int rc = name_check("name", name, err, errlen), slot = -1;

	if (rc != 0)
		return rc;
	strlcpy(np.name, name, sizeof(np.name));
	if (rte_ether_unformat_addr(mac, &np.mac) != 0 ||
	    !rte_is_unicast_ether_addr(&np.mac) ||
	    rte_is_zero_ether_addr(&np.mac)) {
		snprintf(err, errlen, "mac: '%s' is not a unicast MAC address",
			 mac);
		return -EINVAL;
	}
	if (inet_pton(AF_INET, ipv4, &a) != 1) {
		snprintf(err, errlen, "ipv4: '%s' is not an IPv4 address",
			 ipv4);
		return -EINVAL;
	}
	np.ipv4 = a.s_addr;
	rc = rep_resolve(vs, rep, np.rep, sizeof(np.rep), &np.port_id, err,
			 errlen);
	if (rc != 0)
		return rc;
	rte_spinlock_lock(&vs->lock);
	np.net = net_find(vs, network);
	if (np.net < 0) {
		snprintf(err, errlen, "network: unknown network '%s'",
			 network);
		rc = -ENOENT;
	}
	if (rc == 0)
		rc = port_conflict(vs, &np, err, errlen);
	for (int i = 0; rc == 0 && slot < 0 && i < VS_MAX_PORTS; i++)
		if (!vs->ports[i].used)
			slot = i;
	if (rc == 0 && slot < 0) {
		snprintf(err, errlen, "too many ports (at most %d)",
			 VS_MAX_PORTS);
		rc = -ENOSPC;
	}
	if (rc == 0)
		vs->ports[slot] = np;
	rte_spinlock_unlock(&vs->lock);
	return rc;
}

int
vs_port_del(struct vs_switch *vs, const char *name, char *err,
	    size_t errlen)
{
	uint16_t port_id = UINT16_MAX;
	int p;

	pthread_mutex_lock(&vs->flow_mtx);
	rte_spinlock_lock(&vs->lock);
	p = port_find(vs, name);
	if (p >= 0) {
		port_id = vs->ports[p].port_id;
		memset(&vs->ports[p], 0, sizeof(vs->ports[p]));
	}
	rte_spinlock_unlock(&vs->lock);
	if (p >= 0)
		vs_flows_flush(vs, port_id);
	pthread_mutex_unlock(&vs->flow_mtx);
	if (p < 0) {
		snprintf(err, errlen, "port '%s' does not exist", name);
		return -ENOENT;
	}
	return 0;
}

/* ---------------------------------------------------- JSON */

json_t *
vs_model_to_json(struct vs_switch *vs)
{
	json_t *nets = json_array(), *ports = json_array();
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN];

	rte_spinlock_lock(&vs->lock);
	for (int i = 0; i < VS_MAX_NETWORKS; i++)
		if (vs->nets[i].used)
			json_array_append_new(nets, json_pack("{s:s, s:i}",
				"name", vs->nets[i].name,
				"vni", (int)vs->nets[i].vni));
	for (int i = 0; i < VS_MAX_PORTS; i++) {
		const struct vs_port *p = &vs->ports[i];

		if (!p->used)
			continue;
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		inet_ntop(AF_INET, &p->ipv4, ip, sizeof(ip));
		json_array_append_new(ports, json_pack(
			"{s:s, s:s, s:i, s:s, s:s, s:s}", "name", p->name,
			"rep", p->rep, "port_id", (int)p->port_id, "mac", mac,
			"ipv4", ip, "network", vs->nets[p->net].name));
	}
	rte_spinlock_unlock(&vs->lock);
	return json_pack("{s:o, s:o}", "networks", nets, "ports", ports);
}

int
vs_model_from_json(struct vs_switch *vs, json_t *model, char *err,
		   size_t errlen)
{
	json_t *e;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(model, "networks"), i, e) {
		json_t *vni = json_object_get(e, "vni");

		rc = vs_network_add(vs, json_string_value(json_object_get(e,
			"name")) ?: "", json_is_integer(vni) ?
			(uint32_t)json_integer_value(vni) : UINT32_MAX, err,
			errlen);
		if (rc != 0)
			return rc;
	}
	json_array_foreach(json_object_get(model, "ports"), i, e) {
#define S(k) (json_string_value(json_object_get(e, k)) ?: "")
		rc = vs_port_add(vs, S("name"), S("rep"), S("mac"), S("ipv4"),
				 S("network"), err, errlen);
#undef S
		if (rc != 0)
			return rc;
	}
	return 0;
}
