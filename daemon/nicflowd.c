/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd: the vSwitch daemon (nfd.h has the architecture, docs/vswitch.md
 * the guide).
 *
 *   nicflowd [EAL args] -- [--config FILE] [--socket PATH] [--nic NAME]
 *            [--devargs ARGS] [--underlay VDEV]... [--vport SPEC]...
 *            [--extra-nic NAME,DEVARGS]... [--neigh-refresh S]
 *            [--idle-timeout S] [--tcp-timeout S] [--udp-timeout S]
 *            [--no-offload] [--ct-tcp-timeout S] [--ct-fin-timeout S]
 *            [--ct-udp-timeout S]
 *
 * Without EAL args the embedded default is used: no hugepages, 1 GB,
 * --file-prefix nicflowd, no PCI, lcores 0-1 with lcore 1 a service lcore
 * (the NIC's CPU; the datapath then runs in the main loop), or lcore 0
 * alone on one CPU (NIC and datapath inline). Either
 * way nicflowd adds --vdev for every underlay vdev, then one per vport
 * (net_vhost<N>/net_tap<N>), then the snic (<nic>,<devargs>, plus a
 * vf= per vport), from the command line or the config file.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "nfd.h"

#define NFD_MBUFS 8191
#define NFD_DESC 512
/* The user's EAL args, one --vdev per underlay and vport, the snic's. */
#define NFD_EAL_MAX (64 + NFD_MAX_UNDERLAY + NFD_MAX_VPORTS)
#define NFD_VDEVS (NFD_MAX_UNDERLAY + NFD_MAX_VPORTS + 1 + NFD_MAX_EXTRA_NICS)
#define NFD_VDEV_LEN 1400

static volatile bool nfd_quit;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	nfd_quit = true;
}

#define LOG(l, fmt, ...) RTE_LOG(l, USER1, "nicflowd: " fmt "\n", \
				 ##__VA_ARGS__)

/* Command line over config file over defaults. */
static int
opts_build(int argc, char **argv, struct nfd_opts *o)
{
	struct nfd_opts cli = {0};
	char err[256];
	int rc = nfd_opts_parse(argc, argv, &cli, err, sizeof(err));

	memset(o, 0, sizeof(*o));
	strcpy(o->sock, NFD_SOCK_DEFAULT);
	strcpy(o->nic, "net_snic0");
	o->idle_timeout = VS_IDLE_TIMEOUT_S;
	strcpy(o->config, cli.config);
	if (rc == 0)
		rc = nfd_config_load(o, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "nicflowd: %s\n", err);
		return rc;
	}
	if (cli.sock[0] != '\0')
		strcpy(o->sock, cli.sock);
	if (cli.nic[0] != '\0')
		strcpy(o->nic, cli.nic);
	if (cli.devargs[0] != '\0')
		strcpy(o->devargs, cli.devargs);
	if (cli.nb_underlay > 0) {
		memcpy(o->underlay, cli.underlay, sizeof(o->underlay));
		o->nb_underlay = cli.nb_underlay;
	}
	if (cli.nb_extra_nics > 0) {
		memcpy(o->extra_nics, cli.extra_nics, sizeof(o->extra_nics));
		o->nb_extra_nics = cli.nb_extra_nics;
	}
	if (cli.nb_vports > 0) {
		memcpy(o->vports, cli.vports, sizeof(o->vports));
		o->nb_vports = cli.nb_vports;
	}
	if (cli.idle_timeout != 0)
		o->idle_timeout = cli.idle_timeout;
	if (cli.tcp_timeout != 0)
		o->tcp_timeout = cli.tcp_timeout;
	if (cli.neigh_refresh != 0)
		o->neigh_refresh = cli.neigh_refresh;
	if (cli.udp_timeout != 0)
		o->udp_timeout = cli.udp_timeout;
	o->no_offload = cli.no_offload;
	for (int i = 0; i < 3; i++)
		if (cli.ct_timeout[i] != 0)
			o->ct_timeout[i] = cli.ct_timeout[i];
	rc = nfd_vports_resolve(o, err, sizeof(err));
	for (int i = 0; rc == 0 && i < o->nb_vports; i++)
		rc = nfd_vport_prepare(&o->vports[i], err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "nicflowd: %s\n", err);
	return rc;
}

/* EAL argv: the user's EAL args or the default, then the vdevs. */
static int
eal_argv(const struct nfd_opts *o, int n_user, char **user, char **out,
	 char bufs[][NFD_VDEV_LEN])
{
	static char *const def[] = {"--no-huge", "-m", "1024", "--file-prefix",
				    "nicflowd", "--no-pci", "-l", "0-1", "-s",
				    "0x2"};
	char *snic;
	size_t len;
	int n = 0, b = 0;

	out[n++] = user[0];
	for (int i = 1; i < n_user && n < NFD_EAL_MAX - NFD_VDEVS; i++)
		out[n++] = user[i];
	if (n_user <= 1) {
		for (size_t i = 0; i < RTE_DIM(def); i++)
			out[n++] = def[i];
		/* One CPU: lcore 0 only, no service lcore (NIC inline). */
		if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
			n -= 2;
			out[n - 1] = (char *)"0";
		}
	}
	for (int i = 0; i < o->nb_underlay; i++) {
		snprintf(bufs[b], NFD_VDEV_LEN, "--vdev=%s", o->underlay[i]);
		out[n++] = bufs[b++];
	}
	for (int i = 0; i < o->nb_vports; i++) {
		strcpy(bufs[b], "--vdev=");
		if (nfd_vport_vdev(&o->vports[i], bufs[b] + 7,
				   NFD_VDEV_LEN - 7) != 0)
			return -ENAMETOOLONG;
		out[n++] = bufs[b++];
	}
	snic = bufs[b];
	snprintf(snic, NFD_VDEV_LEN, "--vdev=%s%s%s", o->nic,
		 o->devargs[0] != '\0' ? "," : "", o->devargs);
	for (int i = 0; i < o->nb_vports; i++) {
		len = strlen(snic);
		if (snprintf(snic + len, NFD_VDEV_LEN - len, ",vf=%s",
			     o->vports[i].vdev) >= (int)(NFD_VDEV_LEN - len))
			return -ENAMETOOLONG;
	}
	out[n++] = snic;
	b++;
	for (int i = 0; i < o->nb_extra_nics; i++) {
		snprintf(bufs[b], NFD_VDEV_LEN, "--vdev=%s", o->extra_nics[i]);
		out[n++] = bufs[b++];
	}
	out[n] = NULL;
	return n;
}

/* Which representor each vport is: the name to give "port add". */
static void
vports_log(const struct nfd_opts *o)
{
	for (int i = 0; i < o->nb_vports; i++) {
		const struct nfd_vport *v = &o->vports[i];

		LOG(INFO, "vport %d: %s %s%s (%s) is representor %d "
		    "(%s_representor_%d)", i, v->type == NFD_VPORT_VHOST ?
		    "vhost-user" : "tap", v->path, v->type == NFD_VPORT_VHOST
		    && v->client ? " (client)" : "", v->vdev, v->rep, o->nic,
		    v->rep);
	}
}

/* Every port EAL shows (the snic's uplink and representors; their
 * underlying ports are owned by the PMD): 1 rx and 1 tx queue, started. */
static int
ports_start(struct rte_mempool *pool)
{
	struct rte_eth_conf conf = {0};
	uint16_t pid;
	int rc;

	RTE_ETH_FOREACH_DEV(pid) {
		rc = rte_eth_dev_configure(pid, 1, 1, &conf);
		if (rc == 0)
			rc = rte_eth_rx_queue_setup(pid, 0, NFD_DESC,
				rte_eth_dev_socket_id(pid), NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, 0, NFD_DESC,
				rte_eth_dev_socket_id(pid), NULL);
		if (rc == 0)
			rc = rte_eth_dev_start(pid);
		if (rc != 0) {
			LOG(ERR, "port %u: cannot start: %s", pid,
			    strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int
datapath_main(void *arg)
{
	struct vs_switch *vs = arg;

	while (!nfd_quit)
		vs_datapath_poll(vs);
	return 0;
}

/* The control loop: offload, aging, and the datapath when inline. */
static void
control_loop(struct nfd *d, bool inline_dp)
{
	uint64_t hz = rte_get_timer_hz(), next_age = rte_get_timer_cycles() +
						     hz;

	while (!nfd_quit) {
		unsigned int work = vs_offload_run(d->vs, 64);

		/* Neighbours learnt by the datapath move the model too. */
		work += vs_revalidate(d->vs);

		if (inline_dp)
			work += vs_datapath_poll(d->vs);
		if (rte_get_timer_cycles() >= next_age) {
			vs_aging_run(d->vs);
			next_age = rte_get_timer_cycles() + hz;
		}
		/* Idle: yield the CPU a little (the RPC thread may share
		 * it); an inline datapath backs off less. */
		if (work == 0)
			usleep(inline_dp ? 20 : 1000);
	}
}

static int
nfd_setup(struct nfd *d, struct rte_mempool *pool)
{
	char err[256];
	int rc;

	d->vs = vs_switch_create(d->opts.nic, pool);
	if (d->vs == NULL) {
		LOG(ERR, "cannot create the vSwitch: %s",
		    rte_strerror(rte_errno));
		return -rte_errno;
	}
	for (int i = 0; i < d->opts.nb_extra_nics; i++) {
		char name[VS_NAME_MAX];

		snprintf(name, sizeof(name), "%.*s",
			 (int)strcspn(d->opts.extra_nics[i], ","),
			 d->opts.extra_nics[i]);
		rc = vs_uplink_add(d->vs, name);
		if (rc != 0) {
			LOG(ERR, "extra NIC %s: %s", name, strerror(-rc));
			return rc;
		}
	}
	d->vs->idle_timeout = d->opts.idle_timeout;
	if (d->opts.neigh_refresh != 0)
		d->vs->neigh_refresh_s = d->opts.neigh_refresh;
	d->vs->tcp_timeout = d->opts.tcp_timeout;
	d->vs->udp_timeout = d->opts.udp_timeout;
	d->vs->no_offload = d->opts.no_offload;
	rc = vs_sg_timeouts(d->vs, d->opts.ct_timeout[0], d->opts.ct_timeout[1],
			    d->opts.ct_timeout[2]);
	if (rc != 0) {
		LOG(ERR, "cannot create the connection table: %s",
		    strerror(-rc));
		return rc;
	}
	if (d->opts.model != NULL) {
		rc = vs_model_from_json(d->vs, d->opts.model, err,
					sizeof(err));
		if (rc != 0)
			LOG(ERR, "%s: restore stopped: %s", d->opts.config,
			    err);
		else
			LOG(INFO, "restored %s", d->opts.config);
	}
	rc = nfd_config_save(&d->opts, d->vs);
	if (rc != 0)
		LOG(ERR, "cannot save %s: %s", d->opts.config, strerror(-rc));
	rc = nf_rpc_server_start(d->opts.sock, nfd_rpc_tables, d, "nfd-rpc",
				 &d->rpc);
	if (rc != 0) {
		LOG(ERR, "cannot listen on %s: %s", d->opts.sock,
		    strerror(-rc));
		return rc;
	}
	LOG(INFO, "listening on %s", d->opts.sock);
	rc = nfd_telemetry_register(d);
	if (rc != 0)
		LOG(ERR, "telemetry commands not registered: %s",
		    strerror(-rc));
	vports_log(&d->opts);
	return 0;
}

int
main(int argc, char **argv)
{
	static char bufs[NFD_VDEVS][NFD_VDEV_LEN];
	char *eargv[NFD_EAL_MAX + 1];
	struct rte_mempool *pool;
	struct nfd d = {0};
	int sep = argc, n_user, eargc, rc;
	unsigned int dp_lcore;
	uint16_t pid;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	/* Without "--", every argument is nicflowd's (EAL: the default). */
	if (sep == argc) {
		n_user = 1;
		sep = 0;
	} else {
		n_user = sep;
		argv[sep] = argv[0];
	}
	if (opts_build(argc - sep, argv + sep, &d.opts) != 0)
		return 2;
	eargc = eal_argv(&d.opts, n_user, argv, eargv, bufs);
	if (eargc < 0) {
		fprintf(stderr, "nicflowd: vports: the snic's devargs get "
			"longer than %d bytes\n", NFD_VDEV_LEN);
		return 2;
	}
	if (rte_eal_init(eargc, eargv) < 0) {
		fprintf(stderr, "nicflowd: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pool = rte_pktmbuf_pool_create("nfd_pool", NFD_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	rc = pool == NULL ? -ENOMEM : ports_start(pool);
	if (rc == 0)
		rc = nfd_setup(&d, pool);
	if (rc == 0) {
		dp_lcore = rte_get_next_lcore(-1, 1, 0);
		if (dp_lcore < RTE_MAX_LCORE)
			rte_eal_remote_launch(datapath_main, d.vs, dp_lcore);
		LOG(INFO, "datapath on lcore %d, %u flows max",
		    dp_lcore < RTE_MAX_LCORE ? (int)dp_lcore :
		    (int)rte_get_main_lcore(), VS_MAX_FLOWS);
		control_loop(&d, dp_lcore >= RTE_MAX_LCORE);
		rte_eal_mp_wait_lcore();
	}
	LOG(INFO, "exiting");
	nfd_telemetry_unregister();
	nf_rpc_server_stop(d.rpc);
	vs_switch_destroy(d.vs);
	json_decref(d.opts.model);
	RTE_ETH_FOREACH_DEV(pid) {
		rte_eth_dev_stop(pid);
		rte_eth_dev_close(pid);
	}
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
