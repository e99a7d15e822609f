/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The vSwitch's logical model (V-1): routers, networks, VM ports, remote
 * ports, floating IPs and the local VTEP (vs.h).
 *
 * Each kind is one row of kinds[]: its fields (name, type, required) and
 * three small functions (add, del, list). vs_obj_add() checks the request
 * against the field table — unknown or missing parameters, types, value
 * syntax — so every kind gets the same field-naming errors, then calls the
 * kind's add under vs->lock for the checks that need the model (references,
 * conflicts). The RPC methods, the config file and nicflowctl all follow
 * this table. Every change bumps vs->gen and revalidates the flows before
 * returning, so a config change is in force (in software and in the NIC)
 * when its RPC answers.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_string_fns.h>

#include "vs.h"
#include "vs_kind.h"

#define VS_VNI_MAX 0xffffff

/* ---------------------------------------------------- switch */

struct vs_switch *
vs_switch_create(const char *nic, struct rte_mempool *pool)
{
	struct rte_hash_parameters hp = {
		.entries = VS_MAX_FLOWS,
		.key_len = sizeof(struct vs_flow_key),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		/* Without the extendable table a full bucket refuses a key
		 * long before VS_MAX_FLOWS (bench_nf_newflow: 14 of 4096). */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct vs_switch *vs;
	char name[RTE_HASH_NAMESIZE];
	uint16_t uplink;

	if (rte_eth_dev_get_port_by_name(nic, &uplink) != 0) {
		rte_errno = ENODEV;
		return NULL;
	}
	vs = rte_zmalloc("vs_switch", sizeof(*vs), 0);
	if (vs == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rte_spinlock_init(&vs->lock);
	pthread_mutex_init(&vs->flow_mtx, NULL);
	strlcpy(vs->nic, nic, sizeof(vs->nic));
	vs->uplink = uplink;
	rte_eth_macaddr_get(uplink, &vs->uplink_mac);
	vs->neigh_refresh_s = VS_NEIGH_REFRESH_S;
	vs->idle_timeout = VS_IDLE_TIMEOUT_S;
	vs->pool = pool;
	snprintf(name, sizeof(name), "vs_flows_%p", (void *)vs);
	hp.name = name;
	vs->flow_hash = rte_hash_create(&hp);
	vs->flows = rte_zmalloc("vs_flows", sizeof(*vs->flows) * VS_MAX_FLOWS,
				0);
	/* Exact size: every flow of a full table can be queued at once. */
	vs->offload_q = rte_ring_create(name, VS_MAX_FLOWS, SOCKET_ID_ANY,
					RING_F_SP_ENQ | RING_F_SC_DEQ |
					RING_F_EXACT_SZ);
	if (vs->flow_hash == NULL || vs->flows == NULL ||
	    vs->offload_q == NULL || vs_sg_init(vs) != 0 ||
	    vs_underlay_init(vs, nic) != 0) {
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
	pthread_mutex_lock(&vs->flow_mtx);
	vs_acls_flush(vs);
	if (vs->flows != NULL)
		vs_flows_flush(vs);
	pthread_mutex_unlock(&vs->flow_mtx);
	vs_underlay_fini(vs);
	rte_hash_free(vs->flow_hash);
	rte_ring_free(vs->offload_q);
	rte_free(vs->flows);
	vs_sg_fini(vs);
	pthread_mutex_destroy(&vs->flow_mtx);
	rte_free(vs);
}

/* ---------------------------------------------------- lookups */

#define FIND(arr, n, cond) do {                                         \
	for (int i_ = 0; i_ < (n); i_++) {                              \
		const __typeof__((arr)[0]) *o = &(arr)[i_];             \
		if (o->used && (cond))                                  \
			return i_;                                      \
	}                                                               \
	return -1;                                                      \
} while (0)

static int
router_find(const struct vs_switch *vs, const char *name)
{
	FIND(vs->routers, VS_MAX_ROUTERS, strcmp(o->name, name) == 0);
}

static int
net_find(const struct vs_switch *vs, const char *name)
{
	FIND(vs->nets, VS_MAX_NETWORKS, strcmp(o->name, name) == 0);
}

int
vs_port_find(const struct vs_switch *vs, const char *name)
{
	FIND(vs->ports, VS_MAX_PORTS, strcmp(o->name, name) == 0);
}

static int
remote_find(const struct vs_switch *vs, const char *name)
{
	FIND(vs->remotes, VS_MAX_REMOTES, strcmp(o->name, name) == 0);
}

int
vs_port_by_rx(const struct vs_switch *vs, uint16_t port_id, uint16_t vid)
{
	FIND(vs->ports, VS_MAX_PORTS, o->port_id == port_id && o->vlan == vid);
}

int
vs_port_by_mac(const struct vs_switch *vs, int net,
	       const struct rte_ether_addr *mac)
{
	FIND(vs->ports, VS_MAX_PORTS,
	     o->net == net && rte_is_same_ether_addr(&o->mac, mac));
}

int
vs_port_by_ip(const struct vs_switch *vs, int net, uint32_t ip)
{
	FIND(vs->ports, VS_MAX_PORTS, o->net == net && o->ipv4 == ip);
}

int
vs_remote_by_mac(const struct vs_switch *vs, int net,
		 const struct rte_ether_addr *mac)
{
	FIND(vs->remotes, VS_MAX_REMOTES,
	     o->net == net && rte_is_same_ether_addr(&o->mac, mac));
}

int
vs_remote_by_ip(const struct vs_switch *vs, int net, uint32_t ip)
{
	FIND(vs->remotes, VS_MAX_REMOTES, o->net == net && o->ipv4 == ip);
}

int
vs_net_by_vni(const struct vs_switch *vs, uint32_t vni)
{
	FIND(vs->nets, VS_MAX_NETWORKS, o->vni == vni);
}

int
vs_router_by_vni(const struct vs_switch *vs, uint32_t vni)
{
	FIND(vs->routers, VS_MAX_ROUTERS, o->vni != 0 && o->vni == vni);
}

static bool
in_subnet(uint32_t ip, uint32_t prefix, uint8_t plen)
{
	uint32_t m = plen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - plen));

	return (ip & m) == prefix;
}

int
vs_net_by_subnet(const struct vs_switch *vs, int r, uint32_t ip)
{
	FIND(vs->nets, VS_MAX_NETWORKS,
	     o->router == r && in_subnet(ip, o->prefix, o->plen));
}

int
vs_fip_by_ip(const struct vs_switch *vs, uint32_t ip)
{
	FIND(vs->fips, VS_MAX_FIPS, o->fip == ip);
}

int
vs_fip_by_port(const struct vs_switch *vs, int port)
{
	FIND(vs->fips, VS_MAX_FIPS, o->port == port);
}

/* ---------------------------------------------------- field table */

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

/* An IPv4 or IPv6 prefix (F_UCIDR): -1 malformed, -2 host bits set. */
static int
ucidr_parse(const char *s, struct vs_ip *prefix, uint8_t *plen)
{
	char buf[VS_IP_STRLEN + 8], *slash, *end;
	unsigned long l;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] == '\0' || vs_ip_parse(buf, prefix) != 0 ||
	    l > (vs_ip_is4(prefix) ? 32u : 128u))
		return -1;
	*plen = (uint8_t)l;
	/* Host bits: none may be set past the prefix length. */
	for (unsigned int b = l + (vs_ip_is4(prefix) ? 96u : 0u); b < 128; b++)
		if (prefix->a[b / 8] & (0x80 >> (b % 8)))
			return -2;
	return 0;
}

/* An IPv4 prefix (F_CIDR), as ucidr_parse() says. */
static int
cidr_parse(const char *s, uint32_t *prefix, uint8_t *plen)
{
	struct vs_ip ip;
	int rc = ucidr_parse(s, &ip, plen);

	if (rc == 0 && !vs_ip_is4(&ip))
		return -1;
	*prefix = vs_ip_4(&ip);
	return rc;
}

/* One field's value; v->set on success. */
static int
field_parse(const struct field *f, json_t *j, struct fval *v, char *err,
	    size_t errlen)
{
	const char *s = json_string_value(j);
	struct in_addr a;
	int rc;

	if (f->type == F_UINT || f->type == F_BOOL) {
		if (!json_is_integer(j) || json_integer_value(j) < 0 ||
		    json_integer_value(j) > UINT32_MAX) {
			snprintf(err, errlen, "%s: must be a non-negative "
				 "integer", f->key);
			return -EINVAL;
		}
		v->u = (uint32_t)json_integer_value(j);
		if (v->u > (f->type == F_BOOL ? 1 : f->max)) {
			snprintf(err, errlen, "%s: %u is out of range 0..%u",
				 f->key, v->u, f->type == F_BOOL ? 1 : f->max);
			return -EINVAL;
		}
		v->set = true;
		return 0;
	}
	if (s == NULL) {
		snprintf(err, errlen, "%s: must be a string", f->key);
		return -EINVAL;
	}
	v->s = s;
	switch (f->type) {
	case F_NAME:
		rc = name_check(f->key, s, err, errlen);
		if (rc != 0)
			return rc;
		break;
	case F_MAC:
		if (rte_ether_unformat_addr(s, &v->mac) != 0 ||
		    !rte_is_unicast_ether_addr(&v->mac) ||
		    rte_is_zero_ether_addr(&v->mac)) {
			snprintf(err, errlen, "%s: '%s' is not a unicast MAC "
				 "address", f->key, s);
			return -EINVAL;
		}
		break;
	case F_IPV4:
		if (inet_pton(AF_INET, s, &a) != 1) {
			snprintf(err, errlen, "%s: '%s' is not an IPv4 address",
				 f->key, s);
			return -EINVAL;
		}
		v->u = a.s_addr;
		break;
	case F_UADDR:
		if (vs_ip_parse(s, &v->ip) != 0) {
			snprintf(err, errlen, "%s: '%s' is not an IPv4 or IPv6 "
				 "address", f->key, s);
			return -EINVAL;
		}
		break;
	case F_UCIDR:
		rc = ucidr_parse(s, &v->ip, &v->plen);
		if (rc != 0) {
			snprintf(err, errlen, rc == -2 ?
				 "%s: '%s' has host bits set" :
				 "%s: '%s' is not an IPv4 or IPv6 prefix "
				 "(address/len)", f->key, s);
			return -EINVAL;
		}
		break;
	case F_CIDR:
		rc = cidr_parse(s, &v->u, &v->plen);
		if (rc != 0) {
			snprintf(err, errlen, rc == -2 ?
				 "%s: '%s' has host bits set" :
				 "%s: '%s' is not an IPv4 prefix (a.b.c.d/len)",
				 f->key, s);
			return -EINVAL;
		}
		break;
	default:
		break;
	}
	v->set = true;
	return 0;
}

static int
params_parse(const struct kind *k, json_t *params, struct fval *v,
	     bool key_only, char *err, size_t errlen)
{
	const char *key;
	json_t *j;
	int i, rc;

	memset(v, 0, sizeof(*v) * MAX_FIELDS);
	if (params == NULL || !json_is_object(params)) {
		snprintf(err, errlen, "params: must be an object");
		return -EINVAL;
	}
	json_object_foreach(params, key, j) {
		for (i = 0; i < MAX_FIELDS && k->fields[i].key != NULL; i++)
			if (strcmp(k->fields[i].key, key) == 0 &&
			    (!key_only || strcmp(key, k->key) == 0))
				break;
		if (i == MAX_FIELDS || k->fields[i].key == NULL) {
			snprintf(err, errlen, "%s: unknown parameter", key);
			return -EINVAL;
		}
	}
	for (i = 0; i < MAX_FIELDS && k->fields[i].key != NULL; i++) {
		const struct field *f = &k->fields[i];

		if (key_only && strcmp(f->key, k->key) != 0)
			continue;
		j = json_object_get(params, f->key);
		if (j == NULL) {
			if (f->required || key_only) {
				snprintf(err, errlen, "%s: missing", f->key);
				return -EINVAL;
			}
			continue;
		}
		rc = field_parse(f, j, &v[i], err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
field_idx(const struct kind *k, const char *key)
{
	for (int i = 0; i < MAX_FIELDS && k->fields[i].key != NULL; i++)
		if (strcmp(k->fields[i].key, key) == 0)
			return i;
	return 0;
}

#define ERR VS_ERR

static char *
ip_str(uint32_t ip, char *buf)
{
	return (char *)inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

static char *
mac_str(const struct rte_ether_addr *mac, char *buf)
{
	rte_ether_format_addr(buf, RTE_ETHER_ADDR_FMT_SIZE, mac);
	return buf;
}

/* Is the VNI taken by a network or a router's L3 VNI? */
static int
vni_check(const struct vs_switch *vs, uint32_t vni, char *err, size_t errlen)
{
	int n = vs_net_by_vni(vs, vni), r = vs_router_by_vni(vs, vni);

	if (n >= 0)
		return ERR(EEXIST, "vni: %u is already network '%s'", vni,
			   vs->nets[n].name);
	if (r >= 0)
		return ERR(EEXIST, "vni: %u is already router '%s'", vni,
			   vs->routers[r].name);
	return 0;
}

/* ---------------------------------------------------- routers */

static int
router_add(struct vs_switch *vs, const struct fval *v, char *err,
	   size_t errlen)
{
	int slot = -1, rc;

	if (router_find(vs, v[0].s) >= 0)
		return ERR(EEXIST, "router '%s' already exists", v[0].s);
	if (v[2].set && v[2].u != 0 && (rc = vni_check(vs, v[2].u, err,
						       errlen)) != 0)
		return rc;
	for (int i = 0; i < VS_MAX_ROUTERS && slot < 0; i++)
		if (!vs->routers[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many routers (at most %d)",
			   VS_MAX_ROUTERS);
	vs->routers[slot] = (struct vs_router){.used = true, .mac = v[1].mac,
					       .vni = v[2].u};
	strlcpy(vs->routers[slot].name, v[0].s, VS_NAME_MAX);
	return 0;
}

static int
router_del(struct vs_switch *vs, const struct fval *key, char *err,
	   size_t errlen)
{
	int r = router_find(vs, key->s);

	if (r < 0)
		return ERR(ENOENT, "router '%s' does not exist", key->s);
	for (int i = 0; i < VS_MAX_NETWORKS; i++)
		if (vs->nets[i].used && vs->nets[i].router == r)
			return ERR(EBUSY, "router '%s' still has network '%s'",
				   key->s, vs->nets[i].name);
	memset(&vs->routers[r], 0, sizeof(vs->routers[r]));
	return 0;
}

static void
router_list(const struct vs_switch *vs, json_t *out)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	for (int i = 0; i < VS_MAX_ROUTERS; i++) {
		const struct vs_router *r = &vs->routers[i];

		if (r->used)
			json_array_append_new(out, json_pack("{s:s, s:s, s:i}",
				"name", r->name, "mac", mac_str(&r->mac, mac),
				"vni", (int)r->vni));
	}
}

/* ---------------------------------------------------- networks */

/* fields: name vni router cidr gateway external */
static int
network_add(struct vs_switch *vs, const struct fval *v, char *err,
	    size_t errlen)
{
	struct vs_network n = {.used = true, .vni = v[1].u, .router = -1};
	int slot = -1, rc;

	if (net_find(vs, v[0].s) >= 0)
		return ERR(EEXIST, "network '%s' already exists", v[0].s);
	rc = vni_check(vs, v[1].u, err, errlen);
	if (rc != 0)
		return rc;
	if (v[2].set) {
		n.router = router_find(vs, v[2].s);
		if (n.router < 0)
			return ERR(ENOENT, "router: unknown router '%s'",
				   v[2].s);
		if (!v[3].set)
			return ERR(EINVAL, "cidr: missing (a network on a "
				   "router needs its subnet)");
		if (!v[4].set)
			return ERR(EINVAL, "gateway: missing (a network on a "
				   "router needs its gateway address)");
		if (!in_subnet(v[4].u, v[3].u, v[3].plen))
			return ERR(EINVAL, "gateway: %s is not in %s", v[4].s,
				   v[3].s);
		for (int i = 0; i < VS_MAX_NETWORKS; i++) {
			const struct vs_network *o = &vs->nets[i];
			uint8_t pl = RTE_MIN(o->plen, v[3].plen);

			if (o->used && o->router == n.router &&
			    in_subnet(o->prefix, v[3].u & (pl == 0 ? 0 :
				rte_cpu_to_be_32(~0u << (32 - pl))), pl))
				return ERR(EEXIST, "cidr: %s overlaps network "
					   "'%s' on router '%s'", v[3].s,
					   o->name, v[2].s);
		}
		n.prefix = v[3].u;
		n.plen = v[3].plen;
		n.gateway = v[4].u;
		n.external = v[5].u != 0;
	} else if (v[3].set || v[4].set || v[5].set) {
		return ERR(EINVAL, "%s: needs router", v[3].set ? "cidr" :
			   v[4].set ? "gateway" : "external");
	}
	for (int i = 0; i < VS_MAX_NETWORKS && slot < 0; i++)
		if (!vs->nets[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many networks (at most %d)",
			   VS_MAX_NETWORKS);
	strlcpy(n.name, v[0].s, VS_NAME_MAX);
	vs->nets[slot] = n;
	return 0;
}

static int
network_del(struct vs_switch *vs, const struct fval *key, char *err,
	    size_t errlen)
{
	int n = net_find(vs, key->s);

	if (n < 0)
		return ERR(ENOENT, "network '%s' does not exist", key->s);
	for (int i = 0; i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && vs->ports[i].net == n)
			return ERR(EBUSY, "network '%s' still has port '%s'",
				   key->s, vs->ports[i].name);
	for (int i = 0; i < VS_MAX_REMOTES; i++)
		if (vs->remotes[i].used && vs->remotes[i].net == n)
			return ERR(EBUSY, "network '%s' still has remote '%s'",
				   key->s, vs->remotes[i].name);
	memset(&vs->nets[n], 0, sizeof(vs->nets[n]));
	return 0;
}

static void
network_list(const struct vs_switch *vs, json_t *out)
{
	char ip[INET_ADDRSTRLEN], cidr[24];

	for (int i = 0; i < VS_MAX_NETWORKS; i++) {
		const struct vs_network *n = &vs->nets[i];
		json_t *o;

		if (!n->used)
			continue;
		o = json_pack("{s:s, s:i}", "name", n->name, "vni",
			      (int)n->vni);
		if (n->router >= 0) {
			snprintf(cidr, sizeof(cidr), "%s/%u",
				 ip_str(n->prefix, ip), n->plen);
			json_object_set_new(o, "router", json_string(
				vs->routers[n->router].name));
			json_object_set_new(o, "cidr", json_string(cidr));
			json_object_set_new(o, "gateway", json_string(
				ip_str(n->gateway, ip)));
			if (n->external)
				json_object_set_new(o, "external",
						    json_integer(1));
		}
		json_array_append_new(out, o);
	}
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
	    rte_eth_dev_get_port_by_name(name, port_id) != 0)
		return ERR(ENODEV, "rep: no representor '%s' on %s", rep,
			   vs->nic);
	return 0;
}

/* A MAC or IP already used in network net by a port or remote? */
static int
addr_conflict(const struct vs_switch *vs, int net,
	      const struct rte_ether_addr *mac, uint32_t ip, char *err,
	      size_t errlen)
{
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	int p = vs_port_by_mac(vs, net, mac), r = vs_remote_by_mac(vs, net,
								     mac);

	if (p >= 0 || r >= 0)
		return ERR(EEXIST, "mac: %s is already %s '%s'",
			   mac_str(mac, buf), p >= 0 ? "port" : "remote",
			   p >= 0 ? vs->ports[p].name : vs->remotes[r].name);
	p = vs_port_by_ip(vs, net, ip);
	r = vs_remote_by_ip(vs, net, ip);
	if (p >= 0 || r >= 0)
		return ERR(EEXIST, "ipv4: %s is already %s '%s'",
			   ip_str(ip, buf), p >= 0 ? "port" : "remote",
			   p >= 0 ? vs->ports[p].name : vs->remotes[r].name);
	if (vs->nets[net].router >= 0 &&
	    !in_subnet(ip, vs->nets[net].prefix, vs->nets[net].plen))
		return ERR(EINVAL, "ipv4: %s is not in network '%s''s subnet",
			   ip_str(ip, buf), vs->nets[net].name);
	return 0;
}

/* fields: name rep mac ipv4 network mtu */
static int
port_add(struct vs_switch *vs, const struct fval *v, char *err,
	 size_t errlen)
{
	struct vs_port np = {.used = true, .mac = v[2].mac, .ipv4 = v[3].u,
			     .mtu = (uint16_t)v[5].u, .vlan = (uint16_t)v[6].u};
	int slot = -1, rc;

	strlcpy(np.name, v[0].s, sizeof(np.name));
	rc = rep_resolve(vs, v[1].s, np.rep, sizeof(np.rep), &np.port_id, err,
			 errlen);
	if (rc != 0)
		return rc;
	np.net = net_find(vs, v[4].s);
	if (np.net < 0)
		return ERR(ENOENT, "network: unknown network '%s'", v[4].s);
	if (vs_port_find(vs, np.name) >= 0)
		return ERR(EEXIST, "port '%s' already exists", np.name);
	if (v[6].set && np.vlan == 0)
		return ERR(EINVAL, "vlan: 0 is untagged: leave vlan out");
	rc = vs_port_by_rx(vs, np.port_id, np.vlan);
	if (rc >= 0 && np.vlan == 0)
		return ERR(EEXIST, "rep: %s is already port '%s'", np.rep,
			   vs->ports[rc].name);
	if (rc >= 0)
		return ERR(EEXIST, "vlan: %s vlan %u is already port '%s'",
			   np.rep, np.vlan, vs->ports[rc].name);
	/* Subports of one representor share its MTU. */
	for (int i = 0; np.mtu != 0 && i < VS_MAX_PORTS; i++)
		if (vs->ports[i].used && vs->ports[i].port_id == np.port_id &&
		    vs->ports[i].mtu != 0 && vs->ports[i].mtu != np.mtu)
			return ERR(EINVAL, "mtu: %u differs from port '%s''s "
				   "%u on the same representor", np.mtu,
				   vs->ports[i].name, vs->ports[i].mtu);
	rc = addr_conflict(vs, np.net, &np.mac, np.ipv4, err, errlen);
	if (rc != 0)
		return rc;
	if (np.mtu != 0 && np.mtu < RTE_ETHER_MIN_MTU)
		return ERR(EINVAL, "mtu: %u is below %u", np.mtu,
			   RTE_ETHER_MIN_MTU);
	for (int i = 0; slot < 0 && i < VS_MAX_PORTS; i++)
		if (!vs->ports[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many ports (at most %d)", VS_MAX_PORTS);
	/* The representor's MTU is what N-15 compares with the uplink's
	 * when an encap rule is created; the snic applies it at once. */
	if (np.mtu != 0 && (rc = rte_eth_dev_set_mtu(np.port_id, np.mtu)) != 0)
		return ERR(-rc, "mtu: %s refused %u: %s", np.rep, np.mtu,
			   strerror(-rc));
	vs->ports[slot] = np;
	return 0;
}

static int
port_del(struct vs_switch *vs, const struct fval *key, char *err,
	 size_t errlen)
{
	int p = vs_port_find(vs, key->s), f;
	char ip[INET_ADDRSTRLEN];

	if (p < 0)
		return ERR(ENOENT, "port '%s' does not exist", key->s);
	f = vs_fip_by_port(vs, p);
	if (f >= 0)
		return ERR(EBUSY, "port '%s' still has fip %s", key->s,
			   ip_str(vs->fips[f].fip, ip));
	for (int i = 0; i < VS_MAX_ACLS; i++)
		if (vs->acls[i].used && vs->acls[i].port == p)
			return ERR(EBUSY, "port '%s' still has acl '%s'", key->s,
				   vs->acls[i].name);
	for (int i = 0; i < VS_MAX_MIRRORS; i++)
		if (vs->mirrors[i].used && (vs->mirrors[i].port == p ||
					    vs->mirrors[i].to_port == p))
			return ERR(EBUSY, "port '%s' is in mirror '%s'", key->s,
				   vs->mirrors[i].name);
	if (vs_sg_of_port(vs, p) != NULL)
		return ERR(EBUSY, "port '%s' still has sg '%s'", key->s,
			   vs_sg_of_port(vs, p));
	memset(&vs->ports[p], 0, sizeof(vs->ports[p]));
	return 0;
}

static void
port_list(const struct vs_switch *vs, json_t *out)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN];

	for (int i = 0; i < VS_MAX_PORTS; i++) {
		const struct vs_port *p = &vs->ports[i];
		json_t *o;

		if (!p->used)
			continue;
		o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "name",
			      p->name, "rep", p->rep, "port_id",
			      (int)p->port_id, "mac", mac_str(&p->mac, mac),
			      "ipv4", ip_str(p->ipv4, ip), "network",
			      vs->nets[p->net].name);
		if (p->mtu != 0)
			json_object_set_new(o, "mtu", json_integer(p->mtu));
		if (p->vlan != 0)
			json_object_set_new(o, "vlan", json_integer(p->vlan));
		json_array_append_new(out, o);
	}
}

/* ---------------------------------------------------- remotes */

/* fields: name network mac ipv4 vtep */
static int
remote_add(struct vs_switch *vs, const struct fval *v, char *err,
	   size_t errlen)
{
	struct vs_remote r = {.used = true, .mac = v[2].mac, .ipv4 = v[3].u,
			      .vtep = v[4].ip};
	int slot = -1, rc;

	r.net = net_find(vs, v[1].s);
	if (r.net < 0)
		return ERR(ENOENT, "network: unknown network '%s'", v[1].s);
	if (remote_find(vs, v[0].s) >= 0)
		return ERR(EEXIST, "remote '%s' already exists", v[0].s);
	rc = addr_conflict(vs, r.net, &r.mac, r.ipv4, err, errlen);
	if (rc != 0)
		return rc;
	if (vs_ip_eq(&r.vtep, &vs->vtep[vs_ip_fam(&r.vtep)]))
		return ERR(EINVAL, "vtep: %s is this node's VTEP", v[4].s);
	for (int i = 0; slot < 0 && i < VS_MAX_REMOTES; i++)
		if (!vs->remotes[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many remotes (at most %d)",
			   VS_MAX_REMOTES);
	strlcpy(r.name, v[0].s, sizeof(r.name));
	vs->remotes[slot] = r;
	/* Resolve the VTEP's MAC ahead of the first packet. */
	vs_underlay_prime(vs, &r.vtep);
	return 0;
}

static int
remote_del(struct vs_switch *vs, const struct fval *key, char *err,
	   size_t errlen)
{
	int r = remote_find(vs, key->s);

	if (r < 0)
		return ERR(ENOENT, "remote '%s' does not exist", key->s);
	memset(&vs->remotes[r], 0, sizeof(vs->remotes[r]));
	return 0;
}

static void
remote_list(const struct vs_switch *vs, json_t *out)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN],
	     vt[VS_IP_STRLEN];

	for (int i = 0; i < VS_MAX_REMOTES; i++) {
		const struct vs_remote *r = &vs->remotes[i];

		if (r->used)
			json_array_append_new(out, json_pack(
				"{s:s, s:s, s:s, s:s, s:s}", "name", r->name,
				"network", vs->nets[r->net].name, "mac",
				mac_str(&r->mac, mac), "ipv4",
				ip_str(r->ipv4, ip), "vtep",
				vs_ip_str(&r->vtep, vt)));
	}
}

/* ---------------------------------------------------- floating IPs */

/* fields: ip port */
static int
fip_add(struct vs_switch *vs, const struct fval *v, char *err, size_t errlen)
{
	int p = vs_port_find(vs, v[1].s), slot = -1, r, n;

	if (p < 0)
		return ERR(ENOENT, "port: unknown port '%s'", v[1].s);
	if (vs_fip_by_ip(vs, v[0].u) >= 0)
		return ERR(EEXIST, "ip: fip %s already exists", v[0].s);
	if (vs_fip_by_port(vs, p) >= 0)
		return ERR(EEXIST, "port: '%s' already has a fip", v[1].s);
	r = vs->nets[vs->ports[p].net].router;
	if (r < 0)
		return ERR(EINVAL, "port: '%s' is on network '%s', which has "
			   "no router", v[1].s,
			   vs->nets[vs->ports[p].net].name);
	n = vs_net_by_subnet(vs, r, v[0].u);
	if (n < 0 || !vs->nets[n].external)
		return ERR(EINVAL, "ip: %s is in no external network of "
			   "router '%s'", v[0].s, vs->routers[r].name);
	if (vs_port_by_ip(vs, n, v[0].u) >= 0 ||
	    vs_remote_by_ip(vs, n, v[0].u) >= 0 ||
	    vs->nets[n].gateway == v[0].u)
		return ERR(EEXIST, "ip: %s is already used in network '%s'",
			   v[0].s, vs->nets[n].name);
	for (int i = 0; slot < 0 && i < VS_MAX_FIPS; i++)
		if (!vs->fips[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many fips (at most %d)", VS_MAX_FIPS);
	vs->fips[slot] = (struct vs_fip){.used = true, .fip = v[0].u,
					 .port = p};
	return 0;
}

static int
fip_del(struct vs_switch *vs, const struct fval *key, char *err,
	size_t errlen)
{
	int f = vs_fip_by_ip(vs, key->u);

	if (f < 0)
		return ERR(ENOENT, "fip %s does not exist", key->s);
	memset(&vs->fips[f], 0, sizeof(vs->fips[f]));
	return 0;
}

static void
fip_list(const struct vs_switch *vs, json_t *out)
{
	char ip[INET_ADDRSTRLEN];

	for (int i = 0; i < VS_MAX_FIPS; i++)
		if (vs->fips[i].used)
			json_array_append_new(out, json_pack("{s:s, s:s}",
				"ip", ip_str(vs->fips[i].fip, ip), "port",
				vs->ports[vs->fips[i].port].name));
}

/* ---------------------------------------------------- VTEP */

/* One VTEP per family: a remote VTEP is reached from the local address
 * of its own family. */
static int
vtep_add(struct vs_switch *vs, const struct fval *v, char *err,
	 size_t errlen)
{
	struct vs_ip *cur = &vs->vtep[vs_ip_fam(&v[0].ip)];
	char ip[VS_IP_STRLEN];

	if (!vs_ip_none(cur))
		return ERR(EEXIST, "ip: this node's IPv%c VTEP is already %s "
			   "(delete it first)", vs_ip_is4(cur) ? '4' : '6',
			   vs_ip_str(cur, ip));
	if (vs_ip_is4(&v[0].ip) ? vs_ip_4(&v[0].ip) == 0 :
	    (v[0].ip.a[0] == 0xff || vs_ip_none(&v[0].ip)))
		return ERR(EINVAL, "ip: %s is not a unicast VTEP address",
			   v[0].s);
	*cur = v[0].ip;
	return 0;
}

static int
vtep_del(struct vs_switch *vs, const struct fval *key, char *err,
	 size_t errlen)
{
	struct vs_ip *cur = &vs->vtep[vs_ip_fam(&key->ip)];

	if (!vs_ip_eq(cur, &key->ip))
		return ERR(ENOENT, "vtep %s does not exist", key->s);
	memset(cur, 0, sizeof(*cur));
	return 0;
}

static void
vtep_list(const struct vs_switch *vs, json_t *out)
{
	char ip[VS_IP_STRLEN];

	for (int f = 0; f < 2; f++)
		if (!vs_ip_none(&vs->vtep[f]))
			json_array_append_new(out, json_pack("{s:s}", "ip",
				vs_ip_str(&vs->vtep[f], ip)));
}

/* ---------------------------------------------------- mirrors */

static int
mirror_find(const struct vs_switch *vs, const char *name)
{
	FIND(vs->mirrors, VS_MAX_MIRRORS, strcmp(o->name, name) == 0);
}

static const char *const mirror_dirs[] = {
	[VS_MIRROR_IN] = "in", [VS_MIRROR_OUT] = "out",
	[VS_MIRROR_IN | VS_MIRROR_OUT] = "both",
};

/* fields: name port direction to_port collector vni */
static int
mirror_add(struct vs_switch *vs, const struct fval *v, char *err,
	   size_t errlen)
{
	struct vs_mirror m = {.used = true, .dir = VS_MIRROR_IN, .to_port = -1};
	int slot = -1;

	if (mirror_find(vs, v[0].s) >= 0)
		return ERR(EEXIST, "mirror '%s' already exists", v[0].s);
	m.port = vs_port_find(vs, v[1].s);
	if (m.port < 0)
		return ERR(ENOENT, "port: unknown port '%s'", v[1].s);
	if (v[2].set) {
		for (m.dir = 1; m.dir < RTE_DIM(mirror_dirs); m.dir++)
			if (strcmp(v[2].s, mirror_dirs[m.dir]) == 0)
				break;
		if (m.dir == RTE_DIM(mirror_dirs))
			return ERR(EINVAL, "direction: '%s' is not in, out or "
				   "both", v[2].s);
	}
	if (v[3].set == v[4].set)
		return ERR(EINVAL, "to_port/collector: give exactly one "
			   "(a local port or a remote collector)");
	if (v[3].set) {
		m.to_port = vs_port_find(vs, v[3].s);
		if (m.to_port < 0)
			return ERR(ENOENT, "to_port: unknown port '%s'", v[3].s);
		if (m.to_port == m.port)
			return ERR(EINVAL, "to_port: '%s' is the mirrored port",
				   v[3].s);
		if (v[5].set)
			return ERR(EINVAL, "vni: only for a collector");
	} else {
		if (!v[5].set)
			return ERR(EINVAL, "vni: missing (the collector's VNI)");
		m.collector = v[4].ip;
		m.vni = v[5].u;
		vs_underlay_prime(vs, &m.collector); /* resolve it ahead */
	}
	for (int i = 0; slot < 0 && i < VS_MAX_MIRRORS; i++)
		if (!vs->mirrors[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many mirrors (at most %d)",
			   VS_MAX_MIRRORS);
	strlcpy(m.name, v[0].s, sizeof(m.name));
	vs->mirrors[slot] = m;
	return 0;
}

static int
mirror_del(struct vs_switch *vs, const struct fval *key, char *err,
	   size_t errlen)
{
	int m = mirror_find(vs, key->s);

	if (m < 0)
		return ERR(ENOENT, "mirror '%s' does not exist", key->s);
	memset(&vs->mirrors[m], 0, sizeof(vs->mirrors[m]));
	return 0;
}

static void
mirror_list(const struct vs_switch *vs, json_t *out)
{
	char ip[VS_IP_STRLEN];

	for (int i = 0; i < VS_MAX_MIRRORS; i++) {
		const struct vs_mirror *m = &vs->mirrors[i];
		json_t *o;

		if (!m->used)
			continue;
		o = json_pack("{s:s, s:s, s:s}", "name", m->name, "port",
			      vs->ports[m->port].name, "direction",
			      mirror_dirs[m->dir]);
		if (m->to_port >= 0) {
			json_object_set_new(o, "to_port", json_string(
				vs->ports[m->to_port].name));
		} else {
			json_object_set_new(o, "collector", json_string(
				vs_ip_str(&m->collector, ip)));
			json_object_set_new(o, "vni", json_integer(m->vni));
		}
		json_array_append_new(out, o);
	}
}

/* ---------------------------------------------------- security groups */

/* The kinds of vs_sg.c, from the field table's values. */
static int
sg_add(struct vs_switch *vs, const struct fval *v, char *err, size_t errlen)
{
	return vs_sg_add(vs, v[0].s, !v[1].set || v[1].u != 0, err, errlen);
}

static int
sg_del(struct vs_switch *vs, const struct fval *key, char *err,
       size_t errlen)
{
	return vs_sg_del(vs, key->s, err, errlen);
}

/* fields: name sg direction ethertype protocol port_min port_max remote */
static int
sg_rule_params(struct vs_switch *vs, const struct fval *v, bool drop,
	       char *err, size_t errlen)
{
	struct vs_sg_rule_params p = {
		.name = v[0].s, .sg = v[1].s, .direction = v[2].s,
		.ethertype = v[3].s, .protocol = v[4].s,
		.has_min = v[5].set, .port_min = v[5].u,
		.has_max = v[6].set, .port_max = v[6].u,
		.has_remote = v[7].set, .remote = v[7].u, .plen = v[7].plen,
		.drop = drop,
	};

	return vs_sg_rule_add(vs, &p, err, errlen);
}

static int
sg_rule_add(struct vs_switch *vs, const struct fval *v, char *err,
	    size_t errlen)
{
	return sg_rule_params(vs, v, false, err, errlen);
}

static int
sg_rule_del(struct vs_switch *vs, const struct fval *key, char *err,
	    size_t errlen)
{
	return vs_sg_rule_del(vs, key->s, false, err, errlen);
}

static int
sg_drop_add(struct vs_switch *vs, const struct fval *v, char *err,
	    size_t errlen)
{
	return sg_rule_params(vs, v, true, err, errlen);
}

static int
sg_drop_del(struct vs_switch *vs, const struct fval *key, char *err,
	    size_t errlen)
{
	return vs_sg_rule_del(vs, key->s, true, err, errlen);
}

static int
sg_port_add(struct vs_switch *vs, const struct fval *v, char *err,
	    size_t errlen)
{
	return vs_sg_port_add(vs, v[0].s, v[1].s, err, errlen);
}

static int
sg_port_del(struct vs_switch *vs, const struct fval *key, char *err,
	    size_t errlen)
{
	return vs_sg_port_del(vs, key->s, err, errlen);
}

#define SG_RULE_FIELDS {                                                   \
	{"name", F_NAME, true, 0}, {"sg", F_STR, true, 0},                 \
	{"direction", F_STR, true, 0}, {"ethertype", F_STR, false, 0},     \
	{"protocol", F_STR, false, 0},                                     \
	{"port_min", F_UINT, false, UINT16_MAX},                           \
	{"port_max", F_UINT, false, UINT16_MAX},                           \
	{"remote", F_CIDR, false, 0}}

/* ---------------------------------------------------- kinds */

static const struct kind kinds[] = {
	{"router", "routers", "name", {
		{"name", F_NAME, true, 0}, {"mac", F_MAC, true, 0},
		{"vni", F_UINT, false, VS_VNI_MAX}},
	 router_add, router_del, router_list},
	{"network", "networks", "name", {
		{"name", F_NAME, true, 0}, {"vni", F_UINT, true, VS_VNI_MAX},
		{"router", F_STR, false, 0}, {"cidr", F_CIDR, false, 0},
		{"gateway", F_IPV4, false, 0}, {"external", F_BOOL, false, 1}},
	 network_add, network_del, network_list},
	{"port", "ports", "name", {
		{"name", F_NAME, true, 0}, {"rep", F_STR, true, 0},
		{"mac", F_MAC, true, 0}, {"ipv4", F_IPV4, true, 0},
		{"network", F_STR, true, 0}, {"mtu", F_UINT, false, 9600},
		{"vlan", F_UINT, false, 4094}},
	 port_add, port_del, port_list, false, {"port_id"}},
	{"remote", "remotes", "name", {
		{"name", F_NAME, true, 0}, {"network", F_STR, true, 0},
		{"mac", F_MAC, true, 0}, {"ipv4", F_IPV4, true, 0},
		{"vtep", F_UADDR, true, 0}},
	 remote_add, remote_del, remote_list},
	{"fip", "fips", "ip", {
		{"ip", F_IPV4, true, 0}, {"port", F_STR, true, 0}},
	 fip_add, fip_del, fip_list},
	{"vtep", "vteps", "ip", {{"ip", F_UADDR, true, 0}},
	 vtep_add, vtep_del, vtep_list},
	{"mirror", "mirrors", "name", {
		{"name", F_NAME, true, 0}, {"port", F_STR, true, 0},
		{"direction", F_STR, false, 0}, {"to_port", F_STR, false, 0},
		{"collector", F_UADDR, false, 0},
		{"vni", F_UINT, false, VS_VNI_MAX}},
	 mirror_add, mirror_del, mirror_list},
	{"sg", "sgs", "name", {
		{"name", F_NAME, true, 0}, {"stateful", F_BOOL, false, 1}},
	 sg_add, sg_del, vs_sg_list},
	{"sg_rule", "sg_rules", "name", SG_RULE_FIELDS,
	 sg_rule_add, sg_rule_del, vs_sg_rule_list},
	{"sg_drop", "sg_drops", "name", SG_RULE_FIELDS,
	 sg_drop_add, sg_drop_del, vs_sg_drop_list},
	{"sg_port", "sg_ports", "port", {
		{"port", F_STR, true, 0}, {"sg", F_STR, true, 0}},
	 sg_port_add, sg_port_del, vs_sg_port_list},
	{"route", "routes", "prefix", {
		{"prefix", F_UCIDR, true, 0}, {"uplink", F_STR, true, 0},
		{"via", F_UADDR, false, 0}},
	 vs_route_add, vs_route_del, vs_route_list, false, {NULL},
	 vs_route_changed},
	{"counter", "counters", "name", {
		{"name", F_NAME, true, 0}, {"port", F_STR, false, 0},
		{"id", F_UINT, false, VS_MAX_COUNTERS - 1}},
	 vs_counter_add, vs_counter_del, vs_counter_list, true,
	 {"hits", "bytes"}},
	{"acl", "acls", "name", {
		{"name", F_NAME, true, 0}, {"port", F_STR, true, 0},
		{"direction", F_STR, true, 0}, {"group", F_UINT, false, 1},
		{"rule", F_STR, true, 0}},
	 vs_acl_add, vs_acl_del, vs_acl_list, true, {"hits", "bytes"}},
};

const char *const vs_kind_names[] = {
	"router", "network", "port", "remote", "fip", "vtep", "mirror", "sg",
	"sg_rule", "sg_drop", "sg_port", "route", "counter", "acl", NULL,
};

static const struct kind *
kind_find(const char *name, char *err, size_t errlen)
{
	for (size_t i = 0; i < RTE_DIM(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	snprintf(err, errlen, "kind: unknown object kind '%s'", name);
	return NULL;
}

/* Apply a model change: on success the model generation moves and the
 * flows are revalidated before the caller hears back. */
static int
obj_change(struct vs_switch *vs, const struct kind *k, const struct fval *v,
	   bool add, char *err, size_t errlen)
{
	int rc;

	/* NIC-only kinds make rte_flow calls: serialised with the other
	 * rte_flow users, never under the datapath's lock, and no flow
	 * depends on them (the NIC applies ACLs to every packet). */
	if (k->nic) {
		pthread_mutex_lock(&vs->flow_mtx);
		rc = add ? k->add(vs, v, err, errlen) :
			   k->del(vs, &v[field_idx(k, k->key)], err, errlen);
		pthread_mutex_unlock(&vs->flow_mtx);
		return rc;
	}
	rte_spinlock_lock(&vs->lock);
	rc = add ? k->add(vs, v, err, errlen) :
		   k->del(vs, &v[field_idx(k, k->key)], err, errlen);
	if (rc == 0 && k->changed == NULL)
		vs->gen++;
	rte_spinlock_unlock(&vs->lock);
	if (rc == 0 && k->changed != NULL)
		k->changed(vs, add ? v : &v[field_idx(k, k->key)]);
	else if (rc == 0)
		vs_revalidate(vs);
	return rc;
}

int
vs_obj_add(struct vs_switch *vs, const char *kind, json_t *params,
	   char *err, size_t errlen)
{
	const struct kind *k = kind_find(kind, err, errlen);
	struct fval v[MAX_FIELDS];
	int rc;

	if (k == NULL)
		return -EINVAL;
	rc = params_parse(k, params, v, false, err, errlen);
	return rc != 0 ? rc : obj_change(vs, k, v, true, err, errlen);
}

int
vs_obj_del(struct vs_switch *vs, const char *kind, json_t *params,
	   char *err, size_t errlen)
{
	const struct kind *k = kind_find(kind, err, errlen);
	struct fval v[MAX_FIELDS];
	int rc;

	if (k == NULL)
		return -EINVAL;
	rc = params_parse(k, params, v, true, err, errlen);
	return rc != 0 ? rc : obj_change(vs, k, v, false, err, errlen);
}

json_t *
vs_obj_list(struct vs_switch *vs, const char *kind)
{
	char err[64];
	const struct kind *k = kind_find(kind, err, sizeof(err));
	json_t *out;

	if (k == NULL)
		return NULL;
	out = json_array();
	if (k->nic) {
		pthread_mutex_lock(&vs->flow_mtx);
		k->list(vs, out);
		pthread_mutex_unlock(&vs->flow_mtx);
		return out;
	}
	rte_spinlock_lock(&vs->lock);
	k->list(vs, out);
	rte_spinlock_unlock(&vs->lock);
	return out;
}

json_t *
vs_model_to_json(struct vs_switch *vs)
{
	json_t *m = json_object();

	for (size_t i = 0; i < RTE_DIM(kinds); i++)
		json_object_set_new(m, kinds[i].plural,
				    vs_obj_list(vs, kinds[i].name));
	return m;
}

int
vs_model_from_json(struct vs_switch *vs, json_t *model, char *err,
		   size_t errlen)
{
	json_t *e;
	size_t i;
	int rc;

	for (size_t k = 0; k < RTE_DIM(kinds); k++) {
		json_array_foreach(json_object_get(model, kinds[k].plural), i,
				   e) {
			json_t *p = json_deep_copy(e);

			/* Reported, not configured (port ids, counters). */
			for (int f = 0; f < 4 && kinds[k].info[f] != NULL; f++)
				json_object_del(p, kinds[k].info[f]);
			rc = vs_obj_add(vs, kinds[k].name, p, err, errlen);
			json_decref(p);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}
