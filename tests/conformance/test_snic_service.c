/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic in service mode (docs/snic.md "Where the NIC runs"): EAL gets a
 * service lcore (-l 0-1 -s 0x2) and the switch mode=service (given after
 * snic_env.h's mode=inline: the last mode= wins), so the NIC's datapath
 * runs on lcore 1 whatever the test does. The test injects frames and
 * waits, at most 2 s, for the expected output instead of driving the NIC.
 * Forwarding byte for byte, upcalls with their tags (N-2, N-10), exact
 * counters (N-12), application tx, rte_flow_destroy under traffic (N-14)
 * and rte_eth_dev_stop/start of a port while traffic is injected (N-21).
 * A separate program from test_snic_items: the EAL arguments differ.
 */

#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_service.h>

#include "snic_check.h"

#define SVC_NAME "net_snic_svc"
#define WAIT_S 2

/* Ports the test stopped: their queues are not polled. */
static bool port_down[SNIC_ENV_MAX];

/* Take what the NIC upcalled on the running ports (in service mode
 * rx_burst only dequeues). */
static void
collect(void)
{
	struct rte_mbuf *pkts[32];

	for (unsigned int i = 0; i < env.n; i++) {
		uint16_t n;

		if (port_down[i])
			continue;
		n = rte_eth_rx_burst(env.port[i], 0, pkts, 32);
		for (uint16_t j = 0; j < n; j++) {
			if (env.nup[i] < SNIC_ENV_UPQ)
				env.up[i][env.nup[i]++] = pkts[j];
			else
				rte_pktmbuf_free(pkts[j]);
		}
	}
}

static uint64_t
deadline(void)
{
	return rte_get_timer_cycles() + WAIT_S * rte_get_timer_hz();
}

/* Wait until port i's wire holds n frames; false after 2 s. */
static bool
wait_wire(unsigned int i, unsigned int n)
{
	uint64_t end = deadline();

	do {
		collect();
		if (snic_env_wire_count(&env, i) >= n)
			return true;
		rte_pause();
	} while (rte_get_timer_cycles() < end);
	return false;
}

/* Wait until port i's software queue holds n frames; false after 2 s. */
static bool
wait_upcalls(unsigned int i, unsigned int n)
{
	uint64_t end = deadline();

	do {
		collect();
		if (snic_env_upcall_count(&env, i) >= n)
			return true;
		rte_pause();
	} while (rte_get_timer_cycles() < end);
	return false;
}

/* Leave the NIC time to send anything unexpected; then nothing may be
 * left anywhere. */
static void
settle_quiet(int line)
{
	rte_delay_ms(20);
	collect();
	expect_quiet(line);
}

#define SETTLE_QUIET() settle_quiet(__LINE__)

static void
inject_n(unsigned int i, const struct pk *p, int n)
{
	for (int k = 0; k < n; k++)
		NF_CHECK_EQ(snic_env_inject(&env, i, p->b, p->len), 0);
}

/* The snic service runs on the service lcore (1), not inline: forwarding
 * happens while the test never calls rx_burst nor tx_burst. */
NF_TEST(test_service_mode)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	uint64_t end = deadline();
	struct acts l = {0};
	struct dst_pat d;
	struct rte_flow *r;
	uint32_t id;

	reset();
	NF_CHECK_EQ(rte_service_get_by_name("snic_" SVC_NAME, &id), 0);
	NF_CHECK_EQ(rte_service_map_lcore_get(id, 1), 1);
	NF_CHECK_EQ(rte_service_runstate_get(id), 1);
	NF_CHECK_EQ(rte_service_lcore_count(), 1);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	if (r == NULL)
		return;
	bp(0, NULL, &f);
	inject_n(VF0, &P[0], 3);
	while (snic_env_wire_count(&env, VF1) < 3 &&
	       rte_get_timer_cycles() < end)
		rte_pause();
	for (int k = 0; k < 3; k++)
		EXPECT_WIRE(VF1, &P[0]);
	SETTLE_QUIET();
	destroy(VF0, r);
}

/* Forwarding with a rewrite, byte for byte and in order; exact COUNT and
 * nic_hw_forwarded. */
NF_TEST(test_service_forward_count)
{
	enum { N = 200 };
	struct flow_desc f = flow(false, IPPROTO_TCP), g;
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac mac = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	uint64_t fwd0 = xstat(VF0, "nic_hw_forwarded");
	uint64_t bytes = 0;
	struct acts l = {0};
	struct dst_pat d;
	struct rte_flow *r;

	reset();
	pk_mac(mac.mac_addr, GW_MAC);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &mac);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	if (r == NULL)
		return;
	for (int k = 0; k < N; k++) {
		f.sport = (uint16_t)(1000 + k);
		bp(0, NULL, &f);
		inject_n(VF0, &P[0], 1);
		bytes += P[0].len;
	}
	NF_CHECK(wait_wire(VF1, N));
	for (int k = 0; k < N; k++) {
		f.sport = (uint16_t)(1000 + k);
		g = f;
		g.dmac = GW_MAC;
		bp(0, NULL, &g);
		EXPECT_WIRE(VF1, &P[0]);
	}
	SETTLE_QUIET();
	CHECK_COUNT(VF0, r, N, bytes);
	NF_CHECK_EQ(xstat(VF0, "nic_hw_forwarded") - fwd0, N);
	destroy(VF0, r);
}

/* N-2, N-10: misses reach software unmodified with the tag an ingress ACL
 * set; an ACL UPCALL rule upcalls and counts. */
NF_TEST(test_service_upcalls)
{
	enum { N = 20 };
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_attr g0 = acl_attr(true, 0), g1 = acl_attr(true, 1);
	struct rte_flow_item_ipv4 src = {0}, src_m = {0};
	struct rte_flow_item_udp u53 = { .hdr.dst_port = RTE_BE16(53) };
	struct rte_flow_item_udp um = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_action_set_tag st = { .data = 9, .mask = 0xff,
					      .index = 2 };
	struct rte_flow_action_count cnt = {0};
	uint64_t nr0 = xstat(VF0, "miss_no_rule");
	uint64_t au0 = xstat(VF0, "miss_acl_upcall");
	struct acts lt = {0}, lu = {0};
	struct rte_flow *tag, *up;
	struct pat p;

	reset();
	inet_pton(AF_INET, VM1_IP, &src.hdr.src_addr);
	src_m.hdr.src_addr = RTE_BE32(0xffffffff);
	act(&lt, RTE_FLOW_ACTION_TYPE_SET_TAG, &st);
	tag = CREATE(VF0, &g0, pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4, &src,
				    &src_m), &lt);
	act(&lu, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&lu, RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL);
	up = CREATE(VF0, &g1, pat1(&p, RTE_FLOW_ITEM_TYPE_UDP, &u53, &um),
		    &lu);
	if (tag == NULL || up == NULL)
		return;
	f.dip = OTHER_IP;      /* no forwarding rule */
	bp(0, NULL, &f);
	f.sip = "10.0.0.7";    /* not tagged */
	bp(1, NULL, &f);
	f = flow(false, IPPROTO_UDP);
	f.dport = 53;
	bp(2, NULL, &f);
	inject_n(VF0, &P[0], N);
	NF_CHECK(wait_upcalls(VF0, N));
	for (int k = 0; k < N; k++)
		expect_upcall(VF0, &P[0], 0x0209, __LINE__);
	inject_n(VF0, &P[1], 1);
	NF_CHECK(wait_upcalls(VF0, 1));
	EXPECT_UPCALL(VF0, &P[1]);
	inject_n(VF0, &P[2], 1);
	NF_CHECK(wait_upcalls(VF0, 1));
	expect_upcall(VF0, &P[2], 0x0209, __LINE__);
	SETTLE_QUIET();
	NF_CHECK_EQ(xstat(VF0, "miss_no_rule") - nr0, N + 1);
	NF_CHECK_EQ(xstat(VF0, "miss_acl_upcall") - au0, 1);
	CHECK_COUNT(VF0, up, 1, P[2].len);
	destroy(VF0, up);
	destroy(VF0, tag);
}

/* What the application sends on a port leaves through its wire. */
NF_TEST(test_service_app_tx)
{
	struct flow_desc f = flow(true, IPPROTO_UDP);
	struct rte_eth_stats st0, st1;

	reset();
	NF_CHECK_EQ(rte_eth_stats_get(env.port[VF1], &st0), 0);
	for (int k = 0; k < 5; k++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(env.mp);
		char *dp;

		f.sport = (uint16_t)(7000 + k);
		bp(k % 2, NULL, &f);
		dp = m != NULL ? rte_pktmbuf_append(m, P[k % 2].len) : NULL;
		NF_CHECK(dp != NULL);
		if (dp == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
		memcpy(dp, P[k % 2].b, P[k % 2].len);
		NF_CHECK_EQ(rte_eth_tx_burst(env.port[VF1], 0, &m, 1), 1);
		NF_CHECK(wait_wire(VF1, 1));
		EXPECT_WIRE(VF1, &P[k % 2]);
	}
	SETTLE_QUIET();
	NF_CHECK_EQ(rte_eth_stats_get(env.port[VF1], &st1), 0);
	NF_CHECK_EQ(st1.opackets - st0.opackets, 5);
}

/* N-14: a rule destroyed while its flow streams: every packet is either
 * forwarded intact or reaches software unmodified, none lost. */
NF_TEST(test_service_destroy_under_traffic)
{
	enum { N = 200 };
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	uint64_t nr0 = xstat(VF0, "miss_no_rule");
	unsigned int fwd = 0, up;
	uint64_t end;
	struct acts l = {0};
	struct dst_pat d;
	struct rte_flow *r;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	if (r == NULL)
		return;
	bp(0, NULL, &f);
	inject_n(VF0, &P[0], N);
	destroy(VF0, r);
	end = deadline();
	do {
		collect();
		up = snic_env_upcall_count(&env, VF0);
		fwd = snic_env_wire_count(&env, VF1);
	} while (fwd + up < N && rte_get_timer_cycles() < end);
	NF_CHECK_EQ(fwd + up, N);
	NF_CHECK_EQ(xstat(VF0, "miss_no_rule") - nr0, up);
	while (fwd-- > 0)
		EXPECT_WIRE(VF1, &P[0]);
	while (up-- > 0)
		EXPECT_UPCALL(VF0, &P[0]);
	SETTLE_QUIET();
}

/* Stop one port with rte_eth_dev_stop, then start it again. */
static void
port_cycle(unsigned int i)
{
	NF_CHECK_EQ(rte_eth_dev_stop(env.port[i]), 0);
	port_down[i] = true;
	rte_delay_us_sleep(200);
	NF_CHECK_EQ(rte_eth_dev_start(env.port[i]), 0);
	port_down[i] = false;
}

/*
 * N-21: stopping the destination (VF1) or the ingress port (VF0) while
 * the NIC is busy with injected traffic is safe: every packet is either
 * forwarded intact or, destination down, dropped and counted
 * (drop_port_down); an ingress port's packets wait on its wire until it
 * starts again. The rule counts every packet it matched.
 */
NF_TEST(test_service_stop_under_traffic)
{
	enum { ROUNDS = 10, BURST = 300 };
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	uint64_t down0 = xstat(VF0, "drop_port_down");
	uint64_t injected = 0, fwd = 0, down = 0;
	struct acts l = {0};
	struct dst_pat d;
	struct rte_flow *r;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	if (r == NULL)
		return;
	bp(0, NULL, &f);
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t end;

		inject_n(VF0, &P[0], BURST);
		injected += BURST;
		port_cycle(round % 2 ? VF0 : VF1);
		inject_n(VF0, &P[0], BURST / 3);
		injected += BURST / 3;
		end = deadline();
		do {
			collect();
			while (snic_env_wire_count(&env, VF1) > 0) {
				EXPECT_WIRE(VF1, &P[0]);
				fwd++;
			}
			down = xstat(VF0, "drop_port_down") - down0;
		} while (fwd + down < injected &&
			 rte_get_timer_cycles() < end);
		NF_CHECK_EQ(fwd + down, injected);
	}
	SETTLE_QUIET();
	CHECK_COUNT(VF0, r, injected, injected * P[0].len);
	NF_CHECK_EQ(xstat(VF0, "drop_tx_full"), 0);
	printf("     %" PRIu64 " packets: %" PRIu64 " forwarded, %" PRIu64
	       " dropped (destination down)\n", injected, fwd, down);
	/* still forwarding normally afterwards */
	inject_n(VF0, &P[0], 1);
	NF_CHECK(wait_wire(VF1, 1));
	EXPECT_WIRE(VF1, &P[0]);
	SETTLE_QUIET();
	destroy(VF0, r);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_service_mode),
		NF_CASE(test_service_forward_count),
		NF_CASE(test_service_upcalls),
		NF_CASE(test_service_app_tx),
		NF_CASE(test_service_destroy_under_traffic),
		NF_CASE(test_service_stop_under_traffic),
	};
	return snic_env_main(snic_env_eal_init_opts("snic_svc", "snic_svc",
						    true, 8191),
			     &env, SVC_NAME, 2, "mode=service", cases,
			     RTE_DIM(cases), reset);
}
