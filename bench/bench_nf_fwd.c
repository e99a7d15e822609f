/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * bench_nf_fwd: nicflowd's steady-state forwarding rate (Mpps, one thread)
 * with every flow offloaded to the NIC against every packet through the
 * vSwitch's slow path (vs->no_offload), issue 4.
 *
 *   bench_nf_fwd [--scenario l2|l3|encap] [--mode offload|sw|both]
 *                [--size 64|1518] [--flows N] [-M MBUFS] [--runs R]
 *                [-t SEC] [-w SEC] [--max-others CORES] [--callgrind]
 *
 * Set-up (bench_nf.h; a fresh process per mode, forked before EAL init):
 * nicflowd's vSwitch over an inline net_snic on net_ring ports, the
 * scenario's model (l2 §7.2, l3 §7.4, encap §7.3 egress), and MBUFS frames
 * (default max(N, 1024); frame j is flow j % N, N default 1000) on VF0's
 * wire. l3 is one vs flow whatever N is (bench_nf.h).
 *
 * Loop: nicflowd's control loop on this thread (nfb_step: vs_offload_run,
 * vs_revalidate, vs_datapath_poll, aging once a second; the NIC runs inline
 * in the snic rx/tx bursts), then the frames the NIC sent toward the
 * destination are restored (encap: outer headers stripped; l3: MACs and
 * TTL) and put back on VF0's wire: mbufs recirculate, nothing is
 * allocated. The harness's own work (ring moves, the restore) is part of
 * every figure, the same in both modes.
 *   offload: the first packets of each flow take the slow path and the
 *            rules land during the warm-up; measured, the vSwitch must see
 *            nothing (no upcall), the NIC forwards everything.
 *   sw:      every packet is a NIC miss, an upcall on the representor, a
 *            vs_datapath_poll (parse, cache lookup, actions in software)
 *            and a transmit back through the NIC.
 * Warm-up: until every flow is where the mode puts it (NIC or software
 * cache), then -w seconds (default 1). Then R measurements (default 3) of
 * -t seconds (default 2), each after waiting (up to 5 s) for other
 * processes to use less than --max-others cores (default 0.2).
 *
 * Output:
 *   nf_fwd scenario=l2 mode=offload size=64 flows=N vs_flows=.. mbufs=M
 *       rate=X Mpps ns_per_pkt=T cpu=.. others=.. load=.. upcalls=..
 *       drops=.. check=ok
 *   nf_fwd_summary scenario=l2 mode=offload size=64 flows=N runs=R
 *       mpps_median=.. min=.. max=.. ns_per_pkt_median=.. load=..
 * --callgrind: one measurement, framed by CALLGRIND_ZERO_STATS and
 * CALLGRIND_DUMP_STATS_AT("measured") so that, run under
 *   valgrind --tool=callgrind --callgrind-out-file=cg.%p bench_nf_fwd ...
 * the dump "measured" holds exactly the measured packets (printed as
 * pkts=): Ir per packet = inclusive Ir of vs_datapath_poll (or the total)
 * divided by pkts. Use short -t/-w then.
 */

#include <sys/wait.h>
#include <valgrind/callgrind.h>

#include "bench_nf.h"

#define MAX_RUNS 32
#define DRAIN 512

struct opts {
	enum nfb_scen scen;
	int mode;           /* 0 offload, 1 sw, 2 both */
	uint16_t len;
	uint32_t flows;
	uint32_t mbufs;
	unsigned int runs;
	double dur_s, warm_s, max_others;
	bool callgrind;
	unsigned int mem_mb;
};

struct counters {
	uint64_t upcalls, fwd_sw, drops;
};

static void
counters_get(const struct nfb *b, struct counters *c)
{
	c->upcalls = b->vs->stats.rx_upcalls + b->vs->stats.rx_uplink;
	c->fwd_sw = b->vs->stats.fwd_unicast;
	c->drops = nfb_drops(b);
}

/* Loop for dur_ns; returns the frames that reached the destination. */
static uint64_t
run_loop(struct nfb *b, uint64_t dur_ns, uint64_t *other)
{
	void *objs[DRAIN];
	uint64_t end = bench_now_ns() + dur_ns, fwd = 0;

	do {
		for (int k = 0; k < 64; k++) {
			unsigned int n;

			nfb_step(b);
			n = rte_ring_sc_dequeue_burst(b->out[b->out_idx],
						      objs, DRAIN, NULL);
			for (unsigned int j = 0; j < n; j++)
				nfb_restore(b, objs[j]);
			rte_ring_sp_enqueue_burst(b->in[1], objs, n, NULL);
			fwd += n;
			for (unsigned int i = 0; i < 3; i++) {
				if (i == b->out_idx)
					continue;
				n = rte_ring_sc_dequeue_burst(b->out[i], objs,
							      DRAIN, NULL);
				*other += n;
				rte_pktmbuf_free_bulk(
					(struct rte_mbuf **)objs, n);
			}
		}
	} while (bench_now_ns() < end);
	return fwd;
}

/* Flows of the vSwitch where the mode wants them. */
static unsigned int
flows_placed(const struct nfb *b, bool sw, unsigned int *total)
{
	unsigned int n = 0;

	*total = 0;
	for (unsigned int i = 0; i < VS_MAX_FLOWS; i++) {
		const struct vs_flow *f = &b->vs->flows[i];

		if (!f->used)
			continue;
		(*total)++;
		n += f->where == (sw ? VS_FLOW_SOFTWARE : VS_FLOW_NIC);
	}
	return n;
}

static int
run_mode(bool sw, const struct opts *o)
{
	uint32_t mbufs = o->mbufs ? o->mbufs : RTE_MAX(o->flows, 1024u);
	unsigned int want = o->scen == NFB_L3 ? 1 : o->flows, placed, total;
	double mpps[MAX_RUNS], nsp[MAX_RUNS], med, min, max, nmed, d1, d2;
	unsigned int runs = o->callgrind ? 1 : o->runs, good = 0;
	uint64_t other = 0, t_start;
	struct nfb b;
	bool all_ok = true;

	if (bench_eal_init("bench_nf_fwd", o->mem_mb) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (nfb_create(&b, o->scen, o->len, mbufs + 4096) != 0) {
		fprintf(stderr, "set-up failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	b.vs->no_offload = sw;
	for (uint32_t j = 0; j < mbufs; j++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(b.mp);

		if (m == NULL || nfb_frame(&b, m, j % o->flows) != 0 ||
		    rte_ring_sp_enqueue(b.in[1], m) != 0) {
			fprintf(stderr, "cannot build frame %u\n", j);
			return 1;
		}
	}
	/* Warm-up: every flow in place, then warm_s more. */
	t_start = bench_now_ns();
	do {
		run_loop(&b, 20000000, &other);
		placed = flows_placed(&b, sw, &total);
		if (bench_now_ns() - t_start > 60000000000ull) {
			fprintf(stderr, "warm-up: %u of %u flows in place\n",
				placed, want);
			return 1;
		}
	} while (placed < want || total != want);
	run_loop(&b, (uint64_t)(o->warm_s * 1e9), &other);

	for (unsigned int r = 0; r < runs; r++) {
		struct counters c0, c1;
		struct bench_cpu a, z;
		uint64_t t0, t1, cp0, cp1, pkts;
		double load, cpu, others;
		bool ok;

		if (!o->callgrind) {
			bench_wait_quiet(o->max_others, 5);
			run_loop(&b, 300000000, &other);
		}
		other = 0;
		counters_get(&b, &c0);
		bench_cpu_snap(&a);
		cp0 = bench_cpu_ns();
		t0 = bench_now_ns();
		if (o->callgrind)
			CALLGRIND_ZERO_STATS;
		pkts = run_loop(&b, (uint64_t)(o->dur_s * 1e9), &other);
		if (o->callgrind)
			CALLGRIND_DUMP_STATS_AT("measured");
		t1 = bench_now_ns();
		cp1 = bench_cpu_ns();
		bench_cpu_snap(&z);
		counters_get(&b, &c1);
		load = nfb_load1();
		cpu = (double)(cp1 - cp0) / (t1 - t0);
		others = bench_cpu_others(&a, &z);
		placed = flows_placed(&b, sw, &total);
		/* sw: every packet forwarded by the vSwitch (give or take
		 * the frames in flight at either end). */
		ok = pkts > 0 && other == 0 && c1.drops == c0.drops &&
		     placed == want && total == want &&
		     (sw ? c1.fwd_sw - c0.fwd_sw + mbufs >= pkts &&
			   c1.fwd_sw - c0.fwd_sw <= pkts + mbufs :
			   c1.upcalls == c0.upcalls);
		mpps[good] = pkts / ((t1 - t0) / 1e3);
		nsp[good] = (double)(t1 - t0) / pkts;
		printf("nf_fwd scenario=%s mode=%s size=%u flows=%u "
		       "vs_flows=%u mbufs=%u rate=%.3f Mpps ns_per_pkt=%.1f "
		       "cpu=%.2f others=%.2f load=%.2f pkts=%" PRIu64
		       " upcalls=%" PRIu64 " drops=%" PRIu64 " check=%s\n",
		       nfb_scen_names[o->scen], sw ? "sw" : "offload",
		       o->len + 4, o->flows, total, mbufs, mpps[good],
		       nsp[good], cpu, others, load, pkts,
		       c1.upcalls - c0.upcalls, c1.drops - c0.drops,
		       ok ? "ok" : "FAIL");
		fflush(stdout);
		if (ok)
			good++;
		else
			all_ok = false;
	}
	if (good > 0 && !o->callgrind) {
		nfb_stats(nsp, good, &nmed, &d1, &d2);
		nfb_stats(mpps, good, &med, &min, &max);
		printf("nf_fwd_summary scenario=%s mode=%s size=%u flows=%u "
		       "runs=%u mpps_median=%.3f min=%.3f max=%.3f "
		       "ns_per_pkt_median=%.1f load=%.2f\n",
		       nfb_scen_names[o->scen], sw ? "sw" : "offload",
		       o->len + 4, o->flows, good, med, min, max, nmed,
		       nfb_load1());
		fflush(stdout);
	}
	return all_ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct opts o = { .scen = NFB_L2, .mode = 2, .len = 60, .flows = 1000,
			  .runs = 3, .dur_s = 2, .warm_s = 1,
			  .max_others = 0.2, .mem_mb = 1024 };
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--scenario") == 0 && i + 1 < argc) {
			int s = nfb_scen_parse(argv[++i]);

			if (s < 0) {
				fprintf(stderr, "scenario: l2, l3 or encap\n");
				return 2;
			}
			o.scen = (enum nfb_scen)s;
		} else if (strcmp(a, "--mode") == 0 && i + 1 < argc) {
			i++;
			o.mode = strcmp(argv[i], "offload") == 0 ? 0 :
				 strcmp(argv[i], "sw") == 0 ? 1 :
				 strcmp(argv[i], "both") == 0 ? 2 : -1;
			if (o.mode < 0) {
				fprintf(stderr, "mode: offload, sw or both\n");
				return 2;
			}
		} else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
			unsigned long s = strtoul(argv[++i], NULL, 0);

			if (s < 64 || s > 1518) {
				fprintf(stderr, "size: 64..1518 (with FCS)\n");
				return 2;
			}
			o.len = (uint16_t)(s - 4);
		} else if (strcmp(a, "--flows") == 0 && i + 1 < argc) {
			o.flows = (uint32_t)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(a, "-M") == 0 && i + 1 < argc) {
			o.mbufs = (uint32_t)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(a, "--runs") == 0 && i + 1 < argc) {
			o.runs = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(a, "-t") == 0 && i + 1 < argc) {
			o.dur_s = strtod(argv[++i], NULL);
		} else if (strcmp(a, "-w") == 0 && i + 1 < argc) {
			o.warm_s = strtod(argv[++i], NULL);
		} else if (strcmp(a, "--max-others") == 0 && i + 1 < argc) {
			o.max_others = strtod(argv[++i], NULL);
		} else if (strcmp(a, "-m") == 0 && i + 1 < argc) {
			o.mem_mb = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(a, "--callgrind") == 0) {
			o.callgrind = true;
		} else {
			fprintf(stderr, "usage: %s [--scenario l2|l3|encap] "
				"[--mode offload|sw|both] [--size 64|1518] "
				"[--flows N] [-M MBUFS] [--runs R] [-t SEC] "
				"[-w SEC] [--max-others CORES] [--callgrind] "
				"[-m MB]\n", argv[0]);
			return 2;
		}
	}
	if (o.flows < 1 || o.flows > VS_MAX_FLOWS || o.runs < 1 ||
	    o.runs > MAX_RUNS || (o.mbufs != 0 && o.mbufs > NFB_RING - 64)) {
		fprintf(stderr, "flows 1..%d, runs 1..%d, mbufs < %d\n",
			VS_MAX_FLOWS, MAX_RUNS, NFB_RING - 64);
		return 2;
	}
	for (int sw = 0; sw < 2; sw++) {
		pid_t pid;
		int st;

		if (o.mode != 2 && o.mode != sw)
			continue;
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			bench_exit(run_mode(sw, &o));
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "mode %s: run failed\n",
				sw ? "sw" : "offload");
			rc = 1;
		}
	}
	return rc;
}
