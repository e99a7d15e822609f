/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic QoS (N-16, spec §8(二)): rte_mtr on snic ports.
 *
 * Rates: a steady stream far above the meter's rate is injected for a
 * window measured with the TSC (the meter's own clock); the bytes that
 * leave must be within ±5 % of burst + rate × window for srTCM (RFC 2697),
 * trTCM (RFC 2698, both with yellow dropped and passed) and trTCM RFC 4115,
 * and follow a profile update without re-creating the meter.
 * Exact cases use a rate of 1 byte/s, so only the burst sizes decide:
 * colour counters against the packets on the wire, the drop_meter_red
 * xstat, clear, stats masks, enable/disable, both directions (VM → NIC for
 * forwarded and upcalled packets, NIC → VM for forwarded packets and the
 * application's tx), the uplink, and every refusal with its error type and
 * message, leaving no state behind.
 */

#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_mtr.h>

#include "snic_check.h"

#define BIG_LEN 1000        /* frame bytes of the rate cases */
#define WINDOW_S 0.5        /* measured window of a rate case */
#define TOL 0.05            /* ±5 % */
#define M_ALL 0xffull       /* every RTE_MTR_STATS_* bit */

#define DIR1(id) RTE_PMD_SNIC_MTR_ID(RTE_PMD_SNIC_MTR_DIR_VM_TO_NIC, id)
#define DIR2(id) RTE_PMD_SNIC_MTR_ID(RTE_PMD_SNIC_MTR_DIR_NIC_TO_VM, id)

static struct rte_mtr_error merr;

/* ------------------------------------------------------------ helpers */

static int
prof_srtcm(unsigned int i, uint32_t id, uint64_t cir, uint64_t cbs,
	   uint64_t ebs)
{
	struct rte_mtr_meter_profile p = { .alg = RTE_MTR_SRTCM_RFC2697,
		.srtcm_rfc2697 = { .cir = cir, .cbs = cbs, .ebs = ebs } };

	memset(&merr, 0, sizeof(merr));
	return rte_mtr_meter_profile_add(env.port[i], id, &p, &merr);
}

static int
prof_trtcm(unsigned int i, uint32_t id, uint64_t cir, uint64_t pir,
	   uint64_t cbs, uint64_t pbs)
{
	struct rte_mtr_meter_profile p = { .alg = RTE_MTR_TRTCM_RFC2698,
		.trtcm_rfc2698 = { .cir = cir, .pir = pir, .cbs = cbs,
				   .pbs = pbs } };

	memset(&merr, 0, sizeof(merr));
	return rte_mtr_meter_profile_add(env.port[i], id, &p, &merr);
}

static int
prof_4115(unsigned int i, uint32_t id, uint64_t cir, uint64_t eir,
	  uint64_t cbs, uint64_t ebs)
{
	struct rte_mtr_meter_profile p = { .alg = RTE_MTR_TRTCM_RFC4115,
		.trtcm_rfc4115 = { .cir = cir, .eir = eir, .cbs = cbs,
				   .ebs = ebs } };

	memset(&merr, 0, sizeof(merr));
	return rte_mtr_meter_profile_add(env.port[i], id, &p, &merr);
}

/* Policy id that drops yellow and red. */
static int
policy_drop_yellow(unsigned int i, uint32_t id)
{
	struct rte_flow_action drop[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_DROP },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_mtr_meter_policy_params pol = {
		.actions = { NULL, drop, drop },
	};

	memset(&merr, 0, sizeof(merr));
	return rte_mtr_meter_policy_add(env.port[i], id, &pol, &merr);
}

static int
mtr_make(unsigned int i, uint32_t mtr_id, uint32_t prof, uint32_t pol)
{
	struct rte_mtr_params prm = { .meter_profile_id = prof,
		.meter_policy_id = pol, .meter_enable = 1,
		.stats_mask = M_ALL };

	memset(&merr, 0, sizeof(merr));
	return rte_mtr_create(env.port[i], mtr_id, &prm, 0, &merr);
}

static void
mtr_kill(unsigned int i, uint32_t mtr_id)
{
	memset(&merr, 0, sizeof(merr));
	NF_CHECK_EQ(rte_mtr_destroy(env.port[i], mtr_id, &merr), 0);
}

static void
prof_del(unsigned int i, uint32_t id)
{
	memset(&merr, 0, sizeof(merr));
	NF_CHECK_EQ(rte_mtr_meter_profile_delete(env.port[i], id, &merr), 0);
}

static struct rte_mtr_stats
mstats(unsigned int i, uint32_t mtr_id, int clear)
{
	struct rte_mtr_stats st;
	uint64_t mask = 0;

	memset(&st, 0xff, sizeof(st));
	NF_CHECK_EQ(rte_mtr_stats_read(env.port[i], mtr_id, &st, &mask, clear,
				       &merr), 0);
	return st;
}

/* rc must be -code with error type and a message containing text. */
static void
expect_err(int rc, int code, enum rte_mtr_error_type type, const char *text,
	   int line)
{
	int before = nf_test_failed_checks;

	NF_CHECK_EQ(rc, -code);
	NF_CHECK_EQ(merr.type, type);
	NF_CHECK(merr.message != NULL && strstr(merr.message, text) != NULL);
	if (nf_test_failed_checks != before)
		fprintf(stderr, "  line %d: message \"%s\"\n", line,
			merr.message ? merr.message : "(none)");
}

#define EXPECT_ERR(rc, code, type, text) \
	expect_err(rc, code, RTE_MTR_ERROR_TYPE_##type, text, __LINE__)

/* Forwarding rule VM1 → VM2 (IPv4 dst 10.0.0.2) from port in to out. */
static struct rte_flow *
fwd_rule(unsigned int in, unsigned int out)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_action_port_id pid = { .id = env.port[out] };
	struct acts l = {0};
	struct dst_pat d;

	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	return CREATE(in, &fwd_attr, dst_pattern(&d, &f, false), &l);
}

/* A UDP frame VM1 → VM2 of len bytes. */
static void
big_frame(struct pk *p, uint16_t len)
{
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, VM1_IP, VM2_IP, IPPROTO_UDP, 64);
	pk_udp(p, 1000, 80);
	pk_payload(p, (uint16_t)(len - p->len));
	pk_finish(p);
}

/* Drop whatever port i's wire holds; return the frames. */
static unsigned int
drain_wire(unsigned int i)
{
	uint8_t buf[2048];
	unsigned int n = 0;

	while (snic_env_wire_read(&env, i, buf, sizeof(buf)) >= 0)
		n++;
	return n;
}

/* Drop what software got on port i; return the frames. */
static unsigned int
drain_upcalls(unsigned int i)
{
	uint8_t buf[2048];
	unsigned int n = 0;

	while (snic_env_upcall_read(&env, i, buf, sizeof(buf), NULL) >= 0)
		n++;
	return n;
}

/* ------------------------------------------------------------ rates */

struct rate_run {
	double secs;          /* measured window */
	double max_gap;       /* longest pause of the injector, s */
	uint64_t offered;     /* bytes injected */
	uint64_t passed;      /* bytes out on the wire */
};

/*
 * Inject BIG_LEN frames on port in as fast as the test can for WINDOW_S
 * (TSC), running the NIC every 32 frames, and count the bytes leaving on
 * out's wire. A stall of this thread lowers the offered rate, which stays
 * far above the meters' 10-25 MB/s, but a stall longer than CBS / CIR
 * also loses tokens (the bucket is full): the burst sizes here are 50 ms
 * of their rates, and the longest stall is printed.
 */
static struct rate_run
stream(unsigned int in, unsigned int out)
{
	struct rte_ring *ring = env.wire[out].out;
	uint64_t hz = rte_get_tsc_hz(), t0, t1, end, prev, gap = 0;
	struct rate_run r = {0};
	struct rte_mbuf *pkts[32];
	struct pk p;

	big_frame(&p, BIG_LEN);
	t0 = rte_rdtsc();
	end = t0 + (uint64_t)(WINDOW_S * hz);
	prev = t0;
	do {
		unsigned int n, k;

		if (rte_pktmbuf_alloc_bulk(env.mp, pkts, 32) == 0) {
			for (k = 0; k < 32; k++)
				memcpy(rte_pktmbuf_append(pkts[k], p.len), p.b,
				       p.len);
			n = rte_ring_enqueue_burst(env.wire[in].in,
						   (void **)pkts, 32, NULL);
			r.offered += (uint64_t)n * p.len;
			for (k = n; k < 32; k++)
				rte_pktmbuf_free(pkts[k]);
		}
		n = rte_eth_rx_burst(env.port[in], 0, pkts, 32);
		rte_pktmbuf_free_bulk(pkts, n);
		while ((n = rte_ring_dequeue_burst(ring, (void **)pkts, 32,
						   NULL)) > 0) {
			for (k = 0; k < n; k++)
				r.passed += rte_pktmbuf_pkt_len(pkts[k]);
			rte_pktmbuf_free_bulk(pkts, n);
		}
		t1 = rte_rdtsc();
		if (t1 - prev > gap)
			gap = t1 - prev;
		prev = t1;
	} while (t1 < end);
	/* What is still queued was offered after the window: not counted. */
	snic_env_poll(&env);
	drain_wire(out);
	drain_upcalls(in);
	r.secs = (double)(t1 - t0) / hz;
	r.max_gap = (double)gap / hz;
	return r;
}

/*
 * Meter mtr_id on port mp (made by make()) polices traffic from in to out:
 * the bytes passed must be burst + rate × window within TOL. One retry
 * with a fresh meter if the first window misses (a noisy VM), both
 * printed.
 */
static void
rate_case(const char *what, unsigned int in, unsigned int out,
	  unsigned int mp, uint32_t mtr_id, uint32_t prof, uint32_t pol,
	  double rate, double burst)
{
	for (int attempt = 1; attempt <= 2; attempt++) {
		struct rate_run r;
		double exp, err;

		if (mtr_make(mp, mtr_id, prof, pol) != 0) {
			NF_CHECK(!"mtr_make");
			fprintf(stderr, "  %s: %s\n", what, merr.message);
			return;
		}
		r = stream(in, out);
		mtr_kill(mp, mtr_id);
		exp = burst + rate * r.secs;
		err = ((double)r.passed - exp) / exp;
		printf("  %s: attempt %d: window %.3f s, offered %.1f MB/s, "
		       "passed %" PRIu64 " B, expected %.0f B (%+.2f %%), "
		       "longest stall %.1f ms\n", what, attempt, r.secs,
		       r.offered / r.secs / 1e6, r.passed, exp, err * 100,
		       r.max_gap * 1e3);
		if (err >= -TOL && err <= TOL &&
		    (double)r.offered > 2 * exp)
			return;
	}
	NF_CHECK(!"meter rate outside ±5 % twice");
}

NF_TEST(test_rate_srtcm)
{
	struct rte_flow *f;

	reset();
	f = fwd_rule(VF0, VF1);
	/* EBS 0: no yellow; green = CBS + CIR × t. */
	NF_CHECK_EQ(prof_srtcm(VF0, 1, 10000000, 500000, 0), 0);
	rate_case("srTCM cir 10 MB/s cbs 500 KB, VM->NIC", VF0, VF1, VF0,
		  DIR1(1), 1, RTE_PMD_SNIC_MTR_POLICY_DEFAULT, 10e6, 500000);
	/* The same from the other side: NIC → VM of VF1. */
	NF_CHECK_EQ(prof_srtcm(VF1, 1, 20000000, 1000000, 0), 0);
	rate_case("srTCM cir 20 MB/s cbs 1 MB, NIC->VM", VF0, VF1, VF1,
		  DIR2(1), 1, RTE_PMD_SNIC_MTR_POLICY_DEFAULT, 20e6, 1000000);
	prof_del(VF0, 1);
	prof_del(VF1, 1);
	destroy(VF0, f);
}

NF_TEST(test_rate_trtcm)
{
	struct rte_flow *f;

	reset();
	f = fwd_rule(VF0, VF1);
	NF_CHECK_EQ(prof_trtcm(VF0, 2, 10000000, 20000000, 500000, 1000000), 0);
	NF_CHECK_EQ(policy_drop_yellow(VF0, 5), 0);
	/* Yellow dropped: only green passes, CBS + CIR × t. */
	rate_case("trTCM 2698 yellow dropped", VF0, VF1, VF0, DIR1(2), 2, 5,
		  10e6, 500000);
	/* Default policy: green and yellow pass, PBS + PIR × t. */
	rate_case("trTCM 2698 yellow passed", VF0, VF1, VF0, DIR1(2), 2,
		  RTE_PMD_SNIC_MTR_POLICY_DEFAULT, 20e6, 1000000);
	/* RFC 4115: two independent buckets, green + yellow =
	 * CBS + EBS + (CIR + EIR) × t. */
	NF_CHECK_EQ(prof_4115(VF0, 3, 10000000, 5000000, 500000, 250000), 0);
	rate_case("trTCM 4115", VF0, VF1, VF0, DIR1(3), 3,
		  RTE_PMD_SNIC_MTR_POLICY_DEFAULT, 15e6, 750000);
	NF_CHECK_EQ(rte_mtr_meter_policy_delete(env.port[VF0], 5, &merr), 0);
	prof_del(VF0, 2);
	prof_del(VF0, 3);
	destroy(VF0, f);
}

/* A profile update changes the rate of a running meter; its counters
 * stay. */
NF_TEST(test_profile_update_rate)
{
	struct rte_mtr_stats s1, s2;
	struct rate_run r;
	struct rte_flow *f;
	double exp;

	reset();
	f = fwd_rule(VF0, VF1);
	NF_CHECK_EQ(prof_srtcm(VF0, 1, 10000000, 500000, 0), 0);
	NF_CHECK_EQ(prof_srtcm(VF0, 2, 25000000, 1250000, 0), 0);
	NF_CHECK_EQ(mtr_make(VF0, DIR1(9), 1, 0), 0);
	for (int attempt = 1; attempt <= 2; attempt++) {
		double e1, e2;
		bool ok;

		NF_CHECK_EQ(rte_mtr_meter_profile_update(env.port[VF0],
			DIR1(9), 1, &merr), 0);
		r = stream(VF0, VF1);
		exp = 500000 + 10e6 * r.secs;
		e1 = (r.passed - exp) / exp;
		printf("  before update: attempt %d: %.3f s, passed %" PRIu64
		       " B, expected %.0f B (%+.2f %%)\n", attempt, r.secs,
		       r.passed, exp, e1 * 100);
		s1 = mstats(VF0, DIR1(9), 0);
		NF_CHECK_EQ(rte_mtr_meter_profile_update(env.port[VF0],
			DIR1(9), 2, &merr), 0);
		r = stream(VF0, VF1);
		exp = 1250000 + 25e6 * r.secs;
		e2 = (r.passed - exp) / exp;
		printf("  after update: attempt %d: %.3f s, passed %" PRIu64
		       " B, expected %.0f B (%+.2f %%)\n", attempt, r.secs,
		       r.passed, exp, e2 * 100);
		ok = e1 >= -TOL && e1 <= TOL && e2 >= -TOL && e2 <= TOL;
		if (ok)
			break;
		NF_CHECK(attempt == 1);
	}
	/* Counters kept across the update: they only grew. */
	s2 = mstats(VF0, DIR1(9), 0);
	NF_CHECK(s2.n_pkts[RTE_COLOR_GREEN] > s1.n_pkts[RTE_COLOR_GREEN]);
	NF_CHECK(s2.n_pkts[RTE_COLOR_RED] > s1.n_pkts[RTE_COLOR_RED]);
	/* The meter's profile is 2 now: 1 is free, 2 is not. */
	prof_del(VF0, 1);
	EXPECT_ERR(rte_mtr_meter_profile_delete(env.port[VF0], 2, &merr),
		   EBUSY, METER_PROFILE_ID, "profile 2 in use by 1 meters");
	mtr_kill(VF0, DIR1(9));
	prof_del(VF0, 2);
	destroy(VF0, f);
}

/* ------------------------------------------------------------ exact */

/* Profile 1 of port i: 1 byte/s, CBS c frames, EBS e frames of len. */
static void
tiny_profile(unsigned int i, uint32_t id, unsigned int c, unsigned int e,
	     uint16_t len)
{
	NF_CHECK_EQ(prof_srtcm(i, id, 1, (uint64_t)c * len,
			       (uint64_t)e * len), 0);
}

/* Colour counters against the wire, drop_meter_red, clear, masks,
 * enable/disable. */
NF_TEST(test_stats)
{
	enum { N = 20 };
	struct flow_desc fd = flow(false, IPPROTO_UDP);
	uint64_t red0 = xstat(VF0, "drop_meter_red");
	uint64_t mask = 0;
	struct rte_mtr_stats s;
	struct rte_flow *f;
	uint16_t L;

	reset();
	f = fwd_rule(VF0, VF1);
	bp(0, NULL, &fd);
	L = P[0].len;
	tiny_profile(VF0, 1, 5, 3, L);
	NF_CHECK_EQ(mtr_make(VF0, DIR1(1), 1, 0), 0);
	send_n(VF0, &P[0], N);
	/* 5 green, 3 yellow pass (default policy), 12 red dropped. */
	NF_CHECK_EQ(drain_wire(VF1), 8);
	s = mstats(VF0, DIR1(1), 0);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_GREEN], 5);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_YELLOW], 3);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_RED], 12);
	NF_CHECK_EQ(s.n_bytes[RTE_COLOR_GREEN], 5 * L);
	NF_CHECK_EQ(s.n_bytes[RTE_COLOR_YELLOW], 3 * L);
	NF_CHECK_EQ(s.n_bytes[RTE_COLOR_RED], 12 * L);
	NF_CHECK_EQ(s.n_pkts_dropped, 12);
	NF_CHECK_EQ(s.n_bytes_dropped, 12 * L);
	NF_CHECK_EQ(xstat(VF0, "drop_meter_red") - red0, 12);
	NF_CHECK_EQ(xstat(VF1, "drop_meter_red"), 0);
	/* Clear: read once more with clear, then all zero. */
	s = mstats(VF0, DIR1(1), 1);
	NF_CHECK_EQ(s.n_pkts_dropped, 12);
	s = mstats(VF0, DIR1(1), 0);
	for (int c = 0; c < RTE_COLORS; c++) {
		NF_CHECK_EQ(s.n_pkts[c], 0);
		NF_CHECK_EQ(s.n_bytes[c], 0);
	}
	NF_CHECK_EQ(s.n_pkts_dropped, 0);
	NF_CHECK_EQ(s.n_bytes_dropped, 0);
	/* Buckets are empty now (1 byte/s): everything is red. */
	send_n(VF0, &P[0], 4);
	NF_CHECK_EQ(drain_wire(VF1), 0);
	/* A mask reports only what it selects; counting goes on. */
	NF_CHECK_EQ(rte_mtr_stats_update(env.port[VF0], DIR1(1),
		RTE_MTR_STATS_N_PKTS_RED, &merr), 0);
	NF_CHECK_EQ(rte_mtr_stats_read(env.port[VF0], DIR1(1), &s, &mask, 0,
				       &merr), 0);
	NF_CHECK_EQ(mask, RTE_MTR_STATS_N_PKTS_RED);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_RED], 4);
	NF_CHECK_EQ(s.n_bytes[RTE_COLOR_RED], 0);
	NF_CHECK_EQ(s.n_pkts_dropped, 0);
	NF_CHECK_EQ(rte_mtr_stats_update(env.port[VF0], DIR1(1), M_ALL,
					 &merr), 0);
	s = mstats(VF0, DIR1(1), 0);
	NF_CHECK_EQ(s.n_pkts_dropped, 4);
	/* Disabled: the meter passes everything as green. */
	NF_CHECK_EQ(rte_mtr_meter_disable(env.port[VF0], DIR1(1), &merr), 0);
	send_n(VF0, &P[0], 6);
	NF_CHECK_EQ(drain_wire(VF1), 6);
	s = mstats(VF0, DIR1(1), 0);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_GREEN], 6);
	NF_CHECK_EQ(rte_mtr_meter_enable(env.port[VF0], DIR1(1), &merr), 0);
	send_n(VF0, &P[0], 3);
	NF_CHECK_EQ(drain_wire(VF1), 0);
	NF_CHECK_EQ(xstat(VF0, "drop_meter_red") - red0, 12 + 4 + 3);
	/* A profile update re-seeds the buckets: 5 green + 3 yellow again. */
	NF_CHECK_EQ(prof_srtcm(VF0, 2, 1, 5 * L, 3 * L), 0);
	NF_CHECK_EQ(rte_mtr_meter_profile_update(env.port[VF0], DIR1(1), 2,
						 &merr), 0);
	send_n(VF0, &P[0], 10);
	NF_CHECK_EQ(drain_wire(VF1), 8);
	/* A policy update keeps the buckets: drop yellow, all red now. */
	NF_CHECK_EQ(policy_drop_yellow(VF0, 3), 0);
	NF_CHECK_EQ(rte_mtr_meter_policy_update(env.port[VF0], DIR1(1), 3,
						&merr), 0);
	send_n(VF0, &P[0], 2);
	NF_CHECK_EQ(drain_wire(VF1), 0);
	mtr_kill(VF0, DIR1(1));
	NF_CHECK_EQ(rte_mtr_meter_policy_delete(env.port[VF0], 3, &merr), 0);
	prof_del(VF0, 1);
	prof_del(VF0, 2);
	/* No meter: everything passes. */
	send_n(VF0, &P[0], 10);
	NF_CHECK_EQ(drain_wire(VF1), 10);
	EXPECT_QUIET();
	destroy(VF0, f);
}

/* Direction 1 meters what the VM sends, forwarded or upcalled, and
 * nothing the VM receives. */
NF_TEST(test_dir_vm_to_nic)
{
	struct flow_desc fu = flow(false, IPPROTO_UDP);
	struct flow_desc fi = flow(false, IPPROTO_ICMP);
	struct rte_flow *f, *back;
	struct rte_mtr_stats s;
	uint16_t L;

	reset();
	f = fwd_rule(VF0, VF1);
	back = fwd_rule(VF1, VF0);
	bp(0, NULL, &fu);
	bp(1, NULL, &fi);
	L = P[0].len;
	NF_CHECK_EQ(P[1].len, L);
	tiny_profile(VF0, 1, 5, 0, L);
	NF_CHECK_EQ(mtr_make(VF0, DIR1(1), 1, 0), 0);
	/* Forwarded and upcalled packets share the meter: 3 + 2 pass. */
	send_n(VF0, &P[0], 3);
	send_n(VF0, &P[1], 10);
	NF_CHECK_EQ(drain_wire(VF1), 3);
	NF_CHECK_EQ(drain_upcalls(VF0), 2);
	/* Traffic to VF0's VM (forwarded from VF1) is not metered. */
	send_n(VF1, &P[0], 10);
	NF_CHECK_EQ(drain_wire(VF0), 10);
	s = mstats(VF0, DIR1(1), 0);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_GREEN], 5);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_RED], 8);
	NF_CHECK_EQ(s.n_pkts_dropped, 8);
	mtr_kill(VF0, DIR1(1));
	prof_del(VF0, 1);
	EXPECT_QUIET();
	destroy(VF0, f);
	destroy(VF1, back);
}

/* Direction 2 meters what the VM receives: forwarded by a rule and sent by
 * the application on the representor; not what the VM sends. */
NF_TEST(test_dir_nic_to_vm)
{
	struct flow_desc fu = flow(false, IPPROTO_UDP);
	struct flow_desc fi = flow(false, IPPROTO_ICMP);
	uint64_t red0 = xstat(VF1, "drop_meter_red");
	struct rte_mbuf *pkts[10];
	struct rte_mtr_stats s;
	struct rte_flow *f;
	uint16_t L, sent;

	reset();
	f = fwd_rule(VF0, VF1);
	bp(0, NULL, &fu);
	bp(1, NULL, &fi);
	L = P[0].len;
	tiny_profile(VF1, 1, 5, 0, L);
	NF_CHECK_EQ(mtr_make(VF1, DIR2(1), 1, 0), 0);
	/* Hardware-forwarded VF0 → VF1: 5 of 12. */
	send_n(VF0, &P[0], 12);
	NF_CHECK_EQ(drain_wire(VF1), 5);
	NF_CHECK_EQ(xstat(VF1, "drop_meter_red") - red0, 7);
	/* What VF1's VM sends is not metered by its NIC → VM meter. */
	send_n(VF1, &P[1], 10);
	NF_CHECK_EQ(drain_upcalls(VF1), 10);
	/* The application's tx on the representor is: a fresh meter lets 5
	 * of 10 through. */
	mtr_kill(VF1, DIR2(1));
	NF_CHECK_EQ(mtr_make(VF1, DIR2(1), 1, 0), 0);
	NF_CHECK_EQ(rte_pktmbuf_alloc_bulk(env.mp, pkts, 10), 0);
	for (int k = 0; k < 10; k++)
		memcpy(rte_pktmbuf_append(pkts[k], L), P[0].b, L);
	sent = rte_eth_tx_burst(env.port[VF1], 0, pkts, 10);
	NF_CHECK_EQ(sent, 10);
	rte_pktmbuf_free_bulk(pkts + sent, 10 - sent);
	snic_env_poll(&env);
	NF_CHECK_EQ(drain_wire(VF1), 5);
	s = mstats(VF1, DIR2(1), 0);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_GREEN], 5);
	NF_CHECK_EQ(s.n_pkts_dropped, 5);
	NF_CHECK_EQ(xstat(VF1, "drop_meter_red") - red0, 12);
	mtr_kill(VF1, DIR2(1));
	prof_del(VF1, 1);
	EXPECT_QUIET();
	destroy(VF0, f);
}

/* The uplink has port meters too: NIC → wire and wire → NIC; both
 * directions on one port at once. */
NF_TEST(test_uplink_both_dirs)
{
	struct flow_desc fu = flow(false, IPPROTO_UDP);
	uint64_t red0 = xstat(UPLINK, "drop_meter_red");
	struct rte_flow *out, *in;
	uint16_t L;

	reset();
	out = fwd_rule(VF0, UPLINK);
	in = fwd_rule(UPLINK, VF1);
	bp(0, NULL, &fu);
	L = P[0].len;
	tiny_profile(UPLINK, 1, 4, 0, L);
	tiny_profile(UPLINK, 2, 2, 0, L);
	NF_CHECK_EQ(mtr_make(UPLINK, DIR2(7), 1, 0), 0);
	NF_CHECK_EQ(mtr_make(UPLINK, DIR1(8), 2, 0), 0);
	send_n(VF0, &P[0], 10);
	NF_CHECK_EQ(drain_wire(UPLINK), 4);
	send_n(UPLINK, &P[0], 10);
	NF_CHECK_EQ(drain_wire(VF1), 2);
	NF_CHECK_EQ(xstat(UPLINK, "drop_meter_red") - red0, 6 + 8);
	mtr_kill(UPLINK, DIR2(7));
	mtr_kill(UPLINK, DIR1(8));
	prof_del(UPLINK, 1);
	prof_del(UPLINK, 2);
	EXPECT_QUIET();
	destroy(VF0, out);
	destroy(UPLINK, in);
}

/* A flow meter (direction 0) used by rules' METER actions: polices only
 * the rule's packets, before its COUNT; unknown or port meters refused;
 * a used meter cannot be destroyed; the dump shows the action. */
NF_TEST(test_flow_meter)
{
	struct flow_desc fu = flow(false, IPPROTO_UDP);
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	struct rte_flow_action_meter mt = { .mtr_id = 3 };
	struct rte_flow_action_count cnt = {0};
	uint64_t red0 = xstat(VF0, "drop_meter_red");
	struct rte_flow_error ferr;
	struct rte_mtr_stats s;
	struct acts l = {0};
	struct dst_pat d;
	struct rte_flow *f, *g;
	uint16_t L;

	reset();
	bp(0, NULL, &fu);
	L = P[0].len;
	act(&l, RTE_FLOW_ACTION_TYPE_METER, &mt);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	/* Unknown meter, then a port meter: refused by name. */
	memset(&ferr, 0, sizeof(ferr));
	f = rte_flow_create(env.port[VF0], &fwd_attr,
			    dst_pattern(&d, &fu, false), l.a, &ferr);
	NF_CHECK(f == NULL);
	NF_CHECK_EQ(rte_errno, ENOENT);
	NF_CHECK_EQ(ferr.type, RTE_FLOW_ERROR_TYPE_ACTION_CONF);
	NF_CHECK(ferr.message != NULL &&
		 strstr(ferr.message, "METER: meter 3 not found") != NULL);
	tiny_profile(VF0, 1, 5, 0, L);
	NF_CHECK_EQ(mtr_make(VF0, DIR1(3), 1, 0), 0);
	mt.mtr_id = DIR1(3);
	f = rte_flow_create(env.port[VF0], &fwd_attr,
			    dst_pattern(&d, &fu, false), l.a, &ferr);
	NF_CHECK(f == NULL);
	NF_CHECK(ferr.message != NULL &&
		 strstr(ferr.message, "is a vm_to_nic port meter") != NULL);
	mtr_kill(VF0, DIR1(3));
	/* Now a flow meter 3. */
	NF_CHECK_EQ(mtr_make(VF0, 3, 1, 0), 0);
	mt.mtr_id = 3;
	f = CREATE(VF0, &fwd_attr, dst_pattern(&d, &fu, false), &l);
	EXPECT_ERR(rte_mtr_destroy(env.port[VF0], 3, &merr), EBUSY, MTR_ID,
		   "is used by 1 flow rules");
	send_n(VF0, &P[0], 12);
	NF_CHECK_EQ(drain_wire(VF1), 5);
	NF_CHECK_EQ(xstat(VF0, "drop_meter_red") - red0, 7);
	s = mstats(VF0, 3, 0);
	NF_CHECK_EQ(s.n_pkts[RTE_COLOR_GREEN], 5);
	NF_CHECK_EQ(s.n_pkts_dropped, 7);
	/* The rule counts what its meter let through. */
	CHECK_COUNT(VF0, f, 5, 5 * L);
	/* A second rule shares the meter (its buckets are empty now). */
	fu.dip = OTHER_IP;
	g = CREATE(VF0, &fwd_attr, dst_pattern(&d, &fu, false), &l);
	bp(1, NULL, &fu);
	send_n(VF0, &P[1], 3);
	NF_CHECK_EQ(drain_wire(VF1), 0);
	EXPECT_ERR(rte_mtr_destroy(env.port[VF0], 3, &merr), EBUSY, MTR_ID,
		   "is used by 2 flow rules");
	destroy(VF0, f);
	destroy(VF0, g);
	mtr_kill(VF0, 3);
	prof_del(VF0, 1);
	EXPECT_QUIET();
}

/* ------------------------------------------------------------ errors */

NF_TEST(test_capabilities)
{
	struct rte_mtr_capabilities cap;

	memset(&cap, 0xff, sizeof(cap));
	NF_CHECK_EQ(rte_mtr_capabilities_get(env.port[VF0], &cap, &merr), 0);
	NF_CHECK(cap.n_max >= 2);
	NF_CHECK_EQ(cap.srtcm_rfc2697_byte_mode_supported, 1);
	NF_CHECK_EQ(cap.trtcm_rfc2698_byte_mode_supported, 1);
	NF_CHECK_EQ(cap.trtcm_rfc4115_byte_mode_supported, 1);
	NF_CHECK_EQ(cap.srtcm_rfc2697_packet_mode_supported, 0);
	NF_CHECK_EQ(cap.stats_mask, M_ALL);
}

NF_TEST(test_profile_errors)
{
	struct rte_mtr_meter_profile p = { .alg = RTE_MTR_SRTCM_RFC2697,
		.srtcm_rfc2697 = { .cir = 1000, .cbs = 1000 },
		.packet_mode = 1 };
	uint16_t port = env.port[VF0];

	EXPECT_ERR(prof_srtcm(VF0, 1, 0, 1000, 0), EINVAL, METER_PROFILE,
		   "cir must be > 0");
	EXPECT_ERR(prof_srtcm(VF0, 1, 1000, 0, 0), EINVAL, METER_PROFILE,
		   "cbs and ebs cannot both be 0");
	EXPECT_ERR(prof_trtcm(VF0, 1, 2000, 1000, 10, 10), EINVAL,
		   METER_PROFILE, "pir 1000 must be >= cir 2000");
	EXPECT_ERR(prof_trtcm(VF0, 1, 1000, 2000, 10, 0), EINVAL,
		   METER_PROFILE, "pbs must be > 0");
	EXPECT_ERR(prof_4115(VF0, 1, 0, 0, 10, 10), EINVAL, METER_PROFILE,
		   "cir and eir cannot both be 0");
	EXPECT_ERR(prof_4115(VF0, 1, 1000, 0, 0, 0), EINVAL, METER_PROFILE,
		   "cbs must be > 0");
	EXPECT_ERR(prof_srtcm(VF0, 1, 1ull << 60, 1000, 0), EINVAL,
		   METER_PROFILE, "exceeds the maximum rate");
	memset(&merr, 0, sizeof(merr));
	EXPECT_ERR(rte_mtr_meter_profile_add(port, 1, &p, &merr), ENOTSUP,
		   METER_PROFILE_PACKET_MODE, "packet_mode is not supported");
	p.packet_mode = 0;
	p.alg = RTE_MTR_NONE;
	EXPECT_ERR(rte_mtr_meter_profile_add(port, 1, &p, &merr), ENOTSUP,
		   METER_PROFILE, "algorithm 0 is not supported");
	p.alg = (enum rte_mtr_algorithm)9;
	EXPECT_ERR(rte_mtr_meter_profile_add(port, 1, &p, &merr), ENOTSUP,
		   METER_PROFILE, "algorithm 9 is not supported");
	/* None of that left a profile 1 behind. */
	EXPECT_ERR(rte_mtr_meter_profile_delete(port, 1, &merr), ENOENT,
		   METER_PROFILE_ID, "meter profile 1 not found");
	NF_CHECK_EQ(prof_srtcm(VF0, 1, 1000, 1000, 0), 0);
	EXPECT_ERR(prof_srtcm(VF0, 1, 1000, 1000, 0), EEXIST,
		   METER_PROFILE_ID, "meter profile 1 exists");
	/* Profiles are per port. */
	NF_CHECK_EQ(prof_srtcm(VF1, 1, 1000, 1000, 0), 0);
	prof_del(VF0, 1);
	prof_del(VF1, 1);
	EXPECT_ERR(rte_mtr_meter_profile_delete(port, 7, &merr), ENOENT,
		   METER_PROFILE_ID, "meter profile 7 not found");
}

NF_TEST(test_policy_errors)
{
	struct rte_flow_action_queue q = { .index = 0 };
	struct rte_flow_action bad[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &q },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action pass[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_VOID },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_mtr_meter_policy_params pol = {
		.actions = { pass, bad, NULL },
	};
	uint16_t port = env.port[VF0];

	memset(&merr, 0, sizeof(merr));
	EXPECT_ERR(rte_mtr_meter_policy_validate(port, &pol, &merr), ENOTSUP,
		   POLICER_ACTION_YELLOW, "yellow action type");
	EXPECT_ERR(rte_mtr_meter_policy_add(port, 4, &pol, &merr), ENOTSUP,
		   POLICER_ACTION_YELLOW, "yellow action type");
	pol.actions[RTE_COLOR_YELLOW] = NULL;
	NF_CHECK_EQ(rte_mtr_meter_policy_validate(port, &pol, &merr), 0);
	EXPECT_ERR(rte_mtr_meter_policy_add(port, 0, &pol, &merr), EEXIST,
		   METER_POLICY_ID, "built-in default");
	EXPECT_ERR(rte_mtr_meter_policy_delete(port, 0, &merr), EPERM,
		   METER_POLICY_ID, "built in");
	EXPECT_ERR(rte_mtr_meter_policy_delete(port, 4, &merr), ENOENT,
		   METER_POLICY_ID, "meter policy 4 not found");
	NF_CHECK_EQ(rte_mtr_meter_policy_add(port, 4, &pol, &merr), 0);
	EXPECT_ERR(rte_mtr_meter_policy_add(port, 4, &pol, &merr), EEXIST,
		   METER_POLICY_ID, "meter policy 4 exists");
	NF_CHECK_EQ(prof_srtcm(VF0, 1, 1000, 1000, 0), 0);
	NF_CHECK_EQ(mtr_make(VF0, DIR1(1), 1, 4), 0);
	EXPECT_ERR(rte_mtr_meter_policy_delete(port, 4, &merr), EBUSY,
		   METER_POLICY_ID, "meter policy 4 in use by 1 meters");
	mtr_kill(VF0, DIR1(1));
	NF_CHECK_EQ(rte_mtr_meter_policy_delete(port, 4, &merr), 0);
	prof_del(VF0, 1);
}

NF_TEST(test_meter_errors)
{
	struct rte_mtr_params prm = { .meter_profile_id = 1,
		.meter_enable = 1 };
	enum rte_color dscp[64] = {0};
	uint64_t red0 = xstat(VF0, "drop_meter_red");
	uint16_t port = env.port[VF0];
	struct pk p;

	reset();
	NF_CHECK_EQ(prof_srtcm(VF0, 1, 1000, 1000, 0), 0);
	EXPECT_ERR(mtr_make(VF0, DIR1(1), 7, 0), ENOENT, METER_PROFILE_ID,
		   "meter profile 7 not found");
	EXPECT_ERR(mtr_make(VF0, DIR1(1), 1, 9), ENOENT, METER_POLICY_ID,
		   "meter policy 9 not found");
	EXPECT_ERR(mtr_make(VF0, (3u << 30) | 1, 1, 0), EINVAL, MTR_ID,
		   "direction bits 3 are invalid");
	memset(&merr, 0, sizeof(merr));
	EXPECT_ERR(rte_mtr_create(port, DIR1(1), NULL, 0, &merr), EINVAL,
		   MTR_PARAMS, "NULL params");
	prm.use_prev_mtr_color = 1;
	EXPECT_ERR(rte_mtr_create(port, DIR1(1), &prm, 0, &merr), ENOTSUP,
		   MTR_PARAMS, "use_prev_mtr_color");
	prm.use_prev_mtr_color = 0;
	prm.dscp_table = dscp;
	EXPECT_ERR(rte_mtr_create(port, DIR1(1), &prm, 0, &merr), ENOTSUP,
		   MTR_PARAMS, "dscp_table");
	prm.dscp_table = NULL;
	prm.stats_mask = 1u << 12;
	EXPECT_ERR(rte_mtr_create(port, DIR1(1), &prm, 0, &merr), EINVAL,
		   STATS_MASK, "stats_mask 0x1000 has unknown bits");
	/* None of the refusals left a meter: traffic passes, the ids are
	 * free, the profile unused. */
	big_frame(&p, 200);
	send_n(VF0, &p, 20);
	NF_CHECK_EQ(drain_upcalls(VF0), 20);
	NF_CHECK_EQ(xstat(VF0, "drop_meter_red") - red0, 0);
	prof_del(VF0, 1);
	NF_CHECK_EQ(prof_srtcm(VF0, 1, 1000, 1000, 0), 0);
	/* Duplicates. */
	NF_CHECK_EQ(mtr_make(VF0, DIR1(1), 1, 0), 0);
	EXPECT_ERR(mtr_make(VF0, DIR1(1), 1, 0), EEXIST, MTR_ID,
		   "exists on port");
	EXPECT_ERR(mtr_make(VF0, DIR1(2), 1, 0), EEXIST, MTR_ID,
		   "already has a vm_to_nic meter (mtr_id 0x40000001)");
	/* Other direction, flow meters, same id in another direction: fine */
	NF_CHECK_EQ(mtr_make(VF0, DIR2(1), 1, 0), 0);
	EXPECT_ERR(mtr_make(VF0, DIR2(5), 1, 0), EEXIST, MTR_ID,
		   "already has a nic_to_vm meter");
	NF_CHECK_EQ(mtr_make(VF0, 1, 1, 0), 0);
	NF_CHECK_EQ(mtr_make(VF0, 2, 1, 0), 0);
	EXPECT_ERR(rte_mtr_meter_profile_delete(port, 1, &merr), EBUSY,
		   METER_PROFILE_ID, "profile 1 in use by 4 meters");
	/* Operations on unknown meters. */
	memset(&merr, 0, sizeof(merr));
	EXPECT_ERR(rte_mtr_destroy(port, DIR1(3), &merr), ENOENT, MTR_ID,
		   "not found");
	EXPECT_ERR(rte_mtr_meter_profile_update(port, DIR1(1), 8, &merr),
		   ENOENT, METER_PROFILE_ID, "meter profile 8 not found");
	EXPECT_ERR(rte_mtr_meter_profile_update(port, 77, 1, &merr), ENOENT,
		   MTR_ID, "meter 77 (0x4d) not found on port");
	EXPECT_ERR(rte_mtr_meter_enable(port, 77, &merr), ENOENT, MTR_ID,
		   "not found");
	EXPECT_ERR(rte_mtr_stats_update(port, DIR1(1), 1u << 9, &merr),
		   EINVAL, STATS_MASK, "unknown bits");
	EXPECT_ERR(rte_mtr_meter_policy_update(port, DIR1(1), 6, &merr),
		   ENOENT, METER_POLICY_ID, "meter policy 6 not found");
	mtr_kill(VF0, DIR1(1));
	mtr_kill(VF0, DIR2(1));
	mtr_kill(VF0, 1);
	mtr_kill(VF0, 2);
	/* Refcounts are back to 0. */
	prof_del(VF0, 1);
	EXPECT_QUIET();
}

static void
cleanup(void)
{
	struct rte_flow_error err;

	for (unsigned int i = 0; i < env.n; i++)
		rte_flow_flush(env.port[i], &err);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_capabilities),
		NF_CASE(test_profile_errors),
		NF_CASE(test_policy_errors),
		NF_CASE(test_meter_errors),
		NF_CASE(test_stats),
		NF_CASE(test_dir_vm_to_nic),
		NF_CASE(test_dir_nic_to_vm),
		NF_CASE(test_uplink_both_dirs),
		NF_CASE(test_flow_meter),
		NF_CASE(test_rate_srtcm),
		NF_CASE(test_rate_trtcm),
		NF_CASE(test_profile_update_rate),
	};
	return snic_env_main(snic_env_eal_init("snic_mtr"), &env,
			     "net_snic_mtr", 2, NULL, cases, RTE_DIM(cases),
			     cleanup);
}
