/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef RTE_PMD_SNIC_H
#define RTE_PMD_SNIC_H

/**
 * @file
 * net_snic — a smart NIC in software: public extensions.
 *
 * What: net_snic is a DPDK PMD that behaves like a smart NIC with an
 * embedded switch (eswitch): one uplink port and one representor per VF,
 * all in one switch domain, each backed by an underlying DPDK port (ring,
 * tap, af_packet, af_xdp, vhost, pcap, null, bonding). It implements the
 * rte_flow offload interface of the IT-cloud smart-NIC specification. This
 * header holds what standard DPDK headers lack and the spec adds:
 *   - the flow type carried in the top two bits of rte_flow_attr.reserved
 *     (0 exact-match forwarding table, 3 ACL table) — spec §7.1, N-4;
 *   - custom items OUTER_IPV4 / OUTER_IPV6 (match a VXLAN packet's outer
 *     addresses) — spec §7.1.4, N-5;
 *   - the custom MODIFY_FIELD field VXLAN_RSVD0 ("colouring") — N-6;
 *   - the UPCALL action for ACL rules (send to software) — N-9;
 *   - where an upcalled packet carries its tag (mbuf dynfield1[8]) — N-10;
 *   - the flow dump API rte_flow_dump_start/next/done — spec §8.7, N-13;
 *   - the direction of a port meter in the top two bits of an rte_mtr
 *     mtr_id (RTE_PMD_SNIC_MTR_ID) — spec §8(二), N-16.
 *
 * Design: see docs/snic.md. Packets are switched by the NIC's own lcore (a
 * DPDK service) or, without a service lcore, inline in rx_burst/tx_burst.
 * Rules live in a tuple-space forwarding table (one rte_hash per distinct
 * mask and priority) and in per-port ACL arrays; readers never lock and
 * removed rules are freed after an RCU grace period.
 *
 * Thread-safety: every function here may be called from any control thread
 * concurrently with the datapath. The dump context is owned by its caller.
 *
 * Usage:
 *   struct rte_flow_attr attr = { .ingress = 1 };
 *   rte_pmd_snic_flow_type_set(&attr, RTE_PMD_SNIC_FLOW_TYPE_ACL);
 *   rte_flow_create(port, &attr, pattern, actions, &err);
 *
 *   void *ctx; uint32_t n;
 *   const struct rte_flow_item *pat[16]; const struct rte_flow_action *act[16];
 *   rte_flow_dump_start(&ctx, RTE_PMD_SNIC_FLOW_TYPE_EXACT);
 *   while (rte_flow_dump_next(ctx, 16, &n, pat, act) == 0 && n > 0) ...;
 *   rte_flow_dump_done(ctx);
 */

#include <limits.h>
#include <stdint.h>

#include <rte_flow.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Flow types (spec §7.1: top two bits of rte_flow_attr.reserved). */
#define RTE_PMD_SNIC_FLOW_TYPE_EXACT 0u /**< exact-match forwarding table */
#define RTE_PMD_SNIC_FLOW_TYPE_FUZZY 1u /**< not used by IT cloud: refused */
#define RTE_PMD_SNIC_FLOW_TYPE_DPHASH 2u /**< not used by IT cloud: refused */
#define RTE_PMD_SNIC_FLOW_TYPE_ACL 3u   /**< ACL table */

/** Bit position of the flow type inside the 29-bit reserved field. */
#define RTE_PMD_SNIC_FLOW_TYPE_SHIFT 27

/** Flow type of an attribute. */
static inline uint32_t
rte_pmd_snic_flow_type_get(const struct rte_flow_attr *attr)
{
	return (attr->reserved >> RTE_PMD_SNIC_FLOW_TYPE_SHIFT) & 3u;
}

/** Set the flow type of an attribute. */
static inline void
rte_pmd_snic_flow_type_set(struct rte_flow_attr *attr, uint32_t type)
{
	attr->reserved = (attr->reserved &
			  ~(3u << RTE_PMD_SNIC_FLOW_TYPE_SHIFT)) |
			 ((type & 3u) << RTE_PMD_SNIC_FLOW_TYPE_SHIFT);
}

/**
 * Group alias for tools that cannot set attr.reserved (dpdk-testpmd): a rule
 * whose group is RTE_PMD_SNIC_ACL_GROUP_BASE + g (g = 0 or 1) and whose flow
 * type bits are 0 is an ACL rule of group g. Example:
 *   flow create 1 group 1000 ingress pattern ... actions ... / end
 */
#define RTE_PMD_SNIC_ACL_GROUP_BASE 1000u

/** ACL limits (spec §7.8, N-9). */
#define RTE_PMD_SNIC_ACL_GROUPS 2        /**< per port and direction */
#define RTE_PMD_SNIC_ACL_RULES_PER_GROUP 16
#define RTE_PMD_SNIC_ACL_RULES_PER_PORT 32 /**< both directions together */
/** Indirect COUNT handles per switch (spec requires at least 32). */
#define RTE_PMD_SNIC_MAX_HANDLES 256

/*
 * PMD-specific item and action types: rte_flow reserves negative values for
 * them (they never collide with DPDK's own enums).
 */
/** Match a VXLAN packet's outer IPv4 src/dst (conf: rte_flow_item_ipv4). */
#define RTE_FLOW_ITEM_TYPE_OUTER_IPV4 ((enum rte_flow_item_type)(INT_MIN + 1))
/** Match a VXLAN packet's outer IPv6 src/dst (conf: rte_flow_item_ipv6). */
#define RTE_FLOW_ITEM_TYPE_OUTER_IPV6 ((enum rte_flow_item_type)(INT_MIN + 2))
/** ACL action: deliver the packet to software (the port's rx queue). */
#define RTE_FLOW_ACTION_TYPE_SNIC_UPCALL \
	((enum rte_flow_action_type)(INT_MIN + 1))
/**
 * N-17: the action rte_flow_tunnel_decap_set() returns and the item
 * rte_flow_tunnel_match() returns, for the application to put in front of
 * its rule's actions / pattern (DPDK tunnel offload API). The NIC accepts
 * them and needs neither: the endpoints configured with
 * rte_flow_tunnel_decap_set() restrict every VXLAN_DECAP rule of the switch.
 */
#define RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET \
	((enum rte_flow_action_type)(INT_MIN + 2))
/** See RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET. */
#define RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL ((enum rte_flow_item_type)(INT_MIN + 3))
/**
 * MODIFY_FIELD field: the 24 reserved bits after the VXLAN flags byte
 * (rte_flow_item_vxlan.rsvd0), used for colouring. With an encap action it
 * is the new outer header's; otherwise the received VXLAN header's.
 */
#define RTE_FLOW_FIELD_VXLAN_RSVD0 ((enum rte_flow_field_id)(INT_MIN + 1))

/**
 * N-10: an upcalled packet's tag (set by an ingress ACL SET_TAG) is in the
 * low 16 bits of mbuf dynfield1[8]: index in the high 8 bits, data in the
 * low 8. 0 when no tag was set. The PMD registers this dynamic field at that
 * fixed offset under the name below.
 */
#define RTE_PMD_SNIC_TAG_DYNFIELD_NAME "rte_pmd_snic_dynfield_tag"
#define RTE_PMD_SNIC_TAG_OFFSET offsetof(struct rte_mbuf, dynfield1[8])

/** Tag of an upcalled packet (index << 8 | data). */
static inline uint16_t
rte_pmd_snic_tag_get(const struct rte_mbuf *m)
{
	return (uint16_t)(*RTE_MBUF_DYNFIELD(m, RTE_PMD_SNIC_TAG_OFFSET,
					     const uint32_t *) & 0xffff);
}

/**
 * QoS (spec §8(二), N-16): rte_mtr on every snic port. DPDK 22.11's
 * rte_mtr_params has no direction, so, like the flow type in
 * rte_flow_attr.reserved, it rides in the top two bits of the mtr_id:
 *   0  a flow meter, used by rte_flow METER actions of rules on the port;
 *   1  VM → NIC: packets the port's underlying port receives (what the VM,
 *      or for the uplink the wire, sends), metered before the ingress ACL,
 *      whether a rule forwards them or software gets them;
 *   2  NIC → VM: packets sent on the port's underlying port, forwarded by
 *      a rule or sent by the application on the port;
 *   3  invalid (EINVAL).
 * A port has at most one meter per direction 1 and 2. Example:
 *   rte_mtr_create(vf, RTE_PMD_SNIC_MTR_ID(RTE_PMD_SNIC_MTR_DIR_NIC_TO_VM, 1),
 *                  &params, 0, &err);
 * See docs/snic.md "QoS".
 */
#define RTE_PMD_SNIC_MTR_DIR_SHIFT 30
#define RTE_PMD_SNIC_MTR_DIR_FLOW 0u      /**< flow meter (METER action) */
#define RTE_PMD_SNIC_MTR_DIR_VM_TO_NIC 1u /**< port meter, from the VM */
#define RTE_PMD_SNIC_MTR_DIR_NIC_TO_VM 2u /**< port meter, to the VM */
/** The id part of an mtr_id (below the direction bits). */
#define RTE_PMD_SNIC_MTR_ID_MASK ((1u << RTE_PMD_SNIC_MTR_DIR_SHIFT) - 1)
/** An mtr_id of direction dir and id id. */
#define RTE_PMD_SNIC_MTR_ID(dir, id) \
	((((uint32_t)(dir) & 3u) << RTE_PMD_SNIC_MTR_DIR_SHIFT) | \
	 ((uint32_t)(id) & RTE_PMD_SNIC_MTR_ID_MASK))
/** The direction of an mtr_id. */
#define RTE_PMD_SNIC_MTR_DIR(mtr_id) \
	((uint32_t)(mtr_id) >> RTE_PMD_SNIC_MTR_DIR_SHIFT)
/**
 * Built-in meter policy of every port, which cannot be replaced or
 * deleted: green and yellow pass, red is dropped (rte_mtr_policy_drop_red).
 */
#define RTE_PMD_SNIC_MTR_POLICY_DEFAULT 0u

/**
 * Start a dump of the installed rules of one flow type on every net_snic
 * port (spec §8.7). Rules are returned in the PMD's canonical layout
 * (docs/snic.md "Dump"), which, with the attributes from
 * rte_pmd_snic_dump_attr(), re-creates the same rule when passed back to
 * rte_flow_create on the rule's port (rte_pmd_snic_dump_port()).
 *
 * @param context  receives the dump context
 * @param type     RTE_PMD_SNIC_FLOW_TYPE_EXACT or RTE_PMD_SNIC_FLOW_TYPE_ACL
 * @return 0, or -EINVAL (bad type, NULL context), -ENOMEM; rte_errno set.
 */
int rte_flow_dump_start(void **context, uint32_t type);

/**
 * Next rules of a dump. pattern[i] and actions[i] stay valid until the next
 * call or rte_flow_dump_done(). When the dump is complete *dumped_count is 0.
 *
 * @return 0, or -EINVAL (NULL argument), -ENOMEM; rte_errno set.
 */
int rte_flow_dump_next(void *context, uint32_t count, uint32_t *dumped_count,
		       const struct rte_flow_item *pattern[],
		       const struct rte_flow_action *actions[]);

/**
 * Attributes of the entry returned at index i by the last
 * rte_flow_dump_next(): priority, direction, flow type bits and (ACL) group,
 * so that rte_flow_create(rte_pmd_snic_dump_port(ctx, i), attr, pattern[i],
 * actions[i]) re-creates the rule.
 * @return 0, or -EINVAL (NULL argument or i out of range).
 */
int rte_pmd_snic_dump_attr(void *context, uint32_t i,
			   struct rte_flow_attr *attr);

/** End a dump and free its memory. @return 0, or -EINVAL for NULL. */
int rte_flow_dump_done(void *context);

/**
 * Port id (ethdev) of the rule a dumped entry came from, for the entry
 * returned at index i by the last rte_flow_dump_next().
 * @return the port id, or -EINVAL.
 */
int rte_pmd_snic_dump_port(void *context, uint32_t i);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_SNIC_H */
