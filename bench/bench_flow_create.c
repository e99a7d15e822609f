/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * bench_flow_create: rte_flow_create / rte_flow_destroy rate of net_snic
 * forwarding rules on one core, and the memory one rule costs.
 *
 *   bench_flow_create [-m MB] [--create-only] [--max-others CORES] [N ...]
 *                                          (default N: 1000 100000 1000000)
 *
 * For each N a fresh process (fork before EAL init) builds a snic switch
 * (inline mode, max_rules=2000000) over two net_ring ports and creates N
 * distinct rules "eth / ipv4 dst is 11.i / udp dst is P(i) / end actions
 * count / port_id id <uplink> / end" on the VF representor, then destroys
 * them. A fresh process per N matters: freed libc memory stays resident, so
 * a second measurement in the same process would look cheaper than it is.
 *
 * Output, one line per measurement:
 *   flow_create rules=N rate=X Mrules/s ns_per_rule=T cpu=S others=O
 *       bytes_per_rule=B libc_rss_delta=.. eal_heap_delta=.. rss_delta=..
 *   flow_destroy rules=N rate=X Mrules/s ns_per_rule=T cpu=S others=O
 *       bytes_retained=..
 *   flow_recreate rules=N rate=X Mrules/s ns_per_rule=T others=O
 * flow_recreate creates the same N rules again after the destroy, into the
 * table that has already grown to its final size (one extra rule, created
 * after the first measurement, keeps it from being freed when empty): the
 * rate without table growth (rehashing into a table twice the size,
 * first-touch page faults). bytes_retained includes that one rule.
 * The machine is shared: a measurement waits for other processes to go
 * quiet and is made again (up to 3 times, in a fresh process; only the
 * last try prints a contended result) when they used more than
 * --max-others cores (default 0.05) meanwhile; a large value (e.g. 100)
 * measures once without waiting, for instruction counts under callgrind; cpu is the share of the wall time the thread ran, others the
 * cores other processes used.
 * bytes_per_rule = (RSS delta outside EAL memory + EAL heap delta) / N,
 * see bench_common.h for why the two are not simply added. --create-only
 * skips the destroy phase (to profile creation alone with perf).
 */

#include <rte_errno.h>
#include <sys/wait.h>

#include "bench_common.h"

#define MAX_SIZES 16
#define EXIT_CONTENDED 3 /* a child's exit status: measure again */
#define TRIES 3

static bool create_only;
static double max_others = 0.05; /* cores others may use meanwhile */

static int
run_one(uint32_t n, unsigned int mem_mb, bool last)
{
	char line[3][512];
	struct rte_flow_error err;
	struct bench_mem m0, m1, m2;
	struct rte_mempool *mp;
	struct rte_flow **flows;
	struct bench_sw b;
	struct bench_cpu k0, k1, k2;
	uint64_t t0, t1, t2, c0, c1;
	double oth_c, oth_d, oth_r;

	if (bench_eal_init("bench_fc", mem_mb) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("fc_pool", 1023, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL ||
	    bench_sw_create(&b, "net_snic_fc", 1024, 1024,
			    "max_rules=2000000", mp) != 0) {
		fprintf(stderr, "switch set-up failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	/* The handle array is the benchmark's, not the PMD's: touch it
	 * before the first sample so it is not charged to the rules. */
	flows = calloc(n, sizeof(*flows));
	if (flows == NULL)
		return 1;
	memset(flows, 0xff, (size_t)n * sizeof(*flows));

	bench_mem_sample(&m0);
	bench_wait_quiet(max_others, 20);
	bench_cpu_snap(&k0);
	c0 = bench_cpu_ns();
	t0 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++) {
		flows[i] = bench_rule_create(b.port[1], b.port[0], i, &err);
		if (flows[i] == NULL) {
			fprintf(stderr, "rule %u: %s\n", i,
				err.message ? err.message : "(no message)");
			return 1;
		}
	}
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();
	bench_cpu_snap(&k1);
	oth_c = bench_cpu_others(&k0, &k1);
	bench_mem_sample(&m1);
	snprintf(line[0], sizeof(line[0]),
	       "flow_create rules=%u rate=%.3f Mrules/s ns_per_rule=%.0f "
	       "cpu=%.2f others=%.2f bytes_per_rule=%.0f libc_rss_delta=%"
	       PRId64 " eal_heap_delta=%" PRId64 " rss_delta=%" PRId64 "\n",
	       n, n / ((t1 - t0) / 1e3), (double)(t1 - t0) / n,
	       (double)(c1 - c0) / (t1 - t0), oth_c,
	       (double)bench_mem_delta(&m0, &m1) / n,
	       (int64_t)(m1.rss - m1.rss_eal) - (int64_t)(m0.rss - m0.rss_eal),
	       (int64_t)m1.heap - (int64_t)m0.heap,
	       (int64_t)m1.rss - (int64_t)m0.rss);
	if (create_only || oth_c > max_others) {
		if (oth_c <= max_others || last)
			printf("%s", line[0]);
		return oth_c > max_others ? EXIT_CONTENDED : 0;
	}

	/* One more rule keeps the table alive through the destroys (an empty
	 * table is freed), for the recreate below. */
	if (bench_rule_create(b.port[1], b.port[0], n, &err) == NULL) {
		fprintf(stderr, "anchor rule: %s\n",
			err.message ? err.message : "(no message)");
		return 1;
	}
	bench_cpu_snap(&k1);
	c0 = bench_cpu_ns();
	t1 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++)
		if (rte_flow_destroy(b.port[1], flows[i], &err) != 0) {
			fprintf(stderr, "destroy %u: %s\n", i,
				err.message ? err.message : "(no message)");
			return 1;
		}
	t2 = bench_now_ns();
	c1 = bench_cpu_ns();
	bench_cpu_snap(&k2);
	oth_d = bench_cpu_others(&k1, &k2);
	bench_mem_sample(&m2);
	snprintf(line[1], sizeof(line[1]),
	       "flow_destroy rules=%u rate=%.3f Mrules/s ns_per_rule=%.0f "
	       "cpu=%.2f others=%.2f bytes_retained=%" PRId64 "\n",
	       n, n / ((t2 - t1) / 1e3), (double)(t2 - t1) / n,
	       (double)(c1 - c0) / (t2 - t1), oth_d,
	       bench_mem_delta(&m0, &m2));

	/* Again into the same, now warm, table: it has its final size and
	 * its pages are resident, so this is the cost of a create alone. */
	bench_cpu_snap(&k1);
	t1 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++) {
		flows[i] = bench_rule_create(b.port[1], b.port[0], i, &err);
		if (flows[i] == NULL) {
			fprintf(stderr, "rule %u (again): %s\n", i,
				err.message ? err.message : "(no message)");
			return 1;
		}
	}
	t2 = bench_now_ns();
	bench_cpu_snap(&k2);
	oth_r = bench_cpu_others(&k1, &k2);
	snprintf(line[2], sizeof(line[2]),
	       "flow_recreate rules=%u rate=%.3f Mrules/s ns_per_rule=%.0f "
	       "others=%.2f\n", n, n / ((t2 - t1) / 1e3),
	       (double)(t2 - t1) / n, oth_r);
	/* The process exits: no teardown to measure or wait for. */
	free(flows);
	oth_d = RTE_MAX(oth_d, oth_r);
	if (oth_d > max_others && !last)
		return EXIT_CONTENDED;
	printf("%s%s%s", line[0], line[1], line[2]);
	return oth_d > max_others ? EXIT_CONTENDED : 0;
}

int
main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = { 1000, 100000, 1000000 };
	unsigned int nsizes = 3, mem_mb = 4096, given = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
			mem_mb = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--create-only") == 0) {
			create_only = true;
		} else if (strcmp(argv[i], "--max-others") == 0 &&
			   i + 1 < argc) {
			max_others = strtod(argv[++i], NULL);
		} else if (given < MAX_SIZES && argv[i][0] != '-') {
			sizes[given++] = (uint32_t)strtoul(argv[i], NULL, 0);
		} else {
			fprintf(stderr, "usage: %s [-m MB] [--create-only] "
				"[--max-others CORES] [rules ...]\n",
				argv[0]);
			return 2;
		}
	}
	if (given > 0)
		nsizes = given;
	for (unsigned int s = 0; s < nsizes; s++) {
		pid_t pid;
		int st;

		for (int k = 0; k < TRIES; k++) {
			fflush(stdout);
			pid = fork();
			if (pid < 0)
				return 1;
			if (pid == 0)
				bench_exit(run_one(sizes[s], mem_mb,
						   k + 1 == TRIES));
			if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
				st = -1;
				break;
			}
			st = WEXITSTATUS(st);
			if (st != EXIT_CONTENDED)
				break;
			fprintf(stderr, "rules=%u: contended%s\n", sizes[s],
				k + 1 < TRIES ? ", measuring again" : "");
		}
		if (st != 0 && st != EXIT_CONTENDED) {
			fprintf(stderr, "rules=%u: run failed\n", sizes[s]);
			rc = 1;
		}
	}
	return rc;
}
