/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic basics: ports and names (N-1), a spec §7.2 same-node L2 rule
 * forwarding byte for byte with exact counters (N-12), misses delivered
 * unmodified to the ingress port (N-2, N-3), destroy/flush, create before
 * start and rules kept across stop/start.
 */

#include <ethdev_driver.h>
#include <rte_flow.h>

#include "nf_test.h"
#include "pktgen.h"
#include "snic_env.h"

#define VM1_MAC "02:00:00:00:00:01"
#define VM2_MAC "02:00:00:00:00:02"

static struct snic_env env;

/* §7.2: eth src/dst/type, vlan placeholder, ipv4 dst/proto, vxlan vni 0. */
static struct rte_flow *
l2_rule(uint16_t port, uint16_t out, const char *dst_ip, uint8_t proto,
	struct rte_flow_error *err)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_eth eth = { .type = RTE_BE16(0x0800) };
	struct rte_flow_item_eth eth_m = {
		.dst.addr_bytes = "\xff\xff\xff\xff\xff\xff",
		.src.addr_bytes = "\xff\xff\xff\xff\xff\xff",
		.type = RTE_BE16(0xffff),
	};
	struct rte_flow_item_vlan vlan = {0};
	struct rte_flow_item_ipv4 ip = { .hdr.next_proto_id = proto };
	struct rte_flow_item_ipv4 ip_m = {
		.hdr.dst_addr = RTE_BE32(0xffffffff),
		.hdr.next_proto_id = 0xff,
	};
	struct rte_flow_item_vxlan vx = {0};
	struct rte_flow_item_vxlan vx_m = { .vni = "\xff\xff\xff" };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = out };
	struct rte_flow_item pat[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth, .mask = &eth_m },
		{ .type = RTE_FLOW_ITEM_TYPE_VLAN, .spec = &vlan },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip, .mask = &ip_m },
		{ .type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &vx, .mask = &vx_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action act[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT, .conf = &cnt },
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &pid },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};

	pk_mac(eth.src.addr_bytes, VM1_MAC);
	pk_mac(eth.dst.addr_bytes, VM2_MAC);
	inet_pton(AF_INET, dst_ip, &ip.hdr.dst_addr);
	return rte_flow_create(port, &attr, pat, act, err);
}

static void
udp_frame(struct pk *p, const char *dst_ip, uint16_t sport)
{
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, 0x0800);
	pk_ipv4(p, "10.0.0.1", dst_ip, 17, 64);
	pk_udp(p, sport, 5000);
	pk_payload(p, 32);
	pk_finish(p);
}

NF_TEST(test_ports_named)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	uint16_t dom;

	NF_CHECK_EQ(rte_eth_dev_get_name_by_port(env.port[0], name), 0);
	NF_CHECK(strcmp(name, "net_snic_basic") == 0);
	NF_CHECK_EQ(rte_eth_dev_get_name_by_port(env.port[2], name), 0);
	NF_CHECK(strcmp(name, "net_snic_basic_representor_1") == 0);
	NF_CHECK_EQ(rte_eth_dev_info_get(env.port[0], &info), 0);
	dom = info.switch_info.domain_id;
	for (unsigned int i = 1; i < env.n; i++) {
		NF_CHECK_EQ(rte_eth_dev_info_get(env.port[i], &info), 0);
		NF_CHECK_EQ(info.switch_info.domain_id, dom);
		NF_CHECK(rte_eth_devices[env.port[i]].data->dev_flags &
			 RTE_ETH_DEV_REPRESENTOR);
	}
	/* DPDK's representor devargs find them, as OVS-DPDK's
	 * dpdk-devargs=net_snic0,representor=[N] does (rte_eth_iterator). */
	for (unsigned int i = 0; i < env.n; i++) {
		struct rte_dev_iterator it;
		char da[64];
		uint16_t p, found = RTE_MAX_ETHPORTS, n = 0;

		if (i == 0)
			snprintf(da, sizeof(da), "net_snic_basic");
		else
			snprintf(da, sizeof(da), "net_snic_basic,representor=[%u]",
				 i - 1);
		/* The first match is what OVS takes: the uplink for the
		 * device name alone (all its ports match it). */
		RTE_ETH_FOREACH_MATCHING_DEV(p, da, &it) {
			if (n++ == 0)
				found = p;
		}
		NF_CHECK_EQ(n, i == 0 ? env.n : 1);
		NF_CHECK_EQ(found, env.port[i]);
		printf("  %s -> %u port(s), port %u\n", da, n, found);
	}
	/* underlying ports are owned: applications do not see them */
	for (unsigned int i = 0; i < env.n; i++) {
		uint16_t p;
		int seen = 0;

		RTE_ETH_FOREACH_DEV(p)
			seen |= p == env.phys[i];
		NF_CHECK_EQ(seen, 0);
	}
}

NF_TEST(test_l2_forward_and_count)
{
	struct rte_flow_error err;
	struct rte_flow_query_count q = { .reset = 0 };
	struct rte_flow_action qa[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow *f = l2_rule(env.port[1], env.port[2], "10.0.0.2", 17,
				     &err);
	uint8_t out[2048];
	struct pk p;

	NF_CHECK(f != NULL);
	if (f == NULL) {
		printf("create: %s\n", err.message);
		return;
	}
	udp_frame(&p, "10.0.0.2", 1234);
	for (int i = 0; i < 5; i++)
		NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 5);
	for (int i = 0; i < 5; i++) {
		NF_CHECK_EQ(snic_env_wire_read(&env, 2, out, sizeof(out)),
			    p.len);
		NF_CHECK_MEM(out, p.b, p.len);
	}
	NF_CHECK_EQ(snic_env_upcall_count(&env, 1), 0);
	NF_CHECK_EQ(rte_flow_query(env.port[1], f, qa, &q, &err), 0);
	NF_CHECK_EQ(q.hits, 5);
	NF_CHECK_EQ(q.bytes, 5 * p.len);
	q.reset = 1;
	NF_CHECK_EQ(rte_flow_query(env.port[1], f, qa, &q, &err), 0);
	q.reset = 0;
	NF_CHECK_EQ(rte_flow_query(env.port[1], f, qa, &q, &err), 0);
	NF_CHECK_EQ(q.hits, 0);
	NF_CHECK_EQ(snic_env_xstat(env.port[1], "nic_hw_forwarded"), 5);

	/* other destination: a miss, delivered unmodified on VF0 */
	udp_frame(&p, "10.0.0.9", 1234);
	NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 0);
	NF_CHECK_EQ(snic_env_upcall_read(&env, 1, out, sizeof(out), NULL),
		    p.len);
	NF_CHECK_MEM(out, p.b, p.len);
	NF_CHECK_EQ(snic_env_xstat(env.port[1], "miss_no_rule"), 1);
	/* xstats reset: the NIC's counters restart from 0 */
	NF_CHECK_EQ(rte_eth_xstats_reset(env.port[1]), 0);
	NF_CHECK_EQ(snic_env_xstat(env.port[1], "miss_no_rule"), 0);
	NF_CHECK_EQ(snic_env_xstat(env.port[1], "nic_hw_forwarded"), 0);
	NF_CHECK_EQ(snic_env_xstat(env.port[1], "nic_rx_packets"), 0);

	NF_CHECK_EQ(rte_flow_destroy(env.port[1], f, &err), 0);
	udp_frame(&p, "10.0.0.2", 1234);
	NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 0);
	NF_CHECK_EQ(snic_env_upcall_read(&env, 1, out, sizeof(out), NULL),
		    p.len);
}

/* N-3: an ICMP packet to the rule's destination still goes to software. */
NF_TEST(test_icmp_not_offloaded)
{
	struct rte_flow_error err;
	struct rte_flow *f = l2_rule(env.port[1], env.port[2], "10.0.0.2", 17,
				     &err);
	struct pk p;
	uint8_t out[256];

	NF_CHECK(f != NULL);
	pk_init(&p);
	pk_eth(&p, VM2_MAC, VM1_MAC, 0x0800);
	pk_ipv4(&p, "10.0.0.1", "10.0.0.2", 1, 64);
	pk_icmp(&p, 8, 0);
	pk_payload(&p, 16);
	pk_finish(&p);
	NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 0);
	NF_CHECK_EQ(snic_env_upcall_read(&env, 1, out, sizeof(out), NULL),
		    p.len);
	NF_CHECK_MEM(out, p.b, p.len);
	NF_CHECK_EQ(rte_flow_flush(env.port[1], &err), 0);
}

/* Upcalls arrive in mbufs of the pool the application gave to
 * rx_queue_setup (OVS-DPDK requires it), unchanged. */
NF_TEST(test_upcall_in_app_pool)
{
	struct rte_mbuf *m[4];
	struct pk p;
	uint16_t n = 0;

	/* The wire's frame comes from a pool of its own, as a real port's
	 * rx ring would be (the bench's other injections share the app's). */
	static struct rte_mempool *wire_mp;
	struct rte_mbuf *w;

	if (wire_mp == NULL)
		wire_mp = rte_pktmbuf_pool_create("basic_wire", 63, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	NF_CHECK(wire_mp != NULL);
	if (wire_mp == NULL)
		return;
	udp_frame(&p, "10.0.0.7", 4321);
	w = rte_pktmbuf_alloc(wire_mp);
	NF_CHECK(w != NULL);
	if (w == NULL)
		return;
	memcpy(rte_pktmbuf_append(w, p.len), p.b, p.len);
	NF_CHECK_EQ(rte_ring_enqueue(env.wire[1].in, w), 0);
	for (int i = 0; i < 100 && n == 0; i++)
		n = rte_eth_rx_burst(env.port[1], 0, m, RTE_DIM(m));
	NF_CHECK_EQ(n, 1);
	if (n == 1) {
		NF_CHECK(m[0]->pool == snic_env_pool);
		NF_CHECK_EQ(rte_mempool_in_use_count(wire_mp), 0);
		NF_CHECK_EQ(rte_pktmbuf_pkt_len(m[0]), p.len);
		NF_CHECK_MEM(rte_pktmbuf_mtod(m[0], void *), p.b, p.len);
		rte_pktmbuf_free(m[0]);
	}
}

NF_TEST(test_rules_survive_restart)
{
	struct rte_flow_error err;
	struct rte_flow *f;
	struct pk p;

	NF_CHECK_EQ(rte_eth_dev_stop(env.port[1]), 0);
	f = l2_rule(env.port[1], env.port[2], "10.0.0.2", 17, &err);
	NF_CHECK(f != NULL); /* created while stopped */
	NF_CHECK_EQ(rte_eth_dev_start(env.port[1]), 0);
	udp_frame(&p, "10.0.0.2", 99);
	NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 1);
	NF_CHECK_EQ(rte_eth_dev_stop(env.port[1]), 0);
	NF_CHECK_EQ(rte_eth_dev_start(env.port[1]), 0);
	NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 2);
	NF_CHECK_EQ(rte_flow_flush(env.port[1], &err), 0);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_ports_named),
		NF_CASE(test_l2_forward_and_count),
		NF_CASE(test_icmp_not_offloaded),
		NF_CASE(test_upcall_in_app_pool),
		NF_CASE(test_rules_survive_restart),
	};
	return snic_env_main(snic_env_eal_init("snic_basic"), &env,
			     "net_snic_basic", 2, NULL, cases,
			     RTE_DIM(cases), NULL);
}
