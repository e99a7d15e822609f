/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

/**
 * @file
 * Shared helpers of the net_snic benchmarks (bench/): EAL set-up, a switch
 * over net_ring ports built at run time, the benchmark's flow numbering,
 * the rule every benchmark installs, clocks and memory accounting.
 *
 * Flow i (0 <= i < 2^24) is UDP 10.0.0.1:5000 -> 11.i:(1024 + i % 50000),
 * from VM MAC 02:00:00:00:00:01 to 02:00:00:00:00:02; its rule, on the VF
 * representor, is "eth / ipv4 dst is 11.i / udp dst is 1024 + i % 50000 /
 * end actions count / port_id id <uplink> / end". bench/mkpcap.py writes
 * the same flows, so every benchmark measures the same rules.
 *
 * Memory: with --no-huge, EAL memory is ordinary shared memory in 4 KB
 * pages, so the pages of the EAL heap that were touched are part of the
 * process RSS as well. Adding "RSS delta" and "EAL heap delta" would count them twice;
 * bench_mem_sample() therefore splits the RSS into the part inside EAL's
 * memseg lists and the rest (libc malloc, stacks, ...), and the honest
 * total is rest-of-RSS + EAL heap bytes allocated.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_ring.h>

#define BENCH_MAX_MSL 64

static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: with the wall clock it tells whether
 * another process took the core during a measurement (the machine is
 * shared; results are flagged, not silently skewed). */
static inline uint64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Machine-wide CPU accounting: the machine is shared (2 vCPUs, which the
 * host may schedule on one physical core's two hyperthreads), so a
 * measurement is only the NIC's when nothing else ran meanwhile.
 */
struct bench_cpu {
	uint64_t busy;   /* jiffies any CPU was busy */
	uint64_t total;  /* all jiffies */
	uint64_t self;   /* jiffies of this process */
};

static inline void
bench_cpu_snap(struct bench_cpu *c)
{
	unsigned long long v[8] = {0}, ut = 0, st = 0;
	char buf[1024], *p;
	FILE *f = fopen("/proc/stat", "r");

	memset(c, 0, sizeof(*c));
	if (f != NULL) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) == 8) {
			c->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
			c->total = c->busy + v[3] + v[4];
		}
		fclose(f);
	}
	f = fopen("/proc/self/stat", "r");
	if (f == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		   "%llu %llu", &ut, &st) == 2)
		c->self = ut + st;
	fclose(f);
}

/* Cores used by other processes between a and b; 0 when the interval
 * is too short for jiffies (10 ms) to tell (bench_wait_quiet ran before). */
static inline double
bench_cpu_others(const struct bench_cpu *a, const struct bench_cpu *b)
{
	double total = (double)(b->total - a->total);
	double o;

	if (total < 20)
		return 0;
	o = ((double)(b->busy - a->busy) - (double)(b->self - a->self)) /
	    total * sysconf(_SC_NPROCESSORS_ONLN);
	return o > 0 ? o : 0;
}

/* Wait (up to max_s seconds) until others use less than max_cores. */
static inline void
bench_wait_quiet(double max_cores, unsigned int max_s)
{
	struct bench_cpu a, b;

	for (unsigned int i = 0; i < 2 * max_s; i++) {
		bench_cpu_snap(&a);
		usleep(500000);
		bench_cpu_snap(&b);
		if (bench_cpu_others(&a, &b) < max_cores)
			return;
		if (i == 0)
			fprintf(stderr, "machine busy (%.2f cores used by "
				"others), waiting...\n",
				bench_cpu_others(&a, &b));
	}
	fprintf(stderr, "still busy, measuring anyway\n");
}

/* EAL on one lcore, no hugepages, a file prefix of our own (several
 * DPDK processes may run on the machine), and no shared config files
 * (nothing is left in /var/run/dpdk). */
static bool bench_eal_up;

static inline int
bench_eal_init(const char *prog, unsigned int mem_mb)
{
	char pfx[64], mem[16];
	char *argv[] = { (char *)(uintptr_t)prog, "--no-huge", "-m", mem,
		"--no-pci", "--no-telemetry", "--no-shconf", "--file-prefix", pfx,
		"-l", "0",
		"--log-level", "lib.eal:error", "--log-level",
		"pmd.net.ring:error", "--log-level", "pmd.net.snic:warning",
		NULL };

	snprintf(pfx, sizeof(pfx), "%s_%d", prog, (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return -1;
	bench_eal_up = true;
	return 0;
}

/* Leave the process: remove the (empty, --no-shconf) runtime directory
 * EAL made. No teardown: rules and ports die with the process. */
static inline __rte_noreturn void
bench_exit(int rc)
{
	fflush(stdout);
	if (bench_eal_up)
		rmdir(rte_eal_get_runtime_dir());
	_exit(rc);
}

/* ------------------------------------------------------------ flows */

static inline uint32_t
bench_flow_dst_ip(uint32_t i)
{
	return (11u << 24) | (i & 0xffffff);
}

static inline uint16_t
bench_flow_dport(uint32_t i)
{
	return (uint16_t)(1024 + i % 50000);
}

/* ------------------------------------------------------------ switch */

/* A switch with one VF: index 0 uplink, 1 the VF. */
struct bench_sw {
	char name[32];
	uint16_t phys[2];          /* underlying net_ring ports */
	uint16_t port[2];          /* snic ethdevs: uplink, representor */
	struct rte_ring *in[2];    /* what the wire / the VM sends */
	struct rte_ring *out[2];   /* what the NIC transmitted */
};

static inline int
bench_port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, mp) ||
	    rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL) ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

/*
 * Build net_snic "name" in inline mode over two net_ring ports whose rx
 * rings hold in_size entries and tx rings out_size. mp is only used for
 * the snic ports' (unused) rx queue set-up.
 */
static inline int
bench_sw_create(struct bench_sw *b, const char *name, unsigned int in_size,
		unsigned int out_size, const char *extra,
		struct rte_mempool *mp)
{
	char args[256], rn[RTE_RING_NAMESIZE];
	int off, id;

	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	off = snprintf(args, sizeof(args), "mode=inline");
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(rn, sizeof(rn), "%s_i%u", name, i);
		b->in[i] = rte_ring_create(rn, in_size, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		snprintf(rn, sizeof(rn), "%s_o%u", name, i);
		b->out[i] = rte_ring_create(rn, out_size, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (b->in[i] == NULL || b->out[i] == NULL)
			return -1;
		snprintf(rn, sizeof(rn), "%s_w%u", name, i);
		id = rte_eth_from_rings(rn, &b->in[i], 1, &b->out[i], 1,
					SOCKET_ID_ANY);
		if (id < 0)
			return -1;
		b->phys[i] = (uint16_t)id;
		off += snprintf(args + off, sizeof(args) - off, ",%s=%d",
				i == 0 ? "uplink" : "vf", id);
	}
	if (extra != NULL)
		snprintf(args + off, sizeof(args) - off, ",%s", extra);
	if (rte_vdev_init(name, args) != 0)
		return -1;
	snprintf(rn, sizeof(rn), "%s_representor_0", name);
	if (rte_eth_dev_get_port_by_name(name, &b->port[0]) != 0 ||
	    rte_eth_dev_get_port_by_name(rn, &b->port[1]) != 0)
		return -1;
	for (unsigned int i = 0; i < 2; i++)
		if (bench_port_setup(b->port[i], mp) != 0)
			return -1;
	return 0;
}

/* The benchmark rule of flow i, on port (the VF representor), to out. */
static inline struct rte_flow *
bench_rule_create(uint16_t port, uint16_t out, uint32_t i,
		  struct rte_flow_error *err)
{
	static const struct rte_flow_attr attr = { .ingress = 1 };
	static const struct rte_flow_item_ipv4 ip_m = {
		.hdr.dst_addr = RTE_BE32(0xffffffff),
	};
	static const struct rte_flow_item_udp udp_m = {
		.hdr.dst_port = RTE_BE16(0xffff),
	};
	struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = rte_cpu_to_be_32(bench_flow_dst_ip(i)),
	};
	struct rte_flow_item_udp udp = {
		.hdr.dst_port = rte_cpu_to_be_16(bench_flow_dport(i)),
	};
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = out };
	const struct rte_flow_item pat[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip, .mask = &ip_m },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp,
		  .mask = &udp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	const struct rte_flow_action act[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT, .conf = &cnt },
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &pid },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};

	return rte_flow_create(port, &attr, pat, act, err);
}

/* ------------------------------------------------------------ memory */

struct bench_mem {
	uint64_t rss;       /* whole process (statm) */
	uint64_t rss_eal;   /* part of rss inside EAL memseg lists */
	uint64_t heap;      /* EAL heap bytes allocated, all sockets */
};

struct bench_msl_ranges {
	unsigned int n;
	uintptr_t lo[BENCH_MAX_MSL];
	uintptr_t hi[BENCH_MAX_MSL];
};

static inline int
bench_msl_cb(const struct rte_memseg_list *msl, void *arg)
{
	struct bench_msl_ranges *r = arg;

	if (r->n < BENCH_MAX_MSL && msl->base_va != NULL) {
		r->lo[r->n] = (uintptr_t)msl->base_va;
		r->hi[r->n] = (uintptr_t)msl->base_va + msl->len;
		r->n++;
	}
	return 0;
}

/* Resident bytes of the mappings inside EAL's memseg lists (smaps). */
static inline uint64_t
bench_rss_eal(void)
{
	struct bench_msl_ranges r = { .n = 0 };
	char line[512];
	uint64_t total = 0;
	bool inside = false;
	FILE *f;

	rte_memseg_list_walk(bench_msl_cb, &r);
	f = fopen("/proc/self/smaps", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		uintptr_t lo, hi;
		unsigned long kb;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = false;
			for (unsigned int i = 0; i < r.n; i++)
				if (lo >= r.lo[i] && hi <= r.hi[i])
					inside = true;
		} else if (inside && sscanf(line, "Rss: %lu kB", &kb) == 1) {
			total += (uint64_t)kb * 1024;
		}
	}
	fclose(f);
	return total;
}

static inline void
bench_mem_sample(struct bench_mem *m)
{
	struct rte_malloc_socket_stats st;
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	m->rss = (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
	m->rss_eal = bench_rss_eal();
	m->heap = 0;
	for (unsigned int s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s),
						&st) == 0)
			m->heap += st.heap_allocsz_bytes;
}

/* Bytes the process holds beyond "before": RSS outside EAL memory plus
 * EAL heap allocations (see the file comment). */
static inline int64_t
bench_mem_delta(const struct bench_mem *a, const struct bench_mem *b)
{
	return ((int64_t)(b->rss - b->rss_eal) -
		(int64_t)(a->rss - a->rss_eal)) +
	       ((int64_t)b->heap - (int64_t)a->heap);
}

#endif /* BENCH_COMMON_H */
