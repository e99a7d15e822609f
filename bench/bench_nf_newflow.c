/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * bench_nf_newflow: how fast nicflowd takes new flows, through the slow
 * path alone and through the slow path plus the offload (issue 4).
 *
 *   bench_nf_newflow [--scenario l2|encap] [--runs R] [--profile]
 *                    [--max-others CORES] [-m MB] [N ...]
 *                                               (default N: 1024 4000 4096)
 *
 * Set-up (bench_nf.h; a fresh process per run, forked before EAL init):
 * nicflowd's vSwitch over an inline net_snic whose ports are net_ring
 * ports, the l2 (§7.2) or encap (§7.3) model, and the first packet of N
 * distinct flows (distinct IPv4 destinations: the vs flow key has no L4
 * ports) built in memory. N is at most VS_MAX_FLOWS (4096).
 *
 * Measured: the N frames are put on VF0's wire ring at once (a burst of new
 * flows), then nicflowd's control loop runs (nfb_step: offload, revalidate,
 * datapath, all on this one thread, the NIC inline) until
 *   sw:      every flow has been forwarded by the slow path (vs->no_offload:
 *            each first packet is a NIC miss, an upcall, a vs_xlate, a
 *            cache insert and a software forward back through the NIC);
 *   offload: every flow has been forwarded AND its rule is in the NIC
 *            (vs_offload_run: rte_flow_create of the template's rule).
 * Both checks read the vSwitch itself: the frames taken from VM2's (l2) or
 * the underlay's (encap) wire ring, and every flow's "where" (NIC for
 * offload, with no refusal); no drop anywhere (NIC and vSwitch counters).
 * The vs flow table is an rte_hash of VS_MAX_FLOWS entries without
 * extendable buckets: near 4096 flows a few keys find no free slot in
 * either bucket; those flows are forwarded but neither cached nor
 * offloaded (vs counter flow_table_full), reported as uncached=.
 *
 * Output, one line per run, then a summary per N and mode:
 *   newflow scenario=l2 mode=offload flows=N time_ms=.. flows_per_s=..
 *       us_per_flow=.. fwd_done_ms=.. cpu=.. load=.. nic=.. sw=..
 *       refused=.. uncached=.. check=ok
 *   newflow_summary scenario=l2 mode=offload flows=N runs=R
 *       flows_per_s_median=.. min=.. max=.. load=..
 * With --profile (one extra run per N, offload mode, TSC reads around the
 * wrapped functions of bench_nf_wrap.c, so slightly slower):
 *   newflow_profile flows=N ns_per_flow: datapath=.. (xlate=.. cache=..
 *       [rule_dry_build=..] exec=.. rest=..) offload=.. (rule_build=..
 *       rte_flow_create=.. rest=..)
 * "rest" of the datapath is the NIC's miss and upcall, the parse, the
 * cache lookup, the transmit and the NIC's forwarding of what software
 * sent; "rest" of the offload is its locking and bookkeeping.
 */

#include <sys/wait.h>

#include "bench_nf.h"

#define MAX_SIZES 8
#define MAX_RUNS 32

struct opts {
	enum nfb_scen scen;
	unsigned int runs;
	unsigned int mem_mb;
	double max_others;
	bool profile;
};

struct res {
	double fps;
	int ok;
};

static int
run_one(uint32_t n, bool offload, bool profile, const struct opts *o,
	struct res *res)
{
	struct rte_mbuf **frames = calloc(n, sizeof(*frames));
	void *objs[256];
	struct nfb b;
	uint64_t t0, t1, c0, c1, t_fwd = 0, fwd = 0, other = 0, drops0;
	uint64_t uncached = 0;
	unsigned int nic = 0, sw = 0, refused = 0;
	double load;
	bool ok;

	res->ok = 0;
	if (bench_eal_init("bench_nf_newflow", o->mem_mb) < 0 ||
	    frames == NULL) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (nfb_create(&b, o->scen, 60, n + 4096) != 0) {
		fprintf(stderr, "set-up failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	b.vs->no_offload = !offload;
	for (uint32_t i = 0; i < n; i++) {
		frames[i] = rte_pktmbuf_alloc(b.mp);
		if (frames[i] == NULL || nfb_frame(&b, frames[i], i) != 0) {
			fprintf(stderr, "cannot build frame %u\n", i);
			return 1;
		}
	}
	bench_wait_quiet(o->max_others, 5);
	drops0 = nfb_drops(&b);
	nfb_prof.on = profile;
	c0 = bench_cpu_ns();
	t0 = bench_now_ns();
	if (rte_ring_sp_enqueue_bulk(b.in[1], (void **)frames, n, NULL) != n) {
		fprintf(stderr, "wire ring too small\n");
		return 1;
	}
	for (;;) {
		nfb_step(&b);
		for (unsigned int i = 0; i < 3; i++) {
			unsigned int got = rte_ring_sc_dequeue_burst(b.out[i],
				objs, RTE_DIM(objs), NULL);

			if (got == 0)
				continue;
			if (i == b.out_idx)
				fwd += got;
			else
				other += got;
			rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, got);
		}
		if (fwd >= n && t_fwd == 0)
			t_fwd = bench_now_ns();
		/* Flows the vs table had no room for are forwarded but never
		 * cached, so never offloaded (flow_table_full). */
		uncached = b.vs->stats.drops[VS_DROP_FLOW_FULL];
		if (fwd >= n && (!offload || b.vs->offloads +
				 b.vs->offload_refused + uncached >= n))
			break;
		if (bench_now_ns() - t0 > 30000000000ull) {
			fprintf(stderr, "timeout: %" PRIu64 " of %u forwarded, "
				"%" PRIu64 " offloaded\n", fwd, n,
				b.vs->offloads);
			json_dumpf(vs_stats_to_json(b.vs), stderr, 0);
			fprintf(stderr, "\ndrops %" PRIu64 " in-ring %u\n",
				nfb_drops(&b), rte_ring_count(b.in[1]));
			for (unsigned int i = 0; i < 3; i++) {
				struct rte_eth_stats st;

				rte_eth_stats_get(b.port[i], &st);
				fprintf(stderr, "port %u ipackets %" PRIu64
					" opackets %" PRIu64 " imissed %" PRIu64
					" miss %" PRIu64 "\n", i,
					st.ipackets, st.opackets, st.imissed,
					nfb_xstat_sum(b.port[i], "miss_"));
			}
			break;
		}
	}
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();
	nfb_prof.on = false;
	load = nfb_load1();
	for (unsigned int i = 0; i < VS_MAX_FLOWS; i++) {
		const struct vs_flow *f = &b.vs->flows[i];

		if (!f->used)
			continue;
		nic += f->where == VS_FLOW_NIC;
		sw += f->where == VS_FLOW_SOFTWARE;
		refused += f->where == VS_FLOW_REFUSED;
	}
	ok = fwd == n && other == 0 && nfb_drops(&b) == drops0 &&
	     (offload ? nic : sw) + uncached == n && refused == 0;
	res->fps = n / ((t1 - t0) / 1e9);
	res->ok = ok;
	if (profile) {
		const double ns = 1e9 / rte_get_tsc_hz() / n;
		const uint64_t *c = nfb_prof.cyc;
		double dp = nfb_prof.dp_cyc * ns, off = nfb_prof.off_cyc * ns;

		printf("newflow_profile scenario=%s flows=%u ns_per_flow: "
		       "datapath=%.0f (xlate=%.0f cache=%.0f [rule_dry_build="
		       "%.0f] exec=%.0f rest=%.0f) offload=%.0f (rule_build="
		       "%.0f rte_flow_create=%.0f rest=%.0f) "
		       "total_wall=%.0f load=%.2f check=%s\n",
		       nfb_scen_names[o->scen], n, dp, c[NFB_P_XLATE] * ns,
		       c[NFB_P_ACCOUNT] * ns, c[NFB_P_BUILD_DP] * ns,
		       c[NFB_P_EXEC] * ns,
		       dp - (c[NFB_P_XLATE] + c[NFB_P_ACCOUNT] +
			     c[NFB_P_EXEC]) * ns,
		       off, c[NFB_P_BUILD_OFF] * ns, c[NFB_P_CREATE] * ns,
		       off - (c[NFB_P_BUILD_OFF] + c[NFB_P_CREATE]) * ns,
		       (double)(t1 - t0) / n, load, ok ? "ok" : "FAIL");
	} else {
		printf("newflow scenario=%s mode=%s flows=%u time_ms=%.2f "
		       "flows_per_s=%.0f us_per_flow=%.2f fwd_done_ms=%.2f "
		       "cpu=%.2f load=%.2f nic=%u sw=%u refused=%u uncached=%"
		       PRIu64 " check=%s\n",
		       nfb_scen_names[o->scen], offload ? "offload" : "sw", n,
		       (t1 - t0) / 1e6, res->fps, (t1 - t0) / 1e3 / n,
		       (t_fwd - t0) / 1e6, (double)(c1 - c0) / (t1 - t0), load,
		       nic, sw, refused, uncached, ok ? "ok" : "FAIL");
	}
	fflush(stdout);
	return ok ? 0 : 1;
}

/* Run in a fresh process; the result comes back through a pipe. */
static int
run_forked(uint32_t n, bool offload, bool profile, const struct opts *o,
	   struct res *res)
{
	int fd[2], st;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(fd) != 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int rc;

		close(fd[0]);
		rc = run_one(n, offload, profile, o, res);
		if (write(fd[1], res, sizeof(*res)) != sizeof(*res))
			rc = 1;
		bench_exit(rc);
	}
	close(fd[1]);
	if (read(fd[0], res, sizeof(*res)) != sizeof(*res))
		res->ok = 0;
	close(fd[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		res->ok = 0;
	return res->ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = { 1024, 4000, 4096 };
	struct opts o = { .scen = NFB_L2, .runs = 5, .mem_mb = 1024,
			  .max_others = 0.2 };
	unsigned int nsizes = 3, given = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--scenario") == 0 && i + 1 < argc) {
			int s = nfb_scen_parse(argv[++i]);

			if (s < 0 || s == NFB_L3) {
				fprintf(stderr, "scenario: l2 or encap (l3 has "
					"one flow, see bench_nf.h)\n");
				return 2;
			}
			o.scen = (enum nfb_scen)s;
		} else if (strcmp(a, "--runs") == 0 && i + 1 < argc) {
			o.runs = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(a, "-m") == 0 && i + 1 < argc) {
			o.mem_mb = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(a, "--max-others") == 0 && i + 1 < argc) {
			o.max_others = strtod(argv[++i], NULL);
		} else if (strcmp(a, "--profile") == 0) {
			o.profile = true;
		} else if (given < MAX_SIZES && a[0] != '-') {
			sizes[given++] = (uint32_t)strtoul(a, NULL, 0);
		} else {
			fprintf(stderr, "usage: %s [--scenario l2|encap] "
				"[--runs R] [--profile] [--max-others CORES] "
				"[-m MB] [N ...]\n", argv[0]);
			return 2;
		}
	}
	if (given > 0)
		nsizes = given;
	if (o.runs < 1 || o.runs > MAX_RUNS) {
		fprintf(stderr, "runs: 1..%d\n", MAX_RUNS);
		return 2;
	}
	for (unsigned int s = 0; s < nsizes; s++) {
		if (sizes[s] < 1 || sizes[s] > VS_MAX_FLOWS) {
			fprintf(stderr, "flows: 1..%d (VS_MAX_FLOWS)\n",
				VS_MAX_FLOWS);
			return 2;
		}
		for (int off = 0; off < 2; off++) {
			double v[MAX_RUNS], med, min, max;
			unsigned int k = 0;
			struct res r;

			for (unsigned int t = 0; t < o.runs; t++) {
				if (run_forked(sizes[s], off, false, &o, &r)
				    != 0) {
					fprintf(stderr, "flows=%u: run "
						"failed\n", sizes[s]);
					rc = 1;
					continue;
				}
				v[k++] = r.fps;
			}
			if (k == 0)
				continue;
			nfb_stats(v, k, &med, &min, &max);
			printf("newflow_summary scenario=%s mode=%s flows=%u "
			       "runs=%u flows_per_s_median=%.0f min=%.0f "
			       "max=%.0f load=%.2f\n",
			       nfb_scen_names[o.scen], off ? "offload" : "sw",
			       sizes[s], k, med, min, max, nfb_load1());
			fflush(stdout);
		}
		if (o.profile) {
			struct res r;

			if (run_forked(sizes[s], true, true, &o, &r) != 0)
				rc = 1;
		}
	}
	return rc;
}
