/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * NIC configuration, issue 3:
 *  - N-15 MTU: a VXLAN_ENCAP rule from a representor to the uplink is
 *    refused while a representor-MTU packet would not fit the uplink MTU
 *    once encapsulated (the message names both MTUs), and leaves no rule;
 *    an accepted rule still sends a packet that outgrows the uplink MTU to
 *    software, unmodified, counted as miss_mtu.
 *  - N-17 tunnel config: rte_flow_tunnel_decap_set() names the node's
 *    local VXLAN endpoints; a VXLAN_DECAP rule then decapsulates only VXLAN
 *    addressed to one of them, and the rest misses to software unchanged
 *    (miss_tunnel_dst). The PMD action/item it hands out are accepted in
 *    rules; release restores the unconfigured (any destination) state.
 */

#include <errno.h>
#include <string.h>

#include <rte_flow.h>

#include "nf_test.h"
#include "pktgen.h"
#include "snic_check.h"

static struct snic_env env;

static void
set_mtu(unsigned int i, uint16_t mtu)
{
	NF_CHECK_EQ(rte_eth_dev_set_mtu(env.port[i], mtu), 0);
}

/* §7.3 egress: VM1's TCP to VM2 (remote), VXLAN to the uplink. */
static struct rte_flow *
encap_rule(const struct tun_desc *t, struct rte_flow_error *err)
{
	struct flow_desc f = flow(t->v6, IPPROTO_TCP);
	struct rte_flow_action_port_id pid = { .id = env.port[UPLINK] };
	struct encap_def e;
	struct acts l = {0};
	struct dst_pat d;

	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, encap_def(&e, t));
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	memset(err, 0, sizeof(*err));
	return rte_flow_create(env.port[VF0], &fwd_attr,
			       dst_pattern(&d, &f, false), l.a, err);
}

/* Local VTEP → remote, as the encap definition of the egress rules. */
static struct tun_desc
egress_tunnel(bool v6)
{
	struct tun_desc t = tunnel(v6);

	t.dmac = VTEP_R_MAC;
	t.smac = VTEP_L_MAC;
	t.sip = v6 ? VTEP_L_IP6 : VTEP_L_IP;
	t.dip = v6 ? VTEP_R_IP6 : VTEP_R_IP;
	t.sport = 4444;
	t.df = !v6;
	return t;
}

/* N-15: refused with a message naming the MTUs; nothing left behind. */
NF_TEST(test_encap_rule_refused_over_uplink_mtu)
{
	static const struct {
		bool v6;
		uint16_t uplink, vf, need;
	} c[] = {
		{ false, 1500, 1500, 1550 },
		{ true, 1569, 1500, 1570 },
		{ false, 1549, 1500, 1550 },
	};
	struct rte_flow_error err;
	char want[160];

	for (size_t k = 0; k < RTE_DIM(c); k++) {
		struct tun_desc t = egress_tunnel(c[k].v6);
		int before = snic_env_count_rules(RTE_PMD_SNIC_FLOW_TYPE_EXACT);

		set_mtu(UPLINK, c[k].uplink);
		set_mtu(VF0, c[k].vf);
		NF_CHECK(encap_rule(&t, &err) == NULL);
		NF_CHECK_EQ(rte_errno, EINVAL);
		NF_CHECK_EQ(err.type, RTE_FLOW_ERROR_TYPE_ACTION);
		snprintf(want, sizeof(want),
			 "port %u's MTU %u becomes a %u-byte IP packet, over the MTU %u of port %u",
			 env.port[VF0], c[k].vf, c[k].need, c[k].uplink,
			 env.port[UPLINK]);
		NF_CHECK(err.message != NULL &&
			 strstr(err.message, want) != NULL);
		if (err.message == NULL || strstr(err.message, want) == NULL)
			printf("  got: %s\n  want: %s\n",
			       err.message ? err.message : "(null)", want);
		NF_CHECK_EQ(snic_env_count_rules(RTE_PMD_SNIC_FLOW_TYPE_EXACT), before);
	}
	/* Exactly at the limit: accepted. So is a smaller representor. */
	{
		struct tun_desc t = egress_tunnel(false);
		struct rte_flow *r;

		set_mtu(UPLINK, 1550);
		set_mtu(VF0, 1500);
		r = encap_rule(&t, &err);
		NF_CHECK(r != NULL);
		destroy(VF0, r);
		set_mtu(UPLINK, 1500);
		set_mtu(VF0, 1450);
		r = encap_rule(&t, &err);
		NF_CHECK(r != NULL);
		destroy(VF0, r);
	}
	set_mtu(UPLINK, SNIC_ENV_UPLINK_MTU);
	set_mtu(VF0, 1500);
}

/* [t /] f with an inner IP packet of ip_len bytes. */
static void
ip_packet(struct pk *p, const struct tun_desc *t, const struct flow_desc *f,
	  uint16_t ip_len)
{
	pk_init(p);
	if (t != NULL)
		put_outer(p, t);
	put_inner(p, f);
	pk_payload(p, ip_len + RTE_ETHER_HDR_LEN + (t ? 50 : 0) - p->len);
	pk_finish(p);
}

/* N-15 at run time: with the VM's MTU lowered to 1450 the rule is
 * accepted; a VM that still sends 1500-byte packets (its underlying port
 * does not police the MTU) gets them back in software, unmodified, while
 * packets that fit are tunnelled. */
NF_TEST(test_oversize_after_encap_goes_to_software)
{
	struct tun_desc t = egress_tunnel(false);
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_error err;
	struct rte_flow *r;
	struct pk small, big, exp;

	set_mtu(UPLINK, 1500);
	set_mtu(VF0, 1450);
	r = encap_rule(&t, &err);
	NF_CHECK(r != NULL);
	if (r == NULL) {
		printf("  create: %s\n", err.message);
		goto out;
	}
	/* 1450-byte IP packet: 1500 once encapsulated, fits. */
	ip_packet(&small, NULL, &f, 1450);
	ip_packet(&exp, &t, &f, 1450);
	/* 1451 bytes: 1501 once encapsulated, does not. */
	ip_packet(&big, NULL, &f, 1451);

	send_n(VF0, &small, 1);
	NF_CHECK_EQ(snic_env_wire_count(&env, UPLINK), 1);
	{
		uint8_t out[2048];
		int n = snic_env_wire_read(&env, UPLINK, out, sizeof(out));

		NF_CHECK_EQ(n, exp.len);
		/* IPv4 id and checksums are the NIC's: compare the sizes
		 * and the inner packet, byte for byte. */
		NF_CHECK_EQ(out[16] << 8 | out[17], 1500);
		NF_CHECK(n == exp.len &&
			 memcmp(out + 50, small.b, small.len) == 0);
	}
	send_n(VF0, &big, 3);
	NF_CHECK_EQ(snic_env_wire_count(&env, UPLINK), 0);
	NF_CHECK_EQ(snic_env_upcall_count(&env, VF0), 3);
	for (int i = 0; i < 3; i++)
		EXPECT_UPCALL(VF0, &big);
	NF_CHECK_EQ(xstat(VF0, "miss_mtu"), 3);
	CHECK_COUNT(VF0, r, 1, small.len);
	destroy(VF0, r);
out:
	set_mtu(UPLINK, SNIC_ENV_UPLINK_MTU);
	set_mtu(VF0, 1500);
}

/* ---------------------------------------------------- N-17 tunnels */

static int
decap_set(bool v6, const char *local, uint16_t port,
	  struct rte_flow_action **pa, struct rte_flow_error *err)
{
	struct rte_flow_tunnel tun = {
		.type = RTE_FLOW_ITEM_TYPE_VXLAN,
		.tp_dst = rte_cpu_to_be_16(port),
		.is_ipv6 = v6,
	};
	uint32_t n = 0;
	int rc;

	if (v6)
		inet_pton(AF_INET6, local, tun.ipv6.dst_addr);
	else
		inet_pton(AF_INET, local, &tun.ipv4.dst_addr);
	memset(err, 0, sizeof(*err));
	rc = rte_flow_tunnel_decap_set(env.port[UPLINK], &tun, pa, &n, err);
	if (rc == 0)
		NF_CHECK_EQ(n, 1);
	return rc;
}

static void
decap_release(struct rte_flow_action *pa)
{
	struct rte_flow_error err;

	NF_CHECK_EQ(rte_flow_tunnel_action_decap_release(env.port[UPLINK], pa,
							 1, &err), 0);
}

/* §7.3 ingress: VXLAN (any VNI) to VM1 → decap → VF0. The pattern does
 * not name the outer destination: the endpoint check is the NIC's. */
static struct rte_flow *
decap_rule(bool v6, struct rte_flow_action *pmd)
{
	static struct rte_flow_action_port_id pid;
	struct flow_desc f = flow(v6, IPPROTO_TCP);
	struct acts l = {0};
	struct dst_pat d;

	pid.id = env.port[VF0];
	f.dip = v6 ? VM1_IP6 : VM1_IP;
	if (pmd != NULL)
		act(&l, pmd->type, pmd->conf);
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	return CREATE(UPLINK, &fwd_attr, dst_pattern(&d, &f, true), &l);
}

static uint64_t
hits(struct rte_flow *r)
{
	struct rte_flow_query_count q = {0};
	struct rte_flow_action qa[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_error err;

	if (r == NULL || rte_flow_query(env.port[UPLINK], r, qa, &q, &err))
		return UINT64_MAX;
	return q.hits;
}

/* Send VXLAN to outer destination dip; expect it decapsulated on VF0 or,
 * when !decap, back in software unchanged. */
static void
send_vxlan(bool v6, const char *dip, bool decap, int line)
{
	struct flow_desc f = flow(v6, IPPROTO_TCP);
	struct tun_desc t = tunnel(v6);
	struct pk in, inner;
	uint64_t before = xstat(UPLINK, "miss_tunnel_dst");

	f.dmac = VM1_MAC;
	f.dip = v6 ? VM1_IP6 : VM1_IP;
	t.dip = dip;
	build(&in, &t, &f);
	build(&inner, NULL, &f);
	send_n(UPLINK, &in, 1);
	if (decap) {
		expect_wire(VF0, &inner, true, line);
		NF_CHECK_EQ(xstat(UPLINK, "miss_tunnel_dst"), before);
	} else {
		expect_upcall(UPLINK, &in, 0, line);
		NF_CHECK_EQ(xstat(UPLINK, "miss_tunnel_dst"), before + 1);
	}
	expect_quiet(line);
}

#define SEND_VXLAN(v6, dip, decap) send_vxlan(v6, dip, decap, __LINE__)

NF_TEST(test_decap_only_to_local_endpoint)
{
	for (int v6 = 0; v6 < 2; v6++) {
		const char *local = v6 ? VTEP_L_IP6 : VTEP_L_IP;
		const char *other = v6 ? VTEP_X_IP6 : VTEP_X_IP;
		struct rte_flow_action *pa = NULL;
		struct rte_flow_error err;
		struct rte_flow *r;

		reset();
		/* Unconfigured: any destination is decapsulated. */
		r = decap_rule(v6, NULL);
		SEND_VXLAN(v6, local, true);
		SEND_VXLAN(v6, other, true);
		/* Configured: only the local endpoint. */
		NF_CHECK_EQ(decap_set(v6, local, 4789, &pa, &err), 0);
		NF_CHECK(pa != NULL &&
			 pa->type == RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET);
		SEND_VXLAN(v6, local, true);
		SEND_VXLAN(v6, other, false);
		NF_CHECK_EQ(hits(r), 3);
		destroy(UPLINK, r);
		/* A rule carrying the PMD action behaves the same. */
		r = decap_rule(v6, pa);
		SEND_VXLAN(v6, local, true);
		SEND_VXLAN(v6, other, false);
		destroy(UPLINK, r);
		/* Nor is VXLAN of the other address family: no endpoint. */
		r = decap_rule(!v6, NULL);
		SEND_VXLAN(!v6, v6 ? VTEP_L_IP : VTEP_L_IP6, false);
		destroy(UPLINK, r);
		/* Released: unconfigured again; the action is now stale. */
		decap_release(pa);
		r = decap_rule(v6, NULL);
		SEND_VXLAN(v6, other, true);
		destroy(UPLINK, r);
	}
}

/* Two endpoints, a wildcard (testpmd's "flow tunnel create" passes no
 * address), reference counting, and tunnel_match items in a pattern. */
NF_TEST(test_decap_endpoints_refcounted)
{
	struct rte_flow_action *a1 = NULL, *a2 = NULL, *a3 = NULL, *any = NULL;
	struct rte_flow_tunnel tun = { .type = RTE_FLOW_ITEM_TYPE_VXLAN };
	struct rte_flow_item *items = NULL;
	struct rte_flow_error err;
	struct rte_flow *r;
	uint32_t n = 0;

	reset();
	r = decap_rule(false, NULL);
	NF_CHECK_EQ(decap_set(false, VTEP_L_IP, 4789, &a1, &err), 0);
	NF_CHECK_EQ(decap_set(false, VTEP_R_IP, 0, &a2, &err), 0);
	NF_CHECK_EQ(decap_set(false, VTEP_L_IP, 4789, &a3, &err), 0);
	SEND_VXLAN(false, VTEP_L_IP, true);
	SEND_VXLAN(false, VTEP_R_IP, true);
	SEND_VXLAN(false, VTEP_X_IP, false);
	decap_release(a1);      /* VTEP_L still held by a3 */
	SEND_VXLAN(false, VTEP_L_IP, true);
	decap_release(a3);
	SEND_VXLAN(false, VTEP_L_IP, false);
	/* 0.0.0.0: any local IPv4 address. */
	NF_CHECK_EQ(decap_set(false, "0.0.0.0", 4789, &any, &err), 0);
	SEND_VXLAN(false, VTEP_X_IP, true);
	decap_release(any);
	decap_release(a2);
	SEND_VXLAN(false, VTEP_X_IP, true);
	destroy(UPLINK, r);

	/* tunnel_match: one PMD item, accepted in front of a pattern. */
	NF_CHECK_EQ(rte_flow_tunnel_match(env.port[UPLINK], &tun, &items, &n,
					  &err), 0);
	NF_CHECK_EQ(n, 1);
	if (items != NULL) {
		struct rte_flow_action_port_id pid = { .id = env.port[VF0] };
		struct rte_flow_item_vxlan vx = { .vni = { 0, 0, VNI } };
		struct acts l = {0};
		struct pat p = {0};

		NF_CHECK(items[0].type == RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL);
		pat_add(&p, items[0].type, items[0].spec, NULL);
		pat_add(&p, RTE_FLOW_ITEM_TYPE_VXLAN, &vx, NULL);
		act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		r = CREATE(UPLINK, &fwd_attr, p.it, &l);
		destroy(UPLINK, r);
		NF_CHECK_EQ(rte_flow_tunnel_item_release(env.port[UPLINK],
							 items, n, &err), 0);
	}
	NF_CHECK_EQ(rte_flow_get_restore_info(env.port[UPLINK], NULL,
		&(struct rte_flow_restore_info){ .flags = 7 }, &err), 0);
}

/* Refusals: precise errors, nothing configured by them. */
NF_TEST(test_tunnel_config_errors)
{
	struct rte_flow_tunnel gre = { .type = RTE_FLOW_ITEM_TYPE_GRE };
	struct rte_flow_action *pa = NULL, bogus[2] = {
		{ .type = RTE_FLOW_ACTION_TYPE_VOID },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_error err = {0};
	struct rte_flow *r;
	uint32_t n = 0;

	reset();
	NF_CHECK_EQ(rte_flow_tunnel_decap_set(env.port[UPLINK], &gre, &pa, &n,
					      &err), -ENOTSUP);
	NF_CHECK(err.message != NULL &&
		 strstr(err.message, "only VXLAN") != NULL);
	NF_CHECK_EQ(decap_set(false, VTEP_L_IP, 4790, &pa, &err), -ENOTSUP);
	NF_CHECK(err.message != NULL &&
		 strstr(err.message, "UDP destination port 4790") != NULL);
	NF_CHECK_EQ(rte_flow_tunnel_action_decap_release(env.port[UPLINK],
		bogus, 1, &err), -EINVAL);
	NF_CHECK(err.message != NULL &&
		 strstr(err.message, "not returned by rte_flow_tunnel_decap_set") != NULL);
	/* Nothing was configured: any destination still decapsulated. */
	r = decap_rule(false, NULL);
	SEND_VXLAN(false, VTEP_X_IP, true);
	destroy(UPLINK, r);
	/* A released action in a rule is refused, naming it. */
	NF_CHECK_EQ(decap_set(false, VTEP_L_IP, 4789, &pa, &err), 0);
	{
		struct rte_flow_action stale = *pa;
		struct rte_flow_action_port_id pid = { .id = env.port[VF0] };
		struct flow_desc f = flow(false, IPPROTO_TCP);
		struct acts l = {0};
		struct dst_pat d;
		uint8_t conf_copy[64];

		/* Keep a copy of the configuration the PMD frees. */
		memcpy(conf_copy, pa->conf, 17);
		decap_release(pa);
		stale.conf = conf_copy;
		act(&l, stale.type, stale.conf);
		act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		f.dip = VM1_IP;
		NF_CHECK(rte_flow_create(env.port[UPLINK], &fwd_attr,
					 dst_pattern(&d, &f, true), l.a,
					 &err) == NULL);
		NF_CHECK_EQ(err.type, RTE_FLOW_ERROR_TYPE_ACTION_CONF);
		NF_CHECK(err.message != NULL &&
			 strstr(err.message, "SNIC_TUNNEL_SET") != NULL);
	}
	NF_CHECK_EQ(snic_env_count_rules(RTE_PMD_SNIC_FLOW_TYPE_EXACT), 0);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_encap_rule_refused_over_uplink_mtu),
		NF_CASE(test_oversize_after_encap_goes_to_software),
		NF_CASE(test_decap_only_to_local_endpoint),
		NF_CASE(test_decap_endpoints_refcounted),
		NF_CASE(test_tunnel_config_errors),
	};
	return snic_env_main(snic_env_eal_init("snic_tunmtu"), &env,
			     "net_snic_tunmtu", 3, NULL, cases,
			     RTE_DIM(cases), reset);
}
