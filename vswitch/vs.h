/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef VS_H
#define VS_H

/**
 * @file
 * The vSwitch/vRouter of nicflowd (V-1..V-3, V-7, V-8): logical model,
 * slow path, offload with the spec's templates (§7.2–7.5), aging and
 * revalidation. docs/vswitch.md is the user's guide.
 *
 * Model (vs_model.c). Objects of a few *kinds*, each described by a field
 * table (vs_kinds[]): the RPC methods "<kind>_add/_del/_list", the config
 * file and nicflowctl are all driven by that table.
 *   - router:  a distributed router: its gateway MAC (the same on every
 *              node: an anycast gateway) and the VNI that carries routed
 *              traffic between nodes (symmetric IRB, the §7.5 templates).
 *   - network: an L2 domain with a VNI; optionally a subnet on a router
 *              (cidr, gateway address) and "external" (where floating IPs
 *              live).
 *   - port:    a VM interface: a net_snic representor, MAC, IPv4, network;
 *              with a "vlan", a trunk subport: the VM's frames on that
 *              representor tagged with that VID (§7.2–§7.5's VLAN cases).
 *   - remote:  a VM on another node: network, MAC, IPv4 and the VTEP (an
 *              underlay IPv4 or IPv6 address) behind which it lives.
 *   - fip:     a floating IP of a port, in an external network of the
 *              port's router (1:1 NAT, §7.4/§7.5 SET_IPV4_SRC/DST).
 *   - vtep:    this node's underlay address (on every uplink): at most
 *              one IPv4 and one IPv6; a remote VTEP is reached from the
 *              local one of its family.
 *   - route:   an underlay route (V-9): an IPv4 or IPv6 prefix, the uplink
 *              (a NIC's name) it leaves by and an optional next hop
 *              ("via"); longest prefix match (rte_lpm, rte_lpm6). Without
 *              any route of a family, every VTEP of that family is on the
 *              first NIC's uplink segment. Next hops are resolved by ARP
 *              (IPv4) or neighbour discovery (IPv6).
 *   - counter: a shared COUNT (an indirect action handle, §7.8), used by
 *              ACL rules as "indirect <id>".
 *   - acl:     a NIC ACL rule (§7.8, V-6: colouring with SET_TAG on
 *              ingress, TAG match on egress, counting, probes): a port,
 *              direction, group and the rule in testpmd syntax
 *              (lib/flowcmd), created as flow type 3 (attr.reserved).
 *              The NIC applies ACLs to every packet, offloaded or not, so
 *              no flow depends on them (vs_acl.c).
 *   - mirror:  copies of what a port sends ("in"), receives ("out") or
 *              both, to a local port or VXLAN-encapsulated to a collector
 *              (§7.6 SAMPLE ratio 1); the copy is the packet as it entered
 *              the switch, as the NIC's SAMPLE takes it.
 * Every change bumps vs->gen; the control thread then revalidates.
 *
 * Slow path (vs_datapath.c, vs_xlate.c, vs_exec.c). Packets the NIC has no
 * rule for arrive unmodified on the rx queue of their ingress port: a
 * representor (from a VM) or the uplink (from the wire, VXLAN). Per packet:
 * ARP (gateway, proxy for known addresses, the VTEP address on the uplink),
 * ICMP echo to a gateway and TTL expiry are answered in software; flooding
 * (broadcast, multicast, unknown unicast) copies to the network's local
 * ports and, from a VM, to every remote VTEP of the network (head-end
 * replication). Everything else is a *flow*: vs_xlate() turns its key into
 * actions (vs_acts) that name one spec template; the datapath applies them
 * in software (vs_exec_apply), caches the flow, and queues its offload.
 *
 * Offload (vs_flow.c, vs_rule.c). The control thread builds exactly the
 * template's rte_flow rule from key and actions and creates it on the
 * ingress port without holding the datapath's lock: software forwards the
 * flow until the rule is in place, so nothing is lost while it lands. A
 * refused rule leaves the flow in software with rte_flow's message.
 *
 * Revalidation (V-7): a flow's actions are a pure function of its key and
 * the model. When vs->gen moves, vs_revalidate() translates every flow
 * again and removes (NIC rule and cache entry) each one whose actions
 * changed or that is no longer allowed; the next packet takes the slow
 * path with the new model. Aging removes flows idle for their protocol's
 * timeout (tcp_timeout, udp_timeout, else idle_timeout; COUNT queries for
 * NIC flows).
 *
 * Locking. vs->lock (a spinlock) guards model and flow table; the datapath
 * takes it once per non-empty burst, the control thread and RPC methods
 * for short updates. vs->flow_mtx serialises every rte_flow call and is
 * never taken by the datapath; order: flow_mtx, then lock.
 *
 * Errors: functions return 0 or a negative errno and write a one-line
 * message naming the wrong field or object into err ("network: unknown
 * network 'blue'").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_flow.h>
#include <rte_spinlock.h>

#define VS_NAME_MAX 32       /**< object names, with NUL */
#define VS_MAX_NETWORKS 64
#define VS_MAX_PORTS 64
#define VS_MAX_ROUTERS 16
#define VS_MAX_REMOTES 256
#define VS_MAX_FIPS 64
#define VS_MAX_NEIGH 64
#define VS_MAX_MIRRORS 16
#define VS_MAX_UPLINKS 4     /**< uplinks = NICs (one switch domain each) */
#define VS_MAX_ROUTES 64
#define VS_MAX_TUNS 256      /**< outer destinations in the tunnel index */
#define VS_NEIGH_REFRESH_S 30 /**< re-ARP a resolved neighbour this often */
#define VS_NEIGH_PROBES 3    /**< unanswered re-ARPs before it is lost */
#define VS_MAX_COUNTERS 32   /**< spec §7.8: 32 ACTION_HANDLEs */
#define VS_MAX_ACLS 64
#define VS_ACL_RULE_MAX 512  /**< testpmd-syntax text of an ACL rule */
#define VS_MAX_FLOWS 4096
#define VS_BURST 32
#define VS_IDLE_TIMEOUT_S 10 /**< default aging timeout */
#define VS_VXLAN_PORT 4789
#define VS_ENCAP_LEN 50      /**< outer ETH + IPv4 + UDP + VXLAN */
#define VS_ENCAP_LEN6 70     /**< outer ETH + IPv6 + UDP + VXLAN */

/** Per-reason datapath counters (stats_get). */
enum vs_drop {
	VS_DROP_NO_PORT,    /**< ingress port is not a configured port */
	VS_DROP_PARSE,      /**< nf_pkt_parse() refused the packet */
	VS_DROP_SRC_MAC,    /**< source MAC is not the port's MAC */
	VS_DROP_TX_FULL,    /**< tx_burst on the destination did not take it */
	VS_DROP_NO_MBUF,    /**< copy or reply: mempool empty */
	VS_DROP_FLOW_FULL,  /**< flow table full (forwarded, not cached) */
	VS_DROP_NO_ROUTE,   /**< routed packet with no destination */
	VS_DROP_NEIGH,      /**< remote VTEP's MAC not resolved yet (ARP sent) */
	VS_DROP_UPLINK,     /**< from the wire: not VXLAN to us, unknown VNI */
	VS_DROP_NO_DST,     /**< from the wire: unknown destination MAC */
	VS_DROP_NO_VTEP,    /**< to a remote port, but no local VTEP set */
	VS_DROP_TTL,        /**< TTL expired (ICMP time exceeded sent) */
	VS_DROP_EXEC,       /**< actions could not apply (chained, no room) */
	VS_DROP_UL_ROUTE,   /**< no underlay route to the remote VTEP */
	VS_DROP_TOO_BIG,    /**< over the uplink MTU once encapsulated (ICMP
			     * "fragmentation needed" sent when DF) */
	VS_DROP_SG_DENY,    /**< security group: no rule allows it */
	VS_DROP_SG_INVALID, /**< security group: CT says not of a connection */
	VS_DROP_SG_RULE,    /**< security group: a DROP flow (software part) */
	VS_DROP_SG_CT_FULL, /**< security group: connection table full */
	VS_DROP_MAX
};

struct vs_stats {
	uint64_t rx_upcalls;   /**< packets read from representors */
	uint64_t rx_uplink;    /**< packets read from the uplink */
	uint64_t fwd_unicast;  /**< forwarded by a flow's actions */
	uint64_t fwd_flood;    /**< packets flooded (once per packet) */
	uint64_t flood_copies; /**< copies sent by floods (local + remote) */
	uint64_t arp_replies;  /**< ARP answered by the switch */
	uint64_t icmp_replies; /**< echo replies and time exceeded sent */
	uint64_t arp_requests; /**< ARP requests for remote VTEPs sent */
	uint64_t nd_solicits;  /**< neighbour solicitations (IPv6) sent */
	uint64_t nd_adverts;   /**< advertisements for our IPv6 VTEP sent */
	uint64_t mirror_copies; /**< copies sent by mirrors in software */
	uint64_t drops[VS_DROP_MAX];
};

/**
 * An underlay address (V-9): IPv6, or IPv4 mapped as ::ffff:a.b.c.d, so one
 * type serves VTEPs, next hops, routes and the tunnel index of both
 * families. All zero (::) is "none".
 */
struct vs_ip {
	uint8_t a[16];
} __rte_aligned(4); /* rte_jhash reads tunnel-index keys in 32-bit words */

static inline bool
vs_ip_is4(const struct vs_ip *ip)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	return memcmp(ip->a, mapped, sizeof(mapped)) == 0;
}

/** The IPv4 address (network order) of a mapped address. */
static inline uint32_t
vs_ip_4(const struct vs_ip *ip)
{
	uint32_t v;

	memcpy(&v, ip->a + 12, 4);
	return v;
}

static inline struct vs_ip
vs_ip_from4(uint32_t v4)
{
	struct vs_ip ip = {.a = {[10] = 0xff, [11] = 0xff}};

	memcpy(ip.a + 12, &v4, 4);
	return ip;
}

static inline bool
vs_ip_eq(const struct vs_ip *a, const struct vs_ip *b)
{
	return memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

static inline bool
vs_ip_none(const struct vs_ip *ip)
{
	static const struct vs_ip zero;

	return vs_ip_eq(ip, &zero);
}

/** Family index: 0 IPv4, 1 IPv6 (vs_switch.vtep[]). */
static inline int
vs_ip_fam(const struct vs_ip *ip)
{
	return vs_ip_is4(ip) ? 0 : 1;
}

/** Bytes of VXLAN encapsulation toward dst: 50 over IPv4, 70 over IPv6. */
static inline uint16_t
vs_encap_len(const struct vs_ip *dst)
{
	return vs_ip_is4(dst) ? VS_ENCAP_LEN : VS_ENCAP_LEN6;
}

#define VS_IP_STRLEN 46 /**< INET6_ADDRSTRLEN */

/** ip as text (dotted quad for IPv4) into buf[VS_IP_STRLEN]. */
const char *vs_ip_str(const struct vs_ip *ip, char *buf);
/** Parse an IPv4 or IPv6 address. 0 or -1. */
int vs_ip_parse(const char *s, struct vs_ip *ip);
/** Is ip within prefix/plen? plen counts the family's bits (0..32 for an
 * IPv4 prefix, 0..128 for IPv6); never across families. */
bool vs_ip_in(const struct vs_ip *ip, const struct vs_ip *prefix,
	      uint8_t plen);

struct vs_router {
	bool used;
	char name[VS_NAME_MAX];
	struct rte_ether_addr mac; /**< gateway MAC of all its subnets */
	uint32_t vni;              /**< L3 VNI between nodes, 0 = none */
};

struct vs_network {
	bool used;
	char name[VS_NAME_MAX];
	uint32_t vni;
	int router;          /**< index in vs->routers, -1 = none */
	uint32_t prefix;     /**< subnet (network order) when router >= 0 */
	uint8_t plen;
	uint32_t gateway;    /**< gateway address (network order) */
	bool external;       /**< floating IPs live here */
};

struct vs_port {
	bool used;
	char name[VS_NAME_MAX];
	char rep[VS_NAME_MAX + 32]; /**< representor as configured */
	uint16_t port_id;            /**< its ethdev port */
	struct rte_ether_addr mac;
	uint32_t ipv4;               /**< network order */
	int net;                     /**< index in vs->nets */
	uint16_t mtu;                /**< 0 = left as it is */
	uint16_t vlan;               /**< trunk subport VID, 0 = untagged */
};

struct vs_remote {
	bool used;
	char name[VS_NAME_MAX];
	int net;
	struct rte_ether_addr mac;
	uint32_t ipv4;
	struct vs_ip vtep;           /**< underlay address */
};

struct vs_fip {
	bool used;
	uint32_t fip;                /**< network order */
	int port;                    /**< index in vs->ports */
};

#define VS_MIRROR_IN 0x1  /**< what the port sends */
#define VS_MIRROR_OUT 0x2 /**< what the port is sent */

struct vs_mirror {
	bool used;
	char name[VS_NAME_MAX];
	int port;                    /**< the mirrored port (index) */
	uint8_t dir;                 /**< VS_MIRROR_IN | VS_MIRROR_OUT */
	int to_port;                 /**< local mirror port, or -1 */
	struct vs_ip collector;      /**< remote collector */
	uint32_t vni;                /**< VNI toward the collector */
};

struct rte_flow_action_handle;

struct vs_counter {
	bool used;
	char name[VS_NAME_MAX];
	uint16_t port_id;            /**< the port the handle was made on */
	struct rte_flow_action_handle *h;
	unsigned int users;          /**< ACL rules referring to it */
};

struct vs_acl {
	bool used;
	char name[VS_NAME_MAX];
	int port;                    /**< port slot, -1 = the uplink */
	uint16_t port_id;
	bool egress;
	uint8_t group;               /**< 0 or 1 (spec §7.8) */
	char rule[VS_ACL_RULE_MAX];  /**< as configured */
	struct rte_flow *flow;       /**< in the NIC */
	uint32_t counters;           /**< bit i: uses counter i */
	bool has_count;              /**< a direct COUNT to query */
};

/** An underlay neighbour (remote VTEP or router), resolved by ARP or, for
 * IPv6, neighbour discovery on the uplink. */
struct vs_neigh {
	bool used;
	bool resolved;
	int uplink;                  /**< index in vs->uplinks */
	struct vs_ip ip;
	struct rte_ether_addr mac;
	uint64_t last_req;           /**< TSC of the last ARP/NS sent */
	uint64_t confirmed;          /**< TSC of the last reply */
	uint64_t changed_at;         /**< vs->neigh_gen of its last change */
	unsigned int probes;         /**< re-ARPs unanswered since */
};

/** A NIC's uplink (the snic's own port; the first is vs->nic). */
struct vs_uplink {
	bool used;
	char nic[VS_NAME_MAX];
	uint16_t port_id;
	struct rte_ether_addr mac;
};

struct vs_route {
	bool used;
	struct vs_ip prefix;
	uint8_t plen;                /**< in the family's bits */
	int uplink;
	struct vs_ip via;            /**< next hop, :: = on-link */
};

/**
 * The flow table's exact-match key: the §7.2–§7.5 match fields (zero-
 * padded, 8-byte aligned: rte_jhash reads it in 32-bit words). From the
 * uplink the L2/L3 fields are the inner packet's and vni is set.
 */
struct vs_flow_key {
	uint16_t in_port;      /**< ingress port id (representor or uplink) */
	rte_be16_t eth_type;
	rte_be16_t vlan_tci;
	rte_be16_t inner_type;
	struct rte_ether_addr src;
	struct rte_ether_addr dst;
	uint8_t ip_proto;
	uint8_t is_v6;
	uint8_t pad[2];
	uint32_t vni;          /**< from the uplink: the VXLAN VNI, else 0 */
	uint8_t dst_ip[16];    /**< IPv4 in the first 4 bytes */
	/* Security groups (vs_sg.c): set only for IPv4 flows of ports with
	 * a security group, whose rules need the 5-tuple; zero otherwise,
	 * so other flows keep the spec's coarser key. */
	uint8_t sg;            /**< 1: the fields below are set */
	uint8_t sg_pad[3];
	uint32_t src_ip4;      /**< network order */
	rte_be16_t sport, dport; /**< TCP/UDP ports, 0 for other protocols */
} __rte_aligned(8);

/** The spec template a flow's actions follow. */
enum vs_tpl {
	VS_TPL_L2,        /**< §7.2 same-node L2 */
	VS_TPL_L2_ENCAP,  /**< §7.3 cross-node L2, egress node */
	VS_TPL_L2_DECAP,  /**< §7.3 cross-node L2, ingress node */
	VS_TPL_L3,        /**< §7.4 same-node L3 (with FIP) */
	VS_TPL_L3_ENCAP,  /**< §7.5 cross-node L3, egress node */
	VS_TPL_L3_DECAP,  /**< §7.5 cross-node L3, ingress node */
	VS_TPL_DROP,      /**< §7.7.2 stateless security group: DROP */
	VS_TPL_MAX
};

#define VS_A_SNAT 0x01 /**< SET_IPV4_SRC nat_ip (FIP, forward flow) */
#define VS_A_DNAT 0x02 /**< SET_IPV4_DST nat_ip (FIP, reverse flow) */
#define VS_A_UNRESOLVED 0x10 /**< encap whose next hop's MAC is unknown:
			       * a software flow that waits for ARP (V-9) */

/** What the slow path decided for a flow (vs_xlate): comparable with
 * memcmp (zero-filled before use). */
struct vs_acts {
	uint8_t tpl;                 /**< enum vs_tpl */
	uint8_t flags;               /**< VS_A_* */
	uint16_t out_port;           /**< representor or uplink port id */
	uint16_t out_vlan;           /**< the destination subport's VID: the
				      * tag is pushed, rewritten or popped
				      * to match it (0: untagged) */
	struct rte_ether_addr mac_src, mac_dst; /**< L3: SET_MAC_SRC/DST */
	uint32_t nat_ip;             /**< network order */
	/* ENCAP: the outer headers. */
	uint32_t vni;
	struct rte_ether_addr o_src, o_dst;
	struct vs_ip o_sip, o_dip;   /**< IPv4-mapped or IPv6 outer */
	/* MIRROR (§7.6 SAMPLE): a copy to m_port, encapsulated when
	 * mirror == VS_MIR_REMOTE (outer source MAC o_src). */
	uint8_t mirror;              /**< VS_MIR_* */
	uint16_t m_port;
	uint32_t m_vni;
	struct rte_ether_addr m_o_dst;
	struct vs_ip m_o_sip, m_o_dip;
};

#define VS_MIR_NONE 0
#define VS_MIR_LOCAL 1
#define VS_MIR_REMOTE 2

enum vs_flow_where {
	VS_FLOW_SOFTWARE,  /**< not offloadable (reason says why) */
	VS_FLOW_PENDING,   /**< offload queued */
	VS_FLOW_NIC,       /**< the template's rule is in the NIC */
	VS_FLOW_REFUSED,   /**< the NIC refused the rule (reason) */
};

struct vs_flow {
	bool used;
	struct vs_flow_key key;
	struct vs_acts acts;
	enum vs_flow_where where;
	char reason[160];
	struct rte_flow *rule;      /**< when where == VS_FLOW_NIC */
	uint64_t sw_packets, sw_bytes;
	uint64_t nic_hits, nic_bytes; /**< last COUNT query */
	uint64_t last_seen;          /**< rte_get_timer_cycles() of last use */
	/* The tunnel index (V-9): flows toward one outer destination. */
	uint16_t tun1;               /**< index in vs->tuns + 1, 0 = none */
	bool stale;                  /**< replaced (decap moved): age it now */
	int32_t tun_prev, tun_next;  /**< flow indices, -1 = end */
};

/** One outer destination of the tunnel index: the flows that
 * encapsulate toward it (or mirror to it), linked through the flows. */
struct vs_tun {
	struct vs_ip ip;
	int32_t head;                /**< first flow, -1 = none */
	uint32_t nflows;
};

struct rte_ring;
struct rte_hash;
struct rte_mempool;
struct vs_sg_state;

struct vs_switch {
	rte_spinlock_t lock;
	pthread_mutex_t flow_mtx;
	char nic[VS_NAME_MAX];       /**< the snic's ethdev name (= uplink) */
	uint16_t uplink;             /**< its port id (uplinks[0]) */
	struct rte_ether_addr uplink_mac;
	struct vs_uplink uplinks[VS_MAX_UPLINKS];
	struct vs_route routes[VS_MAX_ROUTES];
	unsigned int nb_routes[2];   /**< per family (vs_ip_fam) */
	struct rte_lpm *lpm;         /**< IPv4 prefix → index in routes */
	struct rte_lpm6 *lpm6;       /**< IPv6 prefix → index in routes */
	struct rte_hash *tun_hash;   /**< outer destination → index in tuns */
	struct vs_tun tuns[VS_MAX_TUNS];
	unsigned int neigh_refresh_s;
	uint16_t domain[RTE_MAX_ETHPORTS]; /**< switch domain + 1, 0 unknown */
	unsigned int idle_timeout;   /**< seconds: other protocols */
	unsigned int tcp_timeout;    /**< seconds, 0 = idle_timeout */
	unsigned int udp_timeout;    /**< seconds, 0 = idle_timeout */
	bool no_offload;             /**< keep every flow in software */
	struct vs_ip vtep[2];        /**< local VTEPs by family, :: = none */
	uint64_t gen;                /**< model generation (revalidation) */
	uint64_t reval_gen;          /**< generation last revalidated */
	uint64_t neigh_gen;          /**< moves when a neighbour changes */
	uint64_t neigh_reval;        /**< neigh_gen last revalidated */
	struct vs_router routers[VS_MAX_ROUTERS];
	struct vs_network nets[VS_MAX_NETWORKS];
	struct vs_port ports[VS_MAX_PORTS];
	struct vs_remote remotes[VS_MAX_REMOTES];
	struct vs_fip fips[VS_MAX_FIPS];
	struct vs_neigh neigh[VS_MAX_NEIGH];
	struct vs_mirror mirrors[VS_MAX_MIRRORS];
	struct vs_counter counters[VS_MAX_COUNTERS];
	struct vs_acl acls[VS_MAX_ACLS];
	struct rte_hash *flow_hash;  /**< key → index in flows */
	struct vs_flow *flows;       /**< VS_MAX_FLOWS */
	struct rte_ring *offload_q;  /**< flow indices to offload */
	struct rte_mempool *pool;    /**< copies and replies */
	struct vs_stats stats;
	uint64_t offloads, offload_refused, aged, revalidated;
	struct vs_sg_state *sg;      /**< security groups (vs_sg.c) */
};

/** Create a switch for the snic named nic (e.g. "net_snic0"). pool is used
 * for flood copies and replies. @return NULL with rte_errno set (ENOMEM,
 * ENODEV: no such ethdev). */
struct vs_switch *vs_switch_create(const char *nic, struct rte_mempool *pool);
/** Destroy every NIC rule and free vs. */
void vs_switch_destroy(struct vs_switch *vs);

/* ---- model (vs_model.c); callers hold nothing. */

/** Kinds of model objects, in dependency order (a later kind may refer to
 * an earlier one): "router", "network", "port", "remote", "fip", "vtep",
 * "mirror". */
extern const char *const vs_kind_names[];

/**
 * Add an object of kind described by params (a JSON object, the fields of
 * docs/vswitch.md). Errors name the field: -EINVAL (missing, wrong type,
 * bad value, unknown parameter, unknown kind), -EEXIST, -ENOENT (a
 * referenced object does not exist), -ENODEV (no such representor),
 * -ENOSPC (table full).
 */
int vs_obj_add(struct vs_switch *vs, const char *kind, json_t *params,
	       char *err, size_t errlen);
/** Delete the object of kind whose key (its name; for a fip its "ip", for
 * the vtep its "ip") is in params. Flows using it are revalidated.
 * -EINVAL, -ENOENT, -EBUSY (still referenced). */
int vs_obj_del(struct vs_switch *vs, const char *kind, json_t *params,
	       char *err, size_t errlen);
/** The objects of one kind as a JSON array of their add-params (new
 * reference), or NULL for an unknown kind. */
json_t *vs_obj_list(struct vs_switch *vs, const char *kind);
/** Every kind: {"routers": [...], "networks": [...], ...} (new ref). */
json_t *vs_model_to_json(struct vs_switch *vs);
/** Add what vs_model_to_json() returned; stops at the first error. */
int vs_model_from_json(struct vs_switch *vs, json_t *model, char *err,
		       size_t errlen);

/** Destroy every ACL rule and counter in the NIC (flow_mtx held). */
void vs_acls_flush(struct vs_switch *vs);

/* Model lookups for the slow path; lock held. Return an index or -1. */
int vs_port_find(const struct vs_switch *vs, const char *name);
/** The port on representor port_id with VLAN vid (0: untagged). */
int vs_port_by_rx(const struct vs_switch *vs, uint16_t port_id,
		  uint16_t vid);
int vs_port_by_mac(const struct vs_switch *vs, int net,
		   const struct rte_ether_addr *mac);
int vs_port_by_ip(const struct vs_switch *vs, int net, uint32_t ip);
int vs_remote_by_mac(const struct vs_switch *vs, int net,
		     const struct rte_ether_addr *mac);
int vs_remote_by_ip(const struct vs_switch *vs, int net, uint32_t ip);
int vs_net_by_vni(const struct vs_switch *vs, uint32_t vni);
int vs_router_by_vni(const struct vs_switch *vs, uint32_t vni);
/** The network of router r whose subnet holds ip. */
int vs_net_by_subnet(const struct vs_switch *vs, int r, uint32_t ip);
int vs_fip_by_ip(const struct vs_switch *vs, uint32_t ip);
int vs_fip_by_port(const struct vs_switch *vs, int port);
/* ---- the underlay (vs_underlay.c): uplinks, routes, neighbours */

struct rte_lpm;

/** Set up uplinks[0] (the NIC named nic) and the route table. */
int vs_underlay_init(struct vs_switch *vs, const char *nic);
void vs_underlay_fini(struct vs_switch *vs);
/** Add another NIC's uplink (its snic ethdev name), before the model is
 * loaded. -ENODEV, -EEXIST, -ENOSPC. */
int vs_uplink_add(struct vs_switch *vs, const char *nic);
/** The uplink whose port is port_id, or -1. */
int vs_uplink_by_port(const struct vs_switch *vs, uint16_t port_id);
/** The neighbour entry of (uplink, ip), created unresolved if new; -1
 * when full. */
int vs_neigh_get(struct vs_switch *vs, int uplink, const struct vs_ip *ip);
/** Learn ip → mac heard on uplink; vs_neigh_changed() when it changes. */
void vs_neigh_learn(struct vs_switch *vs, int uplink, const struct vs_ip *ip,
		    const struct rte_ether_addr *mac);
/** Neighbour n was learnt, changed its MAC or was lost: vs_revalidate()
 * then revalidates the flows whose next hop it is, found through the
 * tunnel index (V-9), or every flow when a remote mirror exists (a flow
 * whose collector is unresolved is not indexed under it). */
void vs_neigh_changed(struct vs_switch *vs, int n);
/** The uplink (or -1: no route) and next hop of underlay destination dst.
 * Lock held. */
int vs_underlay_next_hop(const struct vs_switch *vs, const struct vs_ip *dst,
			 struct vs_ip *nh);
/**
 * Where an underlay packet to dst goes: *uplink and the next hop *nh (the
 * route's via, or dst on-link) and, when resolved, the neighbour index
 * *n. @return 0 (resolved), -EAGAIN (next hop's MAC unknown: an entry
 * exists, ARP will ask), -ENETUNREACH (no route). Lock held.
 */
int vs_underlay_resolve(struct vs_switch *vs, const struct vs_ip *dst,
			int *uplink, struct vs_ip *nh, int *n);
/** Create the neighbour entry dst's next hop needs (ARP/ND asks for it). */
void vs_underlay_prime(struct vs_switch *vs, const struct vs_ip *dst);
/** The local VTEP of dst's family, or NULL when none is set. */
const struct vs_ip *vs_vtep_for(const struct vs_switch *vs,
				const struct vs_ip *dst);
/** The neighbour table as JSON: [{uplink, ip, mac, state}]. */
json_t *vs_neigh_to_json(struct vs_switch *vs);
/** The switch domain of a port (+1; 0 when unknown). Lock held. */
uint16_t vs_port_domain(struct vs_switch *vs, uint16_t port_id);

/** The VID a key's frame carries (0: untagged). */
static inline uint16_t
vs_key_vid(const struct vs_flow_key *k)
{
	return k->eth_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ?
	       rte_be_to_cpu_16(k->vlan_tci) & 0xfff : 0;
}

/** The EtherType after the key's tag, if any. */
static inline rte_be16_t
vs_key_l3type(const struct vs_flow_key *k)
{
	return k->eth_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ? k->inner_type :
							       k->eth_type;
}

/* ---- translation (vs_xlate.c); lock held. */

enum vs_verdict {
	VS_V_FLOW,   /**< acts filled: forward and cache */
	VS_V_FLOOD,  /**< not a flow: flood in *net */
	VS_V_DROP,   /**< drop, counted under *drop */
	VS_V_NEIGH,  /**< needs the remote VTEP's MAC: *neigh_ip to resolve */
};

struct vs_xlate_out {
	struct vs_acts acts;
	int net;                /**< VS_V_FLOOD: the network */
	enum vs_drop drop;      /**< VS_V_DROP */
	struct vs_ip neigh_ip;  /**< VS_V_NEIGH: the next hop */
	int neigh_uplink;       /**< VS_V_NEIGH: on this uplink */
};

/** Set a's mirror fields for a packet from port slot in_slot (-1: the
 * uplink) to port slot out_slot (-1: not a local port). @return true when
 * a mirror applies. A remote mirror whose collector is not resolved yet
 * does not apply (its resolution moves vs->gen). */
bool vs_mirror_acts(struct vs_switch *vs, int in_slot, int out_slot,
		    struct vs_acts *a);
/** Decide what a packet of key k becomes under the current model. */
enum vs_verdict vs_xlate(struct vs_switch *vs, const struct vs_flow_key *k,
			 struct vs_xlate_out *out);

/* ---- packet work (vs_exec.c) */

struct rte_mbuf;
struct nf_flow_key;
struct nf_pkt_layout;

/** Apply acts to m (parsed into k/lay): decap, MAC/IP rewrites with
 * checksums, TTL, encap. Returns 0, or -1 when m cannot take it (the
 * caller drops it). */
int vs_exec_apply(const struct vs_acts *a, struct rte_mbuf *m,
		  const struct nf_flow_key *k, const struct nf_pkt_layout *lay);
/** Put the VXLAN outer headers of a (ENCAP fields) in front of m. */
int vs_exec_encap(const struct vs_acts *a, struct rte_mbuf *m,
		  const struct nf_flow_key *inner);
/** Turn the ARP request m (ARP header at off) into its reply "tip is at
 * mac" in place (an 802.1Q tag stays). */
void vs_exec_arp_reply(struct rte_mbuf *m, uint16_t off,
		       const struct rte_ether_addr *mac);
/** Make m's 802.1Q tag what a port of VID vid expects: push, rewrite or
 * pop (vid 0). -1 when m has no room. */
int vs_exec_vlan(struct rte_mbuf *m, uint16_t vid);
/** A new ARP request for tip from (sip, smac), or NULL. */
struct rte_mbuf *vs_exec_arp_request(struct rte_mempool *mp, uint32_t sip,
				     const struct rte_ether_addr *smac,
				     uint32_t tip);
/** Turn the ICMP echo request m (IPv4 at l3) into its reply in place. */
void vs_exec_echo_reply(struct rte_mbuf *m, uint16_t l3, uint16_t l4);
/** A new ICMP error about m (IPv4 at l3) from src/smac, or NULL: time
 * exceeded (11/0), or fragmentation needed (3/4) with the next-hop mtu. */
struct rte_mbuf *vs_exec_icmp_error(struct rte_mempool *mp,
				    const struct rte_mbuf *m, uint16_t l3,
				    uint8_t type, uint8_t code, uint16_t mtu,
				    uint32_t src,
				    const struct rte_ether_addr *smac);

/** A new ICMPv6 "packet too big" (RFC 4443 §3.2) about the IPv6 packet m
 * (IPv6 at l3) with the next-hop mtu, from src/smac, or NULL. */
struct rte_mbuf *vs_exec_icmp6_too_big(struct rte_mempool *mp,
				       const struct rte_mbuf *m, uint16_t l3,
				       uint32_t mtu, const uint8_t src[16],
				       const struct rte_ether_addr *smac);

/* ---- IPv6 neighbour discovery on the uplinks (vs_nd.c, RFC 4861) */

/** A neighbour solicitation for tip from (sip, smac), to tip's
 * solicited-node group, or NULL (mempool empty). */
struct rte_mbuf *vs_nd_solicit(struct rte_mempool *mp, const struct vs_ip *sip,
			       const struct rte_ether_addr *smac,
			       const struct vs_ip *tip);
/**
 * An ICMPv6 packet m heard on uplink u (IPv6 header at l3, lock held):
 * learn from an advertisement or a solicitation's source; a solicitation
 * for our IPv6 VTEP gets its advertisement in *reply (NULL otherwise or
 * when the mempool is empty), for the caller to send. m stays the
 * caller's. @return 0; 1 when m is ICMPv6 but not NS/NA (not ours); -1
 * when it is not valid ND (RFC 4861 §7.1).
 */
int vs_nd_input(struct vs_switch *vs, int u, const struct rte_mbuf *m,
		uint16_t l3, struct rte_mbuf **reply);

/* ---- rules (vs_rule.c) */

/** One flow's rte_flow rule, self-contained (items point into it). */
struct vs_rule {
	struct rte_flow_attr attr;
	struct rte_flow_item items[6];
	struct rte_flow_action actions[16];
	struct rte_flow_item_eth eth, eth_mask;
	struct rte_flow_item_vlan vlan, vlan_mask;
	struct rte_flow_item_ipv4 ip4, ip4_mask;
	struct rte_flow_item_ipv6 ip6, ip6_mask;
	struct rte_flow_item_vxlan vxlan, vxlan_mask;
	struct rte_flow_action_count count;
	struct rte_flow_action_port_id port;
	struct rte_flow_action_set_mac mac_src, mac_dst;
	struct rte_flow_action_set_ipv4 nat;
	struct vs_encap_def {
		struct rte_flow_action_vxlan_encap conf;
		struct rte_flow_item items[5];
		struct rte_flow_item_eth eth;
		struct rte_flow_item_ipv4 ip4;
		struct rte_flow_item_ipv6 ip6;
		struct rte_flow_item_udp udp;
		struct rte_flow_item_vxlan vxlan;
	} encap, m_encap;            /**< VXLAN_ENCAP, and SAMPLE's */
	struct rte_flow_action_of_push_vlan push;
	struct rte_flow_action_of_set_vlan_vid vid;
	struct rte_flow_action_of_set_vlan_pcp pcp;
	struct rte_flow_action_sample sample;
	struct rte_flow_action sample_acts[3];
	struct rte_flow_action_port_id m_port;
	/* Security-group flows (§7.7): their L4 item. */
	struct rte_flow_item_tcp tcp, tcp_mask;
	struct rte_flow_item_udp udp, udp_mask;
};

/** Build the rule of the template acts->tpl for key k (created on
 * k->in_port), counter id count_id. -ENOTSUP when the flow is not
 * offloadable (N-3: only IPv4/IPv6 TCP/UDP; reason written to err). */
int vs_rule_build(const struct vs_flow_key *k, const struct vs_acts *acts,
		  uint32_t count_id, struct vs_rule *r, char *err,
		  size_t errlen);
/** The template's name ("l2", "l2-encap", ... ) for dumps. */
const char *vs_tpl_name(unsigned int tpl);

/* ---- flows (vs_flow.c) */

/** Find or create the flow of k with acts (datapath, lock held); queues
 * the offload of a new flow. @return the flow or NULL (table full). */
struct vs_flow *vs_flow_account(struct vs_switch *vs,
				const struct vs_flow_key *k,
				const struct vs_acts *acts, uint32_t len,
				uint64_t now);
/** The cached flow of k or NULL (lock held). */
struct vs_flow *vs_flow_lookup(struct vs_switch *vs,
			       const struct vs_flow_key *k);
/** Offload up to n queued flows (control thread). @return flows done. */
unsigned int vs_offload_run(struct vs_switch *vs, unsigned int n);
/** Age idle flows out (control thread, about once a second). */
void vs_aging_run(struct vs_switch *vs);
/** Translate every flow again if the model changed since the last call,
 * or only those behind a changed neighbour (vs_neigh_changed); remove those
 * whose actions changed (control thread). @return removed. */
unsigned int vs_revalidate(struct vs_switch *vs);
/** Revalidate only the flows whose outer destination is in prefix/plen
 * (network order), found through the tunnel index: what a route change
 * needs (V-9). @return flows removed. */
unsigned int vs_revalidate_tun(struct vs_switch *vs,
			       const struct vs_ip *prefix, uint8_t plen);
/** Destroy every flow. Caller holds flow_mtx, not lock. */
void vs_flows_flush(struct vs_switch *vs);
/** The flow table as JSON (V-8), NIC counters queried. */
json_t *vs_flows_to_json(struct vs_switch *vs);

/* ---- datapath (vs_datapath.c) */

/** One burst from each port's representor and from the uplink.
 * @return packets handled. */
unsigned int vs_datapath_poll(struct vs_switch *vs);
/** Counters as JSON. */
json_t *vs_stats_to_json(struct vs_switch *vs);

/* ---- security groups (vs_sg.c, V-5, spec §7.7)
 *
 * Model, as OpenStack/OVN users know it: a security group ("sg", stateful
 * unless created with stateful 0) holds allow rules ("sg_rule": direction
 * ingress|egress, ethertype IPv4, protocol tcp|udp|icmp|any, a TCP/UDP
 * destination port range, a remote prefix) and stateless DROP rules
 * ("sg_drop", the same fields); a port has at most one group ("sg_port").
 * A port with a group accepts and sends only what its rules allow; ARP
 * always passes (port security covers it), IPv6 never (IPv4 rules only).
 *
 * Flows touching such a port get the finer key (vs_flow_key.sg: source
 * address and ports), because the rules and the connection tracker need
 * the 5-tuple. vs_sg_check() (the last step of vs_xlate, so revalidation
 * applies a changed group to installed flows) decides:
 *   - a DROP rule matches, or a stateless group has no allow rule for it:
 *     the §7.7.2 DROP template, offloaded like any flow;
 *   - a stateful group has no allow rule for it and it is not the reply of
 *     a tracked connection: dropped in software (VS_DROP_SG_DENY);
 *   - allowed through a stateful group, TCP/UDP: VS_A_CT. Such a flow is
 *     offloaded with the §7.7.1 TCP item (tcp_flags spec 0 mask FIN|SYN|RST)
 *     so SYN, FIN and RST keep reaching software. There vs_sg_pkt() runs
 *     lib/ct (managed mode) on every packet: the first one creates the
 *     connection, invalid ones are dropped (VS_DROP_SG_INVALID); once
 *     FINs went both ways or an RST passed it moves vs->gen, revalidation
 *     then finds VS_A_SW in the connection's actions (its last packets
 *     stay in software) and destroys its NIC rules.
 * A CT flow's idle timeout is its protocol's CT timeout (UDP: udp_timeout_s,
 * TCP: tcp_timeout_s); a connection leaves CT (vs_sg_age) once idle and
 * without flows. Zones: a network, or all networks of a router, so equal
 * 5-tuples of two tenants are two connections. Floating IPs: CT sees the
 * port's own address (before SNAT, after DNAT), so both directions meet.
 */

#define VS_MAX_SGS 32
#define VS_MAX_SG_RULES 256
#define VS_A_CT 0x04 /**< tracked by CT: TCP item matches tcp_flags 0/0x07 */
#define VS_A_SW 0x08 /**< closing connection: stays in software */

enum vs_sg_dir { VS_SG_INGRESS, VS_SG_EGRESS };

struct vs_sg {
	bool used;
	bool stateful;
	char name[VS_NAME_MAX];
};

struct vs_sg_rule {
	bool used;
	bool drop;                   /**< sg_drop: a stateless DROP rule */
	bool ranged;                 /**< port_min..port_max applies */
	uint8_t dir;                 /**< enum vs_sg_dir */
	uint8_t proto;               /**< IPPROTO_*, 0 = any */
	uint8_t plen;
	uint16_t port_min, port_max; /**< destination ports, host order */
	uint32_t remote;             /**< remote prefix, network order */
	int sg;                      /**< index in groups */
	char name[VS_NAME_MAX];
};

struct ct;

struct vs_sg_state {
	struct vs_sg groups[VS_MAX_SGS];
	struct vs_sg_rule rules[VS_MAX_SG_RULES];
	int16_t port_sg[VS_MAX_PORTS]; /**< by port slot: group + 1, 0 none */
	unsigned int nb_bound;         /**< ports with a group */
	struct ct *ct;
	uint16_t tcp_timeout_s, fin_timeout_s, udp_timeout_s;
	uint64_t conns_new;            /**< connections created */
	uint64_t conns_closed;         /**< removed after FIN/RST */
	uint64_t conns_aged;           /**< removed idle, never closed */
};

/** sg_rule / sg_drop add parameters (strings as the RPC gave them). */
struct vs_sg_rule_params {
	const char *name, *sg, *direction, *ethertype, *protocol;
	bool has_min, has_max, has_remote, drop;
	uint32_t port_min, port_max;
	uint32_t remote;
	uint8_t plen;
};

/** Allocate vs->sg and its connection table (CT defaults). 0, -ENOMEM. */
int vs_sg_init(struct vs_switch *vs);
void vs_sg_fini(struct vs_switch *vs);
/** New CT timeouts (0: keep): the connection table is created again, so
 * call it before traffic. 0 or -ENOMEM. */
int vs_sg_timeouts(struct vs_switch *vs, unsigned int tcp_s,
		   unsigned int fin_s, unsigned int udp_s);

/* Model (vs_model.c's kinds "sg", "sg_rule", "sg_drop", "sg_port"); lock
 * held. Errors as vs_obj_add's. */
int vs_sg_add(struct vs_switch *vs, const char *name, bool stateful,
	      char *err, size_t errlen);
int vs_sg_del(struct vs_switch *vs, const char *name, char *err,
	      size_t errlen);
void vs_sg_list(const struct vs_switch *vs, json_t *out);
int vs_sg_rule_add(struct vs_switch *vs, const struct vs_sg_rule_params *p,
		   char *err, size_t errlen);
int vs_sg_rule_del(struct vs_switch *vs, const char *name, bool drop,
		   char *err, size_t errlen);
void vs_sg_rule_list(const struct vs_switch *vs, json_t *out);
void vs_sg_drop_list(const struct vs_switch *vs, json_t *out);
int vs_sg_port_add(struct vs_switch *vs, const char *port, const char *sg,
		   char *err, size_t errlen);
int vs_sg_port_del(struct vs_switch *vs, const char *port, char *err,
		   size_t errlen);
void vs_sg_port_list(const struct vs_switch *vs, json_t *out);
/** The group of port slot p, or NULL (port_del refuses then). */
const char *vs_sg_of_port(const struct vs_switch *vs, int p);

/* Slow path; lock held. */
/** vs_xlate's last step: v, or what the groups of the flow's ports make
 * of it (see above). */
enum vs_verdict vs_sg_check(struct vs_switch *vs, const struct vs_flow_key *k,
			    struct vs_xlate_out *out, enum vs_verdict v);
/** Give fk the security-group fields when the packet (parsed into k) may
 * concern a port with a group. */
void vs_sg_key(const struct vs_switch *vs, const struct nf_flow_key *k,
	       struct vs_flow_key *fk);
/** Connection tracking of a VS_A_CT packet before it is cached and
 * forwarded. 0: go on; -1: drop it, counted under *why. */
int vs_sg_pkt(struct vs_switch *vs, const struct vs_flow_key *fk,
	      const struct nf_flow_key *k, const struct rte_mbuf *m,
	      const struct nf_pkt_layout *lay, const struct vs_acts *a,
	      enum vs_drop *why);

/* Control thread. */
/** Idle timeout (TSC cycles) of flow f: its CT timeout for a tracked
 * flow, else def. */
uint64_t vs_sg_idle(const struct vs_switch *vs, const struct vs_flow *f,
		    uint64_t def);
/** Flow f (lock held) is removed for being idle: its connection ends
 * with its last flow. */
void vs_sg_flow_aged(struct vs_switch *vs, const struct vs_flow *f);
/** Connection aging (about once a second; takes the lock). */
void vs_sg_age(struct vs_switch *vs);
/** Security-group fields of a flow's match and actions (dump, V-8). */
void vs_sg_flow_json(const struct vs_flow_key *k, const struct vs_acts *a,
		     json_t *match, json_t *acts);
/** Counters: connections, created, closed, aged. */
json_t *vs_sg_stats_json(struct vs_switch *vs);

#endif /* VS_H */
