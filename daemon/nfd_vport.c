/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd's vports (nfd.h, V-10): VM-facing ports of a known type that
 * nicflowd turns into the snic's underlying VF vdevs, so that adding a
 * vhost-user VM is "--vport vhost,path=/run/vm1.sock" rather than a vdev
 * string plus a vf= entry kept in step by hand.
 *
 * vhost: DPDK's net_vhost serves the socket (client=0, like OVS-DPDK's
 * dpdkvhostuser) or connects to the VMM's socket and reconnects
 * (client=1, like dpdkvhostuserclient with vhost-server-path). The spec's
 * vdpa-max-queues becomes net_vhost's queues= (the queue pairs offered to
 * the guest), bounded by what the snic polls; vdpa-accelerator-devargs
 * names a vDPA device that would serve the virtqueues in hardware, which
 * a software NIC cannot have, so only "" is accepted and anything else is
 * refused with that reason instead of silently running in software.
 *
 * Everything here but nfd_vport_status() runs before rte_eal_init().
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_string_fns.h>

#include "nfd.h"

#define VPORT_ACCEL "vdpa-accelerator-devargs"
#define VPORT_QUEUES "vdpa-max-queues"
/** net_snic's limit on VFs (representors 0..62). */
#define VPORT_MAX_REP 62

static const char *const type_names[] = {
	[NFD_VPORT_VHOST] = "vhost",
	[NFD_VPORT_TAP] = "tap",
};
static const char *const vdev_prefix[] = {
	[NFD_VPORT_VHOST] = "net_vhost",
	[NFD_VPORT_TAP] = "net_tap",
};
/* The keys each type takes; the first is its required one. */
static const char *const type_keys[][5] = {
	[NFD_VPORT_VHOST] = {"path", "client", VPORT_QUEUES, VPORT_ACCEL},
	[NFD_VPORT_TAP] = {"iface"},
};

/* The keys a command-line spec gives as integers. */
static bool
key_is_int(const char *k)
{
	return strcmp(k, "client") == 0 || strcmp(k, VPORT_QUEUES) == 0;
}

int
nfd_vport_parse(const char *spec, struct nfd_vport *v, char *err,
		size_t errlen)
{
	char buf[1024], *p, *next, *eq, *end;
	json_t *j = json_object();
	int rc = 0;

	if (strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf)) {
		snprintf(err, errlen, "--vport: longer than %zu bytes",
			 sizeof(buf) - 1);
		json_decref(j);
		return -EINVAL;
	}
	next = strchr(buf, ',');
	if (next != NULL)
		*next++ = '\0';
	json_object_set_new(j, "type", json_string(buf));
	for (p = next; rc == 0 && p != NULL; p = next) {
		next = strchr(p, ',');
		eq = strchr(p, '=');
		if (eq == NULL || (next != NULL && eq > next)) {
			if (next != NULL)
				*next = '\0';
			snprintf(err, errlen, "--vport: '%s' is not key=value",
				 p);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		/* Devargs have commas: this value is the rest of the spec. */
		if (strcmp(p, VPORT_ACCEL) == 0)
			next = NULL;
		else if (next != NULL)
			*next++ = '\0';
		if (json_object_get(j, p) != NULL) {
			snprintf(err, errlen, "--vport: %s: given twice", p);
			rc = -EINVAL;
		} else if (key_is_int(p)) {
			unsigned long n = strtoul(eq + 1, &end, 10);

			if (eq[1] < '0' || eq[1] > '9' || *end != '\0' ||
			    n > 1000000) {
				snprintf(err, errlen, "--vport: %s: '%s' is not "
					 "an integer", p, eq + 1);
				rc = -EINVAL;
			} else {
				json_object_set_new(j, p, json_integer(n));
			}
		} else {
			json_object_set_new(j, p, json_string(eq + 1));
		}
	}
	if (rc == 0)
		rc = nfd_vport_from_json(j, "--vport: ", v, err, errlen);
	json_decref(j);
	return rc;
}

/* A tap interface name the kernel and net_tap's devargs both accept. */
static bool
iface_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			return false;
	return true;
}

static int
vhost_from_json(json_t *j, const char *w, struct nfd_vport *v, char *err,
		size_t errlen)
{
	json_t *path = json_object_get(j, "path");
	json_t *client = json_object_get(j, "client");
	json_t *q = json_object_get(j, VPORT_QUEUES);
	json_t *accel = json_object_get(j, VPORT_ACCEL);
	const char *s = json_string_value(path);

	/* net_vhost's devargs split at commas; sun_path holds 107. */
	if (s == NULL || s[0] != '/' || strchr(s, ',') != NULL ||
	    strlcpy(v->path, s, sizeof(v->path)) >= sizeof(v->path)) {
		snprintf(err, errlen, "%spath: %s", w, path == NULL ?
			 "missing" : "must be an absolute socket path of at "
			 "most 107 bytes without ','");
		return -EINVAL;
	}
	if (client != NULL && (!json_is_integer(client) ||
	    json_integer_value(client) < 0 || json_integer_value(client) > 1)) {
		snprintf(err, errlen, "%sclient: must be 0 (nicflowd serves "
			 "the socket) or 1 (it connects to the VMM's)", w);
		return -EINVAL;
	}
	v->client = client != NULL && json_integer_value(client) == 1;
	v->max_queues = 1;
	if (q != NULL && (!json_is_integer(q) || json_integer_value(q) < 1 ||
	    json_integer_value(q) > NFD_VPORT_MAX_QUEUES)) {
		if (json_is_integer(q) && json_integer_value(q) > 1)
			snprintf(err, errlen, "%s" VPORT_QUEUES ": %lld: at "
				 "most %d (net_snic polls one queue pair per "
				 "VF; a guest's other queues would never be "
				 "served)", w, json_integer_value(q),
				 NFD_VPORT_MAX_QUEUES);
		else
			snprintf(err, errlen, "%s" VPORT_QUEUES ": must be an "
				 "integer 1..%d", w, NFD_VPORT_MAX_QUEUES);
		return -EINVAL;
	}
	if (q != NULL)
		v->max_queues = (unsigned int)json_integer_value(q);
	if (accel != NULL && !json_is_string(accel)) {
		snprintf(err, errlen, "%s" VPORT_ACCEL ": must be a string", w);
		return -EINVAL;
	}
	if (accel != NULL && json_string_value(accel)[0] != '\0') {
		snprintf(err, errlen, "%s" VPORT_ACCEL ": '%s': no vDPA "
			 "accelerator can serve a net_snic VF (a software NIC; "
			 "the vhost-user port is served in software): leave it "
			 "empty", w, json_string_value(accel));
		return -EINVAL;
	}
	return 0;
}

int
nfd_vport_from_json(json_t *j, const char *where, struct nfd_vport *v,
		    char *err, size_t errlen)
{
	const char *type, *k;
	json_t *val;
	size_t t, i;

	memset(v, 0, sizeof(*v));
	v->rep = -1;
	if (!json_is_object(j)) {
		snprintf(err, errlen, "%.*s: must be an object",
			 (int)strlen(where) - 1, where);
		return -EINVAL;
	}
	type = json_string_value(json_object_get(j, "type"));
	for (t = 0; t < RTE_DIM(type_names); t++)
		if (type != NULL && strcmp(type, type_names[t]) == 0)
			break;
	if (t == RTE_DIM(type_names)) {
		snprintf(err, errlen, "%stype: %s%s%s", where,
			 type != NULL ? "'" : "", type != NULL ? type :
			 "missing", type != NULL ? "' is not vhost or tap" : "");
		return -EINVAL;
	}
	v->type = (enum nfd_vport_type)t;
	json_object_foreach(j, k, val) {
		for (i = 0; i < RTE_DIM(type_keys[t]) && type_keys[t][i]; i++)
			if (strcmp(k, type_keys[t][i]) == 0)
				break;
		if (strcmp(k, "type") != 0 && (i == RTE_DIM(type_keys[t]) ||
		    type_keys[t][i] == NULL)) {
			snprintf(err, errlen, "%s%s: unknown key for a %s "
				 "vport", where, k, type);
			return -EINVAL;
		}
	}
	if (v->type == NFD_VPORT_VHOST)
		return vhost_from_json(j, where, v, err, errlen);
	k = json_string_value(json_object_get(j, "iface"));
	if (k == NULL || !iface_ok(k)) {
		snprintf(err, errlen, "%siface: %s", where, k == NULL ?
			 "missing" : "must be 1-15 of A-Z a-z 0-9 _ . -");
		return -EINVAL;
	}
	strlcpy(v->path, k, sizeof(v->path));
	return 0;
}

json_t *
nfd_vport_to_json(const struct nfd_vport *v)
{
	if (v->type == NFD_VPORT_TAP)
		return json_pack("{s:s, s:s}", "type", "tap", "iface", v->path);
	return json_pack("{s:s, s:s, s:i, s:i, s:s}", "type", "vhost",
			 "path", v->path, "client", v->client ? 1 : 0,
			 VPORT_QUEUES, (int)v->max_queues, VPORT_ACCEL, "");
}

/* Is name the vdev of an --underlay ("net_vhost0" in "net_vhost0,..."),
 * or already given to an earlier vport? */
static bool
vdev_taken(const struct nfd_opts *o, int upto, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < o->nb_underlay; i++)
		if (strncmp(o->underlay[i], name, n) == 0 &&
		    (o->underlay[i][n] == ',' || o->underlay[i][n] == '\0'))
			return true;
	for (int i = 0; i < upto; i++)
		if (strcmp(o->vports[i].vdev, name) == 0)
			return true;
	return false;
}

int
nfd_vports_resolve(struct nfd_opts *o, char *err, size_t errlen)
{
	struct rte_kvargs *kv;
	unsigned int nvf;

	if (o->nb_vports == 0)
		return 0;
	kv = rte_kvargs_parse(o->devargs, NULL);
	if (kv == NULL || rte_kvargs_count(kv, "uplink") != 1 ||
	    rte_kvargs_count(kv, "init_cfg") != 0) {
		snprintf(err, errlen, "vports need the NIC's ports in --devargs "
			 "(uplink=..., any vf=...; not init_cfg=): their VFs "
			 "come after those");
		rte_kvargs_free(kv);
		return -EINVAL;
	}
	nvf = rte_kvargs_count(kv, "vf");
	rte_kvargs_free(kv);
	for (int i = 0; i < o->nb_vports; i++) {
		struct nfd_vport *v = &o->vports[i];

		for (int k = 0; k < i; k++)
			if (o->vports[k].type == v->type &&
			    strcmp(o->vports[k].path, v->path) == 0) {
				snprintf(err, errlen, "vport %d: %s '%s' is also "
					 "vport %d's", i, type_keys[v->type][0],
					 v->path, k);
				return -EINVAL;
			}
		if (nvf + (unsigned int)i > VPORT_MAX_REP) {
			snprintf(err, errlen, "vport %d: the NIC has at most %d "
				 "VFs", i, VPORT_MAX_REP + 1);
			return -EINVAL;
		}
		v->rep = (int)nvf + i;
		for (int n = 0; ; n++) {
			snprintf(v->vdev, sizeof(v->vdev), "%s%d",
				 vdev_prefix[v->type], n);
			if (!vdev_taken(o, i, v->vdev))
				break;
		}
	}
	return 0;
}

int
nfd_vport_prepare(const struct nfd_vport *v, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (v->type != NFD_VPORT_VHOST || v->client)
		return 0;
	rc = nf_rpc_mkdirs(v->path);
	if (rc != 0) {
		snprintf(err, errlen, "vhost %s: cannot create its directory: "
			 "%s", v->path, strerror(-rc));
		return rc;
	}
	if (lstat(v->path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "vhost %s: exists and is not a socket",
			 v->path);
		return -EEXIST;
	}
	strlcpy(sa.sun_path, v->path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "vhost %s: another process serves it",
			 v->path);
		return -EADDRINUSE;
	}
	/* Left by a process that died: vhost-user's bind() would fail. */
	if (unlink(v->path) != 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "vhost %s: cannot remove the stale "
			 "socket: %s", v->path, strerror(errno));
		return rc;
	}
	return 0;
}

int
nfd_vport_vdev(const struct nfd_vport *v, char *buf, size_t len)
{
	int n;

	if (v->type == NFD_VPORT_TAP)
		n = snprintf(buf, len, "%s,iface=%s", v->vdev, v->path);
	else
		n = snprintf(buf, len, "%s,iface=%s,queues=%u,client=%d",
			     v->vdev, v->path, v->max_queues, v->client ? 1 : 0);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

json_t *
nfd_vport_status(const struct nfd_vport *v, const char *nic)
{
	struct rte_eth_link link = {0};
	char rep[RTE_ETH_NAME_MAX_LEN];
	uint16_t under = UINT16_MAX, rid = UINT16_MAX;
	json_t *j = nfd_vport_to_json(v);

	snprintf(rep, sizeof(rep), "%s_representor_%d", nic, v->rep);
	/* The underlying port is owned by the snic: hidden from
	 * RTE_ETH_FOREACH_DEV, still found by name and readable. */
	if (rte_eth_dev_get_port_by_name(v->vdev, &under) == 0)
		rte_eth_link_get_nowait(under, &link);
	rte_eth_dev_get_port_by_name(rep, &rid);
	json_object_set_new(j, "vdev", json_string(v->vdev));
	json_object_set_new(j, "representor", json_string(rep));
	json_object_set_new(j, "rep_port_id", rid == UINT16_MAX ?
			    json_null() : json_integer(rid));
	json_object_set_new(j, "vdev_port_id", under == UINT16_MAX ?
			    json_null() : json_integer(under));
	json_object_set_new(j, "link", json_string(
		link.link_status == RTE_ETH_LINK_UP ? "up" : "down"));
	return j;
}
