/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_CT_H
#define NF_CT_H

/**
 * @file
 * ct — connection tracking (issue 5, requirements C-1..C-6).
 *
 * What: a table of TCP and UDP connections over IPv4 and IPv6, keyed by
 * zone + 5-tuple, one entry per connection covering both directions. The
 * application drives it the way DOCA Flow CT's *managed mode* is driven:
 * it looks packets up (ct_lookup_burst), decides on a miss whether to
 * create a connection (ct_entry_add), attaches per-connection metadata,
 * per-direction forward targets and NAT actions, and removes entries or
 * lets the aging pass (ct_age) remove them. A TCP state machine good
 * enough for a firewall runs on every looked-up packet and flags invalid
 * packets (an ACK with no connection, a SYN with another sequence number
 * on an established connection, ...), and per-direction sequence/window
 * tracking flags segments outside what the peer may legitimately send or
 * acknowledge (CT_CFG_F_NO_TCP_WINDOW turns it off). In *autonomous mode*
 * (ct_worker_process) the tracker creates connections itself and only
 * asks the application about first packets.
 *
 * Design: the key is the tuple normalised so that the lower (address,
 * port) endpoint comes first; a packet of either direction finds the same
 * key and its direction is learnt from whether normalising swapped it. The
 * key lives in an rte_hash created with lock-free readers
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF); the
 * position rte_hash returns for a key indexes a preallocated array of
 * 80-byte entries, so adding and removing never allocate. An entry's life
 * (free, claimed, live, dead) and its TCP state share one 32-bit word
 * changed by compare-and-swap: that word is how racing adders of the same
 * connection agree on one winner (C-5, the duplicate filter: the loser gets
 * -EEXIST and the winner's entry), how racing removers agree on one, and
 * how packets of both directions update the TCP state without a lock.
 * Removed keys and entries go to an RCU defer queue (rte_rcu_qsbr) and are
 * reused only once every registered reader has passed a quiescent state.
 * Protocol behaviour plugs in through a small ops table per L4 protocol
 * (TCP, UDP), like Open vSwitch's ct_l4_proto.
 *
 * TCP windows: each direction keeps, in the entry, the highest sequence
 * it sent (end), the highest it may send (maxend: the peer's ACK plus
 * its advertised window) and its largest window, with the window scale
 * from the SYN options, the way Linux's tcp_in_window does. Only the
 * state word is changed by compare-and-swap; the window fields are
 * advisory: each edge only moves forward, by a relaxed CAS loop of its
 * own, so racing packets of one connection on two threads keep the
 * furthest edge and never move one back, and the checks read a snapshot
 * field by field (a racing update can only widen what is accepted, or
 * narrow the lower bounds, which lie a whole window back). A packet is
 * checked before its state transition is committed and flagged invalid
 * without changing anything.
 *
 * Thread-safety: ct_lookup_burst and the ct_entry_* getters are lock-free
 * and may run on any number of threads; each such thread registers with
 * ct_thread_register() and calls ct_thread_quiescent() between bursts
 * (it must hold no entry pointer across that call). ct_entry_add*,
 * ct_entry_update, ct_entry_remove and ct_age may run on any number of
 * threads concurrently with each other and with readers (a spinlock
 * serialises the few instructions of each rte_hash write). A removal
 * (ct_entry_remove, ct_age) may have to wait for a grace period when many
 * removed entries are pending; on a registered reader thread it then
 * reports that thread quiescent, so such a thread must not keep entry
 * pointers of earlier lookups across a removal. Counters are
 * updated with relaxed atomics: they are exact, but a reader may see the
 * packet count of one packet before its byte count.
 *
 * Usage (managed mode):
 *   struct ct_cfg cfg = CT_CFG_DEFAULT; cfg.nb_conns = 1 << 20;
 *   struct ct *ct = ct_create(&cfg);
 *   ct_thread_register(ct, 0);
 *   for (;;) {
 *           ct_pkt_from_key(&p[i], zone, &key, l4_hdr, frame_len);  // per pkt
 *           ct_lookup_burst(ct, p, n, res);
 *           for each i: if (res[i].verdict == CT_V_NEW && allowed(&p[i]))
 *                   ct_entry_add(ct, &p[i], &params, &res[i].entry);
 *           ct_thread_quiescent(ct, 0);
 *   }
 *   ...; ct_age(ct, ct_time_ms(ct)) from a timer, or ct_aging_start().
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nf_flow_key;
struct nf_pkt_layout;
struct rte_mbuf;

/** Directions, relative to the packet that created the connection. */
enum ct_dir {
	CT_DIR_ORIG = 0,  /**< the initiator's direction */
	CT_DIR_REPLY = 1, /**< the responder's direction */
};

/** TCP connection states (UDP entries stay CT_TCP_NONE). */
enum ct_tcp_state {
	CT_TCP_NONE = 0,   /**< not TCP */
	CT_TCP_SYN_SENT,   /**< SYN seen from the initiator */
	CT_TCP_SYN_SENT2,  /**< SYNs from both sides (simultaneous open) */
	CT_TCP_SYN_RECV,   /**< SYN-ACK seen */
	CT_TCP_ESTABLISHED, /**< handshake completed */
	CT_TCP_FIN_WAIT,   /**< a FIN from one side (see ct_entry_fin) */
	CT_TCP_CLOSING,    /**< FINs from both sides */
	CT_TCP_TIME_WAIT,  /**< both FINs and a later ACK: closed cleanly */
	CT_TCP_CLOSED,     /**< RST seen */
	CT_TCP_STATE_MAX
};

/** What a looked-up packet is (struct ct_result.verdict). */
enum ct_verdict {
	CT_V_NEW = 0,  /**< no entry; the packet may start a connection */
	CT_V_EST,      /**< belongs to a tracked connection (state updated) */
	CT_V_END,      /**< belongs to a connection and closed it (RST, or
			 *  the ACK completing the FIN exchange) */
	CT_V_INVALID,  /**< flagged: no entry and cannot start one (e.g. an
			 *  ACK), or contradicts the tracked state (e.g. a
			 *  SYN with another ISN on an established
			 *  connection), or lies outside the TCP windows;
			 *  the state is left unchanged, nothing counted
			 *  (struct ct_result.why says which) */
};

/**
 * A connection tuple as seen on the wire. Addresses are 16 bytes; an IPv4
 * address occupies the first 4 (the rest zero), as in struct nf_flow_key.
 * Ports in network order. Used both as packet input and (normalised) as
 * the table key, so it has no holes.
 */
struct ct_tuple {
	uint8_t src[16];
	uint8_t dst[16];
	rte_be16_t sport;
	rte_be16_t dport;
	uint16_t zone;  /**< isolates identical 5-tuples (VRF, tenant) */
	uint8_t proto;  /**< IPPROTO_TCP or IPPROTO_UDP */
	uint8_t family; /**< 4 or 6 */
};

/**
 * One packet as the tracker needs it (see ct_pkt_from_mbuf(),
 * ct_pkt_from_key(), ct_pkt_tcp()). Zero-initialise it: a packet without
 * CT_TCPI_WIN in @c tcp_info is checked by the TCP state machine only.
 */
struct ct_pkt {
	struct ct_tuple tuple;
	uint32_t seq;      /**< TCP sequence number, host order */
	uint32_t ack;      /**< TCP acknowledgement number, host order */
	uint8_t tcp_flags; /**< TCP flags byte (FIN 0x01 SYN 0x02 RST 0x04
			    *  ACK 0x10) */
	uint8_t tcp_wscale; /**< window-scale option of a SYN (0..14), valid
			     *  with CT_TCPI_WSCALE */
	uint16_t len;      /**< bytes counted for this packet */
	uint16_t tcp_win;  /**< TCP window field, host order, unscaled */
	uint8_t tcp_info;  /**< CT_TCPI_*: which TCP fields are filled in */
	uint8_t pad;
	uint32_t tcp_dlen; /**< TCP payload bytes (after the options) */
};
/** tcp_win and tcp_dlen are valid: the packet is window-checked. */
#define CT_TCPI_WIN 0x01
/** The SYN carried a window-scale option (value in tcp_wscale). */
#define CT_TCPI_WSCALE 0x02

struct ct_entry;
struct ct;

/** Why a packet is CT_V_INVALID (struct ct_result.why). */
enum ct_invalid {
	CT_INV_NONE = 0,  /**< not invalid */
	CT_INV_NO_CONN,   /**< no entry and the packet cannot start one */
	CT_INV_STATE,     /**< the TCP state machine refused it */
	CT_INV_SEQ_HIGH,  /**< data beyond the receiver's window */
	CT_INV_SEQ_LOW,   /**< data more than a window below what was sent
			   *  (an old duplicate) */
	CT_INV_ACK_HIGH,  /**< acknowledges data the peer never sent */
	CT_INV_ACK_LOW,   /**< acknowledges more than a window back */
	CT_INV_MAX
};

/** Result of looking one packet up. */
struct ct_result {
	struct ct_entry *entry; /**< NULL unless CT_V_EST or CT_V_END, or
				 *  CT_V_INVALID on a tracked connection */
	uint8_t verdict;        /**< enum ct_verdict */
	uint8_t dir;            /**< enum ct_dir of the packet (entry only) */
	uint8_t state;          /**< enum ct_tcp_state after the packet */
	uint8_t why;            /**< enum ct_invalid (CT_V_INVALID only) */
};

/**
 * NAT for one direction: the tuple a packet of that direction is rewritten
 * to. Only the fields named in @c fields change.
 */
struct ct_nat {
	uint8_t src[16];
	uint8_t dst[16];
	rte_be16_t sport;
	rte_be16_t dport;
	uint8_t fields; /**< CT_NAT_* */
};
#define CT_NAT_SRC 0x01   /**< rewrite the source address */
#define CT_NAT_DST 0x02   /**< rewrite the destination address */
#define CT_NAT_SPORT 0x04 /**< rewrite the source port */
#define CT_NAT_DPORT 0x08 /**< rewrite the destination port */

/** "No action" handle. */
#define CT_ACTION_NONE 0u
/** "No forward target". */
#define CT_FWD_NONE 0xffffu

/** What to attach to a new entry (ct_entry_add / ct_entry_add_dir). */
struct ct_entry_params {
	uint32_t meta;       /**< per-connection metadata, free for the user */
	uint16_t fwd[2];     /**< per-direction forward port, CT_FWD_NONE */
	/**
	 * Per-direction action: a shared handle from ct_action_create(), or
	 * CT_ACTION_NONE. Ignored for a direction whose @c nat is set.
	 */
	uint32_t action[2];
	/** Per-direction non-shared NAT (NULL: none); freed with the entry. */
	const struct ct_nat *nat[2];
	uint8_t flags;       /**< CT_EF_* */
};
#define CT_EF_SHARED_COUNTER 0x01 /**< one counter for both directions */
#define CT_EF_NO_AGING 0x02       /**< never aged out; remove explicitly */
/** ct_entry_add: create only the origin direction (half entry); packets
 *  of the reply direction miss until ct_entry_add_dir(REPLY). */
#define CT_EF_ORIG_ONLY 0x04

/** Why an entry was removed (flow log). */
enum ct_rm_reason {
	CT_RM_USER = 0, /**< ct_entry_remove */
	CT_RM_AGED,     /**< ct_age: timeout */
	CT_RM_DESTROY,  /**< ct_destroy with entries still in */
};

/** Flow-log record, passed to ct_cfg.flow_log_cb on each removal. */
struct ct_flow_log {
	struct ct_tuple orig;  /**< the origin direction's tuple */
	uint64_t pkts[2];      /**< per direction ([0] only if shared) */
	uint64_t bytes[2];
	uint32_t meta;
	uint8_t state;         /**< enum ct_tcp_state */
	uint8_t reason;        /**< enum ct_rm_reason */
};

/**
 * Aging callback: called by ct_age() for each expired entry before it is
 * removed. Return 0 to remove it, non-zero to keep it (its idle time then
 * restarts).
 */
typedef int (*ct_aging_cb)(struct ct *ct, struct ct_entry *e, void *arg);
/** Flow-log callback: called once per removed connection. */
typedef void (*ct_flow_log_cb)(const struct ct_flow_log *log, void *arg);
/** Clock in milliseconds, for last-seen stamps and the aging thread. */
typedef uint64_t (*ct_clock_fn)(void *arg);

/** Table configuration (the model is DOCA's struct doca_flow_ct_cfg). */
struct ct_cfg {
	const char *name;       /**< unique among tables, at most 20
				 *  characters; NULL: generated */
	uint32_t nb_conns;      /**< maximum live connections */
	uint32_t nb_actions;    /**< NAT actions (shared + non-shared) */
	uint32_t nb_readers;    /**< reader thread ids 0..nb_readers-1 */
	uint32_t flags;         /**< CT_CFG_F_* */
	uint16_t tcp_timeout_s; /**< idle timeout of open TCP connections */
	uint16_t tcp_session_del_s; /**< after FIN exchange or RST */
	uint16_t udp_timeout_s; /**< idle timeout of UDP connections */
	int socket_id;          /**< NUMA socket for memory; SOCKET_ID_ANY */
	ct_clock_fn clock;      /**< NULL: the TSC in ms (see ct_time_ms) */
	void *clock_arg;
	ct_aging_cb aging_cb;   /**< NULL: remove expired entries */
	void *aging_arg;
	ct_flow_log_cb flow_log_cb; /**< used with CT_CFG_F_FLOW_LOG */
	void *flow_log_arg;
};
#define CT_CFG_F_NO_COUNTERS 0x01 /**< don't count packets and bytes */
#define CT_CFG_F_NO_AGING 0x02    /**< ct_age() never removes */
#define CT_CFG_F_FLOW_LOG 0x04    /**< call flow_log_cb on removal */
/**
 * No extendable buckets in the key table: about 8 bytes less per
 * connection (118 instead of 132 at 1M), but cuckoo hashing may then fail
 * to place a key when the table is nearly full, and ct_entry_add return
 * -ENOSPC before nb_conns connections. Safe when nb_conns is at most
 * ~95% of the next power of two (e.g. 1,000,000 of 2^20).
 */
#define CT_CFG_F_COMPACT 0x08
/**
 * No TCP sequence/window tracking: TCP packets are judged by the state
 * machine alone (flags, ISNs), as before window tracking existed.
 */
#define CT_CFG_F_NO_TCP_WINDOW 0x10
/**
 * Pick up TCP connections mid-stream (Linux's nf_conntrack_tcp_loose): a
 * segment with ACK and none of SYN/FIN/RST that finds no entry is CT_V_NEW
 * instead of CT_V_INVALID, and ct_entry_add accepts it, creating an
 * ESTABLISHED entry. The window scale of a picked-up connection is unknown,
 * so its windows are taken as scaled by 14 (the largest): its segments are
 * checked loosely, its ACKs exactly once both sides have been seen.
 */
#define CT_CFG_F_TCP_PICKUP 0x20

/** Defaults: 64K connections, 4K actions, 16 readers, Linux-like timeouts. */
#define CT_CFG_DEFAULT                                                        \
	{                                                                     \
		.nb_conns = 65536, .nb_actions = 4096, .nb_readers = 16,      \
		.tcp_timeout_s = 7440, .tcp_session_del_s = 30,               \
		.udp_timeout_s = 30, .socket_id = -1,                         \
	}

/**
 * Create a table. Needs EAL (memory comes from rte_malloc).
 * @return the table, or NULL with rte_errno set: EINVAL (nb_conns or
 *         nb_readers 0), ENOMEM, EEXIST (name in use).
 */
struct ct *ct_create(const struct ct_cfg *cfg);

/** Destroy a table; remaining entries are flow-logged (CT_RM_DESTROY).
 *  No thread may use it any more. NULL is a no-op. */
void ct_destroy(struct ct *ct);

/** Register reader thread @p tid (< nb_readers) and go online.
 *  @return 0, -EINVAL. */
int ct_thread_register(struct ct *ct, unsigned int tid);
/** Unregister a reader thread (it holds no entry pointer any more). */
void ct_thread_unregister(struct ct *ct, unsigned int tid);
/** Reader @p tid holds no entry pointer: removed entries may be reused. */
void ct_thread_quiescent(struct ct *ct, unsigned int tid);

/**
 * Fill a ct_pkt from a parsed flow key (lib/pkt).
 * @param l4  the TCP header (seq, ack, window), or
 *            NULL for UDP. The payload length is not known from a key, so
 *            the packet is not window-checked (no CT_TCPI_WIN) unless the
 *            caller then calls ct_pkt_tcp() with the L4 length, or uses
 *            ct_pkt_from_mbuf() instead.
 * @return 0, or -ENOTSUP when the key is not IPv4/IPv6 TCP/UDP or is a
 *         tunnelled or fragmented packet (C-1: non-encapsulated only).
 */
int ct_pkt_from_key(struct ct_pkt *p, uint16_t zone,
		    const struct nf_flow_key *key, const void *l4,
		    uint16_t len);

/**
 * Fill the TCP fields of @p p from a TCP header: seq, ack, flags, window,
 * the window-scale option of a SYN, and the payload length; sets
 * CT_TCPI_WIN (and CT_TCPI_WSCALE when the option is there).
 * @param th     the TCP header (options must follow it in memory)
 * @param l4_len bytes from the TCP header to the end of the IP payload
 * @return 0; -EINVAL when the data offset is below 5 or beyond l4_len (p's
 *         TCP fields are then left without CT_TCPI_WIN).
 */
int ct_pkt_tcp(struct ct_pkt *p, const void *th, uint32_t l4_len);

/**
 * ct_pkt_from_key() plus, for TCP, ct_pkt_tcp() with the L4 length taken
 * from the IP header: the way to build window-checked packets.
 * @param m    the frame nf_pkt_parse() parsed into @p key and @p lay
 * @return 0, -ENOTSUP (as ct_pkt_from_key), -EINVAL (malformed TCP).
 */
int ct_pkt_from_mbuf(struct ct_pkt *p, uint16_t zone,
		     const struct nf_flow_key *key, const struct rte_mbuf *m,
		     const struct nf_pkt_layout *lay);

/**
 * Look up a burst of packets, update TCP state, last-seen time and
 * counters of the hits. Never allocates, never creates entries.
 * @param n   any number (looked up in chunks of 64)
 * @param res one result per packet
 * @return the number of packets with an entry (EST / END / INVALID on a
 *         tracked connection)
 */
unsigned int ct_lookup_burst(struct ct *ct, const struct ct_pkt *pkts,
			     unsigned int n, struct ct_result *res);

/**
 * Managed mode (C-2): create the connection @p p starts (p is its origin
 * direction) and account p as its first packet. For TCP, p must be a
 * SYN without ACK (the state becomes SYN_SENT) or, with
 * CT_CFG_F_TCP_PICKUP, a segment with ACK and none of SYN/FIN/RST (the
 * state becomes ESTABLISHED).
 * @param out the new entry (or, with -EEXIST, the existing one); may be
 *        NULL
 * @return 0; -EEXIST: the connection exists (a racing first packet lost:
 *         use *out, C-5); -ENOSPC: table full or no action slot left;
 *         -EBUSY: the connection is being removed by a thread that did
 *         not finish within ~1000 retries (try again);
 *         -EINVAL: bad parameters, a TCP p that is not a SYN, or an
 *         unknown action handle; -EPROTONOSUPPORT: not TCP/UDP.
 */
int ct_entry_add(struct ct *ct, const struct ct_pkt *p,
		 const struct ct_entry_params *params, struct ct_entry **out);

/**
 * Managed mode: add direction @p dir to an entry created with
 * CT_EF_ORIG_ONLY, with that direction's forward target and NAT
 * (params->fwd[dir], action[dir], nat[dir]; the rest is ignored).
 * @return 0; -EEXIST: the direction is already there; -ENOENT: the entry
 *         was removed; -ENOSPC: no action slot; -EINVAL.
 */
int ct_entry_add_dir(struct ct *ct, struct ct_entry *e, enum ct_dir dir,
		     const struct ct_entry_params *params);

/** What ct_entry_update changes (CT_UPD_*). */
#define CT_UPD_META 0x01
#define CT_UPD_FWD 0x02
/**
 * Managed mode: change metadata and/or forward targets of a live entry.
 * @return 0; -ENOENT: removed; -EINVAL.
 */
int ct_entry_update(struct ct *ct, struct ct_entry *e, uint32_t what,
		    uint32_t meta, const uint16_t fwd[2]);

/**
 * Remove a connection. Its memory is reused after every reader passed a
 * quiescent state. Safe against a concurrent remover or the aging pass:
 * exactly one of them succeeds.
 * @return 0; -ENOENT: already removed.
 */
int ct_entry_remove(struct ct *ct, struct ct_entry *e);

/**
 * Find a connection by a tuple of either direction, without touching its
 * state or counters.
 * @return the entry or NULL; *dir (may be NULL) gets the tuple's direction
 */
struct ct_entry *ct_entry_find(struct ct *ct, const struct ct_tuple *t,
			       enum ct_dir *dir);

/** Per-connection metadata. */
uint32_t ct_entry_meta(const struct ct_entry *e);
/** TCP state (enum ct_tcp_state). */
enum ct_tcp_state ct_entry_state(const struct ct_entry *e);
/** Forward target of direction @p dir, CT_FWD_NONE if none. */
uint16_t ct_entry_fwd(const struct ct_entry *e, enum ct_dir dir);
/** Action handle of direction @p dir (shared or the entry's own NAT). */
uint32_t ct_entry_action(const struct ct_entry *e, enum ct_dir dir);
/** Whether a FIN was seen from direction @p dir. */
bool ct_entry_fin(const struct ct_entry *e, enum ct_dir dir);
/** Counters of direction @p dir (with CT_EF_SHARED_COUNTER both
 *  directions count into CT_DIR_ORIG and REPLY reads 0). */
void ct_entry_counters(const struct ct_entry *e, enum ct_dir dir,
		       uint64_t *pkts, uint64_t *bytes);
/** The origin-direction tuple. @return 0, -ENOENT (not live). */
int ct_entry_tuple(struct ct *ct, const struct ct_entry *e,
		   struct ct_tuple *orig);
/** Connections counted against nb_conns: live ones plus removed ones
 *  still waiting for their grace period (ct_age reclaims those). */
uint32_t ct_count(const struct ct *ct);

/**
 * Create a shared action (NAT) ahead of time; entries reference it by
 * handle (ct_entry_params.action).
 * @return a handle > 0, or -ENOSPC / -EINVAL
 */
int64_t ct_action_create(struct ct *ct, const struct ct_nat *nat);
/** Destroy a shared action; entries still using it must be gone.
 *  @return 0, -EINVAL (not a shared handle). */
int ct_action_destroy(struct ct *ct, uint32_t handle);
/** The NAT of an action handle. @return 0, -EINVAL. */
int ct_action_get(const struct ct *ct, uint32_t handle, struct ct_nat *nat);

/** Autonomous mode (C-3): what the first-packet callback answers. */
enum ct_first {
	CT_FIRST_ADD = 0, /**< create the connection with *params */
	CT_FIRST_DROP,    /**< no entry; drop the packet */
	CT_FIRST_FWD,     /**< no entry; let the packet through */
};

/**
 * First-packet callback of ct_worker_process: @p p may start a
 * connection (SYN or first UDP packet). To add it, fill @p params (shared
 * action handles, metadata, forward ports; zeroed with CT_FWD_NONE
 * ports on entry) and return CT_FIRST_ADD.
 */
typedef enum ct_first (*ct_first_pkt_cb)(struct ct *ct,
	const struct ct_pkt *p, struct ct_entry_params *params, void *arg);

/** Per-packet fate from ct_worker_process. */
enum ct_fate {
	CT_FATE_PASS = 0, /**< forward (res.entry says with which entry) */
	CT_FATE_DROP,     /**< drop: invalid, refused, or table full */
};

/**
 * Autonomous mode (C-3): look a burst up, and for every packet that may
 * start a connection ask @p cb; create the entry it asks for. The
 * connection's end (FIN exchange, RST) is classified CT_V_END and the
 * entry is then removed by aging after tcp_session_del_s. A racing
 * first packet of the same connection on another worker finds the
 * winner's entry (C-5) and is classified as that entry's packet.
 * @param res  per packet: verdict CT_V_NEW (this packet created the
 *             entry), CT_V_EST (update), CT_V_END, CT_V_INVALID; entry
 *             (NULL when no entry); dir; state
 * @param fate per packet: enum ct_fate
 * @return the number of entries created
 */
unsigned int ct_worker_process(struct ct *ct, const struct ct_pkt *pkts,
			       unsigned int n, ct_first_pkt_cb cb, void *arg,
			       struct ct_result *res, uint8_t *fate);

/**
 * Rewrite packet @p m of direction @p dir with that direction's NAT
 * action (addresses, ports; IPv4 header, TCP and UDP checksums updated
 * incrementally; a zero UDP checksum stays zero). No action: no-op.
 * @param lay the packet's layout from nf_pkt_parse()
 * @return 0; -EINVAL: not an IP TCP/UDP packet or a bad handle.
 */
int ct_nat_apply(const struct ct *ct, const struct ct_entry *e,
		 enum ct_dir dir, struct rte_mbuf *m,
		 const struct nf_pkt_layout *lay);

/** The table's clock (cfg.clock), in ms: the time base of ct_age. */
uint64_t ct_time_ms(const struct ct *ct);

/**
 * Aging pass (C-4) at time @p now_ms (the table's clock, ct_time_ms(), so
 * tests can inject time): removes every entry idle longer than its timeout
 * (udp_timeout_s; tcp_session_del_s once both FINs or an RST were seen;
 * tcp_timeout_s otherwise), after asking cfg.aging_cb. Also reclaims
 * removed entries whose grace period is over.
 * @return the number of entries removed
 */
unsigned int ct_age(struct ct *ct, uint64_t now_ms);

/**
 * Start an aging thread calling ct_age(ct, clock()) every @p period_ms.
 * @return 0, -EALREADY, or a negative errno from pthread_create.
 */
int ct_aging_start(struct ct *ct, unsigned int period_ms);
/** Stop the aging thread (no-op if none). */
void ct_aging_stop(struct ct *ct);

/** Name of a TCP state ("established", ...). */
const char *ct_tcp_state_name(enum ct_tcp_state s);
/** Name of an invalid reason ("seq_high", ...). */
const char *ct_invalid_name(enum ct_invalid why);

#ifdef __cplusplus
}
#endif

#endif /* NF_CT_H */
