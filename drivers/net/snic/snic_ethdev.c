/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic probe, devargs and ethdev operations (N-1).
 *
 *   --vdev=net_ring0 --vdev=net_ring1 \
 *   --vdev=net_snic0,uplink=net_ring0,vf=net_ring1[,vf=...][,mode=inline]
 *
 * The underlying ports must exist before the snic vdev (vdevs probe in
 * command-line order). The PMD takes ownership of them, so applications
 * iterating with RTE_ETH_FOREACH_DEV see only the snic ports: the uplink,
 * named like the vdev ("net_snic0"), and one representor per VF,
 * "net_snic0_representor_<n>", all in one switch domain.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "snic.h"
#include "snic_agent.h"

RTE_LOG_REGISTER(snic_logtype, pmd.net.snic, NOTICE);

struct snic_switch_list snic_switches = TAILQ_HEAD_INITIALIZER(snic_switches);
pthread_mutex_t snic_list_lock = PTHREAD_MUTEX_INITIALIZER;

#define SNIC_ARG_UPLINK "uplink"
#define SNIC_ARG_VF "vf"
#define SNIC_ARG_MODE "mode"
#define SNIC_ARG_UPCALL "upcall_ring"
#define SNIC_ARG_MAX_RULES "max_rules"
#define SNIC_ARG_MBUFS "mbufs"
#define SNIC_ARG_CTL "ctl"
#define SNIC_ARG_INIT_CFG "init_cfg"
#define SNIC_ARG_BOND_CFG "bond_cfg"

static const char *const snic_valid_args[] = {
	SNIC_ARG_UPLINK, SNIC_ARG_VF, SNIC_ARG_MODE, SNIC_ARG_UPCALL,
	SNIC_ARG_MAX_RULES, SNIC_ARG_MBUFS, SNIC_ARG_CTL, SNIC_ARG_INIT_CFG,
	SNIC_ARG_BOND_CFG, NULL
};

struct snic_args {
	/* uplink, vf, mode, bond_cfg: devargs, then the init config (N-20)
	 * for what they left unset; resolved by snic_bond_setup(). */
	struct snic_initcfg cfg;
	char *init_cfg;
	uint16_t phys[SNIC_MAX_PORTS]; /* [0] uplink */
	uint32_t upcall_size;
	uint32_t max_rules;
	uint32_t mbufs;
	char ctl[108];                 /* agent socket; "" default */
};

static const struct eth_dev_ops snic_dev_ops;
static int snic_remove(struct rte_vdev_device *vdev);

/* ------------------------------------------------------------ devargs */

static int
snic_arg_u32(const char *val, uint32_t *out, uint32_t min, uint32_t max)
{
	char *end;
	unsigned long v = strtoul(val, &end, 0);

	if (*val == '\0' || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
snic_kv(const char *key, const char *val, void *opaque)
{
	struct snic_args *a = opaque;
	int rc = 0;

	if (strcmp(key, SNIC_ARG_UPLINK) == 0) {
		free(a->cfg.uplink);
		a->cfg.uplink = strdup(val);
	} else if (strcmp(key, SNIC_ARG_VF) == 0) {
		if (a->cfg.nb_vf + 1 >= SNIC_MAX_PORTS) {
			SNIC_LOG(ERR, "too many vf= (max %d)",
				 SNIC_MAX_PORTS - 1);
			return -E2BIG;
		}
		a->cfg.vf[a->cfg.nb_vf++] = strdup(val);
	} else if (strcmp(key, SNIC_ARG_MODE) == 0) {
		if (strcmp(val, "service") == 0)
			a->cfg.mode = 0;
		else if (strcmp(val, "inline") == 0)
			a->cfg.mode = 1;
		else
			rc = -EINVAL;
	} else if (strcmp(key, SNIC_ARG_INIT_CFG) == 0) {
		free(a->init_cfg);
		a->init_cfg = strdup(val);
	} else if (strcmp(key, SNIC_ARG_BOND_CFG) == 0) {
		free(a->cfg.bond_cfg);
		a->cfg.bond_cfg = strdup(val);
	} else if (strcmp(key, SNIC_ARG_UPCALL) == 0) {
		rc = snic_arg_u32(val, &a->upcall_size, 64, 1u << 20);
	} else if (strcmp(key, SNIC_ARG_MAX_RULES) == 0) {
		rc = snic_arg_u32(val, &a->max_rules, 1, 1u << 26);
	} else if (strcmp(key, SNIC_ARG_MBUFS) == 0) {
		rc = snic_arg_u32(val, &a->mbufs, 1023, 1u << 22);
	} else if (strcmp(key, SNIC_ARG_CTL) == 0) {
		/* sun_path holds 107 characters and the NUL. */
		if (*val == '\0' || strlcpy(a->ctl, val, sizeof(a->ctl)) >=
		    sizeof(a->ctl))
			rc = -EINVAL;
	}
	if (rc != 0)
		SNIC_LOG(ERR, "invalid devarg %s=%s", key, val);
	return rc;
}

static int
snic_args_parse(const char *params, struct snic_args *a)
{
	struct rte_kvargs *kv;
	int rc;

	memset(a, 0, sizeof(*a));
	a->cfg.mode = -1;
	a->upcall_size = 1024;
	a->max_rules = 1u << 22;
	a->mbufs = 8191;
	kv = rte_kvargs_parse(params ? params : "", snic_valid_args);
	if (kv == NULL) {
		SNIC_LOG(ERR, "cannot parse devargs \"%s\" (known: uplink, vf, "
			 "mode, upcall_ring, max_rules, mbufs, ctl, init_cfg, "
			 "bond_cfg)", params);
		return -EINVAL;
	}
	rc = rte_kvargs_process(kv, NULL, snic_kv, a);
	rte_kvargs_free(kv);
	/* N-20: init_cfg=<file>; a probe without any devargs (hot-plug by
	 * name, spec §8.4) reads $NICFLOW_SNIC_INIT_CFG or
	 * /etc/smart_nic_init.cfg. Devargs override the file. */
	if (rc == 0 && a->init_cfg != NULL)
		rc = snic_initcfg_load(a->init_cfg, &a->cfg);
	else if (rc == 0 && (params == NULL || *params == '\0') &&
		 access(snic_initcfg_path(), F_OK) == 0)
		rc = snic_initcfg_load(snic_initcfg_path(), &a->cfg);
	if (rc == 0 && a->ctl[0] == '\0' && a->cfg.ctl != NULL &&
	    strlcpy(a->ctl, a->cfg.ctl, sizeof(a->ctl)) >= sizeof(a->ctl)) {
		SNIC_LOG(ERR, "init config: \"ctl\" is too long");
		rc = -EINVAL;
	}
	if (rc == 0 && a->cfg.uplink == NULL) {
		SNIC_LOG(ERR, "devarg uplink=<port name or id> (or an init "
			 "config with \"uplink\") is required");
		rc = -EINVAL;
	}
	return rc < 0 ? rc : 0;
}

/* After snic_bond_setup() resolved the names into port ids. */
static int
snic_args_unique(const struct snic_args *a)
{
	for (uint16_t i = 0; i <= a->cfg.nb_vf; i++)
		for (uint16_t j = 0; j < i; j++)
			if (a->phys[i] == a->phys[j]) {
				SNIC_LOG(ERR, "port %u used twice", a->phys[i]);
				return -EINVAL;
			}
	return 0;
}

static void
snic_args_free(struct snic_args *a)
{
	snic_initcfg_free(&a->cfg);
	free(a->init_cfg);
	a->init_cfg = NULL;
}

/* ------------------------------------------------------------ lookup */

struct snic_port *
snic_port_by_ethdev(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops != &snic_dev_ops)
		return NULL;
	return dev->data->dev_private;
}

/* ------------------------------------------------------------ ops */

static int
snic_dev_configure(struct rte_eth_dev *dev)
{
	struct snic_port *p = dev->data->dev_private;

	if (dev->data->nb_rx_queues > SNIC_MAX_QUEUES ||
	    dev->data->nb_tx_queues > SNIC_MAX_QUEUES)
		return -EINVAL;
	p->nb_txq = dev->data->nb_tx_queues;
	return 0;
}

static int
snic_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct snic_port *p = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = 9600 + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = 9600;
	info->max_rx_queues = SNIC_MAX_QUEUES;
	info->max_tx_queues = SNIC_MAX_QUEUES;
	info->min_rx_bufsize = 0;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	/* Rules and handles survive stop/start; DPDK 22.11 has no flag for
	 * "create before start", which snic allows (docs/snic.md). */
	info->dev_capa = RTE_ETH_DEV_CAPA_FLOW_RULE_KEEP |
			 RTE_ETH_DEV_CAPA_FLOW_SHARED_OBJECT_KEEP;
	info->switch_info.name = p->sw->name;
	info->switch_info.domain_id = p->sw->domain_id;
	info->switch_info.port_id = p->index;
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->tx_desc_lim.nb_max = UINT16_MAX;
	return 0;
}

static int
snic_dev_start(struct rte_eth_dev *dev)
{
	struct snic_port *p = dev->data->dev_private;
	int rc;

	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		if (p->upcall[q] == NULL)
			return -EINVAL;
	if (snic_bond_is_uplink(p)) {
		/* A bond without members cannot start: the uplink then stays
		 * paused, link down, until the first member (N-18). */
		rc = snic_bond_uplink_start(p);
		if (rc != 0)
			return rc;
	} else if (!p->phys_started) {
		rc = rte_eth_dev_start(p->phys);
		if (rc != 0) {
			SNIC_LOG(ERR, "%s: underlying port %u: start failed: %s",
				 p->name, p->phys, rte_strerror(-rc));
			return rc;
		}
		p->phys_started = true;
	}
	p->nb_rxq = dev->data->nb_rx_queues;
	__atomic_store_n(&p->started, true, __ATOMIC_RELEASE);
	dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static void
snic_ring_drain(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

static int
snic_dev_stop(struct rte_eth_dev *dev)
{
	struct snic_port *p = dev->data->dev_private;

	__atomic_store_n(&p->started, false, __ATOMIC_RELEASE);
	/* After a grace period no datapath iteration uses the port. */
	rte_rcu_qsbr_synchronize(p->sw->rcu, RTE_QSBR_THRID_INVALID);
	if (snic_bond_is_uplink(p)) {
		snic_bond_uplink_stop(p);
	} else if (p->phys_started) {
		rte_eth_dev_stop(p->phys);
		p->phys_started = false;
	}
	snic_ring_drain(p->inject);
	for (uint16_t q = 0; q < SNIC_MAX_QUEUES; q++)
		snic_ring_drain(p->upcall[q]);
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
snic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct snic_port *p = dev->data->dev_private;
	struct snic_queue *q;
	char name[RTE_RING_NAMESIZE];

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	if (mp == NULL)
		return -EINVAL;
	if (p->upcall[qid] == NULL) {
		snprintf(name, sizeof(name), "snic_up_%u_%u", p->port_id, qid);
		p->upcall[qid] = rte_ring_create(name, p->sw->upcall_size,
			socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (p->upcall[qid] == NULL)
			return -rte_errno;
	}
	q = rte_zmalloc_socket("snic_rxq", sizeof(*q), 0, socket);
	if (q == NULL)
		return -ENOMEM;
	q->port = p;
	q->qid = qid;
	q->mp = mp;
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int
snic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct snic_port *p = dev->data->dev_private;
	struct snic_queue *q;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	q = rte_zmalloc_socket("snic_txq", sizeof(*q), 0, socket);
	if (q == NULL)
		return -ENOMEM;
	q->port = p;
	q->qid = qid;
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void
snic_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void
snic_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

static int
snic_link_update(struct rte_eth_dev *dev, int wait)
{
	struct snic_port *p = dev->data->dev_private;
	struct rte_eth_link l = {
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};

	RTE_SET_USED(wait);
	l.link_status = p->started ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	if (snic_bond_is_uplink(p))
		snic_bond_uplink_link(p, &l); /* the bond's link */
	return rte_eth_linkstatus_set(dev, &l);
}

static int
snic_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct snic_port *p = dev->data->dev_private;
	int rc = rte_eth_dev_set_mtu(p->phys, mtu);

	/* The underlying port may not know MTUs (ring, null): the NIC
	 * enforces the MTU itself on forwarded packets (N-15). */
	if (rc != 0 && rc != -ENOTSUP)
		SNIC_LOG(INFO, "%s: underlying port %u refused MTU %u: %s",
			 p->name, p->phys, mtu, rte_strerror(-rc));
	p->mtu = mtu;
	return 0;
}

static int
snic_noop(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

static int
snic_mac_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct snic_port *p = dev->data->dev_private;

	p->mac = *mac;
	return 0;
}

static int
snic_flow_ops_get(struct rte_eth_dev *dev, const struct rte_flow_ops **ops)
{
	RTE_SET_USED(dev);
	*ops = &snic_flow_ops;
	return 0;
}

static int
snic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct snic_port *p = dev->data->dev_private;

	for (uint16_t q = 0; q < SNIC_MAX_QUEUES; q++) {
		st->ipackets += p->app_rx_pkts[q];
		st->ibytes += p->app_rx_bytes[q];
		st->opackets += p->app_tx_pkts[q];
		st->obytes += p->app_tx_bytes[q];
		st->oerrors += p->app_tx_full[q];
		st->rx_nombuf += p->app_rx_nombuf[q];
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = p->app_rx_pkts[q];
			st->q_ibytes[q] = p->app_rx_bytes[q];
			st->q_opackets[q] = p->app_tx_pkts[q];
			st->q_obytes[q] = p->app_tx_bytes[q];
		}
	}
	st->imissed = p->dp.drop[SNIC_DROP_UPCALL_FULL];
	for (int i = 1; i < NF_PKT_ERR_MAX; i++)
		st->ierrors += p->dp.malformed[i];
	return 0;
}

static int
snic_stats_reset(struct rte_eth_dev *dev)
{
	struct snic_port *p = dev->data->dev_private;

	memset(p->app_rx_pkts, 0, sizeof(p->app_rx_pkts));
	memset(p->app_rx_bytes, 0, sizeof(p->app_rx_bytes));
	memset(p->app_tx_pkts, 0, sizeof(p->app_tx_pkts));
	memset(p->app_tx_bytes, 0, sizeof(p->app_tx_bytes));
	memset(p->app_tx_full, 0, sizeof(p->app_tx_full));
	memset(p->app_rx_nombuf, 0, sizeof(p->app_rx_nombuf));
	return 0;
}

/* Extended statistics: the NIC's own view of the port (as ingress). */
static const char *const snic_miss_names[SNIC_MISS_MAX] = {
	"miss_not_offloadable", "miss_no_rule", "miss_acl_upcall",
	"miss_mtu", "miss_ttl", "miss_tunnel_dst",
};
static const char *const snic_drop_names[SNIC_DROP_MAX] = {
	"drop_rule", "drop_upcall_full", "drop_tx_full", "drop_no_headroom",
	"drop_no_mbuf", "drop_port_down", "drop_meter_red",
};
#define SNIC_XS_FIXED 5
#define SNIC_XS_N (SNIC_XS_FIXED + (NF_PKT_ERR_MAX - 1) + SNIC_MISS_MAX + \
		   SNIC_DROP_MAX)

static int
snic_xstats_get_names(struct rte_eth_dev *dev,
		      struct rte_eth_xstat_name *names, unsigned int size)
{
	static const char *const fixed[SNIC_XS_FIXED] = {
		"nic_rx_packets", "nic_rx_bytes", "nic_hw_forwarded",
		"nic_tx_packets", "nic_tx_bytes",
	};
	unsigned int n = 0;

	RTE_SET_USED(dev);
	if (names == NULL || size < SNIC_XS_N)
		return SNIC_XS_N;
	for (int i = 0; i < SNIC_XS_FIXED; i++)
		strlcpy(names[n++].name, fixed[i], sizeof(names->name));
	for (int i = 1; i < NF_PKT_ERR_MAX; i++)
		snprintf(names[n++].name, sizeof(names->name), "malformed_%s",
			 nf_pkt_err_name(i));
	for (int i = 0; i < SNIC_MISS_MAX; i++)
		strlcpy(names[n++].name, snic_miss_names[i],
			sizeof(names->name));
	for (int i = 0; i < SNIC_DROP_MAX; i++)
		strlcpy(names[n++].name, snic_drop_names[i],
			sizeof(names->name));
	return n;
}

static int
snic_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		unsigned int size)
{
	struct snic_port *p = dev->data->dev_private;
	const uint64_t *d = (const uint64_t *)&p->dp;
	const uint64_t *b = (const uint64_t *)&p->dp_base;
	unsigned int n = 0;

	if (xs == NULL || size < SNIC_XS_N)
		return SNIC_XS_N;
	/* The counters are written by the datapath only; a reset records a
	 * base to subtract instead of racing it with a write. Names follow
	 * the field order of struct snic_port_dp_stats (malformed[0] is
	 * NF_PKT_OK and not reported). */
	for (unsigned int i = 0; i < SNIC_XS_FIXED; i++)
		xs[n++].value = __atomic_load_n(&d[i], __ATOMIC_RELAXED) - b[i];
	for (unsigned int i = SNIC_XS_FIXED + 1;
	     i < sizeof(p->dp) / sizeof(uint64_t); i++)
		xs[n++].value = __atomic_load_n(&d[i], __ATOMIC_RELAXED) - b[i];
	for (unsigned int i = 0; i < n; i++)
		xs[i].id = i;
	return n;
}

static int
snic_xstats_reset(struct rte_eth_dev *dev)
{
	struct snic_port *p = dev->data->dev_private;
	const uint64_t *d = (const uint64_t *)&p->dp;
	uint64_t *b = (uint64_t *)&p->dp_base;

	for (unsigned int i = 0; i < sizeof(p->dp) / sizeof(uint64_t); i++)
		b[i] = __atomic_load_n(&d[i], __ATOMIC_RELAXED);
	return 0;
}

static void snic_switch_free(struct snic_switch *sw);

static int
snic_dev_close(struct rte_eth_dev *dev)
{
	struct snic_port *p = dev->data->dev_private;
	struct snic_switch *sw = p->sw;
	bool last = true;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	if (p->started)
		snic_dev_stop(dev);
	snic_flow_flush_port(p);
	pthread_mutex_lock(&sw->lock);
	__atomic_store_n(&sw->ports[p->index], NULL, __ATOMIC_RELEASE);
	for (uint16_t i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] != NULL)
			last = false;
	pthread_mutex_unlock(&sw->lock);
	snic_rcu_sync(sw);
	snic_mtr_port_free(p);
	for (uint16_t q = 0; q < SNIC_MAX_QUEUES; q++)
		rte_ring_free(p->upcall[q]);
	rte_ring_free(p->inject);
	if (last)
		snic_switch_free(sw);
	return 0;
}

static const struct eth_dev_ops snic_dev_ops = {
	.dev_configure = snic_dev_configure,
	.dev_start = snic_dev_start,
	.dev_stop = snic_dev_stop,
	.dev_close = snic_dev_close,
	.dev_infos_get = snic_dev_infos_get,
	.link_update = snic_link_update,
	.promiscuous_enable = snic_noop,
	.promiscuous_disable = snic_noop,
	.allmulticast_enable = snic_noop,
	.allmulticast_disable = snic_noop,
	.mac_addr_set = snic_mac_set,
	.mtu_set = snic_mtu_set,
	.stats_get = snic_stats_get,
	.stats_reset = snic_stats_reset,
	.xstats_get = snic_xstats_get,
	.xstats_get_names = snic_xstats_get_names,
	.xstats_reset = snic_xstats_reset,
	.rx_queue_setup = snic_rx_queue_setup,
	.tx_queue_setup = snic_tx_queue_setup,
	.rx_queue_release = snic_rx_queue_release,
	.tx_queue_release = snic_tx_queue_release,
	.flow_ops_get = snic_flow_ops_get,
	.mtr_ops_get = snic_mtr_ops_get,
};


/* ------------------------------------------------------------ probe */

static int
snic_phys_setup(struct snic_switch *sw, uint16_t phys)
{
	struct rte_eth_conf conf = {0};
	uint16_t nrx = 1024, ntx = 1024;
	int socket = rte_eth_dev_socket_id(phys);
	int rc;

	if (socket < 0)
		socket = (int)rte_socket_id();
	rc = rte_eth_dev_configure(phys, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(phys, &nrx, &ntx);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(phys, 0, nrx, socket, NULL,
					    sw->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(phys, 0, ntx, socket, NULL);
	if (rc != 0) {
		SNIC_LOG(ERR, "%s: cannot set up underlying port %u: %s",
			 sw->name, phys, rte_strerror(-rc));
		return rc;
	}
	/* The NIC switches every frame it receives. */
	rte_eth_promiscuous_enable(phys);
	return 0;
}

static struct snic_port *
snic_port_create(struct rte_vdev_device *vdev, struct snic_switch *sw,
		 uint16_t index, uint16_t phys)
{
	char name[RTE_ETH_NAME_MAX_LEN], rname[RTE_RING_NAMESIZE];
	struct rte_eth_dev *dev;
	struct snic_port *p;

	if (index == 0)
		strlcpy(name, sw->name, sizeof(name));
	else
		snprintf(name, sizeof(name), "%.40s_representor_%u", sw->name,
			 index - 1);
	dev = rte_eth_dev_allocate(name);
	if (dev == NULL)
		return NULL;
	p = rte_zmalloc_socket(name, sizeof(*p), RTE_CACHE_LINE_SIZE,
			       vdev->device.numa_node);
	dev->data->mac_addrs = rte_zmalloc(name, sizeof(struct rte_ether_addr),
					   0);
	snprintf(rname, sizeof(rname), "snic_inj_%u", dev->data->port_id);
	if (p != NULL)
		p->inject = rte_ring_create(rname, sw->upcall_size,
			vdev->device.numa_node, RING_F_SC_DEQ);
	if (p == NULL || dev->data->mac_addrs == NULL || p->inject == NULL) {
		if (p != NULL)
			rte_ring_free(p->inject);
		rte_free(p);
		rte_eth_dev_release_port(dev);
		return NULL;
	}
	strlcpy(p->name, name, sizeof(p->name));
	p->sw = sw;
	p->dev = dev;
	p->port_id = dev->data->port_id;
	p->index = index;
	p->phys = phys;
	p->is_uplink = index == 0;
	p->mtu = RTE_ETHER_MTU;
	TAILQ_INIT(&p->flows);
	if (rte_eth_macaddr_get(phys, &p->mac) != 0 ||
	    rte_is_zero_ether_addr(&p->mac))
		rte_eth_random_addr(p->mac.addr_bytes);
	*dev->data->mac_addrs = p->mac;
	dev->device = &vdev->device;
	dev->dev_ops = &snic_dev_ops;
	dev->rx_pkt_burst = snic_rx_burst;
	dev->tx_pkt_burst = snic_tx_burst;
	dev->data->dev_private = p;
	dev->data->mtu = RTE_ETHER_MTU;
	if (index > 0) {
		dev->data->dev_flags |= RTE_ETH_DEV_REPRESENTOR;
		dev->data->representor_id = index - 1;
		dev->data->backer_port_id = sw->ports[0]->port_id;
	}
	sw->ports[index] = p;
	rte_eth_dev_probing_finish(dev);
	return p;
}

static int
snic_service_setup(struct snic_switch *sw, int mode)
{
	struct rte_service_spec spec = {0};
	uint32_t lcores[RTE_MAX_LCORE];
	int n;

	snprintf(spec.name, sizeof(spec.name), "snic_%.24s", sw->name);
	spec.callback = snic_nic_iter;
	spec.callback_userdata = sw;
	spec.socket_id = (int)rte_socket_id();
	/* No RTE_SERVICE_CAP_MT_SAFE: one thread at a time runs the NIC. */
	if (rte_service_component_register(&spec, &sw->service_id) != 0)
		return -ENOSPC;
	sw->service_registered = true;
	rte_service_component_runstate_set(sw->service_id, 1);
	rte_service_runstate_set(sw->service_id, 1);
	n = rte_service_lcore_list(lcores, RTE_MAX_LCORE);
	if (mode == 1 || (mode == -1 && n <= 0)) {
		sw->inline_mode = true;
		SNIC_LOG(INFO, "%s: datapath inline in rx/tx burst", sw->name);
		return 0;
	}
	if (n <= 0) {
		SNIC_LOG(ERR, "%s: mode=service needs a service lcore (EAL -s)",
			 sw->name);
		return -EINVAL;
	}
	rte_service_map_lcore_set(sw->service_id, lcores[0], 1);
	n = rte_service_lcore_start(lcores[0]);
	if (n != 0 && n != -EALREADY)
		return n;
	SNIC_LOG(INFO, "%s: datapath on service lcore %u", sw->name,
		 lcores[0]);
	return 0;
}

static void
snic_switch_free(struct snic_switch *sw)
{
	uint32_t lcores[RTE_MAX_LCORE];
	int n;

	/* First: the agent's methods use the switch. */
	snic_agent_stop(sw);
	pthread_mutex_lock(&snic_list_lock);
	if (sw->next.tqe_prev != NULL)
		TAILQ_REMOVE(&snic_switches, sw, next);
	pthread_mutex_unlock(&snic_list_lock);
	if (sw->service_registered) {
		rte_service_runstate_set(sw->service_id, 0);
		rte_service_component_runstate_set(sw->service_id, 0);
		for (int i = 0; i < 100000 &&
		     rte_service_may_be_active(sw->service_id) == 1; i++)
			rte_delay_us_sleep(10);
		n = rte_service_lcore_list(lcores, RTE_MAX_LCORE);
		for (int i = 0; i < n; i++)
			rte_service_map_lcore_set(sw->service_id, lcores[i], 0);
		rte_service_component_unregister(sw->service_id);
	}
	for (int i = 0; i < RTE_PMD_SNIC_MAX_HANDLES; i++)
		free(sw->handles[i]);
	if (sw->rcu != NULL)
		snic_rcu_fini(sw);
	snic_tunnel_fini(sw);
	snic_tbl_fini(sw);
	snic_slab_put(); /* after the deferred rule frees */
	snic_bond_fini(sw); /* before the ports: it frees bonds first */
	for (uint16_t i = 0; i < sw->nb_ports; i++)
		if (sw->phys_owned[i]) {
			rte_eth_dev_stop(sw->phys_id[i]);
			rte_eth_dev_close(sw->phys_id[i]);
		}
	if (sw->domain_id != RTE_ETH_DEV_SWITCH_DOMAIN_ID_INVALID)
		rte_eth_switch_domain_free(sw->domain_id);
	rte_mempool_free(sw->pool);
	pthread_mutex_destroy(&sw->lock);
	free(sw);
}

static int
snic_tag_dynfield_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = RTE_PMD_SNIC_TAG_DYNFIELD_NAME,
		.size = sizeof(uint32_t),
		.align = __alignof__(uint32_t),
	};
	int off = rte_mbuf_dynfield_register_offset(&desc,
						   RTE_PMD_SNIC_TAG_OFFSET);

	if (off != (int)RTE_PMD_SNIC_TAG_OFFSET) {
		SNIC_LOG(ERR, "mbuf dynfield1[8] is taken: cannot deliver "
			 "tags (N-10)");
		return -EEXIST;
	}
	return 0;
}

static int
snic_switch_ports(struct rte_vdev_device *vdev, struct snic_switch *sw,
		  const struct snic_args *a)
{
	struct rte_eth_dev_owner owner = {0};
	int rc;

	if (rte_eth_dev_owner_new(&owner.id) != 0)
		return -ENOSPC;
	strlcpy(owner.name, sw->name, sizeof(owner.name));
	for (uint16_t i = 0; i <= a->cfg.nb_vf; i++) {
		rc = rte_eth_dev_owner_set(a->phys[i], &owner);
		if (rc != 0) {
			SNIC_LOG(ERR, "%s: port %u is already owned (used by "
				 "another snic?)", sw->name, a->phys[i]);
			return rc;
		}
		sw->phys_id[i] = a->phys[i];
		sw->phys_owned[i] = true;
		sw->nb_ports = i + 1;
		rc = snic_phys_setup(sw, a->phys[i]);
		if (rc != 0)
			return rc;
	}
	for (uint16_t i = 0; i <= a->cfg.nb_vf; i++)
		if (snic_port_create(vdev, sw, i, a->phys[i]) == NULL) {
			SNIC_LOG(ERR, "%s: cannot create port %u", sw->name, i);
			return -ENOMEM;
		}
	return 0;
}

static int
snic_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct snic_args a;
	struct snic_switch *sw;
	char pname[RTE_MEMPOOL_NAMESIZE];
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		SNIC_LOG(ERR, "%s: secondary processes are not supported",
			 name);
		return -ENOTSUP;
	}
	rc = snic_args_parse(rte_vdev_device_args(vdev), &a);
	if (rc == 0)
		rc = snic_tag_dynfield_register();
	sw = rc == 0 ? calloc(1, sizeof(*sw)) : NULL;
	if (sw == NULL) {
		snic_args_free(&a);
		return rc != 0 ? rc : -ENOMEM;
	}
	strlcpy(sw->name, name, sizeof(sw->name));
	pthread_mutex_init(&sw->lock, NULL);
	sw->domain_id = RTE_ETH_DEV_SWITCH_DOMAIN_ID_INVALID;
	sw->upcall_size = rte_align32pow2(a.upcall_size);
	sw->max_rules = a.max_rules;
	strlcpy(sw->ctl_path, a.ctl, sizeof(sw->ctl_path));
	snprintf(pname, sizeof(pname), "snic_mp_%.16s", name);
	sw->pool = rte_pktmbuf_pool_create(pname, a.mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, vdev->device.numa_node);
	snic_slab_get();
	rc = sw->pool == NULL ? -rte_errno : snic_rcu_init(sw);
	if (rc == 0)
		rc = rte_eth_switch_domain_alloc(&sw->domain_id);
	if (rc == 0)
		rc = snic_bond_setup(sw, &a.cfg, a.phys);
	if (rc == 0)
		rc = snic_args_unique(&a);
	if (rc == 0)
		rc = snic_switch_ports(vdev, sw, &a);
	if (rc == 0)
		rc = snic_bond_attach(sw);
	if (rc == 0)
		rc = snic_service_setup(sw, a.cfg.mode);
	snic_args_free(&a);
	if (rc != 0) {
		SNIC_LOG(ERR, "%s: probe failed: %s", name, rte_strerror(-rc));
		for (uint16_t i = 0; i < sw->nb_ports; i++)
			if (sw->ports[i] != NULL)
				rte_eth_dev_release_port(sw->ports[i]->dev);
		snic_switch_free(sw);
		return rc;
	}
	pthread_mutex_lock(&snic_list_lock);
	TAILQ_INSERT_TAIL(&snic_switches, sw, next);
	pthread_mutex_unlock(&snic_list_lock);
	/* An agent asked for by name must start; the default one is best
	 * effort (several processes may build switches of the same name). */
	rc = snic_agent_start(sw, sw->ctl_path[0] != '\0' ? sw->ctl_path :
			      NULL);
	if (rc != 0 && sw->ctl_path[0] != '\0') {
		snic_remove(vdev);
		return rc;
	}
	SNIC_LOG(INFO, "%s: switch domain %u, uplink port %u, %u representors",
		 name, sw->domain_id, sw->ports[0]->port_id, sw->nb_ports - 1);
	return 0;
}

static int
snic_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct snic_switch *sw, *found = NULL;
	uint16_t ids[SNIC_MAX_PORTS], n = 0;

	pthread_mutex_lock(&snic_list_lock);
	TAILQ_FOREACH(sw, &snic_switches, next)
		if (strcmp(sw->name, name) == 0)
			found = sw;
	if (found != NULL)
		for (uint16_t i = 0; i < found->nb_ports; i++)
			if (found->ports[i] != NULL)
				ids[n++] = found->ports[i]->port_id;
	pthread_mutex_unlock(&snic_list_lock);
	if (found == NULL)
		return 0;
	/* The last close frees the switch. */
	for (uint16_t i = 0; i < n; i++) {
		rte_eth_dev_stop(ids[i]);
		rte_eth_dev_close(ids[i]);
	}
	return 0;
}

static struct rte_vdev_driver snic_vdev_drv = {
	.probe = snic_probe,
	.remove = snic_remove,
};

RTE_PMD_REGISTER_VDEV(net_snic, snic_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_snic,
	"uplink=<port name|id> vf=<port name|id> (repeatable) "
	"mode=service|inline upcall_ring=<n> max_rules=<n> mbufs=<n> "
	"ctl=<agent socket path|none> init_cfg=<path> bond_cfg=<path>");
