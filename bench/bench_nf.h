/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef BENCH_NF_H
#define BENCH_NF_H

/**
 * @file
 * Shared set-up of the nicflowd benchmarks (bench_nf_newflow, bench_nf_fwd):
 * the vSwitch of nicflowd (vs.h) over a net_snic in inline mode whose
 * uplink and two VFs are net_ring ports, one of three models, the frames of
 * the benchmark's flows, and nicflowd's control loop.
 *
 * Ports: index 0 the uplink, 1 VF0 (VM "vm1"), 2 VF1 (VM "vm2"). The
 * harness is the wire and the VMs: it enqueues frames into in[1] (what vm1
 * sends) and takes what the NIC transmitted from out[2] (to vm2) or out[0]
 * (to the underlay).
 *
 * Scenarios (docs/vswitch.md has the model kinds):
 *   l2:    network "blue" (VNI 100), vm1 02:00:00:00:00:01 10.0.0.1 and
 *          vm2 02:00:00:00:00:02 10.0.0.2; flow i is vm1 -> vm2's MAC,
 *          IPv4 10.0.0.1 -> 11.i, UDP (the §7.2 template).
 *   l3:    router "r1" (MAC 02:00:00:00:00:fe), networks "a" 10.0.0.0/24
 *          (vm1) and "b" 10.0.1.0/24 (vm2 10.0.1.2); vm1 -> gateway MAC,
 *          IPv4 10.0.0.1 -> 10.0.1.2 (§7.4: SET_MAC_SRC/DST, DEC_TTL).
 *          One flow only: a vs flow is (in port, MACs, type, dst IP,
 *          proto), and 10.0.1.2 is the only destination; "flow" i varies
 *          the UDP destination port, which neither the vs cache nor the
 *          §7.4 rule looks at.
 *   encap: network "blue", vm1, a remote VM 02:00:00:00:01:01 behind VTEP
 *          192.168.0.2, our VTEP 192.168.0.1, the remote VTEP's MAC learnt
 *          with vs_neigh_learn() (as an ARP reply on the uplink would);
 *          flow i is vm1 -> the remote's MAC, 10.0.0.1 -> 11.i (§7.3
 *          egress: VXLAN_ENCAP to the uplink). Uplink MTU 1600 (N-15).
 *
 * Frames: UDP 10.0.0.1:5000 -> dst:(10000 + i % 50000), TTL 64, the flow
 * number in the first 4 payload bytes; len 60 (64 B on the wire with the
 * FCS) or 1514 (1518 B).
 *
 * The loop (nfb_step) is nicflowd's control_loop() with the datapath inline
 * (daemon/nicflowd.c, one lcore): vs_offload_run(64), vs_revalidate(),
 * vs_datapath_poll(), vs_aging_run() once a second, but never sleeps. The
 * NIC runs inline too, inside every rx/tx_burst on a snic port, so NIC,
 * slow path and offload share one thread. Representors' rx queues use the
 * pool the harness's frames come from, so upcalls are not copied.
 *
 * Profiling (bench_nf_wrap.c): the benchmarks are linked with --wrap for
 * vs_xlate, vs_flow_account, vs_rule_build, vs_exec_apply and
 * rte_flow_create; with nfb_prof.on the wrappers add up the TSC cycles
 * spent in each, per context (datapath or offload), else they only call
 * the real function.
 */

#include <errno.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench_common.h"
#include "vs.h"

enum nfb_scen { NFB_L2, NFB_L3, NFB_ENCAP };

static const char *const nfb_scen_names[] = { "l2", "l3", "encap" };

#define NFB_NIC "net_snic_nf"
#define NFB_RING 16384           /* wire rings and upcall rings */
#define NFB_VM1 {{ 2, 0, 0, 0, 0, 1 }}
#define NFB_VM2 {{ 2, 0, 0, 0, 0, 2 }}
#define NFB_GW {{ 2, 0, 0, 0, 0, 0xfe }}
#define NFB_RVM {{ 2, 0, 0, 0, 1, 1 }}
#define NFB_RVTEP_MAC {{ 2, 0, 0, 0, 0xaa, 2 }}

/* ------------------------------------------------------------ profile */

enum nfb_ctx { NFB_CTX_OTHER, NFB_CTX_DP, NFB_CTX_OFFLOAD };

enum nfb_pfn {
	NFB_P_XLATE,        /* vs_xlate in the datapath */
	NFB_P_ACCOUNT,      /* vs_flow_account (cache insert, dry rule build) */
	NFB_P_BUILD_DP,     /* vs_rule_build inside vs_flow_account */
	NFB_P_EXEC,         /* vs_exec_apply */
	NFB_P_BUILD_OFF,    /* vs_rule_build in the offload */
	NFB_P_CREATE,       /* rte_flow_create in the offload */
	NFB_P_MAX
};

struct nfb_prof {
	bool on;
	enum nfb_ctx ctx;
	uint64_t cyc[NFB_P_MAX];
	uint64_t calls[NFB_P_MAX];
	uint64_t dp_cyc, off_cyc, dp_calls, off_calls;
};

extern struct nfb_prof nfb_prof;

/* ------------------------------------------------------------ bench */

struct nfb {
	enum nfb_scen scen;
	uint16_t len;                  /* frame length without FCS */
	uint16_t phys[3], port[3];
	struct rte_ring *in[3], *out[3];
	struct rte_mempool *mp;        /* frames; representors' rx */
	struct rte_mempool *vs_pool;   /* the vSwitch's copies/replies */
	struct vs_switch *vs;
	unsigned int out_idx;          /* where the flows leave */
	uint64_t next_age;
	struct rte_ether_hdr l3_eth;   /* l3: vm1's frame, to restore */
	rte_be16_t l3_csum;
};

static inline double
nfb_load1(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static inline int
nfb_scen_parse(const char *s)
{
	for (unsigned int i = 0; i < RTE_DIM(nfb_scen_names); i++)
		if (strcmp(s, nfb_scen_names[i]) == 0)
			return (int)i;
	return -1;
}

static inline int
nfb_add(struct vs_switch *vs, const char *kind, json_t *p)
{
	char err[256];
	int rc;

	if (p == NULL)
		return -ENOMEM;
	rc = vs_obj_add(vs, kind, p, err, sizeof(err));
	json_decref(p);
	if (rc != 0)
		fprintf(stderr, "%s_add: %s\n", kind, err);
	return rc;
}

static inline int
nfb_model(struct nfb *b)
{
	struct vs_switch *vs = b->vs;
	int rc = 0;

	switch (b->scen) {
	case NFB_L2:
		rc |= nfb_add(vs, "network", json_pack("{s:s, s:i}", "name",
			"blue", "vni", 100));
		rc |= nfb_add(vs, "port", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"name", "vm1", "rep", "0", "mac", "02:00:00:00:00:01",
			"ipv4", "10.0.0.1", "network", "blue"));
		rc |= nfb_add(vs, "port", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"name", "vm2", "rep", "1", "mac", "02:00:00:00:00:02",
			"ipv4", "10.0.0.2", "network", "blue"));
		b->out_idx = 2;
		break;
	case NFB_L3:
		rc |= nfb_add(vs, "router", json_pack("{s:s, s:s}", "name", "r1",
			"mac", "02:00:00:00:00:fe"));
		rc |= nfb_add(vs, "network", json_pack("{s:s, s:i, s:s, s:s, "
			"s:s}", "name", "a", "vni", 100, "router", "r1",
			"cidr", "10.0.0.0/24", "gateway", "10.0.0.254"));
		rc |= nfb_add(vs, "network", json_pack("{s:s, s:i, s:s, s:s, "
			"s:s}", "name", "b", "vni", 200, "router", "r1",
			"cidr", "10.0.1.0/24", "gateway", "10.0.1.254"));
		rc |= nfb_add(vs, "port", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"name", "vm1", "rep", "0", "mac", "02:00:00:00:00:01",
			"ipv4", "10.0.0.1", "network", "a"));
		rc |= nfb_add(vs, "port", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"name", "vm2", "rep", "1", "mac", "02:00:00:00:00:02",
			"ipv4", "10.0.1.2", "network", "b"));
		b->out_idx = 2;
		break;
	case NFB_ENCAP: {
		const struct rte_ether_addr rmac = NFB_RVTEP_MAC;

		rc |= nfb_add(vs, "network", json_pack("{s:s, s:i}", "name",
			"blue", "vni", 100));
		rc |= nfb_add(vs, "port", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"name", "vm1", "rep", "0", "mac", "02:00:00:00:00:01",
			"ipv4", "10.0.0.1", "network", "blue"));
		rc |= nfb_add(vs, "vtep", json_pack("{s:s}", "ip",
			"192.168.0.1"));
		rc |= nfb_add(vs, "remote", json_pack("{s:s, s:s, s:s, s:s, "
			"s:s}", "name", "rvm", "network", "blue", "mac",
			"02:00:00:00:01:01", "ipv4", "10.0.0.100", "vtep",
			"192.168.0.2"));
		/* What an ARP reply from 192.168.0.2 on the uplink teaches. */
		struct vs_ip rip = vs_ip_from4(RTE_BE32(RTE_IPV4(192, 168, 0,
								 2)));

		rte_spinlock_lock(&vs->lock);
		vs_neigh_learn(vs, 0, &rip, &rmac);
		rte_spinlock_unlock(&vs->lock);
		b->out_idx = 0;
		break;
	}
	}
	vs_revalidate(vs); /* the model moved: nothing cached yet */
	return rc != 0 ? -1 : 0;
}

static inline int
nfb_port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, mp) ||
	    rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL) ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

/* EAL must be up. nb_mbufs frames of room for 1514 + the encapsulation. */
static inline int
nfb_create(struct nfb *b, enum nfb_scen scen, uint16_t len,
	   unsigned int nb_mbufs)
{
	char args[256], rn[RTE_RING_NAMESIZE];
	int off, id;

	memset(b, 0, sizeof(*b));
	b->scen = scen;
	b->len = len;
	b->mp = rte_pktmbuf_pool_create("nfb_pool", nb_mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	b->vs_pool = rte_pktmbuf_pool_create("nfb_vs_pool", 1023, 32, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (b->mp == NULL || b->vs_pool == NULL)
		return -1;
	off = snprintf(args, sizeof(args), "mode=inline,ctl=none,"
		       "upcall_ring=%u", NFB_RING);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(rn, sizeof(rn), "nfb_i%u", i);
		b->in[i] = rte_ring_create(rn, NFB_RING, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		snprintf(rn, sizeof(rn), "nfb_o%u", i);
		b->out[i] = rte_ring_create(rn, NFB_RING, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (b->in[i] == NULL || b->out[i] == NULL)
			return -1;
		snprintf(rn, sizeof(rn), "nfb_w%u", i);
		id = rte_eth_from_rings(rn, &b->in[i], 1, &b->out[i], 1,
					SOCKET_ID_ANY);
		if (id < 0)
			return -1;
		b->phys[i] = (uint16_t)id;
		off += snprintf(args + off, sizeof(args) - off, ",%s=%d",
				i == 0 ? "uplink" : "vf", id);
	}
	if (rte_vdev_init(NFB_NIC, args) != 0)
		return -1;
	for (unsigned int i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(rn, sizeof(rn), "%s", NFB_NIC);
		else
			snprintf(rn, sizeof(rn), "%s_representor_%u", NFB_NIC,
				 i - 1);
		if (rte_eth_dev_get_port_by_name(rn, &b->port[i]) != 0 ||
		    nfb_port_setup(b->port[i], b->mp) != 0)
			return -1;
	}
	/* Room for a 1500-byte VM packet plus VXLAN (N-15). */
	if (rte_eth_dev_set_mtu(b->port[0], 1600) != 0)
		return -1;
	b->vs = vs_switch_create(NFB_NIC, b->vs_pool);
	if (b->vs == NULL)
		return -1;
	b->next_age = rte_get_timer_cycles() + rte_get_timer_hz();
	if (nfb_model(b) != 0)
		return -1;
	if (scen == NFB_L3) {
		const struct rte_ether_addr vm1 = NFB_VM1, gw = NFB_GW;

		b->l3_eth.src_addr = vm1;
		b->l3_eth.dst_addr = gw;
		b->l3_eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	return 0;
}

static inline uint32_t
nfb_dst_ip(const struct nfb *b, uint32_t i)
{
	return b->scen == NFB_L3 ? RTE_IPV4(10, 0, 1, 2) :
	       bench_flow_dst_ip(i);
}

/* Build flow i's frame into the empty mbuf m. */
static inline int
nfb_frame(struct nfb *b, struct rte_mbuf *m, uint32_t i)
{
	static const struct rte_ether_addr vm1 = NFB_VM1, vm2 = NFB_VM2,
		gw = NFB_GW, rvm = NFB_RVM;
	char *d = rte_pktmbuf_append(m, b->len);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t *flow = (uint32_t *)(udp + 1);

	if (d == NULL)
		return -1;
	memset(d, 0, b->len);
	eth->src_addr = vm1;
	eth->dst_addr = b->scen == NFB_L2 ? vm2 : b->scen == NFB_L3 ? gw : rvm;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(b->len - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = RTE_BE32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(nfb_dst_ip(b, i));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(5000);
	/* Not bench_flow_dport(): its 1024 + 3765 is VXLAN's port. */
	udp->dst_port = rte_cpu_to_be_16(10000 + i % 50000);
	udp->dgram_len = rte_cpu_to_be_16(b->len - sizeof(*eth) -
					  sizeof(*ip));
	*flow = i;
	if (b->scen == NFB_L3)
		b->l3_csum = ip->hdr_checksum; /* the same for every frame */
	return 0;
}

/* Make a frame the NIC (or the vSwitch) sent back into the one vm1 sent:
 * nothing for l2, strip the VXLAN headers for encap, restore MACs and TTL
 * for l3. */
static inline void
nfb_restore(const struct nfb *b, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;

	switch (b->scen) {
	case NFB_L2:
		break;
	case NFB_ENCAP:
		rte_pktmbuf_adj(m, VS_ENCAP_LEN);
		break;
	case NFB_L3:
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		memcpy(eth, &b->l3_eth, 12);
		ip = (struct rte_ipv4_hdr *)(eth + 1);
		ip->time_to_live = 64;
		ip->hdr_checksum = b->l3_csum;
		break;
	}
}

/* One iteration of nicflowd's control loop (inline datapath). */
static inline unsigned int
nfb_step(struct nfb *b)
{
	unsigned int work;
	uint64_t t0 = 0, t1 = 0;

	if (nfb_prof.on) {
		nfb_prof.ctx = NFB_CTX_OFFLOAD;
		t0 = rte_rdtsc();
	}
	work = vs_offload_run(b->vs, 64);
	if (nfb_prof.on) {
		t1 = rte_rdtsc();
		nfb_prof.off_cyc += t1 - t0;
		nfb_prof.off_calls++;
		nfb_prof.ctx = NFB_CTX_OTHER;
	}
	work += vs_revalidate(b->vs);
	if (nfb_prof.on) {
		nfb_prof.ctx = NFB_CTX_DP;
		t0 = rte_rdtsc();
	}
	work += vs_datapath_poll(b->vs);
	if (nfb_prof.on) {
		t1 = rte_rdtsc();
		nfb_prof.dp_cyc += t1 - t0;
		nfb_prof.dp_calls++;
		nfb_prof.ctx = NFB_CTX_OTHER;
	}
	if (rte_get_timer_cycles() >= b->next_age) {
		vs_aging_run(b->vs);
		b->next_age = rte_get_timer_cycles() + rte_get_timer_hz();
	}
	return work;
}

/* Sum of the xstats of a port whose name starts with prefix. */
static inline uint64_t
nfb_xstat_sum(uint16_t port, const char *prefix)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *xs;
	uint64_t sum = 0;
	int n = rte_eth_xstats_get_names(port, NULL, 0);

	if (n <= 0)
		return 0;
	names = calloc(n, sizeof(*names));
	xs = calloc(n, sizeof(*xs));
	if (names != NULL && xs != NULL &&
	    rte_eth_xstats_get_names(port, names, n) == n &&
	    rte_eth_xstats_get(port, xs, n) == n)
		for (int i = 0; i < n; i++)
			if (strncmp(names[xs[i].id].name, prefix,
				    strlen(prefix)) == 0)
				sum += xs[i].value;
	free(names);
	free(xs);
	return sum;
}

/* NIC drops (every port) plus the vSwitch's drops; not flow_table_full,
 * which counts packets forwarded without a cache entry. */
static inline uint64_t
nfb_drops(const struct nfb *b)
{
	uint64_t d = -b->vs->stats.drops[VS_DROP_FLOW_FULL];

	for (unsigned int i = 0; i < 3; i++)
		d += nfb_xstat_sum(b->port[i], "drop_") +
		     nfb_xstat_sum(b->port[i], "malformed_");
	for (int i = 0; i < VS_DROP_MAX; i++)
		d += b->vs->stats.drops[i];
	return d;
}

/* Median, min and max of n values (sorts v). */
static inline int
nfb_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline void
nfb_stats(double *v, unsigned int n, double *med, double *min, double *max)
{
	qsort(v, n, sizeof(*v), nfb_cmp_dbl);
	*min = v[0];
	*max = v[n - 1];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif /* BENCH_NF_H */
