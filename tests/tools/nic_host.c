/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * A NIC process for the bondctl end-to-end test: EAL, then net_snic_e2e
 * built from an init config (its "ctl" is the agent socket bondctl uses),
 * uplink started, then it waits for SIGTERM/SIGINT and closes the NIC
 * cleanly (the agent removes its socket).
 *   nic_host <file prefix> <init cfg>
 * Prints "ready <uplink port id>" once the agent is listening.
 */

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	char args[512];
	char *eal[] = {argv[0], "--no-huge", "-m", "256", "--no-pci", "-l",
		"0", "--file-prefix", argc > 1 ? argv[1] : "nic_host",
		"--log-level", "lib.eal:error", "--log-level", "pmd.net.bond:error",
		NULL};
	struct rte_eth_conf conf = {0};
	struct rte_mempool *mp;
	uint16_t port;

	if (argc != 3) {
		fprintf(stderr, "usage: nic_host <file prefix> <init cfg>\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	snprintf(args, sizeof(args), "init_cfg=%s", argv[2]);
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;
	mp = rte_pktmbuf_pool_create("host_pool", 1023, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL || rte_vdev_init("net_snic_e2e", args) != 0 ||
	    rte_eth_dev_get_port_by_name("net_snic_e2e", &port) != 0 ||
	    rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, mp) ||
	    rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL) ||
	    rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "nic_host: cannot build the NIC\n");
		return 1;
	}
	printf("ready %u\n", port);
	fflush(stdout);
	while (!stop) {
		struct rte_mbuf *pkts[32];
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, 32);

		/* Inline NIC: rx_burst runs the datapath (and LACP's timers
		 * through the bond's own bursts). */
		rte_pktmbuf_free_bulk(pkts, n);
		usleep(10000);
	}
	rte_eth_dev_stop(port);
	rte_vdev_uninit("net_snic_e2e");
	rte_eal_cleanup();
	printf("stopped\n");
	return 0;
}
