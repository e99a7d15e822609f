/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The NIC side of the bond end-to-end tests (N-18, N-20), run by
 * run_e2e.sh: a net_snic whose uplink is bond0 over eth0/eth1 (af_packet on
 * veths a0/a1; their peers b0/b1 sit in a netns with lacp_peer). The snic
 * runs inline (this thread polls it), made from an init config file.
 *
 *   bond_e2e <dir> <a0> <a1> <netns> <b0> lacp|ab|restore
 *
 * lacp:    bond0 (auto-created, empty) gets eth0, eth1 by the bond API;
 *          LACP converges, survives 3 s without traffic (keepalive),
 *          layer3+4 spreads 1024 flows; b0's wire goes down mid-stream:
 *          the loss is measured, eth0 leaves distribution and eth1 takes
 *          everything; b0 comes back: LACP re-converges and layer3+4
 *          spreads again; nomaster eth0 moves all to eth1.
 * ab:      bond0 restored from a bond config in active-backup, primary
 *          eth0; a numbered stream; b0's wire goes down mid-stream; the
 *          loss is measured at the peer.
 * restore: a new process: bond0 as the lacp run left it.
 * The peer's counters come from its status file (<dir>/peer.json).
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_bond_8023ad.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bond_test.h"
#include "nf_test.h"
#include "snic.h"
#include "snic_agent.h"

extern char **environ; /* for posix_spawnp (unistd.h: _GNU_SOURCE only) */

#define SNIC_NAME "net_snic_bt"
#define CD (STATE_COLLECTING | STATE_DISTRIBUTING)

static const char *dir, *ifa[2], *netns, *ifb0;
static struct rte_mempool *mp;
static uint16_t up_port;       /* the snic uplink */
static struct snic_switch *sw;
static uint64_t seq;

static uint64_t
now_ms(void)
{
	return rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
}

/* Run the NIC (inline) for ms milliseconds; received frames are dropped. */
static void
poll_ms(uint64_t ms)
{
	uint64_t end = now_ms() + ms;
	struct rte_mbuf *pkts[32];

	do {
		uint16_t n = rte_eth_rx_burst(up_port, 0, pkts, 32);

		rte_pktmbuf_free_bulk(pkts, n);
		if (n == 0)
			usleep(200);
	} while (now_ms() < end);
}

static struct rte_mbuf *
make_pkt(uint32_t flow)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct bt_payload *bp;
	uint16_t len = sizeof(*eh) + sizeof(*ip) + sizeof(*udp) + sizeof(*bp);

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eh, 0, len);
	eh->dst_addr.addr_bytes[0] = 0x02;
	eh->dst_addr.addr_bytes[5] = 0x02;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = 0x01;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eh));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a010000 | (flow & 0xff));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1024 + flow);
	udp->dst_port = rte_cpu_to_be_16(5000);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + sizeof(*bp));
	bp = (struct bt_payload *)(udp + 1);
	bp->magic = BT_MAGIC;
	bp->seq = (uint32_t)seq++;
	bp->flow = flow;
	return m;
}

/* Send n packets of flows 0..flows-1 round robin, in bursts. */
static uint64_t
send_flows(uint32_t n, uint32_t flows)
{
	uint64_t sent = 0;

	for (uint32_t i = 0; i < n; i += 32) {
		struct rte_mbuf *pkts[32];
		uint16_t k = 0, ok;

		while (k < 32 && i + k < n) {
			pkts[k] = make_pkt((i + k) % flows);
			if (pkts[k] == NULL)
				break;
			k++;
		}
		ok = rte_eth_tx_burst(up_port, 0, pkts, k);
		rte_pktmbuf_free_bulk(pkts + ok, k - ok);
		sent += ok;
		poll_ms(1);
	}
	return sent;
}

/* Start "ip -n <netns> link set <b0> up|down": b0's wire (the peer's end
 * of eth0's veth) goes as a cable pull would, the NIC only sees its
 * carrier go. Returns the pid, or -1. */
static pid_t
wire_b0_start(const char *state)
{
	char *argv[] = {"ip", "-n", (char *)netns, "link", "set",
			(char *)ifb0, (char *)state, NULL};
	pid_t pid;

	if (posix_spawnp(&pid, "ip", NULL, NULL, argv, environ) != 0)
		return -1;
	return pid;
}

/* Reap the ip command; true once it has exited with status 0. */
static bool
wire_b0_done(pid_t pid, int flags)
{
	int st;

	return pid > 0 && waitpid(pid, &st, flags) == pid &&
		WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void
wire_b0(const char *state)
{
	NF_CHECK(wire_b0_done(wire_b0_start(state), 0));
}

/* One packet per ms for ms ms, of flows 0..flows-1; b0's wire goes down at
 * down_at ms (never if down_at >= ms). Flows n and n + 1 have the same
 * layer3+4 hash (their ip dst and udp src low bytes cancel in it; only
 * flow / 256 counts), so the stream steps by 257: the member changes from
 * one packet to the next and eth0 has its share when the wire goes. The
 * ip command runs beside the stream, which does not pause for it: the
 * loss is what the wire and the bond's reaction cost, not the command's
 * run time. Returns the packets sent. */
static uint64_t
stream_ms(uint64_t ms, uint32_t flows, uint64_t down_at)
{
	uint64_t sent = 0, n = 0, t0 = now_ms();
	bool down = down_at >= ms, done = down;
	pid_t ip = -1;

	while (now_ms() - t0 < ms) {
		struct rte_mbuf *m = make_pkt((uint32_t)(n++ * 257 % flows));

		if (m != NULL && rte_eth_tx_burst(up_port, 0, &m, 1) == 1)
			sent++;
		else
			rte_pktmbuf_free(m);
		if (!down && now_ms() - t0 >= down_at) {
			ip = wire_b0_start("down");
			NF_CHECK(ip > 0);
			down = true;
		}
		if (!done && ip > 0)
			done = wire_b0_done(ip, WNOHANG);
		poll_ms(1);
	}
	if (!done)
		NF_CHECK(wire_b0_done(ip, 0));
	return sent;
}

/* The peer's status: rx[2], lost, lacp actor/partner states. */
struct peer_status {
	uint64_t rx[BT_PORTS];
	uint64_t lost;
	unsigned int actor[BT_PORTS], partner[BT_PORTS];
};

static int
peer_read(struct peer_status *st)
{
	char path[512];
	json_t *root, *rx, *lacp;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/peer.json", dir);
	root = json_load_file(path, 0, NULL);
	rx = json_object_get(root, "rx");
	lacp = json_object_get(root, "lacp");
	if (json_array_size(rx) == BT_PORTS &&
	    json_array_size(lacp) == BT_PORTS) {
		for (int i = 0; i < BT_PORTS; i++) {
			json_t *l = json_array_get(lacp, i);

			st->rx[i] = json_integer_value(json_array_get(rx, i));
			st->actor[i] = json_integer_value(
				json_object_get(l, "actor"));
			st->partner[i] = json_integer_value(
				json_object_get(l, "partner"));
		}
		st->lost = json_integer_value(json_object_get(root, "lost"));
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* Both sides of member i collecting and distributing? */
static bool
lacp_up(int i, const struct peer_status *ps)
{
	struct rte_eth_bond_8023ad_slave_info info;
	uint16_t member;
	int bond = snic_bond_port(sw, "bond0");

	if (bond < 0 || rte_eth_dev_get_port_by_name(i ? "net_af_packet_e1" :
			"net_af_packet_e0", &member) != 0 ||
	    rte_eth_bond_8023ad_slave_info(bond, member, &info) != 0)
		return false;
	return (info.actor_state & CD) == CD &&
		(info.partner_state & CD) == CD &&
		(ps->actor[i] & CD) == CD && (ps->partner[i] & CD) == CD;
}

static int
wait_lacp(uint64_t timeout_ms, int m0, int m1)
{
	uint64_t t0 = now_ms();
	struct peer_status ps;

	while (now_ms() - t0 < timeout_ms) {
		poll_ms(20);
		if (peer_read(&ps) == 0 && (!m0 || lacp_up(0, &ps)) &&
		    (!m1 || lacp_up(1, &ps)))
			return (int)(now_ms() - t0);
	}
	return -1;
}

static int
write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
nic_create(void)
{
	char cfg[1024], args[1024];
	struct rte_eth_conf conf;
	struct snic_port *p;

	snprintf(cfg, sizeof(cfg), "{\"ports\": {\"eth0\": "
		 "\"net_af_packet_e0,iface=%s\", \"eth1\": "
		 "\"net_af_packet_e1,iface=%s\"}, \"uplink\": \"bond0\", "
		 "\"mode\": \"inline\", \"bond_cfg\": \"%s/bond.json\", "
		 "\"ctl\": \"none\"}\n", ifa[0], ifa[1], dir);
	if (write_file("init.cfg", cfg) != 0)
		return -1;
	snprintf(args, sizeof(args), "init_cfg=%s/init.cfg", dir);
	if (rte_vdev_init(SNIC_NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(SNIC_NAME, &up_port) != 0)
		return -1;
	p = snic_port_by_ethdev(up_port);
	sw = p->sw;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(up_port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(up_port, 0, 512, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(up_port, 0, 512, 0, NULL) != 0)
		return -1;
	return rte_eth_dev_start(up_port);
}

/* bond_show of bond0 through the agent's method table. */
static json_t *
show_bond0(void)
{
	json_t *params = json_pack("{s:s}", "bond", "bond0"), *res = NULL;
	char err[256];

	for (const struct nf_rpc_method *m = snic_bond_methods;
	     m->name != NULL; m++)
		if (strcmp(m->name, "bond_show") == 0 &&
		    m->fn(sw, params, &res, err, sizeof(err)) != 0)
			res = NULL;
	json_decref(params);
	return res;
}

/* 4096 packets of 1024 flows: all must arrive, 30-70 % of them on b0
 * (the peer's status file is 50 ms old at most: it is read 500 ms on). */
static void
spread_check(const char *what)
{
	struct peer_status a, b;
	uint64_t sent, got0, got;
	double share0;

	NF_CHECK_EQ(peer_read(&a), 0);
	sent = send_flows(4096, 1024);
	poll_ms(500);
	NF_CHECK_EQ(peer_read(&b), 0);
	got0 = b.rx[0] - a.rx[0];
	got = b.rx[0] + b.rx[1] - a.rx[0] - a.rx[1];
	share0 = 100.0 * got0 / (double)RTE_MAX((uint64_t)1, got);
	printf("%s: 1024 flows, %lu sent, peer got %lu on b0 (%.1f%%), "
	       "%lu on b1 (%.1f%%)\n", what, (unsigned long)sent,
	       (unsigned long)got0, share0, (unsigned long)(got - got0),
	       100.0 - share0);
	NF_CHECK_EQ(got, sent);
	NF_CHECK(share0 >= 30.0 && share0 <= 70.0);
}

/* 2048 packets of 1024 flows: none may reach b0, all must reach b1. */
static void
all_on_b1(const char *what)
{
	struct peer_status a, b;
	uint64_t sent;

	NF_CHECK_EQ(peer_read(&a), 0);
	sent = send_flows(2048, 1024);
	poll_ms(500);
	NF_CHECK_EQ(peer_read(&b), 0);
	printf("%s: %lu sent, peer got %lu on b0, %lu on b1\n", what,
	       (unsigned long)sent, (unsigned long)(b.rx[0] - a.rx[0]),
	       (unsigned long)(b.rx[1] - a.rx[1]));
	NF_CHECK_EQ(b.rx[0] - a.rx[0], 0);
	NF_CHECK_EQ(b.rx[1] - a.rx[1], sent);
}

/* 802.3ad with a member's wire going down (N-18): the PHY monitor marks
 * eth0 down, net_bonding stops distributing to it and eth1 carries all;
 * with the wire back LACP re-converges and both members carry again. */
static void
lacp_carrier_loss(void)
{
	struct peer_status a, b;
	uint64_t sent, lost;
	int ms;

	/* 1 packet per ms, 1024 flows, b0 down at 200 ms of 700: what
	 * eth0 had in flight until it left distribution is lost. */
	NF_CHECK_EQ(peer_read(&a), 0);
	sent = stream_ms(700, 1024, 200);
	poll_ms(300);
	NF_CHECK_EQ(peer_read(&b), 0);
	lost = sent - (b.rx[0] + b.rx[1] - a.rx[0] - a.rx[1]);
	printf("802.3ad b0 down: %lu sent at ~1/ms, b0 got %lu, b1 got %lu, "
	       "lost %lu (~%lu ms of eth0's half of the traffic)\n",
	       (unsigned long)sent, (unsigned long)(b.rx[0] - a.rx[0]),
	       (unsigned long)(b.rx[1] - a.rx[1]), (unsigned long)lost,
	       (unsigned long)(2 * lost * 700 / RTE_MAX(sent, (uint64_t)1)));
	/* eth0 carried its half of the 200 ms before the cut (~100 packets;
	 * without it nothing was measured). */
	NF_CHECK(b.rx[0] - a.rx[0] > sent / 10);
	NF_CHECK(lost * 700 / RTE_MAX(sent, (uint64_t)1) < 100);
	/* Wire still down: eth0 is out of LACP, eth1 carries everything. */
	NF_CHECK(peer_read(&a) == 0 && !lacp_up(0, &a));
	all_on_b1("802.3ad b0 down");
	/* Wire back: LACP again on both sides, traffic on both members. */
	wire_b0("up");
	ms = wait_lacp(10000, 1, 1);
	printf("802.3ad b0 up: both members collecting+distributing on both "
	       "sides after %d ms\n", ms);
	NF_CHECK(ms >= 0);
	spread_check("layer3+4 after b0 up");
}

static void
scenario_lacp(void)
{
	struct peer_status a;
	char err[256];
	int ms;

	NF_CHECK_EQ(snic_bond_set_master(sw, "eth0", "bond0", err,
					 sizeof(err)), 0);
	NF_CHECK_EQ(snic_bond_set_master(sw, "eth1", "bond0", err,
					 sizeof(err)), 0);
	ms = wait_lacp(20000, 1, 1);
	printf("lacp: both members collecting+distributing on both sides "
	       "after %d ms\n", ms);
	NF_CHECK(ms >= 0);
	/* Keepalive: 3 s with no traffic at all, still aggregated. */
	poll_ms(3000);
	NF_CHECK(peer_read(&a) == 0 && lacp_up(0, &a) && lacp_up(1, &a));
	printf("lacp: after 3 s idle: eth0 %s, eth1 %s\n",
	       lacp_up(0, &a) ? "up" : "DOWN", lacp_up(1, &a) ? "up" : "DOWN");
	/* layer3+4: 1024 flows over both members. */
	NF_CHECK_EQ(snic_bond_set_policy(sw, "bond0", "layer3+4", err,
					 sizeof(err)), 0);
	poll_ms(100);
	spread_check("layer3+4");
	lacp_carrier_loss();
	/* 802.3ad: eth0 leaves the bond, eth1 takes everything. */
	NF_CHECK_EQ(snic_bond_set_nomaster(sw, "eth0", err, sizeof(err)), 0);
	poll_ms(200);
	all_on_b1("nomaster eth0");
}

static void
scenario_ab(void)
{
	struct peer_status st;
	uint64_t sent, got, lost;
	json_t *b = show_bond0();

	NF_CHECK(b != NULL);
	json_decref(b);
	poll_ms(300); /* links up, eth0 active */
	/* 1 packet per ms for 2.5 s; b0's wire goes down at 1 s. */
	sent = stream_ms(2500, 1, 1000);
	poll_ms(300);
	NF_CHECK_EQ(peer_read(&st), 0);
	got = st.rx[0] + st.rx[1];
	lost = sent - got;
	printf("active-backup: %lu sent at ~1/ms, b0 got %lu, b1 got %lu, "
	       "lost %lu (~%lu ms of traffic, %lu seq gaps)\n",
	       (unsigned long)sent, (unsigned long)st.rx[0],
	       (unsigned long)st.rx[1], (unsigned long)lost,
	       (unsigned long)(lost * 2500 / RTE_MAX(sent, (uint64_t)1)),
	       (unsigned long)st.lost);
	NF_CHECK(st.rx[0] > sent / 5);     /* eth0 active first */
	NF_CHECK(st.rx[1] > sent / 5);     /* then eth1 */
	NF_CHECK(lost * 2500 / RTE_MAX(sent, (uint64_t)1) < 500);
}

static void
scenario_restore(void)
{
	json_t *all = show_bond0();
	json_t *b = json_array_get(all, 0);
	const char *mode = json_string_value(json_object_get(b, "mode"));
	const char *pol = json_string_value(json_object_get(b,
							  "xmit_hash_policy"));
	json_t *sl = json_object_get(b, "slaves");

	printf("restore: bond0 mode %s, policy %s, %zu slave(s) %s\n",
	       mode ? mode : "?", pol ? pol : "?", json_array_size(sl),
	       json_string_value(json_array_get(sl, 0)) ?: "-");
	NF_CHECK(mode != NULL && strcmp(mode, "802.3ad") == 0);
	NF_CHECK(pol != NULL && strcmp(pol, "layer3+4") == 0);
	NF_CHECK_EQ(json_array_size(sl), 1);
	NF_CHECK(json_string_value(json_array_get(sl, 0)) != NULL &&
		 strcmp(json_string_value(json_array_get(sl, 0)), "eth1") ==
		 0);
	NF_CHECK(json_object_get(b, "uplink_of") != NULL &&
		 json_is_string(json_object_get(b, "uplink_of")));
	json_decref(all);
}

int
main(int argc, char **argv)
{
	char pfx[64];
	char *eal[] = {argv[0], "--no-huge", "-m", "256", "--no-pci", "-l",
		       "0", "--file-prefix", pfx, "--log-level",
		       "lib.eal:error", NULL};
	const char *what;

	if (argc != 7) {
		fprintf(stderr, "usage: bond_e2e <dir> <a0> <a1> <netns> <b0> "
			"lacp|ab|restore\n");
		return 2;
	}
	dir = argv[1];
	ifa[0] = argv[2];
	ifa[1] = argv[3];
	netns = argv[4];
	ifb0 = argv[5];
	what = argv[6];
	snprintf(pfx, sizeof(pfx), "bond_e2e_%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	mp = rte_pktmbuf_pool_create("bt_mp", 8191, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (strcmp(what, "ab") == 0)
		write_file("bond.json", "{\"bonds\": [{\"name\": \"bond0\", "
			   "\"mode\": \"active-backup\", \"primary\": "
			   "\"eth0\", \"slaves\": [\"eth0\", \"eth1\"]}]}\n");
	if (mp == NULL || nic_create() != 0) {
		printf("cannot create the snic\n0 passed, 1 failed\n");
		return 1;
	}
	if (strcmp(what, "lacp") == 0)
		scenario_lacp();
	else if (strcmp(what, "ab") == 0)
		scenario_ab();
	else
		scenario_restore();
	rte_eth_dev_stop(up_port);
	rte_vdev_uninit(SNIC_NAME);
	printf("%s: %d passed, %d failed\n", what,
	       nf_test_failed_checks ? 0 : 1, nf_test_failed_checks ? 1 : 0);
	return nf_test_failed_checks ? 1 : 0;
}
