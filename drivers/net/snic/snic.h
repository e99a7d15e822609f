/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef SNIC_H
#define SNIC_H

/*
 * net_snic internals shared by the PMD's files. Not installed.
 *
 * Objects:
 *   struct snic_switch  one eswitch (one net_snic vdev): ports, the
 *                       forwarding table, shared counters, RCU, mempool.
 *   struct snic_port    one ethdev (uplink or VF representor) and the
 *                       underlying DPDK port it owns.
 *   struct rte_flow     one rule: forwarding (in a snic_tbl) or ACL.
 *   struct snic_actions a rule's compiled actions, run by snic_actions_run().
 *
 * Locking: control operations (rte_flow, ethdev ops) take sw->lock; the
 * datapath (snic_nic_iter) never locks and reads only RCU-protected
 * snapshots. Only one thread runs the datapath of a switch at a time (a DPDK
 * service without MT_SAFE, or rte_service_run_iter_on_app_lcore()), so it is
 * RCU reader 0 and the sole writer of datapath counters.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "nf_pkt.h"
#include "rte_pmd_snic.h"

#define SNIC_MAX_PORTS 64   /* uplink + up to 63 representors */
#define SNIC_MAX_QUEUES 4   /* rx/tx queues per snic port */
#define SNIC_BURST 32
#define SNIC_TXBUF 64
#define SNIC_FLOW_MAGIC 0x534e4943u
#define SNIC_HANDLE_MAGIC 0x534e4948u

extern int snic_logtype;
#define SNIC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, snic_logtype, "net_snic: " fmt "\n", \
		##__VA_ARGS__)

/* ------------------------------------------------------------ counters */

/* A hit counter written by the datapath only; readers subtract the base
 * recorded at the last reset, so a reset never races with an increment. */
struct snic_counter {
	uint64_t hits;
	uint64_t bytes;
	uint64_t base_hits;
	uint64_t base_bytes;
};

static inline void
snic_counter_add(struct snic_counter *c, uint32_t bytes)
{
	__atomic_store_n(&c->hits, c->hits + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->bytes, c->bytes + bytes, __ATOMIC_RELAXED);
}

/* Indirect COUNT action handle (N-11). */
struct rte_flow_action_handle {
	uint32_t magic;
	uint32_t refcnt;          /* rules using it; destroy refused while > 0 */
	struct snic_switch *sw;
	struct snic_counter cnt;
};

/* ------------------------------------------------------------- actions */

/* Action flags, in the order the datapath applies them (docs/snic.md
 * "Action order"), whatever their order in the rule. */
#define SNIC_A_COUNT        (1u << 0)
#define SNIC_A_SAMPLE       (1u << 1)  /* mirror the packet as received */
#define SNIC_A_DECAP        (1u << 2)
#define SNIC_A_POP_VLAN     (1u << 3)
#define SNIC_A_SET_MAC_SRC  (1u << 4)
#define SNIC_A_SET_MAC_DST  (1u << 5)
#define SNIC_A_SET_IP_SRC   (1u << 6)
#define SNIC_A_SET_IP_DST   (1u << 7)
#define SNIC_A_DEC_TTL      (1u << 8)
#define SNIC_A_MOD_DSCP     (1u << 9)  /* MODIFY_FIELD IPV4/IPV6_DSCP */
#define SNIC_A_PUSH_VLAN    (1u << 10)
#define SNIC_A_SET_VID      (1u << 11)
#define SNIC_A_SET_PCP      (1u << 12)
#define SNIC_A_ENCAP        (1u << 13)
#define SNIC_A_MOD_RSVD0    (1u << 14) /* MODIFY_FIELD VXLAN_RSVD0 */
#define SNIC_A_SET_TAG      (1u << 15)
#define SNIC_A_PORT         (1u << 16) /* fate: to out_port */
#define SNIC_A_DROP         (1u << 17) /* fate: drop */
#define SNIC_A_UPCALL       (1u << 18) /* fate: to software (ACL only) */
#define SNIC_A_SHARED_CNT   (1u << 19) /* INDIRECT count handle */
#define SNIC_A_SET_IP6      (1u << 20) /* SET_IP_* and DSCP act on IPv6 */
#define SNIC_A_METER        (1u << 21) /* METER: police first (N-16) */

#define SNIC_A_REWRITE (SNIC_A_DECAP | SNIC_A_POP_VLAN | SNIC_A_SET_MAC_SRC | \
	SNIC_A_SET_MAC_DST | SNIC_A_SET_IP_SRC | SNIC_A_SET_IP_DST | \
	SNIC_A_DEC_TTL | SNIC_A_MOD_DSCP | SNIC_A_PUSH_VLAN | SNIC_A_SET_VID | \
	SNIC_A_SET_PCP | SNIC_A_ENCAP | SNIC_A_MOD_RSVD0)
#define SNIC_A_FATE (SNIC_A_PORT | SNIC_A_DROP | SNIC_A_UPCALL)

/* A VXLAN encapsulation: the outer headers, ready to prepend. */
struct snic_encap {
	uint8_t len;          /* 50, 54 (VLAN), 70 or 74 */
	uint8_t l3_off;       /* outer IP header offset in hdr */
	uint8_t l4_off;       /* outer UDP header offset in hdr */
	uint8_t ipv6;         /* outer is IPv6 */
	uint8_t hash_sport;   /* UDP source port 0 in the definition: N-7 */
	uint8_t hdr[79];
};

/* One MODIFY_FIELD action. */
struct snic_modify {
	uint8_t op;           /* enum rte_flow_modify_op */
	uint8_t offset;       /* bits to skip from the field's LSB */
	uint8_t width;        /* bits */
	uint32_t value;       /* right-aligned, width bits */
};

/* Rewrite parameters, allocated only for rules that rewrite. */
struct snic_rewrite {
	struct rte_ether_addr mac_src;
	struct rte_ether_addr mac_dst;
	rte_be16_t push_tpid;
	uint16_t vid;             /* host order, 12 bits */
	uint8_t pcp;
	uint8_t ip_src[16];       /* IPv4 in the first 4 bytes */
	uint8_t ip_dst[16];
	struct snic_modify dscp;
	struct snic_modify rsvd0;
	struct snic_encap *encap; /* SNIC_A_ENCAP */
};

/* SAMPLE (mirror) sub-actions: [VXLAN_ENCAP] PORT_ID, ratio 1 in N. */
struct snic_sample {
	uint32_t ratio;
	uint32_t seen;            /* datapath-only */
	uint16_t out_port;        /* switch-local index */
	struct snic_encap *encap; /* NULL: local mirror */
};

struct snic_actions {
	uint32_t flags;           /* SNIC_A_* */
	uint16_t out_port;        /* switch-local index (SNIC_A_PORT) */
	uint16_t tag;             /* SET_TAG: index << 8 | data */
	struct rte_flow_action_handle *shared; /* SNIC_A_SHARED_CNT */
	struct snic_rewrite *rw;  /* NULL when no rewrite */
	struct snic_sample *sample;
	struct snic_mtr *mtr;     /* SNIC_A_METER: a flow meter, referenced */
};

/* ---------------------------------------------------------- rules */

enum snic_dir { SNIC_DIR_IN = 0, SNIC_DIR_OUT = 1 };

/* An ACL rule's match (only ACL rules keep key and mask; forwarding rules
 * keep theirs in rte_flow.key). */
struct snic_acl_match {
	struct nf_flow_key key;   /* already masked */
	struct nf_flow_key mask;
};

struct snic_tbl;

struct rte_flow {
	/* Datapath-hot part first: the counter and the actions' flags, port,
	 * tag and pointers share the first cache line, the forwarding key
	 * (key[], at the end) is the second line a lookup touches. */
	struct snic_counter cnt;
	struct snic_actions act;
	/* Control part. */
	TAILQ_ENTRY(rte_flow) next; /* port's rule list, control only */
	struct snic_port *port;
	struct snic_tbl *tbl;     /* forwarding table holding it */
	struct snic_acl_match *acl; /* ACL rules only */
	uint64_t seq;             /* creation order, for dump cursors */
	uint32_t magic;
	uint32_t hash;            /* forwarding: hash of key[] (snic_table.c) */
	uint32_t priority;
	uint8_t type;             /* RTE_PMD_SNIC_FLOW_TYPE_* */
	uint8_t dir;              /* ACL: enum snic_dir */
	uint16_t group;           /* ACL group */
	uint8_t nw;               /* words of key[] (0: ACL rule) */
	/* Forwarding rules: the table's compact key (tbl->nw words, see
	 * struct snic_tbl), compared by lookups; allocated with the rule. */
	uint64_t key[];
};

/* Bytes of a rule with nw key words (its slab object size). */
static inline size_t
snic_flow_size(unsigned int nw)
{
	return sizeof(struct rte_flow) + nw * sizeof(uint64_t);
}
TAILQ_HEAD(snic_flow_list, rte_flow);

/* One tuple of the tuple-space forwarding table: rules of one mask and one
 * priority, in a hash of buckets (snic_table.c) keyed by the masked flow
 * key. The bucket array is replaced by a bigger copy when full (bk is read
 * once per burst). */
struct snic_bkts;
struct snic_tbl {
	struct nf_flow_key mask;
	uint32_t priority;
	uint32_t n_rules;
	uint32_t id;
	struct snic_bkts *bk;     /* RCU: the current bucket array */
	/* Compact key: only the key words this mask touches are hashed and
	 * stored (e.g. 6 of 14 for the spec's L2 template), in this order. */
	uint8_t nw;
	uint8_t widx[NF_KEY_WORDS];
	uint64_t wmask[NF_KEY_WORDS];
};

/* A compact (gathered, masked) key of a snic_tbl. */
struct snic_ckey {
	uint64_t w[NF_KEY_WORDS];
};

/* Immutable snapshot of the tables, ordered by priority (0 first). */
struct snic_tbl_set {
	uint32_t n;
	struct snic_tbl *t[];
};

/* Immutable snapshot of one port-direction ACL, ordered by group then
 * priority then creation. */
/* One rule as the datapath scans it: only the key words its mask touches,
 * inline, so a rule costs its few words and no pointer chase (32 rules
 * that never match cost ~8 ns each as full 14-word compares through
 * rule->acl). */
struct snic_acl_ent {
	struct rte_flow *r;
	uint8_t group;
	uint8_t nw;                       /* words compared */
	uint8_t widx[NF_KEY_WORDS];       /* their index in the key */
	uint64_t mask[NF_KEY_WORDS];
	uint64_t val[NF_KEY_WORDS];       /* key & mask */
};

struct snic_acl_set {
	uint32_t n;
	struct snic_acl_ent e[];
};

/* ---------------------------------------------------------- ports */

/* Why the NIC did not forward a packet (xstats "miss_<name>"). */
enum snic_miss {
	SNIC_MISS_NOT_OFFLOADABLE, /* N-3: ARP, ICMP, multicast, ... */
	SNIC_MISS_NO_RULE,
	SNIC_MISS_ACL_UPCALL,
	SNIC_MISS_MTU,
	SNIC_MISS_TTL,
	SNIC_MISS_TUNNEL_DST,      /* N-17: decap rule, not our endpoint */
	SNIC_MISS_MAX
};

/* Why the NIC dropped a packet, besides malformed ones. */
enum snic_drop {
	SNIC_DROP_RULE,          /* DROP action (forwarding or ACL) */
	SNIC_DROP_UPCALL_FULL,   /* upcall ring overflow */
	SNIC_DROP_TX_FULL,       /* underlying tx refused */
	SNIC_DROP_NO_HEADROOM,   /* no room to push headers */
	SNIC_DROP_NO_MBUF,       /* mirror copy failed */
	SNIC_DROP_PORT_DOWN,     /* destination port stopped */
	SNIC_DROP_METER_RED,     /* a meter's policy dropped it (N-16) */
	SNIC_DROP_MAX
};

/* Datapath counters of a port (as ingress port), written by the NIC only. */
struct snic_port_dp_stats {
	uint64_t rx_pkts;        /* from the underlying port */
	uint64_t rx_bytes;
	uint64_t hw_fwd;         /* forwarded by a rule */
	uint64_t tx_pkts;        /* sent on the underlying port */
	uint64_t tx_bytes;
	uint64_t malformed[NF_PKT_ERR_MAX];
	uint64_t miss[SNIC_MISS_MAX];
	uint64_t drop[SNIC_DROP_MAX];
};

struct snic_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[SNIC_TXBUF];
};

struct snic_switch;
struct snic_mtr;
struct snic_mtr_ctx;
struct nf_rpc_server;

/* Port meter directions (N-16), index of snic_port.meter. */
enum snic_mtr_dir { SNIC_MTR_VM_TO_NIC = 0, SNIC_MTR_NIC_TO_VM = 1 };

struct snic_port {
	struct snic_switch *sw;
	struct rte_eth_dev *dev;
	uint16_t port_id;         /* ethdev port id */
	uint16_t index;           /* switch-local: 0 uplink, 1.. VFs */
	uint16_t phys;            /* underlying ethdev port id */
	bool is_uplink;
	bool started;             /* read by the datapath (atomic) */
	bool phys_started;
	/* Bonded uplink (snic_bond.c, N-18): true while the underlying bond
	 * cannot be used (no member, or being reconfigured); read by the
	 * datapath (atomic) like started. */
	bool phys_paused;
	/* 802.3ad uplink: the datapath calls tx_burst with no packets when
	 * it sent nothing for a while, so LACPDUs leave (snic_rxtx.c). */
	bool keepalive;
	uint64_t ka_tsc;          /* datapath-only: last tx on phys */
	uint16_t mtu;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	struct rte_ether_addr mac;
	struct rte_ring *upcall[SNIC_MAX_QUEUES]; /* NIC → app, SP/SC */
	struct rte_ring *inject;  /* app tx → NIC, MP/SC */
	struct snic_acl_set *acl[2]; /* RCU snapshots, by enum snic_dir */
	uint32_t acl_count[2][RTE_PMD_SNIC_ACL_GROUPS];
	struct snic_mtr *meter[2];   /* RCU: port meters, by snic_mtr_dir */
	struct snic_mtr_ctx *mtr;    /* profiles, policies, meters (control) */
	struct snic_flow_list flows; /* rules created on this port */
	uint32_t nb_flows;
	struct snic_txbuf txb;    /* NIC datapath only */
	struct snic_port_dp_stats dp;
	struct snic_port_dp_stats dp_base; /* xstats_reset snapshot (control) */
	/* application side, per queue */
	uint64_t app_rx_pkts[SNIC_MAX_QUEUES];
	uint64_t app_rx_bytes[SNIC_MAX_QUEUES];
	uint64_t app_tx_pkts[SNIC_MAX_QUEUES];
	uint64_t app_tx_bytes[SNIC_MAX_QUEUES];
	uint64_t app_tx_full[SNIC_MAX_QUEUES];
	uint64_t app_rx_nombuf[SNIC_MAX_QUEUES]; /* no mbuf in its pool */
	char name[RTE_ETH_NAME_MAX_LEN];
};

/* N-17: a local VXLAN tunnel endpoint (UDP 4789); all-zero addr = any. */
#define SNIC_MAX_TUNNEL_EP 16
struct snic_tunnel_ep {
	uint8_t v6;
	uint8_t addr[16];         /* IPv4 in the first 4 bytes */
};

/* The endpoints the datapath checks decap rules against (RCU snapshot;
 * NULL: none configured, decap applies to any destination). */
struct snic_tunnel_set {
	uint32_t n;
	bool any4;                /* an IPv4 wildcard endpoint is configured */
	bool any6;
	struct snic_tunnel_ep ep[SNIC_MAX_TUNNEL_EP];
};

struct snic_switch {
	char name[RTE_ETH_NAME_MAX_LEN];
	pthread_mutex_t lock;     /* control path only */
	uint16_t nb_ports;
	uint16_t domain_id;
	struct snic_port *ports[SNIC_MAX_PORTS];
	uint16_t phys_id[SNIC_MAX_PORTS];  /* underlying ports, by index */
	bool phys_owned[SNIC_MAX_PORTS];
	struct rte_mempool *pool; /* underlying rx, mirror copies */
	uint32_t service_id;
	bool inline_mode;
	bool service_registered;
	uint32_t upcall_size;
	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *dq;
	struct snic_tbl_set *tbls; /* RCU snapshot */
	uint32_t next_tbl_id;
	uint64_t next_seq;
	uint32_t nb_fwd_rules;
	uint32_t max_rules;       /* forwarding rules, devarg max_rules */
	struct rte_flow_action_handle *handles[RTE_PMD_SNIC_MAX_HANDLES];
	struct snic_tunnel_set *tun;        /* RCU snapshot, N-17 */
	struct snic_tunnel_ep tun_ep[SNIC_MAX_TUNNEL_EP]; /* control side */
	uint32_t tun_ref[SNIC_MAX_TUNNEL_EP]; /* 0: slot free */
	/* Management agent (snic_agent.c): its socket path as probe found it
	 * (devarg ctl= or the init config's "ctl"; "" = the default path,
	 * "none" = no agent), and its state while running. */
	char ctl_path[108];
	struct nf_rpc_server *agent;
	/* Bonds, NIC physical ports and the PHY monitor (snic_bond.c). */
	struct snic_bonding *bonding;
	TAILQ_ENTRY(snic_switch) next;
};

TAILQ_HEAD(snic_switch_list, snic_switch);
extern struct snic_switch_list snic_switches; /* guarded by snic_list_lock */
extern pthread_mutex_t snic_list_lock;

/* ---------------------------------------------------------- functions */

/* snic_ethdev.c */
struct snic_port *snic_port_by_ethdev(uint16_t port_id);

/* An application rx or tx queue of a snic port. */
struct snic_queue {
	struct snic_port *port;
	uint16_t qid;
	struct rte_mempool *mp;   /* rx: the application's pool (see rx) */
};

/* snic_rxtx.c: the NIC datapath */
int32_t snic_nic_iter(void *sw);
uint16_t snic_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
uint16_t snic_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);

/* snic_flow_parse.c: items → key/mask (table-driven) */
struct snic_match {
	struct nf_flow_key key;   /* masked */
	struct nf_flow_key mask;
};
int snic_items_parse(struct snic_port *port, const struct rte_flow_item *items,
		     uint32_t type, struct snic_match *m,
		     struct rte_flow_error *err);

/* snic_flow_actions.c: actions → struct snic_actions (table-driven) */
int snic_actions_parse(struct snic_port *port,
		       const struct rte_flow_action *actions, uint32_t type,
		       enum snic_dir dir, const struct snic_match *m,
		       struct snic_actions *a, struct rte_flow_error *err);
void snic_actions_release(struct snic_actions *a); /* frees rw/sample/encap,
						      * drops handle ref */
int snic_encap_parse(const struct rte_flow_item *def, struct snic_encap **out,
		     const struct rte_flow_action *act, struct rte_flow_error *err);

/* snic_action.c: apply compiled actions to a packet (datapath) */
enum snic_verdict {
	SNIC_V_FWD,       /* send to a->out_port (through its egress ACL) */
	SNIC_V_DROP,      /* drop, count SNIC_DROP_RULE */
	SNIC_V_UPCALL,    /* to software */
	SNIC_V_CONTINUE,  /* ACL without fate: go on */
	SNIC_V_MISS_MTU,  /* not forwarded: too big for the egress MTU */
	SNIC_V_MISS_TTL,  /* not forwarded: TTL would expire */
	SNIC_V_MISS_TUNNEL, /* not decapsulated: not a local endpoint (N-17) */
	SNIC_V_ERR_HEADROOM,
	SNIC_V_METER_DROP, /* the rule's meter dropped it (N-16) */
};
/* The last step of applying actions, shared by the rewrite path
 * (snic_actions_apply) and the datapath's no-rewrite fast path: N-10 the
 * tag rides in the key to the egress ACL, then the fate decides. */
static inline int
snic_actions_verdict(const struct snic_actions *a, struct nf_flow_key *key)
{
	if (a->flags & SNIC_A_SET_TAG) {
		key->tag = a->tag;
		key->flags |= NF_KEY_F_TAG;
	}
	if (a->flags & SNIC_A_PORT)
		return SNIC_V_FWD;
	if (a->flags & SNIC_A_DROP)
		return SNIC_V_DROP;
	if (a->flags & SNIC_A_UPCALL)
		return SNIC_V_UPCALL;
	return SNIC_V_CONTINUE;
}

/* Bytes a packet grows (or shrinks, negative) under these actions. */
int snic_actions_len_delta(const struct snic_actions *a,
			   const struct nf_flow_key *key,
			   const struct nf_pkt_layout *lay);
/* Apply a's rewrites to m (key/lay describe m and are updated for the
 * result where cheap: tag). Returns SNIC_V_* (never SNIC_V_MISS_*: the
 * caller checks MTU/TTL before, with snic_actions_precheck). */
int snic_actions_apply(const struct snic_actions *a, struct rte_mbuf *m,
		       struct nf_flow_key *key, struct nf_pkt_layout *lay);
/* SNIC_V_FWD if a may be applied to this packet, or SNIC_V_MISS_MTU /
 * SNIC_V_MISS_TTL. */
int snic_actions_precheck(const struct snic_switch *sw,
			  const struct snic_actions *a, const struct rte_mbuf *m,
			  const struct nf_flow_key *key,
			  const struct nf_pkt_layout *lay);
/* Prepend e's headers to m, fill lengths, checksum and the N-7 source port
 * (computed from inner, the key of the packet being encapsulated). */
int snic_encap_apply(const struct snic_encap *e, struct rte_mbuf *m,
		     const struct nf_flow_key *inner);

/* snic_table.c: tuple-space forwarding table */
/* Insert f (lock held); the caller has refused a duplicate with
 * snic_tbl_exists() under the same hold of the lock. */
int snic_tbl_insert(struct snic_switch *sw, struct rte_flow *f,
		    const struct snic_match *m, struct rte_flow_error *err);
void snic_tbl_remove(struct snic_switch *sw, struct rte_flow *f);
/* Is a rule with m's match and this priority installed? (lock held) */
bool snic_tbl_exists(struct snic_switch *sw, const struct snic_match *m,
		     uint32_t priority);
/* Look up n keys; rules[i] = best rule or NULL. Datapath. */
void snic_tbl_lookup(const struct snic_switch *sw,
		     const struct nf_flow_key *keys, uint32_t n,
		     struct rte_flow **rules);
/* Masked key of a forwarding rule (from its compact key), for dump. */
int snic_tbl_rule_match(const struct rte_flow *f, struct snic_match *m);
/* Words of the compact key of a forwarding rule with this mask: the size
 * of its rte_flow's key[]. */
unsigned int snic_tbl_key_words(const struct nf_flow_key *mask);
/* Release the tables of an emptied switch (close; readers gone). */
void snic_tbl_fini(struct snic_switch *sw);

/* snic_rxtx.c: count, mirror and rewrite for one matched rule; returns
 * SNIC_V_* (MISS_* when the packet must go to software unmodified). */
int snic_rule_exec(struct snic_switch *sw, struct rte_flow *f,
		   struct rte_mbuf *m, struct nf_flow_key *key,
		   struct nf_pkt_layout *lay);

/* snic_acl.c */
/* Would the port's ACL take f? ENOSPC naming the full group or port. */
int snic_acl_room(const struct snic_port *port, const struct rte_flow *f,
		  const void *cause, struct rte_flow_error *err);
int snic_acl_insert(struct snic_port *port, struct rte_flow *f,
		    struct rte_flow_error *err);
void snic_acl_remove(struct snic_port *port, struct rte_flow *f);
/* Run the ACL of port/dir on one packet. Returns SNIC_V_* (CONTINUE when
 * no rule had a fate); may rewrite m and set key->tag. */
int snic_acl_run(struct snic_port *port, enum snic_dir dir,
		 struct rte_mbuf *m, struct nf_flow_key *key,
		 struct nf_pkt_layout *lay, uint16_t *out_port);

/* snic_slab.c: rule memory, zeroed and 64-byte aligned, at most 512 B.
 * Each switch holds a reference from probe until its deferred frees are
 * done. */
void snic_slab_get(void);
void snic_slab_put(void);
void *snic_slab_alloc(size_t size);
void snic_slab_free(void *o, size_t size);

/* snic_rcu.c: deferred free after a grace period */
int snic_rcu_init(struct snic_switch *sw);
void snic_rcu_fini(struct snic_switch *sw);
/* Free ptr (with free()) once no datapath reader can see it. */
void snic_defer_free(struct snic_switch *sw, void *ptr);
/* Call fn(ptr) once readers are done. */
void snic_defer_call(struct snic_switch *sw, void (*fn)(void *), void *ptr);
/* The same for a large object (an outgrown table): reclaimed as soon as
 * the datapath can no longer see it, not after the queue's trigger. */
void snic_defer_call_big(struct snic_switch *sw, void (*fn)(void *),
			 void *ptr);
void snic_rcu_sync(struct snic_switch *sw);

/* snic_mtr.c: rte_mtr (N-16); datapath part in snic_mtr.h */
int snic_mtr_ops_get(struct rte_eth_dev *dev, void *ops);
/* Free the port's meters, profiles and policies (close, readers gone). */
void snic_mtr_port_free(struct snic_port *port);
/* The flow meter (direction 0) mtr_id of port for a METER action: a
 * reference is taken (lock held). NULL with err set when unknown. */
struct snic_mtr *snic_mtr_flow_ref(struct snic_port *port, uint32_t mtr_id,
				   const void *cause,
				   struct rte_flow_error *err);
void snic_mtr_flow_unref(struct snic_mtr *m);  /* lock held */
uint32_t snic_mtr_id(const struct snic_mtr *m);

/* snic_flow.c */
extern const struct rte_flow_ops snic_flow_ops;
/* rte_flow_error_set() with a formatted message kept in a per-thread
 * buffer (valid until the thread's next error). Returns -code. */
int snic_err(struct rte_flow_error *err, int code,
	     enum rte_flow_error_type type, const void *cause,
	     const char *fmt, ...) __rte_format_printf(5, 6);
void snic_flow_flush_port(struct snic_port *port);

/* snic_dump.c: rule → items/actions (canonical layout) */
struct snic_dump_buf;
int snic_dump_rule(const struct rte_flow *f, struct snic_dump_buf **buf,
		   const struct rte_flow_item **pattern,
		   const struct rte_flow_action **actions);
void snic_dump_buf_free(struct snic_dump_buf *buf);

/* Switch-local index → port (NULL if absent). */
static inline struct snic_port *
snic_port_get(const struct snic_switch *sw, uint16_t index)
{
	/* Atomic: dev_close clears a slot while the datapath runs. */
	return index < sw->nb_ports ?
		__atomic_load_n(&sw->ports[index], __ATOMIC_ACQUIRE) : NULL;
}

/* snic_tunnel.c: tunnel configuration (N-17), rte_flow tunnel ops */
int snic_tunnel_decap_set(struct rte_eth_dev *dev,
			  struct rte_flow_tunnel *tunnel,
			  struct rte_flow_action **pmd_actions,
			  uint32_t *num_of_actions,
			  struct rte_flow_error *err);
int snic_tunnel_match(struct rte_eth_dev *dev, struct rte_flow_tunnel *tunnel,
		      struct rte_flow_item **pmd_items,
		      uint32_t *num_of_items, struct rte_flow_error *err);
int snic_tunnel_get_restore_info(struct rte_eth_dev *dev, struct rte_mbuf *m,
				 struct rte_flow_restore_info *info,
				 struct rte_flow_error *err);
int snic_tunnel_action_decap_release(struct rte_eth_dev *dev,
				     struct rte_flow_action *pmd_actions,
				     uint32_t num_of_actions,
				     struct rte_flow_error *err);
int snic_tunnel_item_release(struct rte_eth_dev *dev,
			     struct rte_flow_item *pmd_items,
			     uint32_t num_of_items, struct rte_flow_error *err);
/* 0 if conf is the configuration of a live SNIC_TUNNEL_SET action of the
 * port's switch, else a rte_flow error. Caller holds sw->lock. */
int snic_tunnel_pmd_check(const struct snic_port *port, const void *conf,
			  const void *cause, struct rte_flow_error *err);
void snic_tunnel_fini(struct snic_switch *sw);

/* May a decap rule decapsulate this VXLAN packet (N-17)? */
static inline bool
snic_tunnel_accepts(const struct snic_switch *sw,
		    const struct nf_flow_key *key)
{
	const struct snic_tunnel_set *s =
		__atomic_load_n(&sw->tun, __ATOMIC_ACQUIRE);
	bool v6 = key->flags & NF_KEY_F_OUTER_V6;

	if (s == NULL || (v6 ? s->any6 : s->any4))
		return true;
	for (uint32_t i = 0; i < s->n; i++)
		if (s->ep[i].v6 == v6 &&
		    memcmp(s->ep[i].addr, key->outer_dst, v6 ? 16 : 4) == 0)
			return true;
	return false;
}

/* Why a SNIC_V_MISS_* verdict went to software. */
static inline enum snic_miss
snic_verdict_miss(int v)
{
	return v == SNIC_V_MISS_MTU ? SNIC_MISS_MTU :
	       v == SNIC_V_MISS_TTL ? SNIC_MISS_TTL : SNIC_MISS_TUNNEL_DST;
}

/* snic_flow_cmd.c: a rule as the dpdk-testpmd 22.11 commands that replay it
 * ("set ...; " set-up commands, then "flow create ..."), for the log of
 * refused offloads. Writes at most size bytes (NUL included) and returns
 * the full length, like snprintf. Parts testpmd cannot express are <...>. */
int snic_flow_cmd_format(char *buf, size_t size, uint16_t port_id,
			 const struct rte_flow_attr *attr,
			 const struct rte_flow_item items[],
			 const struct rte_flow_action actions[]);

/* ---------------------------------------------------------- bonding */

/* snic_initcfg.c: the NIC init config (N-20, docs/snic.md "Bonding in the NIC"). Strings
 * are malloc'd; NULL/-1/0 = unset. Devargs fill it first, the file only
 * what is still unset. */
#define SNIC_MAX_PHYS 16          /* NIC physical ports ("ports") */
#define SNIC_NAME_LEN 32          /* port and bond names ("eth0", "bond0") */
#define SNIC_INITCFG_ENV "NICFLOW_SNIC_INIT_CFG"
#define SNIC_INITCFG_DEFAULT "/etc/smart_nic_init.cfg"
struct snic_initcfg {
	char *uplink;             /* ethdev name/id, "ports" name or bond */
	char *vf[SNIC_MAX_PORTS - 1]; /* ethdev names/ids or vdev devargs */
	uint16_t nb_vf;
	int mode;                 /* -1 unset, 0 service, 1 inline */
	char *bond_cfg;           /* NULL: SNIC_BOND_CFG_DEFAULT */
	char *ctl;                /* agent socket */
	uint16_t nb_phys;
	char *phys_name[SNIC_MAX_PHYS];
	char *phys_args[SNIC_MAX_PHYS];
};
/* The file to read when the probe had no devargs at all. */
const char *snic_initcfg_path(void);
int snic_initcfg_load(const char *path, struct snic_initcfg *c);
void snic_initcfg_free(struct snic_initcfg *c);

/* snic_bond.c: bonds as net_bonding ports owned by the switch (N-18). */
#define SNIC_BOND_CFG_DEFAULT "/etc/nicflow/bond.json"
struct snic_bonding;
/* Probe, before the snic ports exist: restore the bond config, create the
 * ports and bonds needed, resolve c's uplink and VFs into phys[0..nb_vf]. */
int snic_bond_setup(struct snic_switch *sw, const struct snic_initcfg *c,
		    uint16_t phys[]);
/* Probe, after the snic ports exist: own the NIC's other ports, start the
 * PHY monitor, set the uplink's paused/keepalive state. */
int snic_bond_attach(struct snic_switch *sw);
void snic_bond_fini(struct snic_switch *sw);
/* The snic uplink over a bond: dev_start/dev_stop/link_update. */
bool snic_bond_is_uplink(const struct snic_port *p);
int snic_bond_uplink_start(struct snic_port *p);
void snic_bond_uplink_stop(struct snic_port *p);
void snic_bond_uplink_link(const struct snic_port *p, struct rte_eth_link *l);
/* The operations behind the agent methods (bond_add, ...): 0 or a negative
 * errno with a one-line message in err; nothing changes on error. mode,
 * policy: "active-backup"|"balance-xor"|"802.3ad", "layer2"|"layer2+3"|
 * "layer3+4" (NULL: default). Each success rewrites the bond config. */
int snic_bond_add(struct snic_switch *sw, const char *bond, const char *mode,
		  char *err, size_t errlen);
int snic_bond_delete(struct snic_switch *sw, const char *bond, char *err,
		     size_t errlen);
int snic_bond_set_mode(struct snic_switch *sw, const char *bond,
		       const char *mode, char *err, size_t errlen);
int snic_bond_set_policy(struct snic_switch *sw, const char *bond,
			 const char *policy, char *err, size_t errlen);
int snic_bond_set_primary(struct snic_switch *sw, const char *bond,
			  const char *slave, char *err, size_t errlen);
int snic_bond_set_master(struct snic_switch *sw, const char *slave,
			 const char *bond, char *err, size_t errlen);
int snic_bond_set_nomaster(struct snic_switch *sw, const char *slave,
			   char *err, size_t errlen);
/* ethdev port id of a bond (-ENODEV if unknown). */
int snic_bond_port(struct snic_switch *sw, const char *bond);

#endif /* SNIC_H */
