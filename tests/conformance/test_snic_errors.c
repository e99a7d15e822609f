/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic refusals. Every unsupported attribute (N-4), item or field (N-5),
 * action (N-6) and every limit (N-9, N-11, N-21) is refused by
 * rte_flow_validate and rte_flow_create alike with a precise rte_flow_error:
 * the negative errno, rte_errno, the error type, the offending attr / item /
 * action as cause and a message naming what is wrong; and the refusal leaves
 * the number of installed rules unchanged (counted with the dump API, N-13).
 * Also: indirect COUNT handles (N-11), handle checks of destroy and query
 * (N-12, N-14), and a dump -> flush -> re-create round trip that forwards the
 * same packets identically (N-13).
 */

#include <ethdev_driver.h>
#include <rte_errno.h>
#include <rte_flow.h>

#include "nf_test.h"
#include "pktgen.h"
#include "snic_env.h"

#define VM1_MAC "02:00:00:00:00:01"
#define VM2_MAC "02:00:00:00:00:02"
#define GW_MAC "02:00:00:00:00:fe"
#define PEER_MAC "0e:00:00:00:00:01"

#define T_EXACT RTE_PMD_SNIC_FLOW_TYPE_EXACT
#define T_ACL RTE_PMD_SNIC_FLOW_TYPE_ACL

/* A sanitizer report fails the test instead of scrolling by. */
const char *__ubsan_default_options(void);
const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static struct snic_env env;  /* uplink + 2 VFs */
static struct snic_env env2; /* another switch: max_rules=8, 1 VF */
static uint16_t plain_port;  /* a net_ring port outside any switch */
static struct rte_ring *plain_ring;

/* ------------------------------------------------------------ helpers */

struct refusal {
	int code;                      /* positive errno */
	enum rte_flow_error_type type;
	const void *cause;
	const char *phrase;            /* part of error.message */
};

static void
err_reset(struct rte_flow_error *err)
{
	err->type = RTE_FLOW_ERROR_TYPE_NONE;
	err->cause = (const void *)(uintptr_t)0xdead;
	err->message = NULL;
	rte_errno = 0;
}

static void
err_match(int line, const char *op, int rc, int eno,
	  const struct rte_flow_error *err, const struct refusal *x)
{
	if (rc == -x->code && eno == x->code && err->type == x->type &&
	    err->cause == x->cause && err->message != NULL &&
	    strstr(err->message, x->phrase) != NULL)
		return;
	nf_test_failed_checks++;
	fprintf(stderr, "%s:%d: %s: got rc %d rte_errno %d type %d cause %p "
		"\"%s\"; want rc %d type %d cause %p \"...%s...\"\n",
		__FILE__, line, op, rc, eno, (int)err->type, err->cause,
		err->message ? err->message : "(null)", -x->code, (int)x->type,
		x->cause, x->phrase);
}

/* validate and create both refuse the rule the same way; nothing changes. */
static void
refused(int line, uint16_t port, const struct rte_flow_attr *attr,
	const struct rte_flow_item *pat, const struct rte_flow_action *act,
	const struct refusal *x)
{
	int n_exact = snic_env_count_rules(T_EXACT), n_acl = snic_env_count_rules(T_ACL);
	struct rte_flow_error err;
	struct rte_flow *f;
	int rc, eno;

	err_reset(&err);
	rc = rte_flow_validate(port, attr, pat, act, &err);
	eno = rte_errno;
	err_match(line, "validate", rc, eno, &err, x);
	err_reset(&err);
	f = rte_flow_create(port, attr, pat, act, &err);
	eno = rte_errno;
	err_match(line, "create", f == NULL ? -eno : 0, eno, &err, x);
	if (f != NULL)
		rte_flow_destroy(port, f, &err);
	if (snic_env_count_rules(T_EXACT) != n_exact || snic_env_count_rules(T_ACL) != n_acl) {
		nf_test_failed_checks++;
		fprintf(stderr, "%s:%d: rule count changed: exact %d -> %d, "
			"acl %d -> %d\n", __FILE__, line, n_exact,
			snic_env_count_rules(T_EXACT), n_acl, snic_env_count_rules(T_ACL));
	}
}

#define REFUSED(port, r, code, type, cause, phrase) \
	refused(__LINE__, port, &(r)->attr, (r)->pat, (r)->act, \
		&(struct refusal){ code, type, cause, phrase })

/* The same for an operation returning int (destroy, query, ...); expr
 * passes &err_ as its error argument. */
#define OP_REFUSED(expr, code, type, cause, phrase) do { \
		struct rte_flow_error err_; \
		int rc_, eno_; \
		err_reset(&err_); \
		rc_ = (expr); \
		eno_ = rte_errno; \
		err_match(__LINE__, #expr, rc_, eno_, &err_, \
			  &(struct refusal){ code, type, cause, phrase }); \
	} while (0)

/*
 * A rule under construction: a forwarding rule VM1 -> VM2, 10.0.0.1 -> dst
 * UDP sport -> 2000, actions COUNT / PORT_ID out. Cases edit it in place.
 */
enum { R_ETH, R_IP, R_L4, R_PEND };
enum { R_COUNT, R_FATE, R_AEND };

struct rule {
	struct rte_flow_attr attr;
	struct rte_flow_item_eth eth, eth_m;
	struct rte_flow_item_ipv4 ip, ip_m;
	struct rte_flow_item_udp udp, udp_m;
	struct rte_flow_action_port_id pid;
	struct rte_flow_item pat[12];
	struct rte_flow_action act[12];
};

static void
rule_init(struct rule *r, const char *dst_ip, uint16_t sport, uint16_t out)
{
	memset(r, 0, sizeof(*r));
	r->attr.ingress = 1;
	pk_mac(r->eth.src.addr_bytes, VM1_MAC);
	pk_mac(r->eth.dst.addr_bytes, VM2_MAC);
	r->eth.type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(&r->eth_m.dst, 0xff, sizeof(r->eth_m.dst));
	memset(&r->eth_m.src, 0xff, sizeof(r->eth_m.src));
	r->eth_m.type = RTE_BE16(0xffff);
	inet_pton(AF_INET, "10.0.0.1", &r->ip.hdr.src_addr);
	inet_pton(AF_INET, dst_ip, &r->ip.hdr.dst_addr);
	r->ip_m.hdr.src_addr = RTE_BE32(0xffffffff);
	r->ip_m.hdr.dst_addr = RTE_BE32(0xffffffff);
	r->udp.hdr.src_port = rte_cpu_to_be_16(sport);
	r->udp.hdr.dst_port = RTE_BE16(2000);
	r->udp_m.hdr.src_port = RTE_BE16(0xffff);
	r->udp_m.hdr.dst_port = RTE_BE16(0xffff);
	r->pid.id = out;
	r->pat[R_ETH] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_ETH,
		&r->eth, NULL, &r->eth_m };
	r->pat[R_IP] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_IPV4,
		&r->ip, NULL, &r->ip_m };
	r->pat[R_L4] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_UDP,
		&r->udp, NULL, &r->udp_m };
	r->pat[R_PEND].type = RTE_FLOW_ITEM_TYPE_END;
	r->act[R_COUNT].type = RTE_FLOW_ACTION_TYPE_COUNT;
	r->act[R_FATE] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_PORT_ID, &r->pid };
	r->act[R_AEND].type = RTE_FLOW_ACTION_TYPE_END;
}

/* An ACL rule of the same match, COUNT only (no fate: continue). */
static void
acl_init(struct rule *r, int ingress, uint32_t group, const char *dst_ip)
{
	rule_init(r, dst_ip, 1000, 0);
	r->attr.ingress = ingress;
	r->attr.egress = !ingress;
	r->attr.group = group;
	rte_pmd_snic_flow_type_set(&r->attr, T_ACL);
	r->act[R_FATE].type = RTE_FLOW_ACTION_TYPE_END;
	r->act[R_FATE].conf = NULL;
}

static void
pat_insert(struct rte_flow_item *pat, int pos, enum rte_flow_item_type t,
	   const void *spec, const void *mask)
{
	int n = 0;

	while (pat[n].type != RTE_FLOW_ITEM_TYPE_END)
		n++;
	memmove(&pat[pos + 1], &pat[pos], (n + 1 - pos) * sizeof(*pat));
	pat[pos] = (struct rte_flow_item){ t, spec, NULL, mask };
}

static void
act_insert(struct rte_flow_action *act, int pos, enum rte_flow_action_type t,
	   const void *conf)
{
	int n = 0;

	while (act[n].type != RTE_FLOW_ACTION_TYPE_END)
		n++;
	memmove(&act[pos + 1], &act[pos], (n + 1 - pos) * sizeof(*act));
	act[pos] = (struct rte_flow_action){ t, conf };
}

static void
udp_frame(struct pk *p, const char *dst_ip, uint16_t sport)
{
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, "10.0.0.1", dst_ip, IPPROTO_UDP, 64);
	pk_udp(p, sport, 2000);
	pk_payload(p, 32);
	pk_finish(p);
}

/* ------------------------------------------------------------ attributes */

/* N-4: flow types 1, 2, reserved bits, groups and directions. */
NF_TEST(test_attr_errors)
{
	struct rule r;

	for (uint32_t t = 1; t <= 2; t++) {
		char phrase[32];

		rule_init(&r, "10.0.0.2", 1000, env.port[2]);
		rte_pmd_snic_flow_type_set(&r.attr, t);
		snprintf(phrase, sizeof(phrase), "flow type %u", t);
		REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR,
			&r.attr, phrase);
	}
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.attr.reserved = 1;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, &r.attr,
		"only the top two bits");
	r.attr.reserved = (1u << RTE_PMD_SNIC_FLOW_TYPE_SHIFT) - 1;
	rte_pmd_snic_flow_type_set(&r.attr, T_ACL);
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, &r.attr,
		"only the top two bits");

	/* forwarding table: group 0, ingress or transfer */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.attr.group = 5;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
		&r.attr, "one group");
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.attr.ingress = 0;
	r.attr.egress = 1;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_EGRESS,
		&r.attr, "egress is for ACL");
	r.attr.ingress = 1;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_EGRESS,
		&r.attr, "egress is for ACL");
	r.attr.ingress = 0;
	r.attr.egress = 0;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR, &r.attr,
		"set ingress or transfer");

	/* ACL: groups 0 and 1 (or the aliases 1000, 1001), one direction,
	 * no transfer (N-9) */
	acl_init(&r, 1, 2, "10.0.0.2");
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
		&r.attr, "ACL group 2 out of range");
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.attr.group = RTE_PMD_SNIC_ACL_GROUP_BASE + 2;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
		&r.attr, "ACL group 2 out of range");
	acl_init(&r, 1, 0, "10.0.0.2");
	r.attr.ingress = 0;
	r.attr.transfer = 1;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_TRANSFER,
		&r.attr, "transfer is not supported");
	acl_init(&r, 1, 0, "10.0.0.2");
	r.attr.egress = 1;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR, &r.attr,
		"exactly one direction");
	r.attr.ingress = 0;
	r.attr.egress = 0;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR, &r.attr,
		"exactly one direction");
}

/* ------------------------------------------------------------ items */

/* N-5: unsupported items and fields; N-3: ICMP and SCTP not offloaded. */
NF_TEST(test_item_errors)
{
	struct rte_flow_item_ipv6 ip6 = { .hdr.proto = 132 };
	struct rte_flow_item_ipv6 ip6_m = { .hdr.proto = 0xff };
	struct rte_flow_item_tcp tcp = { .hdr.dst_port = RTE_BE16(80) };
	struct rte_flow_item_tcp tcp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item_tag tag = { .data = 0x1ff, .index = 1 };
	struct rte_flow_item_ipv4 last;
	struct rte_flow_error err;
	struct rule r;

	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.pat[R_L4].type = RTE_FLOW_ITEM_TYPE_GRE;
	r.pat[R_L4].spec = NULL;
	r.pat[R_L4].mask = NULL;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM,
		&r.pat[R_L4], "is not supported");

	/* IPv4 TTL: no room in the key */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.ip.hdr.time_to_live = 64;
	r.ip_m.hdr.time_to_live = 0xff;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
		&r.pat[R_IP], "hdr.time_to_live");

	/* IPv6 flow label: only the traffic class */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.eth.type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6.hdr.proto = IPPROTO_UDP;
	ip6.hdr.vtc_flow = RTE_BE32(0x00012345);
	ip6_m.hdr.proto = 0;
	ip6_m.hdr.vtc_flow = RTE_BE32(0x000fffff);
	r.pat[R_IP] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_IPV6, &ip6,
		NULL, &ip6_m };
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
		&r.pat[R_IP], "flow label");

	/* TCP flags: FIN, SYN, RST only (spec §7.1.1, V-5) */
	for (unsigned int b = 3; b < 8; b++) {
		rule_init(&r, "10.0.0.2", 1000, env.port[2]);
		tcp.hdr.tcp_flags = 0;
		tcp_m.hdr.tcp_flags = (uint8_t)(1u << b);
		r.pat[R_L4] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_TCP,
			&tcp, NULL, &tcp_m };
		REFUSED(env.port[1], &r, ENOTSUP,
			RTE_FLOW_ERROR_TYPE_ITEM_MASK, &r.pat[R_L4],
			"only FIN, SYN and RST");
	}
	/* ... while FIN|SYN|RST matched as 0 is fine (V-5) */
	tcp_m.hdr.tcp_flags = 0x07;
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);

	/* TAG data beyond 8 bits in the spec (N-10) */
	acl_init(&r, 0, 0, "10.0.0.2");
	pat_insert(r.pat, R_PEND, RTE_FLOW_ITEM_TYPE_TAG, &tag, NULL);
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
		&r.pat[R_PEND], "8 bits");
	tag.data = 0xff;
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);

	/* ranges */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	last = r.ip;
	inet_pton(AF_INET, "10.0.0.9", &last.hdr.dst_addr);
	r.pat[R_IP].last = &last;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_LAST,
		&r.pat[R_IP], "ranges are not supported");
	/* last equal to spec is no range */
	last = r.ip;
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);

	/* header items out of order */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.pat[R_IP] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_UDP,
		&r.udp, NULL, &r.udp_m };
	r.pat[R_L4] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_IPV4,
		&r.ip, NULL, &r.ip_m };
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM,
		&r.pat[R_L4], "out of order");

	/* N-3: ICMP and protocols other than TCP/UDP are never offloaded */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.pat[R_L4] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_ICMP };
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM,
		&r.pat[R_L4], "never offloaded");
	acl_init(&r, 1, 0, "10.0.0.2");
	r.pat[R_L4] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_ICMP };
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0); /* ACL rules may */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.ip.hdr.next_proto_id = 132;
	r.ip_m.hdr.next_proto_id = 0xff;
	r.pat[R_L4].type = RTE_FLOW_ITEM_TYPE_END;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
		&r.pat[R_IP], "only TCP and UDP");
	r.ip.hdr.next_proto_id = IPPROTO_ICMP;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
		&r.pat[R_IP], "only TCP and UDP");
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.eth.type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	memset(&ip6, 0, sizeof(ip6));
	memset(&ip6_m, 0, sizeof(ip6_m));
	ip6.hdr.proto = 132;
	ip6_m.hdr.proto = 0xff;
	r.pat[R_IP] = (struct rte_flow_item){ RTE_FLOW_ITEM_TYPE_IPV6, &ip6,
		NULL, &ip6_m };
	r.pat[R_L4].type = RTE_FLOW_ITEM_TYPE_END;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
		&r.pat[R_IP], "only TCP and UDP");
}

/* ------------------------------------------------------------ actions */

/* N-6: unsupported actions, fates, ports outside the switch. */
NF_TEST(test_action_errors)
{
	struct rte_flow_action_rss rss = { .queue_num = 0 };
	struct rte_flow_action_mark mark = { .id = 7 };
	struct rte_flow_action_port_id other = { .id = 0 };
	struct rte_flow_action_ethdev eth_other = { .port_id = 0 };
	struct rte_flow_action_set_tag stag = { .data = 1, .mask = 0xff };
	uint32_t outside[4];
	struct rule r;

	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_RSS, &rss);
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "is not supported");
	r.act[R_FATE] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_MARK,
		&mark };
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "is not supported");

	/* exactly one fate */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.act[R_FATE].type = RTE_FLOW_ACTION_TYPE_END;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "no fate");
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_AEND, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_AEND], "at most one fate");
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	other.id = env.port[0];
	act_insert(r.act, R_AEND, RTE_FLOW_ACTION_TYPE_PORT_ID, &other);
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_AEND], "only one PORT_ID");
	/* ACL rules cannot have two fates either */
	acl_init(&r, 1, 0, "10.0.0.2");
	act_insert(r.act, 1, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	act_insert(r.act, 2, RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL);
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[2], "at most one fate");

	/* PORT_ID to a port outside this switch: another snic instance's
	 * uplink and representor, a plain ring port, a port that does not
	 * exist */
	outside[0] = env2.port[0];
	outside[1] = env2.port[1];
	outside[2] = plain_port;
	outside[3] = RTE_MAX_ETHPORTS + 5;
	for (unsigned int i = 0; i < RTE_DIM(outside); i++) {
		rule_init(&r, "10.0.0.2", 1000, outside[i]);
		REFUSED(env.port[1], &r, EINVAL,
			RTE_FLOW_ERROR_TYPE_ACTION_CONF, &r.act[R_FATE],
			"not in this switch domain");
	}
	rule_init(&r, "10.0.0.2", 1000, 0);
	eth_other.port_id = env2.port[1];
	r.act[R_FATE] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, &eth_other };
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "not in this switch domain");

	/* SET_TAG belongs to ACL rules (spec §7.8, N-10) */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_SET_TAG, &stag);
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "only ACL rules set tags");
	/* forwarding rules cannot upcall */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.act[R_FATE] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL };
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "cannot upcall");
	/* missing configuration */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	r.act[R_FATE].conf = NULL;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "missing configuration");
}

/* N-6: VXLAN actions. */
NF_TEST(test_vxlan_action_errors)
{
	struct rte_flow_item_eth eth = { .type = 0 };
	struct rte_flow_item_ipv4 ip = { .hdr.src_addr = RTE_BE32(0xc0a80001),
		.hdr.dst_addr = RTE_BE32(0xc0a80002) };
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(4789) };
	struct rte_flow_item_vxlan vx = { .vni = "\x00\x00\x64" };
	struct rte_flow_item no_udp[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip },
		{ .type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &vx },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item wrong_order[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip },
		{ .type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &vx },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item no_spec[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = NULL },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp },
		{ .type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &vx },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item good[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp },
		{ .type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &vx },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_vxlan_encap enc = { .definition = no_udp };
	struct rte_flow_error err;
	struct rule r;

	/* decap needs a pattern that matches VXLAN packets */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "does not match VXLAN packets");

	rule_init(&r, "10.0.0.2", 1000, env.port[0]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, &enc);
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "where UDP was expected");
	enc.definition = wrong_order;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "where IPV4 or IPV6 was expected");
	enc.definition = no_spec;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "has no spec");
	enc.definition = NULL;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "no definition");
	enc.definition = good;
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);
}

/* N-6: MODIFY_FIELD, SAMPLE, VLAN parameters. */
NF_TEST(test_param_errors)
{
	struct rte_flow_action_modify_field mf;
	struct rte_flow_action_port_id mirror = { .id = 0 };
	struct rte_flow_action_port_id mirror2 = { .id = 0 };
	struct rte_flow_action sub[4];
	struct rte_flow_action_sample smp = { .ratio = 0, .actions = sub };
	struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(4096) };
	struct rte_flow_action_of_set_vlan_pcp pcp = { .vlan_pcp = 8 };
	struct rte_flow_error err;
	struct rule r;

	mirror.id = env.port[0];
	mirror2.id = env.port[2];
	memset(&mf, 0, sizeof(mf));
	mf.operation = RTE_FLOW_MODIFY_SET;
	mf.dst.field = RTE_FLOW_FIELD_IPV4_TTL;
	mf.src.field = RTE_FLOW_FIELD_VALUE;
	mf.width = 6;
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &mf);
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "destination field");
	mf.dst.field = RTE_FLOW_FIELD_IPV4_DSCP;
	mf.width = 7;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "width 7");
	mf.dst.field = RTE_FLOW_FIELD_VXLAN_RSVD0;
	mf.width = 25;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "width 25");
	mf.dst.field = RTE_FLOW_FIELD_IPV4_DSCP;
	mf.width = 6;
	mf.src.field = RTE_FLOW_FIELD_IPV4_SRC;
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "source field");
	mf.src.field = RTE_FLOW_FIELD_VALUE;
	mf.src.value[0] = 10;
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);
	mf.dst.field = RTE_FLOW_FIELD_IPV6_DSCP; /* the pattern is IPv4 */
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
		&r.act[R_FATE], "matches IPv4 packets");

	/* SAMPLE: ratio >= 1, sub-actions [VXLAN_ENCAP /] PORT_ID */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_SAMPLE, &smp);
	sub[0] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_PORT_ID,
		&mirror };
	sub[1].type = RTE_FLOW_ACTION_TYPE_END;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "ratio 0");
	smp.ratio = 1;
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);
	sub[0] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_DROP, NULL };
	REFUSED(env.port[1], &r, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&sub[0], "sub-action type");
	sub[0] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_COUNT, NULL };
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "no PORT_ID sub-action");
	sub[0] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_PORT_ID,
		&mirror };
	sub[1] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_PORT_ID,
		&mirror2 };
	sub[2].type = RTE_FLOW_ACTION_TYPE_END;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&sub[1], "sub-actions are");
	mirror.id = env2.port[0];
	sub[1].type = RTE_FLOW_ACTION_TYPE_END;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&sub[0], "not in this switch domain");
	smp.actions = NULL;
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "no sub-actions");

	/* VLAN ids are 12 bits, priorities 3 */
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid);
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "above 4095");
	vid.vlan_vid = RTE_BE16(4095);
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);
	r.act[R_FATE] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, &pcp };
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_FATE], "above 7");
}

/* ------------------------------------------------------------ limits */

/* The same match and priority twice: EEXIST (validate included). */
NF_TEST(test_duplicate)
{
	struct rte_flow_error err;
	struct rte_flow *f, *g;
	struct rule r;

	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	f = rte_flow_create(env.port[1], &r.attr, r.pat, r.act, &err);
	NF_CHECK(f != NULL);
	REFUSED(env.port[1], &r, EEXIST, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
		NULL, "same match");
	/* other actions, same match: still the same rule */
	r.pid.id = env.port[0];
	REFUSED(env.port[1], &r, EEXIST, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
		NULL, "same match");
	/* another priority is another rule */
	r.attr.priority = 1;
	g = rte_flow_create(env.port[1], &r.attr, r.pat, r.act, &err);
	NF_CHECK(g != NULL);
	/* the same match on another ingress port is another rule */
	r.attr.priority = 0;
	r.pid.id = env.port[1];
	NF_CHECK_EQ(rte_flow_validate(env.port[2], &r.attr, r.pat, r.act,
				      &err), 0);
	NF_CHECK_EQ(rte_flow_destroy(env.port[1], f, &err), 0);
	NF_CHECK_EQ(rte_flow_destroy(env.port[1], g, &err), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), 0);
}

/* N-9: 16 rules per group, 32 per port over both directions. */
NF_TEST(test_acl_limits)
{
	struct rte_flow_error err;
	struct rte_flow *f;
	char ip[32];
	struct rule r;
	int made = 0;

	for (int i = 0; i < RTE_PMD_SNIC_ACL_RULES_PER_GROUP; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i + 1);
		acl_init(&r, 1, 0, ip);
		f = rte_flow_create(env.port[1], &r.attr, r.pat, r.act, &err);
		NF_CHECK(f != NULL);
		made += f != NULL;
	}
	NF_CHECK_EQ(snic_env_count_rules(T_ACL), made);
	acl_init(&r, 1, 0, "10.1.0.99");
	REFUSED(env.port[1], &r, ENOSPC, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
		&r.attr, "ingress group 0 is full");
	/* the other group and direction still have room: fill egress
	 * group 0 through the testpmd alias (group 1000, type 0) */
	for (int i = 0; i < RTE_PMD_SNIC_ACL_RULES_PER_GROUP; i++) {
		snprintf(ip, sizeof(ip), "10.2.0.%d", i + 1);
		acl_init(&r, 0, 0, ip);
		rte_pmd_snic_flow_type_set(&r.attr, T_EXACT);
		r.attr.group = RTE_PMD_SNIC_ACL_GROUP_BASE;
		f = rte_flow_create(env.port[1], &r.attr, r.pat, r.act, &err);
		NF_CHECK(f != NULL);
		made += f != NULL;
	}
	NF_CHECK_EQ(snic_env_count_rules(T_ACL), RTE_PMD_SNIC_ACL_RULES_PER_PORT);
	/* 33rd: group 1 of either direction is empty, the port is full */
	acl_init(&r, 1, 1, "10.3.0.1");
	REFUSED(env.port[1], &r, ENOSPC, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
		NULL, "32 rules per port");
	acl_init(&r, 0, 1, "10.3.0.1");
	REFUSED(env.port[1], &r, ENOSPC, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
		NULL, "32 rules per port");
	/* the limit is per port: VF1 still takes rules */
	acl_init(&r, 1, 1, "10.3.0.1");
	f = rte_flow_create(env.port[2], &r.attr, r.pat, r.act, &err);
	NF_CHECK(f != NULL);
	NF_CHECK_EQ(rte_flow_flush(env.port[1], &err), 0);
	NF_CHECK_EQ(rte_flow_flush(env.port[2], &err), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_ACL), 0);
	/* room again */
	acl_init(&r, 1, 0, "10.1.0.99");
	NF_CHECK_EQ(rte_flow_validate(env.port[1], &r.attr, r.pat, r.act,
				      &err), 0);
}

/* N-21: max_rules; a full table is ENOSPC and traffic stays in software. */
NF_TEST(test_max_rules)
{
	struct rte_flow *f[9] = { NULL };
	struct rte_flow_error err;
	uint8_t out[256];
	struct rule r;
	struct pk p;

	for (int i = 0; i < 8; i++) {
		rule_init(&r, "10.0.0.2", 1000 + i, env2.port[0]);
		f[i] = rte_flow_create(env2.port[1], &r.attr, r.pat, r.act,
				       &err);
		NF_CHECK(f[i] != NULL);
	}
	rule_init(&r, "10.0.0.2", 1008, env2.port[0]);
	REFUSED(env2.port[1], &r, ENOSPC, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
		NULL, "table full");
	/* ACL rules do not count against max_rules */
	acl_init(&r, 1, 0, "10.0.0.2");
	NF_CHECK_EQ(rte_flow_validate(env2.port[1], &r.attr, r.pat, r.act,
				      &err), 0);
	/* the refused flow goes to software */
	udp_frame(&p, "10.0.0.2", 1008);
	NF_CHECK_EQ(snic_env_inject(&env2, 1, p.b, p.len), 0);
	udp_frame(&p, "10.0.0.2", 1007);
	NF_CHECK_EQ(snic_env_inject(&env2, 1, p.b, p.len), 0);
	snic_env_poll(&env2);
	NF_CHECK_EQ(snic_env_upcall_count(&env2, 1), 1);
	NF_CHECK_EQ(snic_env_upcall_read(&env2, 1, out, sizeof(out), NULL),
		    p.len);
	NF_CHECK_EQ(snic_env_wire_count(&env2, 0), 1);
	NF_CHECK_EQ(snic_env_wire_read(&env2, 0, out, sizeof(out)), p.len);
	/* room again after a destroy */
	NF_CHECK_EQ(rte_flow_destroy(env2.port[1], f[0], &err), 0);
	rule_init(&r, "10.0.0.2", 1008, env2.port[0]);
	f[8] = rte_flow_create(env2.port[1], &r.attr, r.pat, r.act, &err);
	NF_CHECK(f[8] != NULL);
	NF_CHECK_EQ(rte_flow_flush(env2.port[1], &err), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), 0);
}

/* ------------------------------------------------------------ handles */

/* N-11: indirect COUNT handles. */
NF_TEST(test_indirect_count)
{
	static struct rte_flow_action_handle *h[RTE_PMD_SNIC_MAX_HANDLES + 1];
	const struct rte_flow_indir_action_conf conf = { .ingress = 1 };
	const struct rte_flow_action count = {
		.type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct rte_flow_action_rss rss = { .queue_num = 0 };
	const struct rte_flow_action not_count = {
		.type = RTE_FLOW_ACTION_TYPE_RSS, .conf = &rss };
	struct rte_flow_query_count q = { .reset = 0 };
	struct rte_flow *f[10] = { NULL };
	struct rte_flow_error err;
	struct rte_flow_action_handle *shared, *foreign;
	int n = 0, eno;
	struct rule r;
	struct pk p;

	/* at least 32 (N-11); the PMD offers RTE_PMD_SNIC_MAX_HANDLES */
	for (n = 0; n < RTE_PMD_SNIC_MAX_HANDLES; n++) {
		h[n] = rte_flow_action_handle_create(env.port[0], &conf,
						     &count, &err);
		if (h[n] == NULL)
			break;
	}
	NF_CHECK(n >= 32);
	NF_CHECK_EQ(n, RTE_PMD_SNIC_MAX_HANDLES);
	err_reset(&err);
	h[n] = rte_flow_action_handle_create(env.port[0], &conf, &count, &err);
	eno = rte_errno;
	err_match(__LINE__, "handle_create", h[n] ? 0 : -eno, eno, &err,
		  &(struct refusal){ ENOSPC, RTE_FLOW_ERROR_TYPE_ACTION,
				     &count, "in use" });
	for (int i = 1; i < n; i++)
		NF_CHECK_EQ(rte_flow_action_handle_destroy(env.port[0], h[i],
							   &err), 0);
	shared = h[0];

	/* only COUNT can be indirect */
	err_reset(&err);
	NF_CHECK(rte_flow_action_handle_create(env.port[0], &conf, &not_count,
					       &err) == NULL);
	eno = rte_errno;
	err_match(__LINE__, "handle_create", -eno, eno, &err,
		  &(struct refusal){ ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				     &not_count, "only COUNT" });

	/* one handle shared by 10 rules; their packets add up */
	for (int i = 0; i < 10; i++) {
		rule_init(&r, "10.0.0.2", 3000 + i, env.port[2]);
		r.act[R_COUNT] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_INDIRECT, shared };
		f[i] = rte_flow_create(env.port[1], &r.attr, r.pat, r.act,
				       &err);
		NF_CHECK(f[i] != NULL);
		udp_frame(&p, "10.0.0.2", 3000 + i);
		NF_CHECK_EQ(snic_env_inject(&env, 1, p.b, p.len), 0);
	}
	snic_env_poll(&env);
	NF_CHECK_EQ(snic_env_wire_count(&env, 2), 10);
	while (snic_env_wire_read(&env, 2, p.b, sizeof(p.b)) >= 0)
		;
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[0], shared, &q,
						 &err), 0);
	NF_CHECK_EQ(q.hits, 10);
	NF_CHECK_EQ(q.bytes, 10 * p.len);

	/* a handle in use cannot go */
#define HDESTROY(h) rte_flow_action_handle_destroy(env.port[0], h, &err_)
	OP_REFUSED(HDESTROY(shared), EBUSY, RTE_FLOW_ERROR_TYPE_HANDLE, shared,
		   "used by 10 rules");
	for (int i = 0; i < 9; i++)
		NF_CHECK_EQ(rte_flow_destroy(env.port[1], f[i], &err), 0);
	OP_REFUSED(HDESTROY(shared), EBUSY, RTE_FLOW_ERROR_TYPE_HANDLE, shared,
		   "used by 1 rules");

	/* a handle of another switch is refused in a rule */
	foreign = rte_flow_action_handle_create(env2.port[0], &conf, &count,
						&err);
	NF_CHECK(foreign != NULL);
	rule_init(&r, "10.0.0.2", 3100, env.port[2]);
	r.act[R_COUNT] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_INDIRECT, foreign };
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_COUNT], "not a COUNT handle of this switch");
	OP_REFUSED(HDESTROY(foreign), EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE,
		   foreign, "not an indirect action of this switch");
	NF_CHECK_EQ(rte_flow_action_handle_destroy(env2.port[0], foreign,
						   &err), 0);

	NF_CHECK_EQ(rte_flow_destroy(env.port[1], f[9], &err), 0);
	NF_CHECK_EQ(rte_flow_action_handle_destroy(env.port[0], shared, &err),
		    0);
#undef HDESTROY
	/* gone: a rule cannot use it any more */
	rule_init(&r, "10.0.0.2", 3100, env.port[2]);
	r.act[R_COUNT] = (struct rte_flow_action){
		RTE_FLOW_ACTION_TYPE_INDIRECT, shared };
	REFUSED(env.port[1], &r, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
		&r.act[R_COUNT], "not a COUNT handle of this switch");
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), 0);
}

/* N-12, N-14: destroy and query check the rule handle and its port. */
NF_TEST(test_rule_handles)
{
	static uint64_t junk[64];
	struct rte_flow_action qa[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action qrss[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_RSS },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_query_count q = { .reset = 0 };
	struct rte_flow *bogus = (struct rte_flow *)junk;
	struct rte_flow_error err;
	struct rte_flow *f, *nc;
	struct rule r;

	memset(junk, 0x5a, sizeof(junk));
	rule_init(&r, "10.0.0.2", 1000, env.port[2]);
	f = rte_flow_create(env.port[1], &r.attr, r.pat, r.act, &err);
	NF_CHECK(f != NULL);
	r.act[R_COUNT].type = RTE_FLOW_ACTION_TYPE_VOID;
	r.udp.hdr.src_port = RTE_BE16(1001);
	nc = rte_flow_create(env.port[1], &r.attr, r.pat, r.act, &err);
	NF_CHECK(nc != NULL);

#define DESTROY(port, flow) rte_flow_destroy(port, flow, &err_)
#define QUERY(port, flow, a) rte_flow_query(port, flow, a, &q, &err_)
	OP_REFUSED(DESTROY(env.port[1], bogus), EINVAL,
		   RTE_FLOW_ERROR_TYPE_HANDLE, bogus, "not a rule of port");
	OP_REFUSED(DESTROY(env.port[1], NULL), EINVAL,
		   RTE_FLOW_ERROR_TYPE_HANDLE, NULL, "not a rule of port");
	OP_REFUSED(QUERY(env.port[1], bogus, qa), EINVAL,
		   RTE_FLOW_ERROR_TYPE_HANDLE, bogus, "not a rule of port");
	/* a rule of VF0 through VF1, through the other switch */
	OP_REFUSED(DESTROY(env.port[2], f), EINVAL,
		   RTE_FLOW_ERROR_TYPE_HANDLE, f, "not a rule of port");
	OP_REFUSED(DESTROY(env2.port[1], f), EINVAL,
		   RTE_FLOW_ERROR_TYPE_HANDLE, f, "not a rule of port");
	OP_REFUSED(QUERY(env.port[2], f, qa), EINVAL,
		   RTE_FLOW_ERROR_TYPE_HANDLE, f, "not a rule of port");
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), 2);
	/* query: COUNT only, and only of a rule that counts */
	OP_REFUSED(QUERY(env.port[1], nc, qa), ENOTSUP,
		   RTE_FLOW_ERROR_TYPE_ACTION, qa, "no COUNT action");
	OP_REFUSED(QUERY(env.port[1], f, qrss), ENOTSUP,
		   RTE_FLOW_ERROR_TYPE_ACTION, qrss, "only COUNT");
	NF_CHECK_EQ(rte_flow_query(env.port[1], f, qa, &q, &err), 0);
	/* (a destroyed rule's handle is not used again: like any rte_flow
	 * PMD, snic frees the rule after a grace period) */
	NF_CHECK_EQ(rte_flow_destroy(env.port[1], f, &err), 0);
	NF_CHECK_EQ(rte_flow_destroy(env.port[1], nc, &err), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), 0);
#undef DESTROY
#undef QUERY
}

/* ------------------------------------------------------------ dump */

/* What became of one injected packet: frames on wires and upcalls. */
struct obs {
	int n;
	struct {
		uint8_t port;
		uint8_t upcall;
		uint16_t tag;
		uint16_t len;
		uint8_t b[320];
	} o[4];
};

static void
observe(unsigned int in, const struct pk *p, struct obs *ob)
{
	uint8_t buf[2048];
	uint16_t tag;
	int len;

	memset(ob, 0, sizeof(*ob));
	NF_CHECK_EQ(snic_env_inject(&env, in, p->b, p->len), 0);
	snic_env_poll(&env);
	for (unsigned int i = 0; i < env.n; i++) {
		for (int up = 0; up < 2; up++) {
			for (;;) {
				tag = 0;
				len = up ? snic_env_upcall_read(&env, i, buf,
						sizeof(buf), &tag) :
					   snic_env_wire_read(&env, i, buf,
						sizeof(buf));
				if (len < 0)
					break;
				if (ob->n == (int)RTE_DIM(ob->o)) {
					ob->n++;
					continue;
				}
				ob->o[ob->n].port = i;
				ob->o[ob->n].upcall = up;
				ob->o[ob->n].tag = tag;
				ob->o[ob->n].len = len;
				memcpy(ob->o[ob->n].b, buf,
				       RTE_MIN(len, (int)sizeof(ob->o[0].b)));
				ob->n++;
			}
		}
	}
}

/* The rules of the round trip, in both layouts (N-8), and their packets. */
struct dump_case {
	const char *name;
	unsigned int in;       /* env index the packet enters */
	struct pk pkt;
	int want_port;         /* where it goes: env index, -1 nowhere */
	int want_upcall;
};

static struct dump_case dcases[12];
static unsigned int n_dcases;

static struct dump_case *
dcase(const char *name, unsigned int in, int port, int upcall)
{
	struct dump_case *c = &dcases[n_dcases++];

	c->name = name;
	c->in = in;
	c->want_port = port;
	c->want_upcall = upcall;
	pk_init(&c->pkt);
	return c;
}

static int
make(uint16_t port, const struct rte_flow_attr *attr,
     const struct rte_flow_item *pat, const struct rte_flow_action *act)
{
	struct rte_flow_error err = { 0 };

	if (rte_flow_create(port, attr, pat, act, &err) != NULL)
		return 1;
	fprintf(stderr, "create failed: %s\n", err.message);
	NF_CHECK(0);
	return 0;
}

/* Six forwarding rules, three ACL rules; returns the handle used. */
static struct rte_flow_action_handle *
dump_rules_create(int *n_exact, int *n_acl)
{
	static const struct rte_flow_action count = {
		.type = RTE_FLOW_ACTION_TYPE_COUNT };
	static const struct rte_flow_indir_action_conf iconf = {
		.ingress = 1 };
	struct rte_flow_attr in = { .ingress = 1 };
	struct rte_flow_attr acl_in = { .ingress = 1 };
	struct rte_flow_attr acl_out = { .egress = 1, .group = 1 };
	struct rte_flow_error err;
	struct rte_flow_action_handle *h;
	struct dump_case *c;
	struct rule r;

	rte_pmd_snic_flow_type_set(&acl_in, T_ACL);
	rte_pmd_snic_flow_type_set(&acl_out, T_ACL);
	*n_exact = 0;
	*n_acl = 0;
	n_dcases = 0;
	h = rte_flow_action_handle_create(env.port[0], &iconf, &count, &err);
	NF_CHECK(h != NULL);

	/* R1, spec layout §7.2: eth, vlan placeholder, ipv4, vxlan vni 0 */
	{
		struct rte_flow_item_eth eth = { .type = RTE_BE16(0x0800) };
		struct rte_flow_item_eth eth_m = {
			.dst.addr_bytes = "\xff\xff\xff\xff\xff\xff",
			.src.addr_bytes = "\xff\xff\xff\xff\xff\xff",
			.type = RTE_BE16(0xffff),
		};
		struct rte_flow_item_vlan vlan = { 0 };
		struct rte_flow_item_ipv4 ip = { .hdr.next_proto_id = 17 };
		struct rte_flow_item_ipv4 ip_m = {
			.hdr.dst_addr = RTE_BE32(0xffffffff),
			.hdr.next_proto_id = 0xff,
		};
		struct rte_flow_item_vxlan vx = { 0 };
		struct rte_flow_item_vxlan vx_m = { .vni = "\xff\xff\xff" };
		struct rte_flow_action_port_id pid = { .id = env.port[2] };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_ETH, &eth, NULL, &eth_m },
			{ RTE_FLOW_ITEM_TYPE_VLAN, &vlan, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_IPV4, &ip, NULL, &ip_m },
			{ RTE_FLOW_ITEM_TYPE_VXLAN, &vx, NULL, &vx_m },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
			{ RTE_FLOW_ACTION_TYPE_PORT_ID, &pid },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		pk_mac(eth.src.addr_bytes, VM1_MAC);
		pk_mac(eth.dst.addr_bytes, VM2_MAC);
		inet_pton(AF_INET, "10.0.0.2", &ip.hdr.dst_addr);
		*n_exact += make(env.port[1], &in, pat, act);
		c = dcase("spec-layout L2", 1, 2, 0);
		udp_frame(&c->pkt, "10.0.0.2", 1234);
	}
	/* R2, standard layering: outer eth/ipv4/udp 4789/vxlan 100, inner
	 * eth/ipv4/udp; decap to VF0 (N-8) */
	{
		struct rte_flow_item_ipv4 oip = {
			.hdr.dst_addr = RTE_BE32(0xc0a80001) };
		struct rte_flow_item_ipv4 ip_m = {
			.hdr.dst_addr = RTE_BE32(0xffffffff) };
		struct rte_flow_item_udp oudp = {
			.hdr.dst_port = RTE_BE16(4789) };
		struct rte_flow_item_udp oudp_m = {
			.hdr.dst_port = RTE_BE16(0xffff) };
		struct rte_flow_item_vxlan vx = { .vni = "\x00\x00\x64" };
		struct rte_flow_item_ipv4 iip = {
			.hdr.dst_addr = RTE_BE32(0x0a000102) };
		struct rte_flow_action_port_id pid = { .id = env.port[1] };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_ETH, NULL, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_IPV4, &oip, NULL, &ip_m },
			{ RTE_FLOW_ITEM_TYPE_UDP, &oudp, NULL, &oudp_m },
			{ RTE_FLOW_ITEM_TYPE_VXLAN, &vx, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_ETH, NULL, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_IPV4, &iip, NULL, &ip_m },
			{ RTE_FLOW_ITEM_TYPE_UDP, NULL, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
			{ RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL },
			{ RTE_FLOW_ACTION_TYPE_PORT_ID, &pid },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		*n_exact += make(env.port[0], &in, pat, act);
		c = dcase("standard-layering decap", 0, 1, 0);
		pk_eth(&c->pkt, GW_MAC, PEER_MAC, RTE_ETHER_TYPE_IPV4);
		pk_ipv4(&c->pkt, "192.168.0.2", "192.168.0.1", 17, 64);
		pk_udp(&c->pkt, 49999, 4789);
		pk_vxlan(&c->pkt, 100);
		pk_eth(&c->pkt, VM1_MAC, VM2_MAC, RTE_ETHER_TYPE_IPV4);
		pk_ipv4(&c->pkt, "10.0.1.1", "10.0.1.2", 17, 64);
		pk_udp(&c->pkt, 5555, 6666);
		pk_payload(&c->pkt, 40);
		pk_finish(&c->pkt);
	}
	/* R3: VF1 -> uplink with VXLAN encap, hashed source port (N-7) */
	{
		struct rte_flow_item_eth eth = { 0 };
		struct rte_flow_item_eth eth_m = {
			.src.addr_bytes = "\xff\xff\xff\xff\xff\xff" };
		struct rte_flow_item_ipv4 ip = {
			.hdr.src_addr = RTE_BE32(0x0a000201) };
		struct rte_flow_item_ipv4 ip_m = {
			.hdr.src_addr = RTE_BE32(0xffffffff) };
		struct rte_flow_item_tcp tcp = {
			.hdr.dst_port = RTE_BE16(80) };
		struct rte_flow_item_tcp tcp_m = {
			.hdr.dst_port = RTE_BE16(0xffff) };
		struct rte_flow_item_eth oeth = { 0 };
		struct rte_flow_item_ipv4 oip = {
			.hdr.src_addr = RTE_BE32(0xc0a80001),
			.hdr.dst_addr = RTE_BE32(0xc0a80002) };
		struct rte_flow_item_udp oudp = { .hdr.src_port = 0 };
		struct rte_flow_item_vxlan ovx = { .vni = "\x00\x00\xc8" };
		struct rte_flow_item def[] = {
			{ RTE_FLOW_ITEM_TYPE_ETH, &oeth, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_IPV4, &oip, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_UDP, &oudp, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_VXLAN, &ovx, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action_vxlan_encap enc = { .definition = def };
		struct rte_flow_action_port_id pid = { .id = env.port[0] };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_ETH, &eth, NULL, &eth_m },
			{ RTE_FLOW_ITEM_TYPE_IPV4, &ip, NULL, &ip_m },
			{ RTE_FLOW_ITEM_TYPE_TCP, &tcp, NULL, &tcp_m },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL },
			{ RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, &enc },
			{ RTE_FLOW_ACTION_TYPE_PORT_ID, &pid },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		pk_mac(eth.src.addr_bytes, VM2_MAC);
		pk_mac(oeth.dst.addr_bytes, PEER_MAC);
		pk_mac(oeth.src.addr_bytes, GW_MAC);
		*n_exact += make(env.port[2], &in, pat, act);
		c = dcase("encap", 2, 0, 0);
		pk_eth(&c->pkt, VM1_MAC, VM2_MAC, RTE_ETHER_TYPE_IPV4);
		pk_ipv4(&c->pkt, "10.0.2.1", "10.0.3.1", IPPROTO_TCP, 64);
		pk_tcp(&c->pkt, 40000, 80, 0x10);
		pk_payload(&c->pkt, 20);
		pk_finish(&c->pkt);
	}
	/* R4: IPv6, push VLAN 100, DSCP 10 (MODIFY_FIELD), to the uplink */
	{
		struct rte_flow_item_ipv6 ip6 = { 0 };
		struct rte_flow_item_ipv6 ip6_m = { 0 };
		struct rte_flow_item_udp udp = {
			.hdr.dst_port = RTE_BE16(53) };
		struct rte_flow_item_udp udp_m = {
			.hdr.dst_port = RTE_BE16(0xffff) };
		struct rte_flow_action_of_push_vlan push = {
			.ethertype = RTE_BE16(0x8100) };
		struct rte_flow_action_of_set_vlan_vid vid = {
			.vlan_vid = RTE_BE16(100) };
		struct rte_flow_action_modify_field mf = {
			.operation = RTE_FLOW_MODIFY_SET,
			.dst.field = RTE_FLOW_FIELD_IPV6_DSCP,
			.src.field = RTE_FLOW_FIELD_VALUE,
			.width = 6,
		};
		struct rte_flow_action_port_id pid = { .id = env.port[0] };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_ETH, NULL, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_IPV6, &ip6, NULL, &ip6_m },
			{ RTE_FLOW_ITEM_TYPE_UDP, &udp, NULL, &udp_m },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, &push },
			{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid },
			{ RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &mf },
			{ RTE_FLOW_ACTION_TYPE_PORT_ID, &pid },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		mf.src.value[0] = 10;
		inet_pton(AF_INET6, "2001:db8::2", ip6.hdr.dst_addr);
		memset(ip6_m.hdr.dst_addr, 0xff, 16);
		*n_exact += make(env.port[1], &in, pat, act);
		c = dcase("ipv6 push vlan dscp", 1, 0, 0);
		pk_eth(&c->pkt, GW_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
		pk_ipv6(&c->pkt, "2001:db8::1", "2001:db8::2", 17, 64);
		pk_udp(&c->pkt, 3333, 53);
		pk_payload(&c->pkt, 24);
		pk_finish(&c->pkt);
	}
	/* R5: drop */
	rule_init(&r, "10.0.0.7", 1000, 0);
	r.act[R_FATE] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_DROP,
		NULL };
	*n_exact += make(env.port[1], &r.attr, r.pat, r.act);
	c = dcase("drop", 1, -1, 0);
	udp_frame(&c->pkt, "10.0.0.7", 1000);
	/* R6: shared counter, SET_IPV4_DST, VF1 -> VF0 */
	{
		struct rte_flow_action_set_ipv4 sdst = {
			.ipv4_addr = RTE_BE32(0x0a000509) };

		rule_init(&r, "10.0.5.1", 1000, env.port[1]);
		r.act[R_COUNT] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_INDIRECT, h };
		act_insert(r.act, R_FATE, RTE_FLOW_ACTION_TYPE_SET_IPV4_DST,
			   &sdst);
		*n_exact += make(env.port[2], &r.attr, r.pat, r.act);
		c = dcase("indirect set_ipv4_dst", 2, 1, 0);
		udp_frame(&c->pkt, "10.0.5.1", 1000);
	}
	/* A1: ingress ACL on VF0, TCP to port 22 dropped */
	{
		struct rte_flow_item_tcp tcp = {
			.hdr.dst_port = RTE_BE16(22) };
		struct rte_flow_item_tcp tcp_m = {
			.hdr.dst_port = RTE_BE16(0xffff) };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_IPV4, NULL, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_TCP, &tcp, NULL, &tcp_m },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
			{ RTE_FLOW_ACTION_TYPE_DROP, NULL },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		*n_acl += make(env.port[1], &acl_in, pat, act);
		c = dcase("acl drop", 1, -1, 0);
		pk_eth(&c->pkt, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
		pk_ipv4(&c->pkt, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 64);
		pk_tcp(&c->pkt, 5000, 22, 0x02);
		pk_finish(&c->pkt);
	}
	/* A2: ingress ACL on VF1: UDP 7777 tagged and upcalled (N-10) */
	{
		struct rte_flow_item_udp udp = {
			.hdr.dst_port = RTE_BE16(7777) };
		struct rte_flow_item_udp udp_m = {
			.hdr.dst_port = RTE_BE16(0xffff) };
		struct rte_flow_action_set_tag tag = {
			.index = 1, .data = 0x5a, .mask = 0xff };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_UDP, &udp, NULL, &udp_m },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_SET_TAG, &tag },
			{ RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		*n_acl += make(env.port[2], &acl_in, pat, act);
		c = dcase("acl tag upcall", 2, 2, 1);
		pk_eth(&c->pkt, VM1_MAC, VM2_MAC, RTE_ETHER_TYPE_IPV4);
		pk_ipv4(&c->pkt, "10.0.0.2", "10.0.0.1", IPPROTO_UDP, 64);
		pk_udp(&c->pkt, 1, 7777);
		pk_finish(&c->pkt);
	}
	/* A3: egress ACL group 1 on VF1 rewrites the source MAC of what R1
	 * forwards there */
	{
		struct rte_flow_item_ipv4 ip = {
			.hdr.dst_addr = RTE_BE32(0x0a000002) };
		struct rte_flow_item_ipv4 ip_m = {
			.hdr.dst_addr = RTE_BE32(0xffffffff) };
		struct rte_flow_action_set_mac smac = {
			.mac_addr = "\x02\x00\x00\x00\x00\x99" };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_IPV4, &ip, NULL, &ip_m },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
			{ RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &smac },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		*n_acl += make(env.port[2], &acl_out, pat, act);
	}
	return h;
}

/* N-13: dump both tables, flush, re-create from the dump, same behaviour. */
NF_TEST(test_dump_roundtrip)
{
	const struct rte_flow_item *pe[32], *pa[32];
	const struct rte_flow_action *ae[32], *aa[32];
	struct obs before[12], after[12], none;
	struct rte_flow_action_handle *h;
	struct rte_flow_attr attr0;
	struct rte_flow_error err;
	uint32_t ne = 0, na = 0, n;
	int n_exact, n_acl;
	void *ce, *ca;

	h = dump_rules_create(&n_exact, &n_acl);
	NF_CHECK_EQ(n_exact, 6);
	NF_CHECK_EQ(n_acl, 3);
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), n_exact);
	NF_CHECK_EQ(snic_env_count_rules(T_ACL), n_acl);
	for (unsigned int i = 0; i < n_dcases; i++) {
		struct dump_case *c = &dcases[i];
		int fails = nf_test_failed_checks;

		observe(c->in, &c->pkt, &before[i]);
		if (c->want_port < 0) {
			NF_CHECK_EQ(before[i].n, 0);
		} else {
			NF_CHECK_EQ(before[i].n, 1);
			NF_CHECK_EQ(before[i].o[0].port, c->want_port);
			NF_CHECK_EQ(before[i].o[0].upcall, c->want_upcall);
		}
		if (nf_test_failed_checks != fails)
			fprintf(stderr, "  (case %s)\n", c->name);
	}
	/* R1's packet went through A3 (egress VF1) */
	NF_CHECK(before[0].o[0].b[11] == 0x99);
	NF_CHECK_EQ(before[7].o[0].tag, 0x015a);

	/* a batch smaller than the table is continued by the next call */
	NF_CHECK_EQ(rte_flow_dump_start(&ce, T_EXACT), 0);
	n = 0;
	for (uint32_t got = 1; got > 0; n += got)
		NF_CHECK_EQ(rte_flow_dump_next(ce, 4, &got, pe, ae), 0);
	NF_CHECK_EQ(n, (uint32_t)n_exact);
	NF_CHECK_EQ(rte_flow_dump_done(ce), 0);

	NF_CHECK_EQ(rte_flow_dump_start(&ce, T_EXACT), 0);
	NF_CHECK_EQ(rte_flow_dump_start(&ca, T_ACL), 0);
	NF_CHECK_EQ(rte_flow_dump_next(ce, 32, &ne, pe, ae), 0);
	NF_CHECK_EQ(rte_flow_dump_next(ca, 32, &na, pa, aa), 0);
	NF_CHECK_EQ(ne, (uint32_t)n_exact);
	NF_CHECK_EQ(na, (uint32_t)n_acl);
	NF_CHECK_EQ(rte_pmd_snic_dump_port(ce, ne), -EINVAL);
	NF_CHECK_EQ(rte_pmd_snic_dump_attr(ce, ne, &attr0), -EINVAL);

	for (unsigned int i = 0; i < env.n; i++)
		NF_CHECK_EQ(rte_flow_flush(env.port[i], &err), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_ACL), 0);
	/* without rules every packet goes to software as it came (N-2) */
	for (unsigned int i = 0; i < n_dcases; i++) {
		observe(dcases[i].in, &dcases[i].pkt, &none);
		NF_CHECK_EQ(none.n, 1);
		NF_CHECK_EQ(none.o[0].upcall, 1);
		NF_CHECK_EQ(none.o[0].port, dcases[i].in);
		NF_CHECK_EQ(none.o[0].len, dcases[i].pkt.len);
	}

	/* re-create every dumped rule on its port, with its attributes */
	for (uint32_t i = 0; i < ne + na; i++) {
		void *ctx = i < ne ? ce : ca;
		uint32_t j = i < ne ? i : i - ne;
		int port = rte_pmd_snic_dump_port(ctx, j);
		struct rte_flow_attr attr;

		NF_CHECK(port >= 0);
		NF_CHECK_EQ(rte_pmd_snic_dump_attr(ctx, j, &attr), 0);
		NF_CHECK_EQ(rte_pmd_snic_flow_type_get(&attr),
			    i < ne ? T_EXACT : T_ACL);
		err.message = NULL;
		if (rte_flow_create((uint16_t)port, &attr,
				    i < ne ? pe[j] : pa[j],
				    i < ne ? ae[j] : aa[j], &err) == NULL) {
			NF_CHECK(0);
			fprintf(stderr, "dumped rule %u: %s\n", i,
				err.message ? err.message : "?");
		}
	}
	NF_CHECK_EQ(rte_flow_dump_done(ce), 0);
	NF_CHECK_EQ(rte_flow_dump_done(ca), 0);
	NF_CHECK_EQ(snic_env_count_rules(T_EXACT), n_exact);
	NF_CHECK_EQ(snic_env_count_rules(T_ACL), n_acl);

	for (unsigned int i = 0; i < n_dcases; i++) {
		int before_fail = nf_test_failed_checks;

		observe(dcases[i].in, &dcases[i].pkt, &after[i]);
		NF_CHECK_EQ(after[i].n, before[i].n);
		NF_CHECK_MEM(&after[i], &before[i], sizeof(after[i]));
		if (nf_test_failed_checks != before_fail)
			fprintf(stderr, "  (case %s)\n", dcases[i].name);
	}
	for (unsigned int i = 0; i < env.n; i++)
		NF_CHECK_EQ(rte_flow_flush(env.port[i], &err), 0);
	NF_CHECK_EQ(rte_flow_action_handle_destroy(env.port[0], h, &err), 0);
	/* bad arguments */
	NF_CHECK_EQ(rte_flow_dump_start(&ce, RTE_PMD_SNIC_FLOW_TYPE_FUZZY),
		    -EINVAL);
	NF_CHECK_EQ(rte_flow_dump_start(NULL, T_EXACT), -EINVAL);
	NF_CHECK_EQ(rte_flow_dump_done(NULL), -EINVAL);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_attr_errors),
		NF_CASE(test_item_errors),
		NF_CASE(test_action_errors),
		NF_CASE(test_vxlan_action_errors),
		NF_CASE(test_param_errors),
		NF_CASE(test_duplicate),
		NF_CASE(test_acl_limits),
		NF_CASE(test_max_rules),
		NF_CASE(test_indirect_count),
		NF_CASE(test_rule_handles),
		NF_CASE(test_dump_roundtrip),
	};
	int rc, id;

	if (snic_env_eal_init("snic_errors") != 0 ||
	    snic_env_create(&env, "net_snic_err", 2, NULL) != 0 ||
	    snic_env_create(&env2, "net_snic_err2", 1, "max_rules=8") != 0) {
		printf("cannot set up the test switches\n0 passed, 1 failed\n");
		return 1;
	}
	plain_ring = rte_ring_create("err_plain", 64, SOCKET_ID_ANY,
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	id = plain_ring ? rte_eth_from_rings("err_plain", &plain_ring, 1,
					     &plain_ring, 1, SOCKET_ID_ANY) :
			  -1;
	if (id < 0) {
		printf("cannot create a plain port\n0 passed, 1 failed\n");
		return 1;
	}
	plain_port = (uint16_t)id;
	rc = nf_test_run(cases, RTE_DIM(cases));
	snic_env_destroy(&env2);
	snic_env_destroy(&env);
	rte_eth_dev_close(plain_port);
	rte_ring_free(plain_ring);
	rte_eal_cleanup();
	return rc;
}
