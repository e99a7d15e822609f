/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * Bonding in the NIC (N-18, spec §8.4).
 *
 * The NIC's physical ports are the init config's "ports" (snic_initcfg.c):
 * names such as "eth0" for vdev devargs the switch probes on demand. A bond
 * is a DPDK net_bonding port the switch creates
 * ("net_bonding_<switch>_<bond>") over such ports; like every underlying
 * port it is owned by the switch, so applications never see it. The uplink
 * may be a bond: the datapath then bursts on the bond port.
 *
 * Reconfiguring the uplink bond while the NIC forwards: the uplink is
 * paused (snic_port.phys_paused, read by the datapath like started), an RCU
 * grace period makes sure no burst is still on the bond, the bond is
 * changed (members live; mode with a stop/start), then resumed. A bond with
 * no member cannot start (net_bonding refuses): the uplink stays paused and
 * reports link down until the first member comes.
 *
 * PHY monitor: af_packet reports "link up" whatever the wire does, so a
 * dead member would keep its share of the traffic. An EAL alarm reads the
 * kernel carrier of every NIC port with iface= every 10 ms and writes it
 * into the port's link status, which net_bonding polls (docs/snic.md "Bonding in the NIC").
 *
 * Persistence: every successful change rewrites the bond config file
 * (tmp + rename); the probe restores it.
 *
 * Locking: operations take sw->lock; the PHY monitor and the LSC callback
 * (interrupt thread) read only port ids that are set before they are
 * published and cleared after they are stopped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <jansson.h>
#include <rte_alarm.h>
#include <rte_eth_bond.h>
#include <rte_eth_bond_8023ad.h>
#include <rte_kvargs.h>

#include "snic.h"
#include "snic_agent.h"

#define SNIC_MAX_BONDS 8
#define SNIC_PHY_POLL_US 10000

/* A NIC physical port ("ports" entry of the init config). */
struct snic_phys {
	char name[SNIC_NAME_LEN];
	char *devargs;            /* "net_af_packet_eth0,iface=a0" */
	char ifname[IF_NAMESIZE]; /* iface= of the devargs, "" if none */
	int port_id;              /* -1 until probed (atomic) */
	bool created;             /* probed by the switch: removed at fini */
	bool in_use;              /* the switch's plain uplink or a VF */
	int bond;                 /* bonds[] index, -1 if none */
};

struct snic_bond {
	bool used;
	char name[SNIC_NAME_LEN];
	char devname[RTE_ETH_NAME_MAX_LEN];
	uint16_t port_id;
	uint8_t mode;             /* BONDING_MODE_* */
	uint8_t policy;           /* BALANCE_XMIT_POLICY_* */
	int primary;              /* phys index chosen by the user, -1 */
	uint16_t nb_slaves;
	uint16_t slaves[SNIC_MAX_PHYS]; /* phys indexes, in order of adding */
};

struct snic_bonding {
	struct snic_phys phys[SNIC_MAX_PHYS];
	uint16_t nb_phys;
	struct snic_bond bonds[SNIC_MAX_BONDS];
	int uplink;               /* bonds[] index of the uplink, -1 */
	bool uplink_wanted;       /* the application started the uplink */
	bool lsc_registered;
	struct rte_eth_dev_owner owner;
	bool owner_valid;
	char cfg_path[PATH_MAX];
	struct {
		char *name;
		uint16_t port_id;
	} vdevs[SNIC_MAX_PORTS];     /* VF vdevs the switch probed */
	uint16_t nb_vdevs;
	int sock;                 /* for SIOCGIFFLAGS */
	bool mon_running;
};

/* ------------------------------------------------------------- names */

struct snic_name_val {
	const char *name;
	uint8_t val;
};

static const struct snic_name_val snic_modes[] = {
	{"active-backup", BONDING_MODE_ACTIVE_BACKUP},
	{"balance-xor", BONDING_MODE_BALANCE},
	{"802.3ad", BONDING_MODE_8023AD},
	{NULL, 0},
};

static const struct snic_name_val snic_policies[] = {
	{"layer2", BALANCE_XMIT_POLICY_LAYER2},
	{"layer2+3", BALANCE_XMIT_POLICY_LAYER23},
	{"layer3+4", BALANCE_XMIT_POLICY_LAYER34},
	{NULL, 0},
};

/* LACP state bits, in bit order (IEEE 802.1AX actor/partner state). */
static const char *const snic_lacp_flags[8] = {
	"activity", "timeout", "aggregation", "synchronization",
	"collecting", "distributing", "defaulted", "expired",
};

static const char *const snic_selected[] = {
	[UNSELECTED] = "unselected", [STANDBY] = "standby",
	[SELECTED] = "selected",
};

/* Look name up in t; -EINVAL with "unknown <what> 'x' (a, b, c)". */
static int
snic_name_lookup(const struct snic_name_val *t, const char *what,
		 const char *name, uint8_t *val, char *err, size_t errlen)
{
	size_t off;

	for (const struct snic_name_val *e = t; e->name != NULL; e++)
		if (strcmp(e->name, name) == 0) {
			*val = e->val;
			return 0;
		}
	off = snprintf(err, errlen, "unknown %s '%s' (", what, name);
	for (const struct snic_name_val *e = t; e->name != NULL; e++)
		if (off < errlen)
			off += snprintf(err + off, errlen - off, "%s%s",
					e == t ? "" : ", ", e->name);
	if (off < errlen)
		snprintf(err + off, errlen - off, ")");
	return -EINVAL;
}

static const char *
snic_val_name(const struct snic_name_val *t, uint8_t val)
{
	for (const struct snic_name_val *e = t; e->name != NULL; e++)
		if (e->val == val)
			return e->name;
	return "unknown";
}

static int
snic_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__rte_format_printf(4, 5);

static int
snic_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* ------------------------------------------------------------- lookup */

static struct snic_bond *
snic_bond_find(struct snic_bonding *bg, const char *name)
{
	for (int i = 0; i < SNIC_MAX_BONDS; i++)
		if (bg->bonds[i].used && strcmp(bg->bonds[i].name, name) == 0)
			return &bg->bonds[i];
	return NULL;
}

static struct snic_phys *
snic_phys_find(struct snic_bonding *bg, const char *name)
{
	for (uint16_t i = 0; i < bg->nb_phys; i++)
		if (strcmp(bg->phys[i].name, name) == 0)
			return &bg->phys[i];
	return NULL;
}

static struct snic_phys *
snic_phys_by_port(struct snic_bonding *bg, uint16_t port_id)
{
	for (uint16_t i = 0; i < bg->nb_phys; i++)
		if (bg->phys[i].port_id == port_id)
			return &bg->phys[i];
	return NULL;
}

static int
snic_bond_idx(struct snic_bonding *bg, const struct snic_bond *b)
{
	return (int)(b - bg->bonds);
}

static struct snic_bond *
snic_bond_lookup(struct snic_switch *sw, const char *name, char *err,
		 size_t errlen)
{
	struct snic_bond *b = snic_bond_find(sw->bonding, name);

	if (b == NULL)
		snic_errf(err, errlen, 0, "unknown bond device '%s'", name);
	return b;
}

static struct snic_phys *
snic_phys_lookup(struct snic_switch *sw, const char *name, char *err,
		 size_t errlen)
{
	struct snic_phys *ph = snic_phys_find(sw->bonding, name);

	if (ph == NULL)
		snic_errf(err, errlen, 0, "unknown slave device '%s'", name);
	return ph;
}

static bool
snic_bond_is_uplink_bond(struct snic_switch *sw, const struct snic_bond *b)
{
	return sw->bonding->uplink == snic_bond_idx(sw->bonding, b);
}

int
snic_bond_port(struct snic_switch *sw, const char *bond)
{
	struct snic_bond *b;
	int rc = -ENODEV;

	pthread_mutex_lock(&sw->lock);
	b = sw->bonding != NULL ? snic_bond_find(sw->bonding, bond) : NULL;
	if (b != NULL)
		rc = b->port_id;
	pthread_mutex_unlock(&sw->lock);
	return rc;
}

/* ------------------------------------------------------------- ports */

static void
snic_own(struct snic_bonding *bg, uint16_t port_id)
{
	struct rte_eth_dev_owner cur;

	if (!bg->owner_valid || rte_eth_dev_owner_get(port_id, &cur) != 0 ||
	    cur.id != RTE_ETH_DEV_NO_OWNER)
		return;
	rte_eth_dev_owner_set(port_id, &bg->owner);
}

/* Probe the vdev of devargs "name,args" unless an ethdev of that name
 * exists. Returns the port id or a negative errno; *created tells. */
static int
snic_vdev_probe(const char *devargs, bool *created)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	const char *comma = strchr(devargs, ',');
	size_t len = comma != NULL ? (size_t)(comma - devargs) :
		strlen(devargs);
	uint16_t port;
	int rc;

	*created = false;
	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, len);
	name[len] = '\0';
	if (rte_eth_dev_get_port_by_name(name, &port) == 0)
		return port;
	rc = rte_vdev_init(name, comma != NULL ? comma + 1 : "");
	if (rc != 0)
		return rc < 0 ? rc : -ENODEV;
	if (rte_eth_dev_get_port_by_name(name, &port) != 0) {
		rte_vdev_uninit(name);
		return -ENODEV;
	}
	*created = true;
	return port;
}

/* Make sure ph exists as an ethdev (NIC ports are probed on first use). */
static int
snic_phys_create(struct snic_bonding *bg, struct snic_phys *ph)
{
	bool created;
	int rc;

	if (ph->port_id >= 0)
		return 0;
	rc = snic_vdev_probe(ph->devargs, &created);
	if (rc < 0) {
		SNIC_LOG(ERR, "NIC port %s: cannot probe \"%s\": %s", ph->name,
			 ph->devargs, rte_strerror(-rc));
		return rc;
	}
	ph->created = created;
	snic_own(bg, rc);
	__atomic_store_n(&ph->port_id, rc, __ATOMIC_RELEASE);
	return 0;
}

static void
snic_phys_ifname(struct snic_phys *ph)
{
	const char *comma = strchr(ph->devargs, ',');
	struct rte_kvargs *kv;
	const char *v;

	if (comma == NULL)
		return;
	kv = rte_kvargs_parse(comma + 1, NULL);
	if (kv == NULL)
		return;
	v = rte_kvargs_get(kv, "iface");
	if (v != NULL)
		strlcpy(ph->ifname, v, sizeof(ph->ifname));
	rte_kvargs_free(kv);
}

/* ------------------------------------------------------- PHY monitor */

/* The kernel's carrier of ifname: up and running (IFF_RUNNING is the
 * carrier: a veth whose peer is down has it clear). */
static bool
snic_carrier(struct snic_bonding *bg, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	if (ioctl(bg->sock, SIOCGIFFLAGS, &ifr) != 0)
		return false;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

static void
snic_phy_monitor(void *arg)
{
	struct snic_bonding *bg = arg;

	for (uint16_t i = 0; i < bg->nb_phys; i++) {
		struct snic_phys *ph = &bg->phys[i];
		int pid = __atomic_load_n(&ph->port_id, __ATOMIC_ACQUIRE);
		struct rte_eth_dev *dev;
		struct rte_eth_link l;
		uint16_t up;

		if (pid < 0 || ph->ifname[0] == '\0')
			continue;
		dev = &rte_eth_devices[pid];
		if (!dev->data->dev_started)
			continue;
		up = snic_carrier(bg, ph->ifname) ? RTE_ETH_LINK_UP :
			RTE_ETH_LINK_DOWN;
		rte_eth_linkstatus_get(dev, &l);
		if (l.link_status == up)
			continue;
		l.link_status = up;
		rte_eth_linkstatus_set(dev, &l);
		SNIC_LOG(INFO, "NIC port %s (%s): carrier %s", ph->name,
			 ph->ifname, up ? "up" : "down");
	}
	if (__atomic_load_n(&bg->mon_running, __ATOMIC_ACQUIRE))
		rte_eal_alarm_set(SNIC_PHY_POLL_US, snic_phy_monitor, bg);
}

/* ------------------------------------------------------- uplink state */

static struct snic_port *
snic_uplink(struct snic_switch *sw)
{
	return snic_port_get(sw, 0);
}

/* Stop the datapath's bursts on the uplink bond: after the grace period
 * no NIC iteration is still inside one. */
static void
snic_uplink_pause(struct snic_switch *sw)
{
	struct snic_port *p = snic_uplink(sw);

	if (p == NULL)
		return;
	__atomic_store_n(&p->phys_paused, true, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(sw->rcu, RTE_QSBR_THRID_INVALID);
}

/* After a change: (re)start the bond when the application wants the
 * uplink and it has members, then let the datapath use it again. */
static int
snic_uplink_resume(struct snic_switch *sw)
{
	struct snic_bonding *bg = sw->bonding;
	struct snic_port *p = snic_uplink(sw);
	struct snic_bond *b;
	int rc = 0;

	if (p == NULL || bg->uplink < 0)
		return 0;
	b = &bg->bonds[bg->uplink];
	if (bg->uplink_wanted && b->nb_slaves > 0 && !p->phys_started) {
		rc = rte_eth_dev_start(b->port_id);
		if (rc == 0)
			p->phys_started = true;
		else
			SNIC_LOG(ERR, "%s: cannot start %s: %s", sw->name,
				 b->name, rte_strerror(-rc));
	}
	__atomic_store_n(&p->keepalive, b->mode == BONDING_MODE_8023AD,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&p->phys_paused, !p->phys_started, __ATOMIC_RELEASE);
	return rc;
}

static void
snic_uplink_bond_stop(struct snic_switch *sw)
{
	struct snic_port *p = snic_uplink(sw);

	if (p != NULL && p->phys_started) {
		rte_eth_dev_stop(sw->bonding->bonds[sw->bonding->uplink].port_id);
		p->phys_started = false;
	}
}

bool
snic_bond_is_uplink(const struct snic_port *p)
{
	return p->is_uplink && p->sw->bonding != NULL &&
		p->sw->bonding->uplink >= 0;
}

int
snic_bond_uplink_start(struct snic_port *p)
{
	struct snic_switch *sw = p->sw;
	int rc;

	pthread_mutex_lock(&sw->lock);
	sw->bonding->uplink_wanted = true;
	rc = snic_uplink_resume(sw);
	pthread_mutex_unlock(&sw->lock);
	return rc;
}

void
snic_bond_uplink_stop(struct snic_port *p)
{
	struct snic_switch *sw = p->sw;

	pthread_mutex_lock(&sw->lock);
	sw->bonding->uplink_wanted = false;
	snic_uplink_pause(sw);
	snic_uplink_bond_stop(sw);
	pthread_mutex_unlock(&sw->lock);
}

void
snic_bond_uplink_link(const struct snic_port *p, struct rte_eth_link *l)
{
	struct snic_bonding *bg = p->sw->bonding;

	memset(l, 0, sizeof(*l));
	l->link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	if (!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&p->phys_paused, __ATOMIC_ACQUIRE))
		return;
	rte_eth_link_get_nowait(bg->bonds[bg->uplink].port_id, l);
}

/* The bond's link changed: the snic uplink's follows, with its own LSC. */
static int
snic_bond_lsc(uint16_t port_id, enum rte_eth_event_type type, void *arg,
	      void *ret)
{
	struct snic_switch *sw = arg;
	struct snic_port *p = snic_uplink(sw);
	struct rte_eth_link l;

	RTE_SET_USED(port_id);
	RTE_SET_USED(type);
	RTE_SET_USED(ret);
	if (p == NULL)
		return 0;
	snic_bond_uplink_link(p, &l);
	if (rte_eth_linkstatus_set(p->dev, &l) == 0) /* 0: it changed */
		rte_eth_dev_callback_process(p->dev, RTE_ETH_EVENT_INTR_LSC,
					     NULL);
	return 0;
}

/* -------------------------------------------------------- persistence */

static json_t *
snic_bond_cfg_json(struct snic_bonding *bg)
{
	json_t *bonds = json_array();

	for (int i = 0; i < SNIC_MAX_BONDS; i++) {
		struct snic_bond *b = &bg->bonds[i];
		json_t *sl = json_array();

		if (!b->used) {
			json_decref(sl);
			continue;
		}
		for (uint16_t j = 0; j < b->nb_slaves; j++)
			json_array_append_new(sl,
				json_string(bg->phys[b->slaves[j]].name));
		json_array_append_new(bonds, json_pack("{s:s, s:s, s:s, s:o, "
			"s:o}", "name", b->name,
			"mode", snic_val_name(snic_modes, b->mode),
			"xmit_hash_policy", snic_val_name(snic_policies,
							  b->policy),
			"primary", b->primary < 0 ? json_null() :
				json_string(bg->phys[b->primary].name),
			"slaves", sl));
	}
	return json_pack("{s:o}", "bonds", bonds);
}

static int
snic_write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX + 16], dir[PATH_MAX];
	char *slash;
	size_t len = strlen(text);
	int fd, rc = 0;

	strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755); /* one level, like /etc/nicflow */
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
		rc = errno != 0 ? -errno : -EIO;
	close(fd);
	/* rename(): readers see the old file or the new one, never half. */
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static int
snic_bond_persist(struct snic_switch *sw, char *err, size_t errlen)
{
	json_t *root = snic_bond_cfg_json(sw->bonding);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int rc = text == NULL ? -ENOMEM : 0;
	size_t n;

	json_decref(root);
	if (rc == 0) {
		n = strlen(text);
		text = realloc(text, n + 2);
		if (text != NULL) {
			text[n] = '\n';
			text[n + 1] = '\0';
			rc = snic_write_file(sw->bonding->cfg_path, text);
		} else {
			rc = -ENOMEM;
		}
	}
	free(text);
	if (rc != 0) {
		SNIC_LOG(ERR, "%s: cannot write bond config %s: %s", sw->name,
			 sw->bonding->cfg_path, strerror(-rc));
		if (err != NULL)
			snic_errf(err, errlen, 0, "changed, but the bond config "
				  "%s was not saved: %s", sw->bonding->cfg_path,
				  strerror(-rc));
	}
	return rc;
}

/* ------------------------------------------------------- operations */

static bool
snic_bond_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= SNIC_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_' ||
		      name[i] == '-' || name[i] == '.'))
			return false;
	return true;
}

static int
snic_bond_add_locked(struct snic_switch *sw, const char *name,
		     const char *mode, char *err, size_t errlen)
{
	struct snic_bonding *bg = sw->bonding;
	uint8_t m = BONDING_MODE_8023AD;
	struct snic_bond *b = NULL;
	int rc;

	if (!snic_bond_name_ok(name))
		return snic_errf(err, errlen, -EINVAL, "invalid bond name '%s' "
				 "(1-%d of A-Z a-z 0-9 _ - .)", name,
				 SNIC_NAME_LEN - 1);
	if (snic_bond_find(bg, name) != NULL)
		return snic_errf(err, errlen, -EEXIST,
				 "bond device '%s' already exists", name);
	if (snic_phys_find(bg, name) != NULL)
		return snic_errf(err, errlen, -EEXIST, "'%s' is a NIC port, "
				 "not a bond", name);
	if (mode != NULL)
		rc = snic_name_lookup(snic_modes, "mode", mode, &m, err,
				      errlen);
	else
		rc = 0;
	if (rc != 0)
		return rc;
	for (int i = 0; i < SNIC_MAX_BONDS && b == NULL; i++)
		if (!bg->bonds[i].used)
			b = &bg->bonds[i];
	if (b == NULL)
		return snic_errf(err, errlen, -ENOSPC, "no room for bond '%s' "
				 "(at most %d bonds)", name, SNIC_MAX_BONDS);
	memset(b, 0, sizeof(*b));
	snprintf(b->devname, sizeof(b->devname), "net_bonding_%.24s_%s",
		 sw->name, name);
	rc = rte_eth_bond_create(b->devname, m, (uint8_t)rte_socket_id());
	if (rc < 0)
		return snic_errf(err, errlen, rc, "cannot create bond '%s': %s",
				 name, rte_strerror(-rc));
	b->port_id = rc;
	rte_eth_bond_xmit_policy_set(b->port_id, BALANCE_XMIT_POLICY_LAYER2);
	strlcpy(b->name, name, sizeof(b->name));
	b->mode = m;
	b->policy = BALANCE_XMIT_POLICY_LAYER2;
	b->primary = -1;
	b->used = true;
	snic_own(bg, b->port_id);
	return 0;
}

static int
snic_bond_set_mode_locked(struct snic_switch *sw, struct snic_bond *b,
			  const char *mode, char *err, size_t errlen)
{
	bool uplink = snic_bond_is_uplink_bond(sw, b);
	uint8_t m;
	int rc = snic_name_lookup(snic_modes, "mode", mode, &m, err, errlen);

	if (rc != 0 || m == b->mode)
		return rc;
	/* net_bonding changes modes only while stopped. */
	if (uplink) {
		snic_uplink_pause(sw);
		snic_uplink_bond_stop(sw);
	}
	rc = rte_eth_bond_mode_set(b->port_id, m);
	if (rc == 0) {
		b->mode = m;
		/* The policy is per mode in net_bonding: keep the user's. */
		rte_eth_bond_xmit_policy_set(b->port_id, b->policy);
		if (b->primary >= 0)
			rte_eth_bond_primary_set(b->port_id,
				sw->bonding->phys[b->primary].port_id);
	} else {
		snic_errf(err, errlen, -EIO, "%s refused mode %s (see the log)",
			  b->name, mode);
		rc = -EIO;
	}
	if (uplink)
		snic_uplink_resume(sw);
	return rc;
}

static int
snic_bond_set_policy_locked(struct snic_switch *sw, struct snic_bond *b,
			    const char *policy, char *err, size_t errlen)
{
	bool uplink = snic_bond_is_uplink_bond(sw, b);
	uint8_t v;
	int rc = snic_name_lookup(snic_policies, "xmit_hash_policy", policy,
				  &v, err, errlen);

	if (rc != 0)
		return rc;
	if (uplink)
		snic_uplink_pause(sw);
	rc = rte_eth_bond_xmit_policy_set(b->port_id, v);
	if (rc == 0)
		b->policy = v;
	else
		rc = snic_errf(err, errlen, -EIO, "%s refused "
			       "xmit_hash_policy %s", b->name, policy);
	if (uplink)
		snic_uplink_resume(sw);
	return rc;
}

static int
snic_bond_set_master_locked(struct snic_switch *sw, struct snic_phys *ph,
			    struct snic_bond *b, char *err, size_t errlen)
{
	struct snic_bonding *bg = sw->bonding;
	bool uplink = snic_bond_is_uplink_bond(sw, b);
	int rc;

	if (ph->bond >= 0)
		return snic_errf(err, errlen, -EEXIST, "%s is already a slave "
				 "of %s", ph->name, bg->bonds[ph->bond].name);
	if (ph->in_use)
		return snic_errf(err, errlen, -EBUSY, "%s is in use by %s",
				 ph->name, sw->name);
	rc = snic_phys_create(bg, ph);
	if (rc != 0)
		return snic_errf(err, errlen, rc, "cannot create %s (%s): %s",
				 ph->name, ph->devargs, rte_strerror(-rc));
	if (uplink)
		snic_uplink_pause(sw);
	rc = rte_eth_bond_slave_add(b->port_id, ph->port_id);
	if (rc == 0) {
		b->slaves[b->nb_slaves++] = ph - bg->phys;
		ph->bond = snic_bond_idx(bg, b);
	} else {
		rc = snic_errf(err, errlen, -EIO, "%s refused %s as a slave "
			       "(see the log)", b->name, ph->name);
	}
	if (uplink)
		snic_uplink_resume(sw);
	return rc;
}

static int
snic_bond_set_nomaster_locked(struct snic_switch *sw, struct snic_phys *ph,
			      char *err, size_t errlen)
{
	struct snic_bonding *bg = sw->bonding;
	struct snic_bond *b;
	bool uplink;
	uint16_t idx = ph - bg->phys, j = 0;

	if (ph->bond < 0)
		return snic_errf(err, errlen, -ENOENT, "%s is not a slave of "
				 "any bond", ph->name);
	b = &bg->bonds[ph->bond];
	uplink = snic_bond_is_uplink_bond(sw, b);
	if (uplink)
		snic_uplink_pause(sw);
	if (rte_eth_bond_slave_remove(b->port_id, ph->port_id) != 0)
		SNIC_LOG(ERR, "%s: net_bonding refused to remove %s from %s",
			 sw->name, ph->name, b->name);
	/* Off the wire: a port out of every bond carries nothing. */
	rte_eth_dev_stop(ph->port_id);
	for (uint16_t i = 0; i < b->nb_slaves; i++)
		if (b->slaves[i] != idx)
			b->slaves[j++] = b->slaves[i];
	b->nb_slaves = j;
	ph->bond = -1;
	if (b->primary == idx)
		b->primary = -1;
	if (uplink && b->nb_slaves == 0)
		snic_uplink_bond_stop(sw);
	if (uplink)
		snic_uplink_resume(sw);
	return 0;
}

static int
snic_bond_set_primary_locked(struct snic_switch *sw, struct snic_bond *b,
			     struct snic_phys *ph, char *err, size_t errlen)
{
	struct snic_bonding *bg = sw->bonding;
	bool uplink = snic_bond_is_uplink_bond(sw, b);
	int rc;

	if (ph->bond != snic_bond_idx(bg, b))
		return snic_errf(err, errlen, -EINVAL, "%s is not a slave of "
				 "%s", ph->name, b->name);
	if (uplink)
		snic_uplink_pause(sw);
	rc = rte_eth_bond_primary_set(b->port_id, ph->port_id);
	if (rc == 0)
		b->primary = ph - bg->phys;
	else
		rc = snic_errf(err, errlen, -EIO, "%s refused primary %s",
			       b->name, ph->name);
	if (uplink)
		snic_uplink_resume(sw);
	return rc;
}

static void
snic_bond_destroy(struct snic_switch *sw, struct snic_bond *b)
{
	struct snic_bonding *bg = sw->bonding;

	while (b->nb_slaves > 0)
		snic_bond_set_nomaster_locked(sw, &bg->phys[b->slaves[0]],
					      NULL, 0);
	rte_eth_dev_stop(b->port_id);
	rte_eth_bond_free(b->devname);
	b->used = false;
}

static int
snic_bond_delete_locked(struct snic_switch *sw, struct snic_bond *b,
			char *err, size_t errlen)
{
	if (snic_bond_is_uplink_bond(sw, b))
		return snic_errf(err, errlen, -EBUSY, "%s is the uplink of %s",
				 b->name, sw->name);
	snic_bond_destroy(sw, b);
	return 0;
}

/* ------------------------------------------- public C operations */

static int
snic_bond_ready(struct snic_switch *sw, char *err, size_t errlen)
{
	if (sw->bonding == NULL)
		return snic_errf(err, errlen, -ENOTSUP, "%s has no bonding",
				 sw->name);
	return 0;
}

/* Run a change under the lock and save the config when it succeeded. */
#define SNIC_BOND_OP(sw, err, errlen, body) do { \
	int rc_ = snic_bond_ready(sw, err, errlen); \
	if (rc_ != 0) \
		return rc_; \
	pthread_mutex_lock(&(sw)->lock); \
	rc_ = (body); \
	if (rc_ == 0) \
		rc_ = snic_bond_persist(sw, err, errlen); \
	pthread_mutex_unlock(&(sw)->lock); \
	return rc_; \
} while (0)

int
snic_bond_add(struct snic_switch *sw, const char *bond, const char *mode,
	      char *err, size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_add_locked(sw, bond, mode, err, errlen));
}

static int
snic_bond_delete_op(struct snic_switch *sw, const char *bond, char *err,
		    size_t errlen)
{
	struct snic_bond *b = snic_bond_lookup(sw, bond, err, errlen);

	return b == NULL ? -ENODEV : snic_bond_delete_locked(sw, b, err,
							     errlen);
}

int
snic_bond_delete(struct snic_switch *sw, const char *bond, char *err,
		 size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_delete_op(sw, bond, err, errlen));
}

static int
snic_bond_set_mode_op(struct snic_switch *sw, const char *bond,
		      const char *mode, char *err, size_t errlen)
{
	struct snic_bond *b = snic_bond_lookup(sw, bond, err, errlen);

	return b == NULL ? -ENODEV :
		snic_bond_set_mode_locked(sw, b, mode, err, errlen);
}

int
snic_bond_set_mode(struct snic_switch *sw, const char *bond, const char *mode,
		   char *err, size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_set_mode_op(sw, bond, mode, err, errlen));
}

static int
snic_bond_set_policy_op(struct snic_switch *sw, const char *bond,
			const char *policy, char *err, size_t errlen)
{
	struct snic_bond *b = snic_bond_lookup(sw, bond, err, errlen);

	return b == NULL ? -ENODEV :
		snic_bond_set_policy_locked(sw, b, policy, err, errlen);
}

int
snic_bond_set_policy(struct snic_switch *sw, const char *bond,
		     const char *policy, char *err, size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_set_policy_op(sw, bond, policy, err, errlen));
}

static int
snic_bond_set_primary_op(struct snic_switch *sw, const char *bond,
			 const char *slave, char *err, size_t errlen)
{
	struct snic_bond *b = snic_bond_lookup(sw, bond, err, errlen);
	struct snic_phys *ph;

	if (b == NULL)
		return -ENODEV;
	ph = snic_phys_lookup(sw, slave, err, errlen);
	if (ph == NULL)
		return -ENODEV;
	return snic_bond_set_primary_locked(sw, b, ph, err, errlen);
}

int
snic_bond_set_primary(struct snic_switch *sw, const char *bond,
		      const char *slave, char *err, size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_set_primary_op(sw, bond, slave, err, errlen));
}

static int
snic_bond_set_master_op(struct snic_switch *sw, const char *slave,
			const char *bond, char *err, size_t errlen)
{
	struct snic_phys *ph = snic_phys_lookup(sw, slave, err, errlen);
	struct snic_bond *b;

	if (ph == NULL)
		return -ENODEV;
	b = snic_bond_lookup(sw, bond, err, errlen);
	if (b == NULL)
		return -ENODEV;
	return snic_bond_set_master_locked(sw, ph, b, err, errlen);
}

int
snic_bond_set_master(struct snic_switch *sw, const char *slave,
		     const char *bond, char *err, size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_set_master_op(sw, slave, bond, err, errlen));
}

static int
snic_bond_set_nomaster_op(struct snic_switch *sw, const char *slave,
			  char *err, size_t errlen)
{
	struct snic_phys *ph = snic_phys_lookup(sw, slave, err, errlen);

	return ph == NULL ? -ENODEV :
		snic_bond_set_nomaster_locked(sw, ph, err, errlen);
}

int
snic_bond_set_nomaster(struct snic_switch *sw, const char *slave, char *err,
		       size_t errlen)
{
	SNIC_BOND_OP(sw, err, errlen,
		     snic_bond_set_nomaster_op(sw, slave, err, errlen));
}

/* ------------------------------------------------------ show objects */

static json_t *
snic_mac_json(uint16_t port_id)
{
	struct rte_ether_addr mac;
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	if (rte_eth_macaddr_get(port_id, &mac) != 0)
		return json_null();
	rte_ether_format_addr(buf, sizeof(buf), &mac);
	return json_string(buf);
}

static json_t *
snic_port_common(uint16_t port_id, json_t *o)
{
	struct rte_eth_stats st;
	struct rte_eth_link l;
	uint16_t mtu = 0;

	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	rte_eth_stats_get(port_id, &st);
	rte_eth_link_get_nowait(port_id, &l);
	rte_eth_dev_get_mtu(port_id, &mtu);
	json_object_set_new(o, "link", json_string(
		rte_eth_devices[port_id].data->dev_started &&
		l.link_status == RTE_ETH_LINK_UP ? "up" : "down"));
	json_object_set_new(o, "mac", snic_mac_json(port_id));
	json_object_set_new(o, "mtu", json_integer(mtu));
	json_object_set_new(o, "stats", json_pack("{s:I, s:I, s:I, s:I, s:I, "
		"s:I, s:I}", "rx_packets", (json_int_t)st.ipackets,
		"rx_bytes", (json_int_t)st.ibytes,
		"rx_errors", (json_int_t)st.ierrors,
		"rx_missed", (json_int_t)st.imissed,
		"tx_packets", (json_int_t)st.opackets,
		"tx_bytes", (json_int_t)st.obytes,
		"tx_errors", (json_int_t)st.oerrors));
	return o;
}

static json_t *
snic_name_or_null(struct snic_bonding *bg, int port_id)
{
	struct snic_phys *ph = port_id >= 0 ?
		snic_phys_by_port(bg, port_id) : NULL;

	return ph != NULL ? json_string(ph->name) : json_null();
}

static bool
snic_port_in(const uint16_t *ids, int n, uint16_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static json_t *
snic_bond_show_one(struct snic_switch *sw, struct snic_bond *b)
{
	struct snic_bonding *bg = sw->bonding;
	uint16_t act[RTE_MAX_ETHPORTS];
	int nact = rte_eth_bond_active_slaves_get(b->port_id, act,
						  RTE_MAX_ETHPORTS);
	json_t *sl = json_array(), *asl = json_array(), *o;
	json_t *active = json_null();

	if (nact < 0 || !rte_eth_devices[b->port_id].data->dev_started)
		nact = 0;
	for (uint16_t j = 0; j < b->nb_slaves; j++)
		json_array_append_new(sl,
			json_string(bg->phys[b->slaves[j]].name));
	for (int j = 0; j < nact; j++)
		json_array_append_new(asl, snic_name_or_null(bg, act[j]));
	if (b->mode == BONDING_MODE_ACTIVE_BACKUP && nact > 0) {
		json_decref(active);
		active = snic_name_or_null(bg,
			rte_eth_bond_primary_get(b->port_id));
	}
	o = json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o}",
		"name", b->name, "port_id", b->port_id,
		"mode", snic_val_name(snic_modes, b->mode),
		"xmit_hash_policy", snic_val_name(snic_policies, b->policy),
		"primary", b->primary < 0 ? json_null() :
			json_string(bg->phys[b->primary].name),
		"active_slave", active, "slaves", sl, "active_slaves", asl);
	snic_port_common(b->port_id, o);
	json_object_set_new(o, "uplink_of", snic_bond_is_uplink_bond(sw, b) ?
			    json_string(sw->name) : json_null());
	return o;
}

/* "active", "backup" or "inactive", as Linux shows a bond slave. */
static const char *
snic_slave_state(struct snic_bonding *bg, struct snic_phys *ph)
{
	struct snic_bond *b = &bg->bonds[ph->bond];
	struct rte_eth_bond_8023ad_slave_info info;
	uint16_t act[RTE_MAX_ETHPORTS];
	int nact = rte_eth_bond_active_slaves_get(b->port_id, act,
						  RTE_MAX_ETHPORTS);

	if (nact <= 0 || !rte_eth_devices[b->port_id].data->dev_started ||
	    !snic_port_in(act, nact, ph->port_id))
		return "inactive";
	if (b->mode == BONDING_MODE_ACTIVE_BACKUP)
		return rte_eth_bond_primary_get(b->port_id) == ph->port_id ?
			"active" : "backup";
	if (b->mode == BONDING_MODE_8023AD &&
	    (rte_eth_bond_8023ad_slave_info(b->port_id, ph->port_id,
					    &info) != 0 ||
	     !(info.actor_state & STATE_DISTRIBUTING)))
		return "backup";
	return "active";
}

static json_t *
snic_slave_show_one(struct snic_bonding *bg, struct snic_phys *ph)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:o, s:s}", "name", ph->name,
		"port_id", ph->port_id < 0 ? json_null() :
			json_integer(ph->port_id),
		"devargs", ph->devargs,
		"master", ph->bond < 0 ? json_null() :
			json_string(bg->bonds[ph->bond].name),
		"state", ph->bond < 0 || ph->port_id < 0 ? "inactive" :
			snic_slave_state(bg, ph));

	if (ph->port_id >= 0)
		return snic_port_common(ph->port_id, o);
	json_object_set_new(o, "link", json_string("down"));
	json_object_set_new(o, "mac", json_null());
	json_object_set_new(o, "mtu", json_null());
	json_object_set_new(o, "stats", json_null());
	return o;
}

static json_t *
snic_lacp_params(const struct port_params *pp, uint8_t state)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *flags = json_array();

	for (int i = 0; i < 8; i++)
		if (state & (1u << i))
			json_array_append_new(flags,
					      json_string(snic_lacp_flags[i]));
	rte_ether_format_addr(mac, sizeof(mac), &pp->system);
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:o}", "system", mac,
		"system_priority", rte_be_to_cpu_16(pp->system_priority),
		"key", rte_be_to_cpu_16(pp->key),
		"port_priority", rte_be_to_cpu_16(pp->port_priority),
		"port_number", rte_be_to_cpu_16(pp->port_number),
		"state", flags);
}

static json_t *
snic_xstats_json(uint16_t port_id)
{
	int n = rte_eth_xstats_get_names(port_id, NULL, 0);
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *vals;
	json_t *o = json_object();

	if (n <= 0)
		return o;
	names = calloc(n, sizeof(*names));
	vals = calloc(n, sizeof(*vals));
	if (names != NULL && vals != NULL &&
	    rte_eth_xstats_get_names(port_id, names, n) == n &&
	    rte_eth_xstats_get(port_id, vals, n) == n)
		for (int i = 0; i < n; i++)
			json_object_set_new(o, names[vals[i].id].name,
				json_integer((json_int_t)vals[i].value));
	free(names);
	free(vals);
	return o;
}

static json_t *
snic_slave_lacp(struct snic_bonding *bg, struct snic_phys *ph)
{
	struct rte_eth_bond_8023ad_slave_info info;
	struct snic_bond *b = ph->bond >= 0 ? &bg->bonds[ph->bond] : NULL;
	json_t *o = json_pack("{s:s, s:o}", "name", ph->name, "master",
		b == NULL ? json_null() : json_string(b->name));
	bool lacp = b != NULL && b->mode == BONDING_MODE_8023AD &&
		rte_eth_devices[b->port_id].data->dev_started &&
		rte_eth_bond_8023ad_slave_info(b->port_id, ph->port_id,
					       &info) == 0;

	json_object_set_new(o, "selected", lacp && info.selected <= SELECTED ?
		json_string(snic_selected[info.selected]) : json_null());
	json_object_set_new(o, "aggregator_port", lacp ?
		snic_name_or_null(bg, info.agg_port_id) : json_null());
	json_object_set_new(o, "actor", lacp ?
		snic_lacp_params(&info.actor, info.actor_state) : json_null());
	json_object_set_new(o, "partner", lacp ?
		snic_lacp_params(&info.partner, info.partner_state) :
		json_null());
	json_object_set_new(o, "xstats", ph->port_id >= 0 ?
		snic_xstats_json(ph->port_id) : json_object());
	return o;
}

/* ------------------------------------------------------ agent methods */

/* params[key] as a string: required, or optional (NULL when absent). */
static int
snic_param(json_t *params, const char *key, bool required, const char **out,
	   char *err, size_t errlen)
{
	json_t *v = json_object_get(params, key);

	*out = NULL;
	if (v == NULL || (json_is_null(v) && !required)) {
		if (required)
			return snic_errf(err, errlen, -EINVAL, "missing "
					 "parameter '%s'", key);
		return 0;
	}
	if (!json_is_string(v))
		return snic_errf(err, errlen, -EINVAL, "parameter '%s' must be "
				 "a string", key);
	*out = json_string_value(v);
	return 0;
}

/* Every params key must be one of keys (NULL-terminated). */
static int
snic_params_known(json_t *params, const char *const *keys, char *err,
		  size_t errlen)
{
	const char *k;
	json_t *v;

	json_object_foreach(params, k, v) {
		const char *const *p = keys;

		while (*p != NULL && strcmp(*p, k) != 0)
			p++;
		if (*p == NULL)
			return snic_errf(err, errlen, -EINVAL,
					 "unknown parameter '%s'", k);
	}
	return 0;
}

#define SNIC_PARAMS(params, err, errlen, ...) do { \
	static const char *const keys_[] = {__VA_ARGS__, NULL}; \
	int rc_ = snic_params_known(params, keys_, err, errlen); \
	if (rc_ != 0) \
		return rc_; \
} while (0)

static int
m_bond_add(void *sw, json_t *params, json_t **result,
	   char *err, size_t errlen)
{
	const char *bond, *mode;
	int rc;

	SNIC_PARAMS(params, err, errlen, "bond", "mode");
	rc = snic_param(params, "bond", true, &bond, err, errlen);
	if (rc == 0)
		rc = snic_param(params, "mode", false, &mode, err, errlen);
	if (rc == 0)
		rc = snic_bond_add(sw, bond, mode, err, errlen);
	*result = rc == 0 ? json_null() : NULL;
	return rc;
}

static int
m_bond_delete(void *sw, json_t *params, json_t **result,
	      char *err, size_t errlen)
{
	const char *bond;
	int rc;

	SNIC_PARAMS(params, err, errlen, "bond");
	rc = snic_param(params, "bond", true, &bond, err, errlen);
	if (rc == 0)
		rc = snic_bond_delete(sw, bond, err, errlen);
	*result = rc == 0 ? json_null() : NULL;
	return rc;
}

/* The setters taking two strings: {k1, k2} → fn(sw, v1, v2). */
typedef int (*snic_bond_fn2)(struct snic_switch *, const char *,
			     const char *, char *, size_t);

static int
snic_method2(struct snic_switch *sw, json_t *params, json_t **result,
	     char *err, size_t errlen, const char *k1, const char *k2,
	     snic_bond_fn2 fn)
{
	const char *keys[] = {k1, k2, NULL};
	const char *v1, *v2;
	int rc = snic_params_known(params, keys, err, errlen);

	if (rc == 0)
		rc = snic_param(params, k1, true, &v1, err, errlen);
	if (rc == 0)
		rc = snic_param(params, k2, true, &v2, err, errlen);
	if (rc == 0)
		rc = fn(sw, v1, v2, err, errlen);
	*result = rc == 0 ? json_null() : NULL;
	return rc;
}

static int
m_bond_set_mode(void *sw, json_t *params, json_t **result,
		char *err, size_t errlen)
{
	return snic_method2(sw, params, result, err, errlen, "bond", "mode",
			    snic_bond_set_mode);
}

static int
m_bond_set_master(void *sw, json_t *params, json_t **result,
		  char *err, size_t errlen)
{
	return snic_method2(sw, params, result, err, errlen, "slave", "bond",
			    snic_bond_set_master);
}

static int
m_bond_set_primary(void *sw, json_t *params, json_t **result,
		   char *err, size_t errlen)
{
	return snic_method2(sw, params, result, err, errlen, "bond", "slave",
			    snic_bond_set_primary);
}

static int
m_bond_set_policy(void *sw, json_t *params, json_t **result,
		  char *err, size_t errlen)
{
	return snic_method2(sw, params, result, err, errlen, "bond", "policy",
			    snic_bond_set_policy);
}

static int
m_bond_set_nomaster(void *sw, json_t *params, json_t **result,
		    char *err, size_t errlen)
{
	const char *slave;
	int rc;

	SNIC_PARAMS(params, err, errlen, "slave");
	rc = snic_param(params, "slave", true, &slave, err, errlen);
	if (rc == 0)
		rc = snic_bond_set_nomaster(sw, slave, err, errlen);
	*result = rc == 0 ? json_null() : NULL;
	return rc;
}

enum snic_show { SHOW_BOND, SHOW_SLAVE, XSTATS_BOND, XSTATS_SLAVE };

static json_t *
snic_bond_xstats_one(struct snic_bonding *bg, struct snic_bond *b)
{
	json_t *sl = json_array();

	for (uint16_t j = 0; j < b->nb_slaves; j++)
		json_array_append_new(sl,
			snic_slave_lacp(bg, &bg->phys[b->slaves[j]]));
	return json_pack("{s:s, s:s, s:o}", "name", b->name, "mode",
			 snic_val_name(snic_modes, b->mode), "slaves", sl);
}

/* The four show methods: all bonds (slaves), or the one named. */
static int
snic_show(struct snic_switch *sw, json_t *params, json_t **result, char *err,
	  size_t errlen, enum snic_show what)
{
	bool bonds = what == SHOW_BOND || what == XSTATS_BOND;
	const char *key = bonds ? "bond" : "slave";
	const char *keys[] = {key, NULL};
	struct snic_bonding *bg = sw->bonding;
	const char *name = NULL;
	json_t *out;
	int rc = snic_params_known(params, keys, err, errlen);

	if (rc == 0)
		rc = snic_param(params, key, false, &name, err, errlen);
	if (rc == 0)
		rc = snic_bond_ready(sw, err, errlen);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&sw->lock);
	if (name != NULL && (bonds ? snic_bond_lookup(sw, name, err, errlen)
			     == NULL : snic_phys_lookup(sw, name, err, errlen)
			     == NULL)) {
		pthread_mutex_unlock(&sw->lock);
		return -ENODEV;
	}
	out = json_array();
	for (int i = 0; bonds && i < SNIC_MAX_BONDS; i++) {
		struct snic_bond *b = &bg->bonds[i];

		if (!b->used || (name != NULL && strcmp(name, b->name) != 0))
			continue;
		json_array_append_new(out, what == SHOW_BOND ?
			snic_bond_show_one(sw, b) : snic_bond_xstats_one(bg, b));
	}
	for (uint16_t i = 0; !bonds && i < bg->nb_phys; i++) {
		struct snic_phys *ph = &bg->phys[i];

		if (name != NULL && strcmp(name, ph->name) != 0)
			continue;
		json_array_append_new(out, what == SHOW_SLAVE ?
			snic_slave_show_one(bg, ph) : snic_slave_lacp(bg, ph));
	}
	pthread_mutex_unlock(&sw->lock);
	*result = out;
	return 0;
}

static int
m_bond_show(void *sw, json_t *params, json_t **result,
	    char *err, size_t errlen)
{
	return snic_show(sw, params, result, err, errlen, SHOW_BOND);
}

static int
m_bond_slave_show(void *sw, json_t *params, json_t **result,
		  char *err, size_t errlen)
{
	return snic_show(sw, params, result, err, errlen, SHOW_SLAVE);
}

static int
m_bond_xstats(void *sw, json_t *params, json_t **result,
	      char *err, size_t errlen)
{
	return snic_show(sw, params, result, err, errlen, XSTATS_BOND);
}

static int
m_bond_slave_xstats(void *sw, json_t *params, json_t **result,
		    char *err, size_t errlen)
{
	return snic_show(sw, params, result, err, errlen, XSTATS_SLAVE);
}

const struct nf_rpc_method snic_bond_methods[] = {
	{"bond_add", m_bond_add},
	{"bond_delete", m_bond_delete},
	{"bond_set_mode", m_bond_set_mode},
	{"bond_set_master", m_bond_set_master},
	{"bond_set_nomaster", m_bond_set_nomaster},
	{"bond_set_primary", m_bond_set_primary},
	{"bond_set_xmit_hash_policy", m_bond_set_policy},
	{"bond_show", m_bond_show},
	{"bond_slave_show", m_bond_slave_show},
	{"bond_xstats", m_bond_xstats},
	{"bond_slave_xstats", m_bond_slave_xstats},
	{NULL, NULL},
};

/* ---------------------------------------------------- restore at probe */

static int
snic_restore_one(struct snic_switch *sw, json_t *e, char *err, size_t errlen)
{
	const char *name = NULL, *mode = NULL, *policy = NULL, *primary = NULL;
	json_t *slaves = NULL, *v;
	struct snic_bond *b;
	size_t i;
	int rc;

	if (json_unpack_ex(e, NULL, JSON_STRICT, "{s:s, s?s, s?s, s?o, s?o}",
			   "name", &name, "mode", &mode, "xmit_hash_policy",
			   &policy, "primary", &v, "slaves", &slaves) != 0)
		return snic_errf(err, errlen, -EINVAL, "a bond entry needs "
				 "\"name\" and only \"mode\", "
				 "\"xmit_hash_policy\", \"primary\" (string or "
				 "null), \"slaves\" (array)");
	v = json_object_get(e, "primary");
	primary = json_string_value(v);
	if ((v != NULL && !json_is_null(v) && primary == NULL) ||
	    (slaves != NULL && !json_is_array(slaves)))
		return snic_errf(err, errlen, -EINVAL, "bond %s: \"primary\" "
				 "must be a string or null, \"slaves\" an "
				 "array", name);
	rc = snic_bond_add_locked(sw, name, mode, err, errlen);
	b = rc == 0 ? snic_bond_find(sw->bonding, name) : NULL;
	if (rc == 0 && policy != NULL)
		rc = snic_bond_set_policy_locked(sw, b, policy, err, errlen);
	json_array_foreach(slaves, i, v) {
		struct snic_phys *ph;

		if (rc != 0)
			break;
		if (!json_is_string(v))
			return snic_errf(err, errlen, -EINVAL, "bond %s: "
					 "slaves[%zu] must be a string", name, i);
		ph = snic_phys_lookup(sw, json_string_value(v), err, errlen);
		rc = ph == NULL ? -ENODEV :
			snic_bond_set_master_locked(sw, ph, b, err, errlen);
	}
	if (rc == 0 && primary != NULL) {
		struct snic_phys *ph = snic_phys_lookup(sw, primary, err,
							errlen);

		rc = ph == NULL ? -ENODEV :
			snic_bond_set_primary_locked(sw, b, ph, err, errlen);
	}
	return rc;
}

/* Restore the bonds of the bond config (absent file: none). */
static int
snic_bond_restore(struct snic_switch *sw)
{
	struct snic_bonding *bg = sw->bonding;
	json_error_t jerr;
	json_t *root, *bonds = NULL, *e;
	char err[256] = "";
	size_t i;
	int rc = 0;

	if (access(bg->cfg_path, F_OK) != 0)
		return 0;
	root = json_load_file(bg->cfg_path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		SNIC_LOG(ERR, "bond config %s: %s (line %d)", bg->cfg_path,
			 jerr.text, jerr.line);
		return -EINVAL;
	}
	if (json_unpack_ex(root, NULL, JSON_STRICT, "{s:o}", "bonds",
			   &bonds) != 0 || !json_is_array(bonds)) {
		snprintf(err, sizeof(err), "the only key must be \"bonds\", "
			 "an array");
		rc = -EINVAL;
	}
	json_array_foreach(bonds, i, e) {
		if (rc != 0)
			break;
		rc = snic_restore_one(sw, e, err, sizeof(err));
	}
	if (rc != 0)
		SNIC_LOG(ERR, "bond config %s: %s", bg->cfg_path, err);
	json_decref(root);
	return rc;
}

/* ---------------------------------------------------- probe and close */

/* An ethdev by name or id. */
static int
snic_ethdev_lookup(const char *val, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (rte_eth_dev_get_port_by_name(val, port) == 0)
		return 0;
	v = strtoul(val, &end, 0);
	if (*val == '\0' || *end != '\0' || !rte_eth_dev_is_valid_port(v))
		return -ENODEV;
	*port = (uint16_t)v;
	return 0;
}

/* uplink= or a vf: an ethdev, a NIC port, a bond (uplink only), or vdev
 * devargs to probe (VFs only). */
static int
snic_resolve(struct snic_switch *sw, const char *val, bool uplink,
	     uint16_t *port)
{
	struct snic_bonding *bg = sw->bonding;
	struct snic_phys *ph = snic_phys_find(bg, val);
	struct snic_bond *b = snic_bond_find(bg, val);
	char err[256];
	bool created;
	int rc;

	if (snic_ethdev_lookup(val, port) == 0)
		return 0;
	if (ph != NULL) {
		if (ph->bond >= 0 || ph->in_use) {
			SNIC_LOG(ERR, "%s: %s is already used (%s)", sw->name,
				 val, ph->bond >= 0 ?
				 bg->bonds[ph->bond].name : "uplink or vf");
			return -EBUSY;
		}
		rc = snic_phys_create(bg, ph);
		ph->in_use = rc == 0;
		*port = ph->port_id;
		return rc;
	}
	if (uplink && b == NULL && strncmp(val, "bond", 4) == 0) {
		/* The uplink names a bond the config lacks: an empty one
		 * with the defaults (802.3ad, layer2), members come later. */
		rc = snic_bond_add_locked(sw, val, NULL, err, sizeof(err));
		if (rc != 0) {
			SNIC_LOG(ERR, "%s: uplink %s: %s", sw->name, val, err);
			return rc;
		}
		b = snic_bond_find(bg, val);
		rc = snic_bond_persist(sw, NULL, 0);
		if (rc != 0)
			return rc;
	}
	if (uplink && b != NULL) {
		bg->uplink = snic_bond_idx(bg, b);
		*port = b->port_id;
		return 0;
	}
	if (!uplink && strchr(val, ',') != NULL && bg->nb_vdevs <
	    RTE_DIM(bg->vdevs)) {
		rc = snic_vdev_probe(val, &created);
		if (rc >= 0 && created) {
			bg->vdevs[bg->nb_vdevs].port_id = rc;
			bg->vdevs[bg->nb_vdevs++].name = strndup(val,
				strcspn(val, ","));
		}
		if (rc >= 0)
			*port = rc;
		return rc < 0 ? rc : 0;
	}
	SNIC_LOG(ERR, "invalid devarg %s=%s: no such port (create it first), "
		 "NIC port%s", uplink ? "uplink" : "vf", val,
		 uplink ? " or bond" : " or vdev devargs");
	return -ENODEV;
}

int
snic_bond_setup(struct snic_switch *sw, const struct snic_initcfg *c,
		uint16_t phys[])
{
	struct snic_bonding *bg = calloc(1, sizeof(*bg));
	int rc;

	if (bg == NULL)
		return -ENOMEM;
	sw->bonding = bg;
	bg->uplink = -1;
	bg->sock = -1;
	strlcpy(bg->cfg_path, c->bond_cfg != NULL ? c->bond_cfg :
		SNIC_BOND_CFG_DEFAULT, sizeof(bg->cfg_path));
	for (uint16_t i = 0; i < c->nb_phys; i++) {
		struct snic_phys *ph = &bg->phys[bg->nb_phys++];

		strlcpy(ph->name, c->phys_name[i], sizeof(ph->name));
		ph->devargs = strdup(c->phys_args[i]);
		if (ph->devargs == NULL)
			return -ENOMEM;
		ph->port_id = -1;
		ph->bond = -1;
		snic_phys_ifname(ph);
	}
	rc = snic_bond_restore(sw);
	if (rc == 0)
		rc = snic_resolve(sw, c->uplink, true, &phys[0]);
	for (uint16_t i = 0; rc == 0 && i < c->nb_vf; i++)
		rc = snic_resolve(sw, c->vf[i], false, &phys[1 + i]);
	return rc;
}

int
snic_bond_attach(struct snic_switch *sw)
{
	struct snic_bonding *bg = sw->bonding;
	struct snic_port *p = snic_uplink(sw);
	bool monitor = false;

	if (rte_eth_dev_owner_get(sw->phys_id[0], &bg->owner) == 0 &&
	    bg->owner.id != RTE_ETH_DEV_NO_OWNER)
		bg->owner_valid = true;
	for (uint16_t i = 0; i < bg->nb_phys; i++) {
		if (bg->phys[i].port_id >= 0)
			snic_own(bg, bg->phys[i].port_id);
		monitor |= bg->phys[i].ifname[0] != '\0';
	}
	for (int i = 0; i < SNIC_MAX_BONDS; i++)
		if (bg->bonds[i].used)
			snic_own(bg, bg->bonds[i].port_id);
	if (bg->uplink >= 0 && p != NULL) {
		p->phys_paused = true; /* until dev_start has members */
		p->keepalive = bg->bonds[bg->uplink].mode ==
			BONDING_MODE_8023AD;
		if (rte_eth_dev_callback_register(bg->bonds[bg->uplink].port_id,
				RTE_ETH_EVENT_INTR_LSC, snic_bond_lsc, sw) == 0)
			bg->lsc_registered = true;
	}
	if (!monitor)
		return 0;
	bg->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (bg->sock < 0)
		return -errno;
	bg->mon_running = true;
	return rte_eal_alarm_set(SNIC_PHY_POLL_US, snic_phy_monitor, bg);
}

/* Remove a vdev the switch probed (its driver closes the ethdev), so a
 * later probe may create it again; the switch must not close it too. */
static void
snic_vdev_remove(struct snic_switch *sw, uint16_t port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	for (uint16_t i = 0; i < sw->nb_ports; i++)
		if (sw->phys_id[i] == port_id)
			sw->phys_owned[i] = false;
	if (rte_eth_dev_get_name_by_port(port_id, name) != 0)
		return;
	rte_eth_dev_stop(port_id);
	rte_vdev_uninit(name);
}

/* The switch is going away: bonds, then the ports it probed. The snic
 * ports are already stopped. */
void
snic_bond_fini(struct snic_switch *sw)
{
	struct snic_bonding *bg = sw->bonding;

	if (bg == NULL)
		return;
	__atomic_store_n(&bg->mon_running, false, __ATOMIC_RELEASE);
	rte_eal_alarm_cancel(snic_phy_monitor, bg);
	if (bg->lsc_registered)
		rte_eth_dev_callback_unregister(bg->bonds[bg->uplink].port_id,
			RTE_ETH_EVENT_INTR_LSC, snic_bond_lsc, sw);
	for (int i = 0; i < SNIC_MAX_BONDS; i++)
		if (bg->bonds[i].used) {
			if (i == bg->uplink)
				sw->phys_owned[0] = false; /* freed here */
			snic_bond_destroy(sw, &bg->bonds[i]);
		}
	for (uint16_t i = 0; i < bg->nb_phys; i++) {
		struct snic_phys *ph = &bg->phys[i];

		if (ph->port_id >= 0 && ph->created)
			snic_vdev_remove(sw, ph->port_id);
		free(ph->devargs);
	}
	for (uint16_t i = 0; i < bg->nb_vdevs; i++) {
		snic_vdev_remove(sw, bg->vdevs[i].port_id);
		free(bg->vdevs[i].name);
	}
	if (bg->sock >= 0)
		close(bg->sock);
	free(bg);
	sw->bonding = NULL;
}
