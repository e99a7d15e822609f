/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * bench_ct — lib/ct in managed mode (issue 5, C-6), one core:
 *   - bytes per connection: EAL heap bytes ct_create allocates for
 *     N connections (hash buckets + key slots + entries + queues), / N;
 *   - fill rate: N adds into an empty table;
 *   - connections/s: at N live connections, remove the oldest and add a
 *     new one (one add + one remove = one connection), K times;
 *   - lookups/s: bursts of 32 packets of random live connections through
 *     ct_lookup_burst (TCP state, counters and last-seen updated).
 * Prints one line. Usage: bench_ct [N (1000000)] [EAL MB (2048)] [compact]
 * ("compact": CT_CFG_F_COMPACT, no extendable buckets).
 */
#include <errno.h>
#include <netinet/in.h>

#include "bench_common.h"
#include "ct.h"

#define BURST 32
#define NPKTS (1u << 16)

/* Connection i: UDP 10.x.y.z:(1024 + i % 60000) -> 192.168.0.1:53 with
 * x.y.z = i / 60000, so every i < 2^24 * 60000 is distinct. */
static void
conn_pkt(uint64_t i, struct ct_pkt *p)
{
	uint32_t hi = (uint32_t)(i / 60000);

	memset(p, 0, sizeof(*p));
	p->tuple.src[0] = 10;
	p->tuple.src[1] = (uint8_t)(hi >> 16);
	p->tuple.src[2] = (uint8_t)(hi >> 8);
	p->tuple.src[3] = (uint8_t)hi;
	p->tuple.dst[0] = 192, p->tuple.dst[1] = 168, p->tuple.dst[3] = 1;
	p->tuple.sport = rte_cpu_to_be_16((uint16_t)(1024 + i % 60000));
	p->tuple.dport = rte_cpu_to_be_16(53);
	p->tuple.proto = IPPROTO_UDP;
	p->tuple.family = 4;
	p->len = 64;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats(0, &st);
	return st.heap_allocsz_bytes;
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000000;
	unsigned int mb = argc > 2 ? (unsigned int)atoi(argv[2]) : 2048;
	uint64_t k = n < 2000000 ? 2000000 : n, nlook = 20000000;
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	struct ct_entry **live;
	struct ct_pkt *pkts, p;
	struct ct_result res[BURST];
	uint64_t t0, t1, t2, t3, t4, c1, c2, c3, c4, hits = 0;
	size_t h0, h1;
	struct ct *ct;

	if (n == 0 || bench_eal_init("bench_ct", mb) < 0) {
		fprintf(stderr, "usage: %s [conns] [eal_mb]\n", argv[0]);
		bench_exit(1);
	}
	live = calloc(n, sizeof(*live));
	pkts = calloc(NPKTS, sizeof(*pkts));
	if (live == NULL || pkts == NULL)
		bench_exit(1);
	cfg.nb_conns = n;
	cfg.nb_readers = 1;
	if (argc > 3 && strcmp(argv[3], "compact") == 0)
		cfg.flags |= CT_CFG_F_COMPACT;
	h0 = heap_used();
	ct = ct_create(&cfg);
	h1 = heap_used();
	if (ct == NULL) {
		fprintf(stderr, "ct_create: %s\n", rte_strerror(rte_errno));
		bench_exit(1);
	}
	bench_wait_quiet(0.5, 20);

	t0 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++) {
		conn_pkt(i, &p);
		if (ct_entry_add(ct, &p, NULL, &live[i]) != 0) {
			fprintf(stderr, "fill failed at %u\n", i);
			bench_exit(2);
		}
	}
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();
	/* churn: connection j replaces connection j - n */
	for (uint64_t j = n; j < n + k; j++) {
		uint32_t slot = (uint32_t)(j % n);

		if (ct_entry_remove(ct, live[slot]) != 0)
			bench_exit(3);
		conn_pkt(j, &p);
		if (ct_entry_add(ct, &p, NULL, &live[slot]) != 0)
			bench_exit(4);
	}
	t2 = bench_now_ns();
	c2 = bench_cpu_ns();
	/* live now: connections k .. k + n - 1 */
	srand(1);
	for (uint32_t i = 0; i < NPKTS; i++)
		conn_pkt(k + (uint64_t)rand() % n, &pkts[i]);
	ct_thread_register(ct, 0);
	t3 = bench_now_ns();
	c3 = bench_cpu_ns();
	for (uint64_t done = 0; done < nlook; done += BURST) {
		hits += ct_lookup_burst(ct, &pkts[done % NPKTS], BURST, res);
		ct_thread_quiescent(ct, 0);
	}
	t4 = bench_now_ns();
	c4 = bench_cpu_ns();
	if (hits != nlook)
		fprintf(stderr, "only %" PRIu64 " of %" PRIu64 " hit\n", hits,
			nlook);
	/* Rates per second of wall time, and per second of this thread's
	 * CPU time ("cpu"): on a shared machine the second one does not
	 * count the time another process had the core. */
	printf("bench_ct: %sconns=%u bytes_per_conn=%.1f fill=%.2fM/s "
		"add+remove=%.2fM conn/s (cpu %.2fM) lookups=%.2fM/s "
		"(cpu %.2fM)\n", cfg.flags & CT_CFG_F_COMPACT ? "compact " : "",
		n, (double)(h1 - h0) / n,
		n / ((t1 - t0) / 1e3), k / ((t2 - t1) / 1e3),
		k / ((c2 - c1) / 1e3), nlook / ((t4 - t3) / 1e3),
		nlook / ((c4 - c3) / 1e3));
	ct_thread_unregister(ct, 0);
	bench_exit(0);
}
