/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef SNIC_ENV_H
#define SNIC_ENV_H

/**
 * @file
 * Test bench for net_snic conformance tests.
 *
 * A switch is built over net_ring ports made with rte_eth_from_rings(): for
 * underlying port i the test holds the ring the port receives from
 * (wire[i].in: what the "wire" or the "VM" sends) and the ring it transmits
 * into (wire[i].out: what the NIC sent). The snic vdev is created at run
 * time with rte_vdev_init() in inline mode, so every rx_burst on a snic port
 * runs one NIC iteration in the test's own thread: tests are deterministic.
 *
 * Usage:
 *   snic_env_eal_init("test_x");
 *   struct snic_env e; snic_env_create(&e, "net_snic_t1", 2, NULL);
 *   snic_env_inject(&e, 1, frame, len);      // VF0's VM sends
 *   snic_env_poll(&e);                       // the NIC runs
 *   n = snic_env_wire_read(&e, 0, buf, sizeof(buf));  // uplink output
 *   n = snic_env_upcall_read(&e, 1, buf, sizeof(buf), &tag); // software
 *   snic_env_destroy(&e);
 * Index 0 is the uplink, index i ≥ 1 is VF i-1 (snic port e.port[i]).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "nf_test.h"
#include "rte_pmd_snic.h"

#define SNIC_ENV_MAX 8
#define SNIC_ENV_UPQ 256 /* upcalled packets kept per port */

struct snic_env {
	char name[32];
	unsigned int n;                /* ports: uplink + VFs */
	uint16_t port[SNIC_ENV_MAX];   /* snic ethdev ids */
	uint16_t phys[SNIC_ENV_MAX];
	struct {
		struct rte_ring *in;
		struct rte_ring *out;
	} wire[SNIC_ENV_MAX];
	struct rte_mempool *mp;
	/* upcalls collected by snic_env_poll, per port */
	struct rte_mbuf *up[SNIC_ENV_MAX][SNIC_ENV_UPQ];
	unsigned int nup[SNIC_ENV_MAX];
	unsigned int upr[SNIC_ENV_MAX];
};

static struct rte_mempool *snic_env_pool;

/*
 * EAL for a test program named argv0: file prefix <prefix>_<pid>, lcore 0
 * (lcores 0-1 with lcore 1 a service lcore when service), a pool of
 * nb_mbufs.
 */
static inline int
snic_env_eal_init_opts(const char *argv0, const char *prefix, bool service,
		       unsigned int nb_mbufs)
{
	char pfx[64];
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t)argv0;
	argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "512";
	argv[argc++] = "--no-pci";
	argv[argc++] = "--file-prefix";
	argv[argc++] = pfx;
	argv[argc++] = "-l";
	argv[argc++] = service ? "0-1" : "0";
	if (service) {
		argv[argc++] = "-s";
		argv[argc++] = "0x2";
	}
	argv[argc++] = "--log-level";
	argv[argc++] = "lib.eal:error";
	argv[argc++] = "--log-level";
	argv[argc++] = "pmd.net.ring:error";
	argv[argc] = NULL;

	snprintf(pfx, sizeof(pfx), "%s_%d", prefix, (int)getpid());
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	snic_env_pool = rte_pktmbuf_pool_create("test_pool", nb_mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return snic_env_pool ? 0 : -1;
}

static inline int
snic_env_eal_init(const char *prefix)
{
	return snic_env_eal_init_opts("snic_test", prefix, false, 8191);
}

static inline int
snic_env_port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, mp) ||
	    rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL) ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

#define SNIC_ENV_UPLINK_MTU 1600

/** Build a switch with an uplink and nvf VFs; extra devargs appended. */
static inline int
snic_env_create(struct snic_env *e, const char *name, unsigned int nvf,
		const char *extra)
{
	char args[512], pn[64];
	int off;

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->n = nvf + 1;
	e->mp = snic_env_pool;
	off = snprintf(args, sizeof(args), "mode=inline");
	for (unsigned int i = 0; i < e->n; i++) {
		char rn[64];
		int id;

		snprintf(rn, sizeof(rn), "%s_i%u", name, i);
		e->wire[i].in = rte_ring_create(rn, 1024, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(rn, sizeof(rn), "%s_o%u", name, i);
		e->wire[i].out = rte_ring_create(rn, 4096, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(pn, sizeof(pn), "%s_w%u", name, i);
		id = rte_eth_from_rings(pn, &e->wire[i].in, 1,
			&e->wire[i].out, 1, SOCKET_ID_ANY);
		if (id < 0)
			return -1;
		e->phys[i] = (uint16_t)id;
		off += snprintf(args + off, sizeof(args) - off, ",%s=%d",
			i == 0 ? "uplink" : "vf", id);
	}
	if (extra != NULL)
		snprintf(args + off, sizeof(args) - off, ",%s", extra);
	if (rte_vdev_init(name, args) != 0)
		return -1;
	for (unsigned int i = 0; i < e->n; i++) {
		if (i == 0)
			snprintf(pn, sizeof(pn), "%s", name);
		else
			snprintf(pn, sizeof(pn), "%s_representor_%u", name,
				 i - 1);
		if (rte_eth_dev_get_port_by_name(pn, &e->port[i]) != 0 ||
		    snic_env_port_setup(e->port[i], e->mp) != 0)
			return -1;
	}
	/* A VXLAN underlay: room for a 1500-byte VM packet plus the IPv6
	 * encapsulation, else encap rules are refused (N-15). */
	return rte_eth_dev_set_mtu(e->port[0], SNIC_ENV_UPLINK_MTU) == 0 ? 0 :
									    -1;
}

static inline void
snic_env_destroy(struct snic_env *e)
{
	void *m = NULL;

	for (unsigned int i = 0; i < e->n; i++)
		while (e->upr[i] < e->nup[i])
			rte_pktmbuf_free(e->up[i][e->upr[i]++]);
	rte_vdev_uninit(e->name);
	for (unsigned int i = 0; i < e->n; i++) {
		while (rte_ring_dequeue(e->wire[i].out, &m) == 0)
			rte_pktmbuf_free(m);
		while (rte_ring_dequeue(e->wire[i].in, &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(e->wire[i].in);
		rte_ring_free(e->wire[i].out);
	}
}

/** The wire (or the VM) of port i sends a frame. */
static inline int
snic_env_inject(struct snic_env *e, unsigned int i, const void *frame,
		uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->mp);
	char *d;

	if (m == NULL)
		return -1;
	d = rte_pktmbuf_append(m, len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(d, frame, len);
	if (rte_ring_enqueue(e->wire[i].in, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/** Run the NIC until it is idle; collect upcalls of every port. */
static inline void
snic_env_poll(struct snic_env *e)
{
	struct rte_mbuf *pkts[32];

	for (int round = 0; round < 64; round++) {
		unsigned int got = 0;

		for (unsigned int i = 0; i < e->n; i++) {
			uint16_t n = rte_eth_rx_burst(e->port[i], 0, pkts, 32);

			for (uint16_t j = 0; j < n; j++) {
				if (e->nup[i] < SNIC_ENV_UPQ)
					e->up[i][e->nup[i]++] = pkts[j];
				else
					rte_pktmbuf_free(pkts[j]);
			}
			got += n;
		}
		if (got == 0 && round > 2)
			break;
	}
}

static inline void
snic_env_copy(const struct rte_mbuf *m, void *buf, int len)
{
	const void *p = rte_pktmbuf_read(m, 0, len, buf);

	if (p != NULL && p != buf)
		memcpy(buf, p, len);
}

/** Next frame the NIC sent on underlying port i; length or -1 if none. */
static inline int
snic_env_wire_read(struct snic_env *e, unsigned int i, void *buf,
		   uint16_t size)
{
	struct rte_mbuf *m;
	int len;

	if (rte_ring_dequeue(e->wire[i].out, (void **)&m) != 0)
		return -1;
	len = (int)rte_pktmbuf_pkt_len(m);
	if (len > size)
		len = size;
	snic_env_copy(m, buf, len);
	rte_pktmbuf_free(m);
	return len;
}

/** Frames waiting on underlying port i's wire. */
static inline unsigned int
snic_env_wire_count(struct snic_env *e, unsigned int i)
{
	return rte_ring_count(e->wire[i].out);
}

/** Next upcalled frame of port i (after snic_env_poll); -1 if none. */
static inline int
snic_env_upcall_read(struct snic_env *e, unsigned int i, void *buf,
		     uint16_t size, uint16_t *tag)
{
	struct rte_mbuf *m;
	int len;

	if (e->upr[i] >= e->nup[i])
		return -1;
	m = e->up[i][e->upr[i]++];
	len = (int)rte_pktmbuf_pkt_len(m);
	if (len > size)
		len = size;
	snic_env_copy(m, buf, len);
	if (tag != NULL)
		*tag = rte_pmd_snic_tag_get(m);
	rte_pktmbuf_free(m);
	return len;
}

/** Number of upcalled frames of port i not yet read. */
static inline unsigned int
snic_env_upcall_count(struct snic_env *e, unsigned int i)
{
	return e->nup[i] - e->upr[i];
}

/** Rules of one flow type on every snic port, through the dump API (N-13);
 * -1 if the dump cannot start. */
static inline int
snic_env_count_rules(uint32_t type)
{
	const struct rte_flow_item *pat[64];
	const struct rte_flow_action *act[64];
	uint32_t n;
	void *ctx;
	int total = 0;

	if (rte_flow_dump_start(&ctx, type) != 0)
		return -1;
	while (rte_flow_dump_next(ctx, RTE_DIM(pat), &n, pat, act) == 0 &&
	       n > 0)
		total += (int)n;
	rte_flow_dump_done(ctx);
	return total;
}

/** Value of the named xstat of a snic port, or UINT64_MAX. */
static inline uint64_t
snic_env_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/*
 * A test program's main(): given eal_rc (its EAL init's result), switch e
 * (name, nvf VFs, devargs args) is created, the cases run, then cleanup
 * (when not NULL), the switch and the EAL go. Returns main()'s status.
 */
static inline int
snic_env_main(int eal_rc, struct snic_env *e, const char *name,
	      unsigned int nvf, const char *args,
	      const struct nf_test_case *cases, unsigned int n,
	      void (*cleanup)(void))
{
	int rc;

	if (eal_rc != 0 || snic_env_create(e, name, nvf, args) != 0) {
		printf("cannot set up the test switch\n0 passed, 1 failed\n");
		return 1;
	}
	rc = nf_test_run(cases, n);
	if (cleanup != NULL)
		cleanup();
	snic_env_destroy(e);
	rte_eal_cleanup();
	return rc;
}

#endif /* SNIC_ENV_H */
