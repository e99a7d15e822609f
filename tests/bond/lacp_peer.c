/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The far end of the NIC's bond in the end-to-end tests (N-18): the kernel
 * here has no bonding driver, so the LACP partner is this DPDK process.
 *
 *   lacp_peer <EAL args with two af_packet vdevs> -- <lacp|plain> <status>
 *
 * lacp: a mode-4 net_bonding port over both vdevs, polled with rx bursts
 * and empty tx bursts (its LACPDUs leave from inside tx_burst). plain: the
 * two ports polled one by one (for active-backup, which needs no partner).
 * Test packets (bond_test.h) are counted per member (mbuf->port survives
 * net_bonding's rx); sequence gaps give the loss. Every 50 ms the status
 * file is replaced (tmp + rename) with one JSON object:
 *   {"t_ms", "rx":[n0,n1], "lost", "max_seq", "lacp":[{"actor","partner"}]}
 * Idle loops sleep 200 us to leave the 2 CPUs to the NIC under test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_bond.h>
#include <rte_eth_bond_8023ad.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bond_test.h"

static volatile sig_atomic_t quit;

struct peer {
	uint16_t member[BT_PORTS];
	int bond;                 /* -1: plain */
	uint64_t rx[BT_PORTS];
	uint64_t lost;
	int64_t next_seq;
	const char *status;
};

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 512, 0, NULL) != 0)
		return -1;
	rte_eth_promiscuous_enable(port);
	return rte_eth_dev_start(port);
}

static void
count(struct peer *p, struct rte_mbuf *m)
{
	const struct bt_payload *bp;
	uint32_t off = 14 + 20 + 8;

	if (rte_pktmbuf_pkt_len(m) < off + sizeof(*bp))
		return;
	bp = rte_pktmbuf_mtod_offset(m, const struct bt_payload *, off);
	if (bp->magic != BT_MAGIC)
		return;
	for (int i = 0; i < BT_PORTS; i++)
		if (m->port == p->member[i])
			p->rx[i]++;
	/* Loss: sequence numbers skipped (a stream numbered from 0). */
	if ((int64_t)bp->seq > p->next_seq)
		p->lost += bp->seq - p->next_seq;
	if ((int64_t)bp->seq >= p->next_seq)
		p->next_seq = (int64_t)bp->seq + 1;
}

static void
write_status(struct peer *p, uint64_t t_ms)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", p->status);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "{\"t_ms\": %lu, \"rx\": [%lu, %lu], \"lost\": %lu, "
		"\"max_seq\": %ld, \"lacp\": [", (unsigned long)t_ms,
		(unsigned long)p->rx[0], (unsigned long)p->rx[1],
		(unsigned long)p->lost, (long)p->next_seq - 1);
	for (int i = 0; i < BT_PORTS; i++) {
		struct rte_eth_bond_8023ad_slave_info info;

		memset(&info, 0, sizeof(info));
		if (p->bond >= 0)
			rte_eth_bond_8023ad_slave_info(p->bond, p->member[i],
						       &info);
		fprintf(f, "%s{\"actor\": %u, \"partner\": %u}", i ? ", " : "",
			info.actor_state, info.partner_state);
	}
	fprintf(f, "]}\n");
	fclose(f);
	rename(tmp, p->status);
}

static uint16_t
poll_once(struct peer *p)
{
	struct rte_mbuf *pkts[32];
	uint16_t n, total = 0;

	for (int i = 0; i < (p->bond >= 0 ? 1 : BT_PORTS); i++) {
		uint16_t port = p->bond >= 0 ? p->bond : p->member[i];

		n = rte_eth_rx_burst(port, 0, pkts, 32);
		for (uint16_t j = 0; j < n; j++) {
			count(p, pkts[j]);
			rte_pktmbuf_free(pkts[j]);
		}
		total += n;
	}
	/* The peer sends nothing but its LACPDUs: an empty burst does it. */
	if (p->bond >= 0)
		rte_eth_tx_burst(p->bond, 0, pkts, 0);
	return total;
}

int
main(int argc, char **argv)
{
	struct peer p = {.bond = -1};
	struct rte_mempool *mp;
	uint64_t hz, start, last = 0;
	int n = rte_eal_init(argc, argv);
	bool lacp;

	if (n < 0 || argc - n < 3 || rte_eth_dev_count_avail() < BT_PORTS) {
		fprintf(stderr, "usage: lacp_peer <EAL, 2 vdevs> -- "
			"<lacp|plain> <status file>\n");
		return 2;
	}
	lacp = strcmp(argv[n + 1], "lacp") == 0;
	p.status = argv[n + 2];
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	mp = rte_pktmbuf_pool_create("peer_mp", 4095, 64, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	p.member[0] = 0;
	p.member[1] = 1;
	if (mp == NULL)
		return 1;
	if (lacp) {
		p.bond = rte_eth_bond_create("net_bonding_peer",
					     BONDING_MODE_8023AD, 0);
		if (p.bond < 0 || rte_eth_bond_slave_add(p.bond, 0) != 0 ||
		    rte_eth_bond_slave_add(p.bond, 1) != 0 ||
		    port_setup(p.bond, mp) != 0) {
			fprintf(stderr, "lacp_peer: bond setup failed\n");
			return 1;
		}
	} else if (port_setup(0, mp) != 0 || port_setup(1, mp) != 0) {
		fprintf(stderr, "lacp_peer: port setup failed\n");
		return 1;
	}
	hz = rte_get_timer_hz();
	start = rte_get_timer_cycles();
	while (!quit) {
		uint64_t now = rte_get_timer_cycles();

		if (poll_once(&p) == 0)
			usleep(200);
		if (now - last >= hz / 20) {
			write_status(&p, (now - start) * 1000 / hz);
			last = now;
		}
	}
	write_status(&p, (rte_get_timer_cycles() - start) * 1000 / hz);
	if (p.bond >= 0)
		rte_eth_dev_stop(p.bond);
	rte_eal_cleanup();
	return 0;
}
