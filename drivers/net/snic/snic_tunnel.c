/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Tunnel configuration (spec §8.3, N-17): rte_flow_tunnel_decap_set() tells
 * the NIC which VXLAN packets are addressed to this node, i.e. which ones a
 * VXLAN_DECAP rule may decapsulate.
 *
 * Model:
 *  - Each decap_set call with a VXLAN tunnel names one local endpoint: an
 *    IPv4 or IPv6 destination address (0.0.0.0 / :: = any local address,
 *    which is what testpmd's "flow tunnel create" passes) and UDP 4789.
 *    Endpoints are reference counted: the same address twice is one
 *    endpoint; rte_flow_tunnel_action_decap_release() drops a reference and
 *    the last one removes it.
 *  - While at least one endpoint is configured, VXLAN_DECAP applies only to
 *    packets whose outer destination is one of them; any other VXLAN packet
 *    hitting a decap rule misses to software unchanged (xstat
 *    miss_tunnel_dst). With none configured, decap rules apply to any
 *    destination, as on NICs without this API (documented in docs/snic.md).
 *  - decap_set returns one PMD action (RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET)
 *    and tunnel_match one PMD item (RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL) for the
 *    application to put in front of its rule, as the DPDK tunnel offload
 *    API prescribes. Rules accept them; the restriction itself is switch
 *    wide, so a rule without them is restricted the same way.
 *  - Misses are never decapsulated here (N-2), so get_restore_info has
 *    nothing to restore: it reports no flags.
 *
 * The datapath reads the endpoint set through an RCU-published immutable
 * snapshot (sw->tun), replaced under sw->lock.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <ethdev_driver.h>
#include <rte_ip.h>

#include "snic.h"

#define SNIC_TUN_PMD_MAGIC 0x534e5455u

/* What decap_set / tunnel_match hand out: the array the application sees
 * first, then what release needs to find the endpoint again. */
struct snic_tun_pmd_actions {
	struct rte_flow_action act[1];
	uint32_t magic;
	struct snic_tunnel_ep ep;
};

struct snic_tun_pmd_items {
	struct rte_flow_item item[1];
	uint32_t magic;
	struct snic_tunnel_ep ep;
};

static int
snic_tun_ep_from(const struct rte_flow_tunnel *t, struct snic_tunnel_ep *ep,
		 struct rte_flow_error *err)
{
	if (t == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: no tunnel given");
	if (t->type != RTE_FLOW_ITEM_TYPE_VXLAN)
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 t, "tunnel: type %d is not supported: only VXLAN (N-17)",
				 (int)t->type);
	if (t->tp_dst != 0 && t->tp_dst != RTE_BE16(NF_VXLAN_PORT))
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 t, "tunnel: UDP destination port %u is not supported: VXLAN uses %u",
				 rte_be_to_cpu_16(t->tp_dst), NF_VXLAN_PORT);
	memset(ep, 0, sizeof(*ep));
	ep->v6 = t->is_ipv6;
	if (t->is_ipv6)
		memcpy(ep->addr, t->ipv6.dst_addr, 16);
	else
		memcpy(ep->addr, &t->ipv4.dst_addr, 4);
	return 0;
}

static bool
snic_is_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

static bool
snic_tun_ep_eq(const struct snic_tunnel_ep *a, const struct snic_tunnel_ep *b)
{
	return a->v6 == b->v6 && memcmp(a->addr, b->addr, 16) == 0;
}

/* Publish the endpoints with refcnt > 0 as the datapath's snapshot. */
static int
snic_tun_publish(struct snic_switch *sw)
{
	struct snic_tunnel_set *old = sw->tun, *ns = NULL;
	uint32_t n = 0;

	for (uint32_t i = 0; i < SNIC_MAX_TUNNEL_EP; i++)
		n += sw->tun_ref[i] > 0;
	if (n > 0) {
		ns = calloc(1, sizeof(*ns));
		if (ns == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < SNIC_MAX_TUNNEL_EP; i++) {
			if (sw->tun_ref[i] == 0)
				continue;
			if (sw->tun_ep[i].v6)
				ns->any6 |= snic_is_zero(sw->tun_ep[i].addr, 16);
			else
				ns->any4 |= snic_is_zero(sw->tun_ep[i].addr, 4);
			ns->ep[ns->n++] = sw->tun_ep[i];
		}
	}
	__atomic_store_n(&sw->tun, ns, __ATOMIC_RELEASE);
	if (old != NULL)
		snic_defer_free(sw, old);
	return 0;
}

/* Take (add > 0) or drop a reference on ep. Caller holds sw->lock. */
static int
snic_tun_ref(struct snic_switch *sw, const struct snic_tunnel_ep *ep, int add,
	     struct rte_flow_error *err)
{
	int free_slot = -1;

	for (int i = 0; i < SNIC_MAX_TUNNEL_EP; i++) {
		if (sw->tun_ref[i] == 0) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (!snic_tun_ep_eq(&sw->tun_ep[i], ep))
			continue;
		if (add > 0) {
			sw->tun_ref[i]++;
			return 0;
		}
		if (--sw->tun_ref[i] == 0 && snic_tun_publish(sw) != 0) {
			sw->tun_ref[i]++;
			return snic_err(err, ENOMEM,
					 RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
					 "tunnel: out of memory");
		}
		return 0;
	}
	if (add <= 0)
		return snic_err(err, ENOENT, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: endpoint is not configured");
	if (free_slot < 0)
		return snic_err(err, ENOSPC, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: all %u local endpoints are in use",
				 SNIC_MAX_TUNNEL_EP);
	sw->tun_ep[free_slot] = *ep;
	sw->tun_ref[free_slot] = 1;
	if (snic_tun_publish(sw) != 0) {
		sw->tun_ref[free_slot] = 0;
		return snic_err(err, ENOMEM, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: out of memory");
	}
	return 0;
}

int
snic_tunnel_decap_set(struct rte_eth_dev *dev, struct rte_flow_tunnel *tunnel,
		      struct rte_flow_action **pmd_actions,
		      uint32_t *num_of_actions, struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	struct snic_switch *sw = port->sw;
	struct snic_tun_pmd_actions *pa;
	struct snic_tunnel_ep ep;
	int rc;

	rc = snic_tun_ep_from(tunnel, &ep, err);
	if (rc != 0)
		return rc;
	if (pmd_actions == NULL || num_of_actions == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: no place to return the actions");
	pa = calloc(1, sizeof(*pa));
	if (pa == NULL)
		return snic_err(err, ENOMEM, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: out of memory");
	pa->magic = SNIC_TUN_PMD_MAGIC;
	pa->ep = ep;
	pa->act[0].type = RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET;
	pa->act[0].conf = &pa->ep;
	pthread_mutex_lock(&sw->lock);
	rc = snic_tun_ref(sw, &ep, 1, err);
	pthread_mutex_unlock(&sw->lock);
	if (rc != 0) {
		free(pa);
		return rc;
	}
	*pmd_actions = pa->act;
	*num_of_actions = 1;
	return 0;
}

int
snic_tunnel_action_decap_release(struct rte_eth_dev *dev,
				 struct rte_flow_action *pmd_actions,
				 uint32_t num_of_actions,
				 struct rte_flow_error *err)
{
	struct snic_port *port = dev->data->dev_private;
	struct snic_tun_pmd_actions *pa = (struct snic_tun_pmd_actions *)
		(void *)pmd_actions;
	int rc;

	if (pa == NULL || num_of_actions != 1 ||
	    pa->magic != SNIC_TUN_PMD_MAGIC)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				 pmd_actions, "tunnel: these actions were not returned by rte_flow_tunnel_decap_set on this port");
	pthread_mutex_lock(&port->sw->lock);
	rc = snic_tun_ref(port->sw, &pa->ep, -1, err);
	pthread_mutex_unlock(&port->sw->lock);
	if (rc == 0) {
		pa->magic = 0;
		free(pa);
	}
	return rc;
}

int
snic_tunnel_match(struct rte_eth_dev *dev, struct rte_flow_tunnel *tunnel,
		  struct rte_flow_item **pmd_items, uint32_t *num_of_items,
		  struct rte_flow_error *err)
{
	struct snic_tun_pmd_items *pi;
	struct snic_tunnel_ep ep;
	int rc;

	RTE_SET_USED(dev);
	rc = snic_tun_ep_from(tunnel, &ep, err);
	if (rc != 0)
		return rc;
	if (pmd_items == NULL || num_of_items == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: no place to return the items");
	pi = calloc(1, sizeof(*pi));
	if (pi == NULL)
		return snic_err(err, ENOMEM, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: out of memory");
	pi->magic = SNIC_TUN_PMD_MAGIC;
	pi->ep = ep;
	pi->item[0].type = RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL;
	pi->item[0].spec = &pi->ep;
	*pmd_items = pi->item;
	*num_of_items = 1;
	return 0;
}

int
snic_tunnel_item_release(struct rte_eth_dev *dev,
			 struct rte_flow_item *pmd_items,
			 uint32_t num_of_items, struct rte_flow_error *err)
{
	struct snic_tun_pmd_items *pi = (struct snic_tun_pmd_items *)
		(void *)pmd_items;

	RTE_SET_USED(dev);
	if (pi == NULL || num_of_items != 1 ||
	    pi->magic != SNIC_TUN_PMD_MAGIC)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM,
				 pmd_items, "tunnel: these items were not returned by rte_flow_tunnel_match on this port");
	pi->magic = 0;
	free(pi);
	return 0;
}

int
snic_tunnel_get_restore_info(struct rte_eth_dev *dev, struct rte_mbuf *m,
			     struct rte_flow_restore_info *info,
			     struct rte_flow_error *err)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(m);
	if (info == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				 NULL, "tunnel: no restore info buffer");
	/* Upcalls arrive as received, outer headers included (N-2). */
	memset(info, 0, sizeof(*info));
	return 0;
}

int
snic_tunnel_pmd_check(const struct snic_port *port, const void *conf,
		      const void *cause, struct rte_flow_error *err)
{
	const struct snic_tunnel_set *s = port->sw->tun;

	if (conf == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				 cause, "SNIC_TUNNEL_SET: missing configuration (use the actions rte_flow_tunnel_decap_set returns)");
	/* The configuration is the endpoint itself (struct snic_tunnel_ep):
	 * compared by value, so a stale pointer to a copy is not trusted. */
	if (s != NULL)
		for (uint32_t i = 0; i < s->n; i++)
			if (snic_tun_ep_eq(&s->ep[i], conf))
				return 0;
	return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF, cause,
			 "SNIC_TUNNEL_SET: not a configured tunnel endpoint of this switch (released?)");
}

void
snic_tunnel_fini(struct snic_switch *sw)
{
	free(sw->tun);
	sw->tun = NULL;
	memset(sw->tun_ref, 0, sizeof(sw->tun_ref));
}

