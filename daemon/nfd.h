/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NFD_H
#define NFD_H

/**
 * @file
 * nicflowd, the vSwitch daemon (DESIGN.md: nicflowd ↔ rte_flow ↔ net_snic).
 * docs/vswitch.md is the user's guide.
 *
 * One process: EAL (from its own command line, or an embedded default that
 * needs no hugepages), the net_snic NIC linked in, the vSwitch (vswitch/
 * vs.h) and a JSON-RPC control socket (lib/rpc). Threads: the main lcore
 * runs the control loop (offload queue, aging once a second); the RPC
 * server is a control thread; the datapath (vs_datapath_poll) runs on the
 * first worker lcore, or inline in the control loop when EAL has no worker.
 * The NIC itself runs on a service lcore if EAL has one (-s), else inline
 * in the datapath's rx/tx calls (net_snic mode=auto). The embedded default
 * (two CPUs) is "-l 0-1 -s 0x2": the NIC on lcore 1, control + RPC +
 * datapath on lcore 0; "-l 0-2 -s 0x4" gives the datapath its own lcore.
 *
 * Configuration: a JSON file (--config), written atomically (temporary
 * file, fsync, rename) after every successful change and read at start:
 *
 *   {"nic": {"name": "net_snic0", "underlay": ["net_null0,no-rx=1", ...],
 *            "extra": ["net_snic1,uplink=net_af_packet5", ...],
 *            "devargs": "uplink=net_null0,vf=..."},
 *    "idle_timeout": 10, "networks": [...], "ports": [...],
 *    "ct": {"tcp_timeout_s": 7440, "tcp_fin_timeout_s": 30,
 *           "udp_timeout_s": 30}}
 *
 * Command-line options override the file's "nic", "idle_timeout" and
 * "ct".
 *
 * VM ports (V-10). Besides underlay vdevs given verbatim, the "nic"
 * section (or --vport) lists *vports*, VM-facing ports of a type nicflowd
 * knows how to create: "vhost" (a vhost-user socket served by DPDK's
 * net_vhost, for a VM's virtio-net) and "tap" (a kernel tap interface,
 * for a container or a test namespace). Each becomes a generated underlay
 * vdev (net_vhost<N>,iface=<path>,queues=<n>,client=<0|1> or
 * net_tap<N>,iface=<name>) and a vf=<vdev> appended to the snic devargs,
 * so its representor index is the number of vf= in --devargs plus its
 * position: the operator names sockets, not vdevs. The spec's options
 * vdpa-max-queues and vdpa-accelerator-devargs are accepted and checked
 * against what a software NIC can do (nfd_vport_from_json()).
 *
 * Telemetry (V-11): /nicflowd/stats, /nicflowd/flows, /nicflowd/ports and
 * /nicflowd/vports on DPDK's telemetry socket (nfd_telemetry_register()).
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "nf_rpc.h"
#include "vs.h"

#define NFD_SOCK_DEFAULT "/run/nicflow/nicflowd.sock"
#define NFD_MAX_UNDERLAY 16
#define NFD_MAX_EXTRA_NICS 3
#define NFD_MAX_VPORTS 16
/** vdpa-max-queues limit: net_snic configures one rx and one tx queue on
 * each VF's underlying port (docs/snic.md), so a guest that enabled a
 * second queue pair would have it never polled: more is refused. */
#define NFD_VPORT_MAX_QUEUES 1

enum nfd_vport_type {
	NFD_VPORT_VHOST, /**< vhost-user socket (net_vhost) */
	NFD_VPORT_TAP,   /**< kernel tap interface (net_tap) */
};

/** A VM port nicflowd creates as a snic VF's underlying port. */
struct nfd_vport {
	enum nfd_vport_type type;
	char path[108];          /**< vhost: socket path; tap: interface */
	bool client;             /**< vhost: connect to a server at path */
	unsigned int max_queues; /**< vhost: vdpa-max-queues */
	char vdev[32];           /**< generated vdev name (nfd_vports_resolve) */
	int rep;                 /**< its representor index (idem) */
};

/** Daemon options (command line merged over the config file's). */
struct nfd_opts {
	char config[256];       /**< "" = not persisted */
	char sock[108];
	char nic[VS_NAME_MAX];  /**< snic ethdev name */
	char devargs[1024];     /**< snic devargs after the name */
	char underlay[NFD_MAX_UNDERLAY][256]; /**< vdevs created first */
	int nb_underlay;
	/** More NICs (V-9: an uplink each, a switch domain each), as
	 * "<snic name>,<devargs>"; created after the first. */
	char extra_nics[NFD_MAX_EXTRA_NICS][1024];
	int nb_extra_nics;
	struct nfd_vport vports[NFD_MAX_VPORTS]; /**< VFs after devargs' */
	int nb_vports;
	unsigned int idle_timeout;
	unsigned int tcp_timeout;  /**< 0: idle_timeout */
	unsigned int udp_timeout;  /**< 0: idle_timeout */
	unsigned int neigh_refresh; /**< 0: VS_NEIGH_REFRESH_S */
	bool no_offload;        /**< software only (benchmarks, debugging) */
	json_t *model;          /**< the file's networks/ports, or NULL */
	/** Connection tracking of stateful security groups (lib/ct): TCP
	 *  idle, TCP after FIN/RST, UDP idle, in seconds; 0 = default. */
	unsigned int ct_timeout[3];
};

/** Parse the daemon's options (after "--"). Returns 0, or -EINVAL with a
 * message naming the option in err. */
int nfd_opts_parse(int argc, char **argv, struct nfd_opts *o, char *err,
		   size_t errlen);
/** Read o->config (if it exists) into o: nic, idle_timeout, model.
 * Missing file: 0. Bad JSON or field: -EINVAL with err naming it. */
int nfd_config_load(struct nfd_opts *o, char *err, size_t errlen);
/** Write o's nic section and vs's model to path atomically. 0 or -errno. */
int nfd_config_save(const struct nfd_opts *o, struct vs_switch *vs);

/** One vport from the command line: "TYPE,key=value,...", e.g.
 * "vhost,path=/run/vm1.sock,vdpa-max-queues=1" or "tap,iface=vm1". The
 * value of vdpa-accelerator-devargs runs to the end (devargs have commas).
 * @return 0, or -EINVAL with err naming the key. */
int nfd_vport_parse(const char *spec, struct nfd_vport *v, char *err,
		    size_t errlen);
/** One vport from its JSON form (the config file's, nfd_vport_to_json()).
 * where prefixes messages ("nic.vports[0]."). Refuses unknown keys, a
 * vdpa-max-queues above NFD_VPORT_MAX_QUEUES and a non-empty
 * vdpa-accelerator-devargs (a software NIC has no vDPA device: the
 * message says so). @return 0 or -EINVAL. */
int nfd_vport_from_json(json_t *j, const char *where, struct nfd_vport *v,
			char *err, size_t errlen);
/** The config file's form of v (new reference). */
json_t *nfd_vport_to_json(const struct nfd_vport *v);
/** Give each vport its vdev name (net_vhost<N>/net_tap<N>, N not used by
 * an --underlay) and representor index. Needs o->devargs with uplink= and
 * without init_cfg= (so the VF order is known). @return 0, or -EINVAL
 * (devargs, a path or interface given twice, too many VFs). */
int nfd_vports_resolve(struct nfd_opts *o, char *err, size_t errlen);
/** Before EAL init: a vhost server's socket directory is created and a
 * socket left by a dead process removed (vhost-user's bind() would
 * fail). @return 0, -EADDRINUSE (a live server has it), -EEXIST (not a
 * socket) or another -errno, with err. */
int nfd_vport_prepare(const struct nfd_vport *v, char *err, size_t errlen);
/** v's vdev argument ("net_vhost0,iface=...,queues=1,client=0").
 * @return 0 or -ENAMETOOLONG. */
int nfd_vport_vdev(const struct nfd_vport *v, char *buf, size_t len);
/** After EAL init: v and its ports' state (representor, link: for vhost,
 * "up" once a virtio driver is connected). New reference. */
json_t *nfd_vport_status(const struct nfd_vport *v, const char *nic);

/** The daemon's RPC context. */
struct nfd {
	struct nfd_opts opts;
	struct vs_switch *vs;
	struct nf_rpc_server *rpc;
};

/** Register the /nicflowd/ telemetry commands, answering from d until
 * nfd_telemetry_unregister(). @return 0 or -errno of
 * rte_telemetry_register_cmd (-EINVAL, -ENOMEM). */
int nfd_telemetry_register(struct nfd *d);
/** Detach d: commands answer -ENODEV afterwards (DPDK 22.11 cannot
 * unregister a command). Waits for a command in progress. */
void nfd_telemetry_unregister(void);
struct rte_tel_data;
/** Fill t, fresh from rte_tel_data_alloc(), from j (object: dict; array
 * of integers or of strings: array; other arrays: dict keyed by index, as
 * 22.11's arrays cannot hold dicts). Keys are made telemetry names ('-'
 * and other characters become '_'); null and reals are left out.
 * @return 0, -EINVAL (j is not an object or array) or -ENOMEM. */
int nfd_tel_from_json(struct rte_tel_data *t, json_t *j);

/** RPC tables of nicflowd (ctx = struct nfd *), NULL-terminated. */
extern const struct nf_rpc_method *const nfd_rpc_tables[];

#endif /* NFD_H */
