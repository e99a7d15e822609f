/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef VS_H
#define VS_H

/**
 * @file
 * The vSwitch of nicflowd, phase 1: same-node L2 (spec §7.2, V-1..V-3,
 * V-7, V-8 subset). docs/vswitch.md is the user's guide.
 *
 * Model. A *network* is an L2 domain with a name and a VNI (the VNI is
 * only recorded in phase 1: cross-node VXLAN, §7.3, is phase 2). A *port*
 * is a VM's interface: a net_snic representor (by name or index), the VM's
 * MAC and IPv4 address, and the network it is attached to. The model is
 * what the operator configured; it is persisted by nicflowd (as the JSON
 * vs_model_to_json() returns) and restored at start.
 *
 * Datapath. Packets the NIC has no rule for arrive unmodified on the rx
 * queue of the ingress representor (N-2 upcalls). vs_datapath_poll() reads
 * them in bursts, parses them (lib/pkt), finds the ingress port and its
 * network, and forwards in software: a unicast to a known MAC of the
 * network is sent on the destination port's representor; broadcast,
 * multicast and unknown unicast are flooded to every other port of the
 * network (the only place a packet is copied). A forwarded unicast creates
 * or refreshes a *flow*: an exact-match entry on the §7.2 fields (ingress
 * port, source and destination MAC, EtherType, VLAN, destination IP, IP
 * protocol). A new flow that N-3 allows in the NIC (IPv4/IPv6 TCP/UDP
 * unicast, untagged in phase 1) is queued for offload.
 *
 * Offload. The control thread (vs_offload_run()) takes queued flows,
 * builds exactly the §7.2 rule (vs_rule_build(): attr ingress; ETH src/dst/
 * type, VLAN placeholder, IPV4|IPV6 dst + proto, VXLAN vni 0; COUNT,
 * PORT_ID) and creates it on the ingress representor, without holding the
 * datapath's lock: software keeps forwarding the flow until the rule is in
 * place, so no packet is lost while it lands. A refused rule leaves the
 * flow in software with the reason (rte_flow's message and errno).
 * vs_aging_run() destroys flows idle for idle_timeout seconds: a NIC flow
 * whose COUNT did not move, a software flow the datapath did not see.
 *
 * Locking. vs->lock (a spinlock) guards the model and the flow table; the
 * datapath takes it once per non-empty burst, the control thread and RPC
 * methods for short updates. vs->flow_mtx serialises every rte_flow call
 * (offload, aging, dumps, deletions) and is never taken by the datapath;
 * order: flow_mtx, then lock.
 *
 * Errors: functions return 0 or a negative errno and write a one-line
 * message naming the wrong field or object into err ("network: unknown
 * network 'blue'").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_flow.h>
#include <rte_spinlock.h>

#define VS_NAME_MAX 32       /**< network and port names, with NUL */
#define VS_MAX_NETWORKS 64
#define VS_MAX_PORTS 64
#define VS_MAX_FLOWS 4096
#define VS_BURST 32
#define VS_IDLE_TIMEOUT_S 10 /**< default aging timeout */

/** Per-reason datapath counters (stats_get). */
enum vs_drop {
	VS_DROP_NO_PORT,    /**< ingress representor is not a configured port */
	VS_DROP_PARSE,      /**< nf_pkt_parse() refused the packet */
	VS_DROP_SRC_MAC,    /**< source MAC is not the port's MAC */
	VS_DROP_TX_FULL,    /**< tx_burst on the destination did not take it */
	VS_DROP_NO_MBUF,    /**< flood copy: mempool empty */
	VS_DROP_FLOW_FULL,  /**< flow table full (forwarded, not cached) */
	VS_DROP_MAX
};

struct vs_stats {
	uint64_t rx_upcalls;   /**< packets read from representors */
	uint64_t fwd_unicast;  /**< forwarded to one port */
	uint64_t fwd_flood;    /**< packets flooded (once per packet) */
	uint64_t flood_copies; /**< copies sent by floods */
	uint64_t drops[VS_DROP_MAX];
};

struct vs_network {
	bool used;
	char name[VS_NAME_MAX];
	uint32_t vni;
};

struct vs_port {
	bool used;
	char name[VS_NAME_MAX];
	char rep[VS_NAME_MAX + 32]; /**< representor as configured */
	uint16_t port_id;            /**< its ethdev port */
	struct rte_ether_addr mac;
	uint32_t ipv4;               /**< network order */
	int net;                     /**< index in vs->nets */
};

/** The §7.2 match: the flow table's exact-match key (zero-padded; 8-byte
 * aligned: rte_jhash reads it in 32-bit words). */
struct vs_flow_key {
	uint16_t in_port;      /**< ingress representor's port id */
	rte_be16_t eth_type;
	rte_be16_t vlan_tci;
	rte_be16_t inner_type;
	struct rte_ether_addr src;
	struct rte_ether_addr dst;
	uint8_t ip_proto;
	uint8_t is_v6;
	uint8_t pad[2];
	uint8_t dst_ip[16];    /**< IPv4 in the first 4 bytes */
} __rte_aligned(8);

enum vs_flow_where {
	VS_FLOW_SOFTWARE,  /**< not offloadable (reason says why) */
	VS_FLOW_PENDING,   /**< offload queued */
	VS_FLOW_NIC,       /**< the §7.2 rule is in the NIC */
	VS_FLOW_REFUSED,   /**< the NIC refused the rule (reason) */
};

struct vs_flow {
	bool used;
	struct vs_flow_key key;
	uint16_t out_port;          /**< destination representor */
	enum vs_flow_where where;
	char reason[128];
	struct rte_flow *rule;      /**< when where == VS_FLOW_NIC */
	uint64_t sw_packets, sw_bytes;
	uint64_t nic_hits, nic_bytes; /**< last COUNT query */
	uint64_t last_seen;          /**< rte_get_timer_cycles() of last use */
};

struct rte_ring;
struct rte_hash;
struct rte_mempool;

struct vs_switch {
	rte_spinlock_t lock;
	pthread_mutex_t flow_mtx;
	char nic[VS_NAME_MAX];       /**< the snic's ethdev name */
	unsigned int idle_timeout;   /**< seconds */
	struct vs_network nets[VS_MAX_NETWORKS];
	struct vs_port ports[VS_MAX_PORTS];
	struct rte_hash *flow_hash;  /**< key → index in flows */
	struct vs_flow *flows;       /**< VS_MAX_FLOWS */
	struct rte_ring *offload_q;  /**< flow indices to offload */
	struct rte_mempool *pool;    /**< flood copies */
	struct vs_stats stats;
	uint64_t offloads, offload_refused, aged;
};

/** Create a switch for the snic named nic (e.g. "net_snic0"). pool is used
 * for flood copies. @return NULL with rte_errno set (ENOMEM, EEXIST). */
struct vs_switch *vs_switch_create(const char *nic, struct rte_mempool *pool);
/** Destroy every NIC rule and free vs. */
void vs_switch_destroy(struct vs_switch *vs);

/* ---- model (vs_model.c); callers hold nothing. */

/** Add a network. -EINVAL (name/vni), -EEXIST, -ENOSPC. */
int vs_network_add(struct vs_switch *vs, const char *name, uint32_t vni,
		   char *err, size_t errlen);
/** Delete a network. -ENOENT, -EBUSY (ports attached). */
int vs_network_del(struct vs_switch *vs, const char *name, char *err,
		   size_t errlen);
/** Add a port. rep: a representor's ethdev name or its index. -EINVAL,
 * -EEXIST (name, representor or MAC in use), -ENODEV (no such
 * representor), -ENOENT (network), -ENOSPC. */
int vs_port_add(struct vs_switch *vs, const char *name, const char *rep,
		const char *mac, const char *ipv4, const char *network,
		char *err, size_t errlen);
/** Delete a port and every flow from or to it. -ENOENT. */
int vs_port_del(struct vs_switch *vs, const char *name, char *err,
		size_t errlen);
/** {"networks": [...], "ports": [...]} (new reference). */
json_t *vs_model_to_json(struct vs_switch *vs);
/** Add what vs_model_to_json() returned; stops at the first error. */
int vs_model_from_json(struct vs_switch *vs, json_t *model, char *err,
		       size_t errlen);

/* ---- flows (vs_flow.c) */

/** The §7.2 rule of one flow, self-contained (items point into it). */
struct vs_rule {
	struct rte_flow_attr attr;
	struct rte_flow_item items[6];
	struct rte_flow_action actions[4];
	struct rte_flow_item_eth eth, eth_mask;
	struct rte_flow_item_vlan vlan, vlan_mask;
	struct rte_flow_item_ipv4 ip4, ip4_mask;
	struct rte_flow_item_ipv6 ip6, ip6_mask;
	struct rte_flow_item_vxlan vxlan, vxlan_mask;
	struct rte_flow_action_count count;
	struct rte_flow_action_port_id port;
};

/** Build the §7.2 rule of key (to be created on key->in_port) forwarding
 * to out_port, counter id count_id. -ENOTSUP when the key is not
 * offloadable in phase 1 (reason written to err). */
int vs_rule_build(const struct vs_flow_key *key, uint16_t out_port,
		  uint32_t count_id, struct vs_rule *r, char *err,
		  size_t errlen);
/** Offload up to n queued flows (control thread). @return flows done. */
unsigned int vs_offload_run(struct vs_switch *vs, unsigned int n);
/** Age idle flows out (control thread, about once a second). */
void vs_aging_run(struct vs_switch *vs);
/** Destroy flows whose ingress or egress is port_id (port_id UINT16_MAX:
 * all). Caller holds flow_mtx, not lock. */
void vs_flows_flush(struct vs_switch *vs, uint16_t port_id);
/** The flow table as JSON (V-8), NIC counters queried. */
json_t *vs_flows_to_json(struct vs_switch *vs);

/* ---- datapath (vs_datapath.c) */

/** One burst from each port's representor. @return packets handled. */
unsigned int vs_datapath_poll(struct vs_switch *vs);
/** Counters as JSON. */
json_t *vs_stats_to_json(struct vs_switch *vs);

#endif /* VS_H */
