/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The underlay (V-9, vs.h): the NICs' uplinks, the routes toward remote
 * VTEPs and the neighbours (next hops) resolved by ARP or ND on each uplink.
 *
 * A VXLAN packet is encapsulated in two stages, as the switchdev slides
 * describe: routing picks the uplink and the next hop (longest prefix
 * match in an rte_lpm, or an rte_lpm6 for IPv6, sharing VS_MAX_ROUTES
 * routes; with no route of a family every VTEP of that family is on-link
 * on the first uplink), then the neighbour table gives the next hop's MAC
 * (ARP for IPv4, neighbour discovery for IPv6, vs_nd.c). Both are part of
 * the model: a route change revalidates the flows of the tunnel index
 * under its prefix, a neighbour that is learnt, changes its MAC or is lost
 * those whose next hop it is (vs_neigh_changed); each is translated again
 * and lands where the underlay now says — on the NIC that owns the new
 * egress, or in software when that is another NIC than the flow's
 * ingress, or nowhere (software, waiting for ARP/ND) while the next hop is
 * unresolved.
 *
 * Addresses of both families are one type, struct vs_ip (IPv4 mapped into
 * IPv6, vs.h), so neighbours, routes and the tunnel index need no second
 * copy; a route's plen counts its own family's bits.
 *
 * Neighbours are refreshed: a resolved one is asked again every
 * neigh_refresh_s seconds; VS_NEIGH_PROBES unanswered requests (one a
 * second) and it is lost. The datapath sends the requests (vs_datapath.c);
 * entries are read and written under vs->lock.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_string_fns.h>

#include "vs.h"
#include "vs_kind.h"

#define ERR VS_ERR

int
vs_underlay_init(struct vs_switch *vs, const char *nic)
{
	struct rte_lpm_config cfg = {
		.max_rules = VS_MAX_ROUTES,
		.number_tbl8s = 256,
	};
	struct rte_hash_parameters hp = {
		.entries = VS_MAX_TUNS,
		.key_len = sizeof(struct vs_ip),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};
	char name[RTE_LPM_NAMESIZE];

	snprintf(name, sizeof(name), "vs_ul_%p", (void *)vs);
	vs->lpm = rte_lpm_create(name, SOCKET_ID_ANY, &cfg);
	if (vs->lpm == NULL)
		return -rte_errno;
	snprintf(name, sizeof(name), "vs_tun_%p", (void *)vs);
	hp.name = name;
	vs->tun_hash = rte_hash_create(&hp);
	if (vs->tun_hash == NULL)
		return -rte_errno;
	return vs_uplink_add(vs, nic);
}

void
vs_underlay_fini(struct vs_switch *vs)
{
	rte_lpm_free(vs->lpm);
	vs->lpm = NULL;
	rte_lpm6_free(vs->lpm6);
	vs->lpm6 = NULL;
	rte_hash_free(vs->tun_hash);
	vs->tun_hash = NULL;
}

int
vs_uplink_add(struct vs_switch *vs, const char *nic)
{
	uint16_t pid;
	int slot = -1;

	if (rte_eth_dev_get_port_by_name(nic, &pid) != 0)
		return -ENODEV;
	for (int i = 0; i < VS_MAX_UPLINKS; i++) {
		if (vs->uplinks[i].used && vs->uplinks[i].port_id == pid)
			return -EEXIST;
		if (!vs->uplinks[i].used && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return -ENOSPC;
	rte_spinlock_lock(&vs->lock);
	vs->uplinks[slot].used = true;
	vs->uplinks[slot].port_id = pid;
	rte_eth_macaddr_get(pid, &vs->uplinks[slot].mac);
	strlcpy(vs->uplinks[slot].nic, nic, VS_NAME_MAX);
	rte_spinlock_unlock(&vs->lock);
	return 0;
}

int
vs_uplink_by_port(const struct vs_switch *vs, uint16_t port_id)
{
	for (int i = 0; i < VS_MAX_UPLINKS; i++)
		if (vs->uplinks[i].used && vs->uplinks[i].port_id == port_id)
			return i;
	return -1;
}

static int
uplink_by_name(const struct vs_switch *vs, const char *nic)
{
	for (int i = 0; i < VS_MAX_UPLINKS; i++)
		if (vs->uplinks[i].used && strcmp(vs->uplinks[i].nic, nic) == 0)
			return i;
	return -1;
}

uint16_t
vs_port_domain(struct vs_switch *vs, uint16_t port_id)
{
	struct rte_eth_dev_info info;

	if (port_id >= RTE_MAX_ETHPORTS)
		return 0;
	if (vs->domain[port_id] == 0 &&
	    rte_eth_dev_info_get(port_id, &info) == 0)
		vs->domain[port_id] = (uint16_t)(info.switch_info.domain_id + 1);
	return vs->domain[port_id];
}

/* ---------------------------------------------------- neighbours */

/* ---------------------------------------------------- addresses */

const char *
vs_ip_str(const struct vs_ip *ip, char *buf)
{
	if (vs_ip_is4(ip))
		return inet_ntop(AF_INET, ip->a + 12, buf, VS_IP_STRLEN);
	return inet_ntop(AF_INET6, ip->a, buf, VS_IP_STRLEN);
}

int
vs_ip_parse(const char *s, struct vs_ip *ip)
{
	uint32_t v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		*ip = vs_ip_from4(v4);
		return 0;
	}
	/* A mapped address written as IPv6 would be an IPv4 in disguise:
	 * refused, so each address has one spelling. */
	if (inet_pton(AF_INET6, s, ip->a) == 1 && !vs_ip_is4(ip))
		return 0;
	return -1;
}

bool
vs_ip_in(const struct vs_ip *ip, const struct vs_ip *prefix, uint8_t plen)
{
	unsigned int bits = plen + (vs_ip_is4(prefix) ? 96u : 0u);
	unsigned int full = bits / 8, rest = bits % 8;

	if (vs_ip_is4(ip) != vs_ip_is4(prefix))
		return false;
	if (memcmp(ip->a, prefix->a, full) != 0)
		return false;
	return rest == 0 ||
	       ((ip->a[full] ^ prefix->a[full]) & (0xff00 >> rest)) == 0;
}

/* ---------------------------------------------------- neighbours */

const struct vs_ip *
vs_vtep_for(const struct vs_switch *vs, const struct vs_ip *dst)
{
	const struct vs_ip *v = &vs->vtep[vs_ip_fam(dst)];

	return vs_ip_none(v) ? NULL : v;
}

int
vs_neigh_get(struct vs_switch *vs, int uplink, const struct vs_ip *ip)
{
	int free_slot = -1;

	for (int i = 0; i < VS_MAX_NEIGH; i++) {
		const struct vs_neigh *n = &vs->neigh[i];

		if (n->used && vs_ip_eq(&n->ip, ip) && n->uplink == uplink)
			return i;
		if (!n->used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		memset(&vs->neigh[free_slot], 0, sizeof(vs->neigh[0]));
		vs->neigh[free_slot].used = true;
		vs->neigh[free_slot].uplink = uplink;
		vs->neigh[free_slot].ip = *ip;
	}
	return free_slot;
}

void
vs_neigh_learn(struct vs_switch *vs, int uplink, const struct vs_ip *ip,
	       const struct rte_ether_addr *mac)
{
	/* Only next hops we asked for: an uplink hears every ARP of its
	 * segment. */
	for (int i = 0; i < VS_MAX_NEIGH; i++) {
		struct vs_neigh *n = &vs->neigh[i];

		if (!n->used || !vs_ip_eq(&n->ip, ip) || n->uplink != uplink)
			continue;
		n->confirmed = rte_get_timer_cycles();
		n->probes = 0;
		if (!n->resolved || !rte_is_same_ether_addr(&n->mac, mac)) {
			n->mac = *mac;
			n->resolved = true;
			vs_neigh_changed(vs, i);
		}
		return;
	}
}

void
vs_neigh_changed(struct vs_switch *vs, int n)
{
	vs->neigh[n].changed_at = ++vs->neigh_gen;
	for (int i = 0; i < VS_MAX_MIRRORS; i++)
		if (vs->mirrors[i].used && vs->mirrors[i].to_port < 0) {
			vs->gen++;
			return;
		}
}

json_t *
vs_neigh_to_json(struct vs_switch *vs)
{
	char ip[VS_IP_STRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *out = json_array();

	rte_spinlock_lock(&vs->lock);
	for (int i = 0; i < VS_MAX_NEIGH; i++) {
		const struct vs_neigh *n = &vs->neigh[i];

		if (!n->used)
			continue;
		rte_ether_format_addr(mac, sizeof(mac), &n->mac);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}",
			"uplink", vs->uplinks[n->uplink].nic, "ip",
			vs_ip_str(&n->ip, ip), "mac",
			n->resolved ? mac : "", "state",
			n->resolved ? (n->probes > 0 ? "probe" : "reachable") :
			"incomplete"));
	}
	rte_spinlock_unlock(&vs->lock);
	return out;
}

/* ---------------------------------------------------- routing */

int
vs_underlay_next_hop(const struct vs_switch *vs, const struct vs_ip *dst,
		     struct vs_ip *nh)
{
	bool v4 = vs_ip_is4(dst);
	uint32_t r;
	int rc;

	if (vs->nb_routes[vs_ip_fam(dst)] == 0) {
		*nh = *dst;
		return 0;
	}
	rc = v4 ? rte_lpm_lookup(vs->lpm, rte_be_to_cpu_32(vs_ip_4(dst)), &r) :
		  rte_lpm6_lookup(vs->lpm6, dst->a, &r);
	if (rc != 0)
		return -1;
	*nh = vs_ip_none(&vs->routes[r].via) ? *dst : vs->routes[r].via;
	return vs->routes[r].uplink;
}

int
vs_underlay_resolve(struct vs_switch *vs, const struct vs_ip *dst,
		    int *uplink, struct vs_ip *nh, int *n)
{
	*uplink = vs_underlay_next_hop(vs, dst, nh);
	if (*uplink < 0)
		return -ENETUNREACH;
	*n = vs_neigh_get(vs, *uplink, nh);
	if (*n < 0 || !vs->neigh[*n].resolved)
		return -EAGAIN;
	return 0;
}

void
vs_underlay_prime(struct vs_switch *vs, const struct vs_ip *dst)
{
	struct vs_ip nh;
	int u = vs_underlay_next_hop(vs, dst, &nh);

	if (u >= 0)
		vs_neigh_get(vs, u, &nh);
}

/* ---------------------------------------------------- route kind */

static int
route_find(const struct vs_switch *vs, const struct vs_ip *prefix,
	   uint8_t plen)
{
	for (int i = 0; i < VS_MAX_ROUTES; i++)
		if (vs->routes[i].used &&
		    vs_ip_eq(&vs->routes[i].prefix, prefix) &&
		    vs->routes[i].plen == plen)
			return i;
	return -1;
}

void
vs_route_changed(struct vs_switch *vs, const struct fval *v)
{
	vs_revalidate_tun(vs, &v[0].ip, v[0].plen);
}

/* The IPv6 table is made by the first IPv6 route: its first level alone
 * is 64 MiB (2^24 entries), which an IPv4-only switch need not pay. */
static int
lpm_add(struct vs_switch *vs, const struct vs_ip *p, uint8_t plen,
	uint32_t slot)
{
	struct rte_lpm6_config cfg6 = {
		.max_rules = VS_MAX_ROUTES,
		.number_tbl8s = 1024,
	};
	char name[RTE_LPM_NAMESIZE];

	if (vs_ip_is4(p))
		return rte_lpm_add(vs->lpm, rte_be_to_cpu_32(vs_ip_4(p)), plen,
				   slot);
	if (vs->lpm6 == NULL) {
		snprintf(name, sizeof(name), "vs_ul6_%p", (void *)vs);
		vs->lpm6 = rte_lpm6_create(name, SOCKET_ID_ANY, &cfg6);
		if (vs->lpm6 == NULL)
			return -ENOMEM;
	}
	return rte_lpm6_add(vs->lpm6, p->a, plen, slot);
}

/* fields: prefix uplink via. A route to an existing prefix replaces it
 * (as "ip route replace"): moving a prefix to another uplink is one
 * change, with no moment without a route. */
int
vs_route_add(struct vs_switch *vs, const struct fval *v, char *err,
	     size_t errlen)
{
	struct vs_route r = {.used = true, .prefix = v[0].ip,
			     .plen = v[0].plen, .via = v[2].ip};
	int slot = route_find(vs, &r.prefix, r.plen), rc;

	r.uplink = uplink_by_name(vs, v[1].s);
	if (r.uplink < 0)
		return ERR(ENOENT, "uplink: '%s' is not a NIC of this switch",
			   v[1].s);
	if (v[2].set && vs_ip_is4(&r.via) != vs_ip_is4(&r.prefix))
		return ERR(EINVAL, "via: %s is not of the prefix's family "
			   "(%s)", v[2].s, v[0].s);
	for (int i = 0; slot < 0 && i < VS_MAX_ROUTES; i++)
		if (!vs->routes[i].used)
			slot = i;
	if (slot < 0)
		return ERR(ENOSPC, "too many routes (at most %d)",
			   VS_MAX_ROUTES);
	rc = lpm_add(vs, &r.prefix, r.plen, (uint32_t)slot);
	if (rc == -ENOMEM && vs->lpm6 == NULL)
		return ERR(ENOMEM, "prefix: no memory for the IPv6 route table "
			   "(rte_lpm6 needs about 70 MB: raise EAL -m)");
	if (rc != 0)
		return ERR(-rc, "prefix: the route table refused %s: %s",
			   v[0].s, strerror(-rc));
	if (!vs->routes[slot].used)
		vs->nb_routes[vs_ip_fam(&r.prefix)]++;
	vs->routes[slot] = r;
	return 0;
}

int
vs_route_del(struct vs_switch *vs, const struct fval *key, char *err,
	     size_t errlen)
{
	int r = route_find(vs, &key->ip, key->plen);

	if (r < 0)
		return ERR(ENOENT, "route %s does not exist", key->s);
	if (vs_ip_is4(&key->ip))
		rte_lpm_delete(vs->lpm, rte_be_to_cpu_32(vs_ip_4(&key->ip)),
			       key->plen);
	else
		rte_lpm6_delete(vs->lpm6, key->ip.a, key->plen);
	memset(&vs->routes[r], 0, sizeof(vs->routes[r]));
	vs->nb_routes[vs_ip_fam(&key->ip)]--;
	return 0;
}

void
vs_route_list(const struct vs_switch *vs, json_t *out)
{
	char ip[VS_IP_STRLEN], cidr[VS_IP_STRLEN + 4];

	for (int i = 0; i < VS_MAX_ROUTES; i++) {
		const struct vs_route *r = &vs->routes[i];
		json_t *o;

		if (!r->used)
			continue;
		snprintf(cidr, sizeof(cidr), "%s/%u", vs_ip_str(&r->prefix, ip),
			 r->plen);
		o = json_pack("{s:s, s:s}", "prefix", cidr, "uplink",
			      vs->uplinks[r->uplink].nic);
		if (!vs_ip_none(&r->via))
			json_object_set_new(o, "via", json_string(
				vs_ip_str(&r->via, ip)));
		json_array_append_new(out, o);
	}
}
