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
 *            "devargs": "uplink=net_null0,vf=..."},
 *    "idle_timeout": 10, "networks": [...], "ports": [...],
 *    "ct": {"tcp_timeout_s": 7440, "tcp_fin_timeout_s": 30,
 *           "udp_timeout_s": 30}}
 *
 * Command-line options override the file's "nic", "idle_timeout" and
 * "ct".
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "nf_rpc.h"
#include "vs.h"

#define NFD_SOCK_DEFAULT "/run/nicflow/nicflowd.sock"
#define NFD_MAX_UNDERLAY 16

/** Daemon options (command line merged over the config file's). */
struct nfd_opts {
	char config[256];       /**< "" = not persisted */
	char sock[108];
	char nic[VS_NAME_MAX];  /**< snic ethdev name */
	char devargs[1024];     /**< snic devargs after the name */
	char underlay[NFD_MAX_UNDERLAY][256]; /**< vdevs created first */
	int nb_underlay;
	unsigned int idle_timeout;
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

/** The daemon's RPC context. */
struct nfd {
	struct nfd_opts opts;
	struct vs_switch *vs;
	struct nf_rpc_server *rpc;
};

/** RPC tables of nicflowd (ctx = struct nfd *), NULL-terminated. */
extern const struct nf_rpc_method *const nfd_rpc_tables[];

#endif /* NFD_H */
