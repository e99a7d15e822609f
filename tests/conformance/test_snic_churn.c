/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Rule churn under traffic (N-14, N-21, N-11). The switch runs in service
 * mode: its datapath is a DPDK service on its own lcore (the NIC's CPU),
 * forwarding at full speed while
 *   - the main thread keeps sending frames of 256 flows from VF0's VM and
 *     reading everything the NIC outputs (wires and upcalls), and
 *   - a second, non-EAL thread creates and destroys forwarding rules for
 *     those flows, ACL rules on both directions, rules sharing indirect
 *     COUNT handles, queries them and flushes now and then,
 * for NF_CHURN_SECONDS seconds (default 30). At the end every frame sent
 * must be accounted for exactly once: forwarded (on a wire) + upcalled +
 * dropped (drop_* and malformed_* xstats) == sent, and VF0's nic_rx_packets
 * == sent. No crash, no sanitizer report (UBSan halts on its first one).
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_errno.h>
#include <rte_flow.h>
#include <rte_service.h>

#include "nf_test.h"
#include "pktgen.h"
#include "snic_env.h"

#define VM1_MAC "02:00:00:00:00:01"
#define VM2_MAC "02:00:00:00:00:02"

#define N_FLOWS 256
#define N_TEMP 16         /* flows 240..255: rules of temporary handles */
#define N_CHURN (N_FLOWS - N_TEMP)
#define N_ACL_IN 8        /* ingress ACL rules on VF0 */
#define N_ACL_OUT 4       /* egress ACL rules on VF1 */

/* A sanitizer report fails the test instead of scrolling by. */
const char *__ubsan_default_options(void);
const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static struct snic_env env;
static struct pk frames[N_FLOWS];
static atomic_int churn_done;
static unsigned int churn_seconds = 30;

struct churn_stats {
	uint64_t fwd_create, fwd_destroy, acl_create, acl_destroy;
	uint64_t handle_create, handle_destroy, queries, flushes;
	uint64_t failures;
	char first_error[256];
};
static struct churn_stats cs;

/* ------------------------------------------------------------ rules */

static void
churn_fail(const char *what, const struct rte_flow_error *err, int rc)
{
	if (cs.failures++ == 0)
		snprintf(cs.first_error, sizeof(cs.first_error),
			 "%s: rc %d: %s", what, rc,
			 err->message ? err->message : "(no message)");
}

static void
flow_dst(unsigned int i, char *ip, size_t n)
{
	snprintf(ip, n, "10.0.%u.%u", 1 + i / 128, 1 + i % 128);
}

static void
flow_frame(unsigned int i, struct pk *p)
{
	char ip[32];

	flow_dst(i, ip, sizeof(ip));
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, "10.0.0.1", ip, IPPROTO_UDP, 64);
	pk_udp(p, 1000 + i, 2000);
	pk_payload(p, 22 + i % 64);
	pk_finish(p);
}

/*
 * Forwarding rule of flow i (from VF0): even flows to VF1, odd to the
 * uplink; every 4th counts on handle h (N-11), every 3rd rewrites.
 */
static struct rte_flow *
fwd_rule(unsigned int i, struct rte_flow_action_handle *h,
	 struct rte_flow_error *err)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_eth eth = { .type = RTE_BE16(0x0800) };
	struct rte_flow_item_eth eth_m = { .type = RTE_BE16(0xffff) };
	struct rte_flow_item_ipv4 ip = { 0 };
	struct rte_flow_item_ipv4 ip_m = {
		.hdr.src_addr = RTE_BE32(0xffffffff),
		.hdr.dst_addr = RTE_BE32(0xffffffff),
	};
	struct rte_flow_item_udp udp = {
		.hdr.src_port = rte_cpu_to_be_16(1000 + i),
		.hdr.dst_port = RTE_BE16(2000),
	};
	struct rte_flow_item_udp udp_m = {
		.hdr.src_port = RTE_BE16(0xffff),
		.hdr.dst_port = RTE_BE16(0xffff),
	};
	struct rte_flow_action_port_id pid = {
		.id = i & 1 ? env.port[0] : env.port[2] };
	struct rte_flow_action_set_mac mac = {
		.mac_addr = "\x02\x00\x00\x00\x00\x42" };
	struct rte_flow_item pat[] = {
		{ RTE_FLOW_ITEM_TYPE_ETH, &eth, NULL, &eth_m },
		{ RTE_FLOW_ITEM_TYPE_IPV4, &ip, NULL, &ip_m },
		{ RTE_FLOW_ITEM_TYPE_UDP, &udp, NULL, &udp_m },
		{ RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action act[5];
	char dst[32];
	int n = 0;

	flow_dst(i, dst, sizeof(dst));
	inet_pton(AF_INET, "10.0.0.1", &ip.hdr.src_addr);
	inet_pton(AF_INET, dst, &ip.hdr.dst_addr);
	if (h != NULL)
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_INDIRECT, h };
	else
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_COUNT, NULL };
	if (i % 3 == 0) {
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &mac };
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL };
	}
	act[n++] = (struct rte_flow_action){ RTE_FLOW_ACTION_TYPE_PORT_ID,
		&pid };
	act[n].type = RTE_FLOW_ACTION_TYPE_END;
	return rte_flow_create(env.port[1], &attr, pat, act, err);
}

/*
 * ACL rule j. Ingress (VF0) on flows j * 32 .. j * 32 + 31 (dst /27):
 * count on h and go on, drop, or tag and upcall (N-9, N-10). Egress (VF1):
 * count on h and rewrite the source MAC, for the even flows of a range.
 */
static struct rte_flow *
acl_rule(bool ingress, unsigned int j, struct rte_flow_action_handle *h,
	 struct rte_flow_error *err)
{
	struct rte_flow_attr attr = { .ingress = ingress, .egress = !ingress,
				      .group = j & 1 };
	struct rte_flow_item_ipv4 ip = { 0 };
	struct rte_flow_item_ipv4 ip_m = {
		.hdr.dst_addr = RTE_BE32(0xffffffe0) };
	struct rte_flow_action_set_tag tag = { .index = 1, .data = j,
					       .mask = 0xff };
	struct rte_flow_action_set_mac mac = {
		.mac_addr = "\x02\x00\x00\x00\x00\x43" };
	struct rte_flow_item pat[] = {
		{ RTE_FLOW_ITEM_TYPE_IPV4, &ip, NULL, &ip_m },
		{ RTE_FLOW_ITEM_TYPE_UDP, NULL, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action act[4];
	unsigned int first = j * 32;
	char dst[32];
	int n = 0;

	rte_pmd_snic_flow_type_set(&attr, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	flow_dst(first, dst, sizeof(dst));
	inet_pton(AF_INET, dst, &ip.hdr.dst_addr);
	ip.hdr.dst_addr &= ip_m.hdr.dst_addr;
	if (!ingress || j % 3 == 0) {
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_INDIRECT, h };
		if (!ingress)
			act[n++] = (struct rte_flow_action){
				RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &mac };
	} else if (j % 3 == 1) {
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_COUNT, NULL };
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_DROP, NULL };
	} else {
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_SET_TAG, &tag };
		act[n++] = (struct rte_flow_action){
			RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL };
	}
	act[n].type = RTE_FLOW_ACTION_TYPE_END;
	return rte_flow_create(ingress ? env.port[1] : env.port[2], &attr, pat,
			       act, err);
}

/* ------------------------------------------------------------ churn */

struct churn_state {
	struct rte_flow *fwd[N_FLOWS];
	struct rte_flow *acl_in[N_ACL_IN];
	struct rte_flow *acl_out[N_ACL_OUT];
	struct rte_flow_action_handle *shared;
	uint64_t rng;
};

static uint32_t
churn_rnd(struct churn_state *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (uint32_t)(s->rng >> 11);
}

static void
toggle(struct churn_state *s, struct rte_flow **slot, uint16_t port,
       struct rte_flow *(*make)(struct churn_state *, unsigned int,
				struct rte_flow_error *),
       unsigned int arg, uint64_t *created, uint64_t *destroyed)
{
	struct rte_flow_error err = { 0 };
	int rc;

	if (*slot != NULL) {
		rc = rte_flow_destroy(port, *slot, &err);
		if (rc != 0)
			churn_fail("destroy", &err, rc);
		*slot = NULL;
		(*destroyed)++;
		return;
	}
	*slot = make(s, arg, &err);
	if (*slot == NULL)
		churn_fail("create", &err, -rte_errno);
	else
		(*created)++;
}

static struct rte_flow *
make_fwd(struct churn_state *s, unsigned int i, struct rte_flow_error *err)
{
	return fwd_rule(i, i % 4 == 0 ? s->shared : NULL, err);
}

static struct rte_flow *
make_acl_in(struct churn_state *s, unsigned int j, struct rte_flow_error *err)
{
	return acl_rule(true, j, s->shared, err);
}

static struct rte_flow *
make_acl_out(struct churn_state *s, unsigned int j,
	     struct rte_flow_error *err)
{
	return acl_rule(false, j, s->shared, err);
}

/* A handle of its own for a few rules, queried, then taken down. */
static void
temp_handle(void)
{
	const struct rte_flow_indir_action_conf conf = { .ingress = 1 };
	const struct rte_flow_action count = {
		.type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct rte_flow_query_count q = { .reset = 1 };
	struct rte_flow *f[N_TEMP];
	struct rte_flow_action_handle *h;
	struct rte_flow_error err = { 0 };
	int rc;

	h = rte_flow_action_handle_create(env.port[0], &conf, &count, &err);
	if (h == NULL) {
		churn_fail("handle create", &err, -rte_errno);
		return;
	}
	cs.handle_create++;
	for (unsigned int k = 0; k < N_TEMP; k++) {
		f[k] = fwd_rule(N_CHURN + k, h, &err);
		if (f[k] == NULL)
			churn_fail("create (temporary handle)", &err,
				   -rte_errno);
		else
			cs.fwd_create++;
	}
	rc = rte_flow_action_handle_query(env.port[0], h, &q, &err);
	if (rc != 0)
		churn_fail("handle query", &err, rc);
	cs.queries++;
	/* in use: refused (N-11) */
	if (rte_flow_action_handle_destroy(env.port[0], h, &err) != -EBUSY)
		churn_fail("handle destroy in use", &err, 0);
	for (unsigned int k = 0; k < N_TEMP; k++) {
		if (f[k] == NULL)
			continue;
		rc = rte_flow_destroy(env.port[1], f[k], &err);
		if (rc != 0)
			churn_fail("destroy (temporary handle)", &err, rc);
		cs.fwd_destroy++;
	}
	rc = rte_flow_action_handle_destroy(env.port[0], h, &err);
	if (rc != 0)
		churn_fail("handle destroy", &err, rc);
	cs.handle_destroy++;
}

static void
query_one(struct churn_state *s)
{
	struct rte_flow_action qa[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_query_count q = { .reset = churn_rnd(s) & 1 };
	struct rte_flow_error err = { 0 };
	unsigned int i = churn_rnd(s) % N_CHURN;
	int rc;

	if (s->fwd[i] == NULL)
		return;
	rc = rte_flow_query(env.port[1], s->fwd[i], qa, &q, &err);
	if (rc != 0)
		churn_fail("query", &err, rc);
	cs.queries++;
}

static void *
churn_main(void *arg)
{
	const struct rte_flow_indir_action_conf conf = { .ingress = 1 };
	const struct rte_flow_action count = {
		.type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct churn_state *s = arg;
	struct rte_flow_error err = { 0 };
	struct timespec t0, t;
	uint64_t op = 0;

	s->shared = rte_flow_action_handle_create(env.port[0], &conf, &count,
						  &err);
	if (s->shared == NULL) {
		churn_fail("shared handle", &err, -rte_errno);
		atomic_store(&churn_done, 1);
		return NULL;
	}
	cs.handle_create++;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = t0; t.tv_sec - t0.tv_sec < (time_t)churn_seconds;
	     op++) {
		uint32_t r = churn_rnd(s);
		unsigned int i = r % N_CHURN;

		toggle(s, &s->fwd[i], env.port[1], make_fwd, i,
		       &cs.fwd_create, &cs.fwd_destroy);
		if (op % 8 == 0)
			query_one(s);
		if (op % 16 == 0) {
			unsigned int j = (r >> 8) % N_ACL_IN;

			toggle(s, &s->acl_in[j], env.port[1], make_acl_in, j,
			       &cs.acl_create, &cs.acl_destroy);
		}
		if (op % 16 == 8) {
			unsigned int j = (r >> 8) % N_ACL_OUT;

			toggle(s, &s->acl_out[j], env.port[2], make_acl_out,
			       j, &cs.acl_create, &cs.acl_destroy);
		}
		if (op % 512 == 0)
			temp_handle();
		if (op % 4096 == 4095) {
			/* N-14: everything of VF0 at once, under traffic */
			if (rte_flow_flush(env.port[1], &err) != 0)
				churn_fail("flush", &err, -1);
			memset(s->fwd, 0, sizeof(s->fwd));
			memset(s->acl_in, 0, sizeof(s->acl_in));
			cs.flushes++;
		}
		if (op % 64 == 0)
			clock_gettime(CLOCK_MONOTONIC, &t);
	}
	atomic_store(&churn_done, 1);
	return NULL;
}

/* ------------------------------------------------------------ traffic */

struct traffic {
	uint64_t injected, forwarded, upcalled;
	uint64_t tagged;
};

static void
drain_all(struct traffic *tr)
{
	struct rte_mbuf *pkts[64];
	unsigned int n;

	for (unsigned int i = 0; i < env.n; i++) {
		while ((n = rte_ring_dequeue_burst(env.wire[i].out,
						   (void **)pkts, 64,
						   NULL)) > 0) {
			rte_pktmbuf_free_bulk(pkts, n);
			tr->forwarded += n;
		}
		while ((n = rte_eth_rx_burst(env.port[i], 0, pkts, 64)) > 0) {
			for (unsigned int k = 0; k < n; k++)
				if (rte_pmd_snic_tag_get(pkts[k]) != 0)
					tr->tagged++;
			rte_pktmbuf_free_bulk(pkts, n);
			tr->upcalled += n;
		}
	}
}

static void
inject_burst(struct traffic *tr, unsigned int *next)
{
	struct rte_mbuf *pkts[32];
	unsigned int sent;

	if (rte_pktmbuf_alloc_bulk(env.mp, pkts, RTE_DIM(pkts)) != 0)
		return;
	for (unsigned int k = 0; k < RTE_DIM(pkts); k++) {
		const struct pk *p = &frames[(*next)++ % N_FLOWS];

		memcpy(rte_pktmbuf_append(pkts[k], p->len), p->b, p->len);
	}
	sent = rte_ring_enqueue_burst(env.wire[1].in, (void **)pkts,
				      RTE_DIM(pkts), NULL);
	if (sent < RTE_DIM(pkts))
		rte_pktmbuf_free_bulk(pkts + sent, RTE_DIM(pkts) - sent);
	tr->injected += sent;
}

static uint64_t
port_drops(unsigned int i)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *xs;
	uint64_t n = 0;
	int cnt = rte_eth_xstats_get_names(env.port[i], NULL, 0);

	names = calloc(cnt, sizeof(*names));
	xs = calloc(cnt, sizeof(*xs));
	if (names != NULL && xs != NULL &&
	    rte_eth_xstats_get_names(env.port[i], names, cnt) == cnt &&
	    rte_eth_xstats_get(env.port[i], xs, cnt) == cnt)
		for (int k = 0; k < cnt; k++)
			if (strncmp(names[k].name, "drop_", 5) == 0 ||
			    strncmp(names[k].name, "malformed_", 10) == 0)
				n += xs[k].value;
	free(names);
	free(xs);
	return n;
}

/* Is the switch's datapath a service mapped to lcore 1 (mode=service)? */
static bool
datapath_on_service_lcore(const char *log)
{
	char name[RTE_SERVICE_NAME_MAX];
	uint32_t id;

	snprintf(name, sizeof(name), "snic_%.24s", env.name);
	return strstr(log, "datapath on service lcore") != NULL &&
	       rte_service_get_by_name(name, &id) == 0 &&
	       rte_service_map_lcore_get(id, 1) == 1 &&
	       rte_service_lcore_count_services(1) >= 1;
}

NF_TEST(test_churn_under_traffic)
{
	static struct churn_state st = { .rng = 0x2545f4914f6cdd1dull };
	struct traffic tr = { 0 };
	struct rte_flow_error err;
	unsigned int next = 0, idle = 0;
	uint64_t drops = 0, rx, t0, hz = rte_get_timer_hz();
	pthread_t th;
	double secs;

	for (unsigned int i = 0; i < N_FLOWS; i++)
		flow_frame(i, &frames[i]);
	NF_CHECK_EQ(pthread_create(&th, NULL, churn_main, &st), 0);
	t0 = rte_get_timer_cycles();
	while (!atomic_load(&churn_done)) {
		inject_burst(&tr, &next);
		drain_all(&tr);
	}
	secs = (double)(rte_get_timer_cycles() - t0) / hz;
	NF_CHECK_EQ(pthread_join(th, NULL), 0);
	/* let the NIC finish what is in flight */
	for (uint64_t end = rte_get_timer_cycles() + 5 * hz;
	     idle < 1000 && rte_get_timer_cycles() < end;) {
		uint64_t before = tr.forwarded + tr.upcalled;

		drain_all(&tr);
		idle = tr.forwarded + tr.upcalled == before &&
		       rte_ring_empty(env.wire[1].in) ? idle + 1 : 0;
		rte_delay_us_sleep(10);
	}
	for (unsigned int i = 0; i < env.n; i++)
		drops += port_drops(i);
	rx = snic_env_xstat(env.port[1], "nic_rx_packets");

	printf("     %.1f s: %llu forwarding rules created, %llu destroyed; "
	       "%llu ACL rules created, %llu destroyed; %llu handles "
	       "created, %llu destroyed; %llu queries, %llu flushes\n",
	       secs, (unsigned long long)cs.fwd_create,
	       (unsigned long long)cs.fwd_destroy,
	       (unsigned long long)cs.acl_create,
	       (unsigned long long)cs.acl_destroy,
	       (unsigned long long)cs.handle_create,
	       (unsigned long long)cs.handle_destroy,
	       (unsigned long long)cs.queries,
	       (unsigned long long)cs.flushes);
	printf("     %llu packets sent (%.2f Mpps): %llu forwarded, %llu "
	       "upcalled (%llu tagged), %llu dropped; nic_rx_packets %llu; "
	       "hw_forwarded %llu\n", (unsigned long long)tr.injected,
	       tr.injected / secs / 1e6, (unsigned long long)tr.forwarded,
	       (unsigned long long)tr.upcalled,
	       (unsigned long long)tr.tagged, (unsigned long long)drops,
	       (unsigned long long)rx,
	       (unsigned long long)snic_env_xstat(env.port[1],
						  "nic_hw_forwarded"));
	if (cs.failures > 0)
		printf("     %llu rte_flow failures, first: %s\n",
		       (unsigned long long)cs.failures, cs.first_error);
	NF_CHECK_EQ(cs.failures, 0);
	NF_CHECK(cs.fwd_create > 1000 && cs.fwd_destroy > 1000);
	NF_CHECK(cs.acl_create > 100);
	NF_CHECK(tr.forwarded > 0 && tr.upcalled > 0 && drops > 0);
	NF_CHECK_EQ(tr.forwarded + tr.upcalled + drops, tr.injected);
	NF_CHECK_EQ(rx, tr.injected);
	for (unsigned int i = 0; i < env.n; i++)
		if (i != 1)
			NF_CHECK_EQ(snic_env_xstat(env.port[i],
						   "nic_rx_packets"), 0);

	/* tear down: every rule, then the shared handle (no longer used) */
	for (unsigned int i = 0; i < env.n; i++)
		NF_CHECK_EQ(rte_flow_flush(env.port[i], &err), 0);
	NF_CHECK_EQ(rte_flow_action_handle_destroy(env.port[0], st.shared,
						   &err), 0);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_churn_under_traffic),
	};
	const char *env_secs = getenv("NF_CHURN_SECONDS");
	const char *line;
	char *log = NULL;
	size_t log_len = 0;
	FILE *logf;
	int rc;

	if (env_secs != NULL && atoi(env_secs) > 0)
		churn_seconds = (unsigned int)atoi(env_secs);
	if (snic_env_eal_init_opts("snic_test", "snic_churn", true,
				   16383) != 0) {
		printf("cannot init EAL with a service lcore\n"
		       "0 passed, 1 failed\n");
		return 1;
	}
	/* snic_env_create() passes mode=inline first; the later
	 * mode=service wins (rte_kvargs hands the PMD every pair in order):
	 * check it from the PMD's log and the service mapping. */
	logf = open_memstream(&log, &log_len);
	rte_log_set_level_pattern("pmd.net.snic*", RTE_LOG_INFO);
	if (logf != NULL)
		rte_openlog_stream(logf);
	rc = snic_env_create(&env, "net_snic_churn", 2, "mode=service");
	rte_openlog_stream(NULL);
	if (logf != NULL)
		fclose(logf);
	if (rc != 0 || log == NULL || !datapath_on_service_lcore(log)) {
		printf("switch not in service mode:\n%s\n0 passed, 1 failed\n",
		       log ? log : "");
		free(log);
		return 1;
	}
	line = strstr(log, "datapath on service lcore");
	printf("     PMD: %.*s\n", (int)strcspn(line, "\n"), line);
	free(log);
	rc = nf_test_run(cases, RTE_DIM(cases));
	snic_env_destroy(&env);
	rte_eal_cleanup();
	return rc;
}
