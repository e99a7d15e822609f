/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * bench_latency: traffic generator and sink in one loop, for latency at a
 * fraction of the measured throughput (P-1: mean and max at 10 %, 50 % and
 * 90 %), through a device under test in another process.
 *
 *   bench_latency <EAL args: two ports> -- --pcap FILE
 *       [--loads max,0.1,0.5,0.9] [--warm S] [--dur S] [--burst N]
 *       [--link-wait S] [--exclude-pid PID ...] [--hold] [--rxqs N]
 *       [--len-delta D]
 *
 * Port 0 transmits, port 1 receives: bench/compare gives two memif clients
 * (net_memif,role=client) whose servers are the DUT's input and output
 * ports, so the DUT (testpmd io, OVS-DPDK, testpmd + net_snic) runs in its
 * own process and on its own core, as it does for the throughput figures.
 *
 * Frames are the pcap's (bench/gen_traffic.py), sent in a round robin;
 * the last 16 bytes of each, zero padding in the generator's frames, get
 * a stamp: magic, run tag, sequence number, TSC at transmission. The
 * stamp sits at the end so encapsulation and decapsulation, which change
 * the headers, leave it where the sink looks. One lcore does both ends,
 * so the stamp and the receive time come from the same TSC: no clock
 * synchronisation.
 *
 * --rxqs: receive queues of port 1, all polled. A memif client must not
 * have more rings than its server has queues, and a server transmits on
 * every one of its tx queues: OVS-DPDK gives each of its threads one (2).
 *
 * Before the first load, one frame at a time is sent until one comes back
 * (up to --link-wait seconds): a DUT that has just seen its link come up
 * may take a moment to poll the port or install its datapath flow.
 *
 * Each load runs --warm seconds (not recorded), --dur seconds recorded,
 * then 0.1 s without sending so the stragglers come home. "max" sends a
 * burst every iteration, as fast as the loop goes: its receive rate is the
 * measured maximum of the whole loop (generator + DUT), and a fraction f
 * is paced at f times the last "max" result: every iteration sends what
 * is due since the start (at most --burst), so frames are spread evenly
 * rather than sent in bursts of 32.
 *
 * A frame counts once, and only with the length it was sent with plus
 * --len-delta (encapsulation adds 50): the sequence number finds both a
 * second copy (dup) and the pcap frame it was (bad_len). Both are left
 * out of recv and the latency: memif, on a ring that fills in the middle
 * of a chained (jumbo) frame, has been seen to deliver pieces of one.
 *
 * Output, one line per load:
 *   lat load=L rate_mpps=R sent=S recv=N lost=X tx_full=F mean_ns=..
 *       p50_ns=.. p99_ns=.. max_ns=.. min_ns=.. dup=D bad_len=B others=O
 * tx_full counts frames the input port refused (its ring full: the DUT
 * did not keep up); they count as lost. others is the CPU (in cores) used
 * during the recorded window by processes other than this one and the
 * --exclude-pid ones (the DUT).
 *
 * --hold: after the last load, print "# hold" and keep the ports up until
 * stdin closes, so the caller can read the DUT's port counters first
 * (memif's counters restart when the peer disconnects).
 *
 * Limits: the latency includes two memif copies and both poll loops (the
 * DUT's and this one), so it is the DUT's plus a fixed harness part that
 * the testpmd io configuration shows; a 10 ns histogram up to 2 ms
 * (percentiles in its last bucket read as 1999.99 us: beyond; max is
 * exact).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define MAGIC 0x4e46u            /* "NF" */
#define SEEN_BITS (1u << 27)     /* frames per load checked for copies */
#define STAMP_LEN 16
#define BURST_MAX 64
#define HIST_NS 10
#define HIST_N 200000            /* 2 ms */
#define MAX_LOADS 16
#define MAX_PIDS 8
#define TX_PORT 0
#define RX_PORT 1

struct stamp {
	uint16_t magic;
	uint16_t tag;
	uint32_t seq;
	uint64_t tsc;
};

struct frames {
	uint8_t **data;
	uint16_t *len;
	uint32_t n;
	uint32_t max_len;
};

struct opts {
	const char *pcap;
	double loads[MAX_LOADS];     /* 0: max */
	unsigned int n_loads;
	double warm, dur, link_wait;
	unsigned int burst;
	int pids[MAX_PIDS];
	unsigned int n_pids;
	bool hold;
	uint16_t rxqs;
	int len_delta;
};

struct result {
	uint64_t sent, recv, tx_full, sum_ns, max_ns, min_ns, dup, bad_len;
	double rate, others;
	uint32_t *hist;
	uint64_t *seen;          /* SEEN_BITS bits */
};

static uint64_t hz;

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s <EAL args> -- --pcap FILE [--loads "
		"max,0.1,0.5,0.9] [--warm S] [--dur S] [--burst N] "
		"[--link-wait S] [--exclude-pid PID ...] [--hold] [--rxqs N] "
		"[--len-delta D]\n", prog);
	exit(2);
}

static int
parse_loads(struct opts *o, char *s)
{
	char *tok, *save = NULL;

	o->n_loads = 0;
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_loads == MAX_LOADS)
			return -1;
		if (strcmp(tok, "max") == 0) {
			o->loads[o->n_loads++] = 0;
			continue;
		}
		o->loads[o->n_loads] = atof(tok);
		if (o->loads[o->n_loads] <= 0 || o->loads[o->n_loads] > 1)
			return -1;
		o->n_loads++;
	}
	/* a fraction needs a measured maximum before it */
	return o->n_loads > 0 && o->loads[0] == 0 ? 0 : -1;
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{"pcap", required_argument, NULL, 'p'},
		{"loads", required_argument, NULL, 'l'},
		{"warm", required_argument, NULL, 'w'},
		{"dur", required_argument, NULL, 'd'},
		{"burst", required_argument, NULL, 'b'},
		{"link-wait", required_argument, NULL, 'k'},
		{"exclude-pid", required_argument, NULL, 'x'},
		{"hold", no_argument, NULL, 'H'},
		{"rxqs", required_argument, NULL, 'q'},
		{"len-delta", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	char loads[] = "max,0.1,0.5,0.9";
	int c;

	memset(o, 0, sizeof(*o));
	o->warm = 1;
	o->dur = 2;
	o->burst = 32;
	o->link_wait = 10;
	o->rxqs = 1;
	parse_loads(o, loads);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pcap = optarg;
			break;
		case 'l':
			if (parse_loads(o, optarg) < 0) {
				fprintf(stderr, "--loads: max first, then "
					"fractions in (0, 1]\n");
				exit(2);
			}
			break;
		case 'w':
			o->warm = atof(optarg);
			break;
		case 'd':
			o->dur = atof(optarg);
			break;
		case 'b':
			o->burst = (unsigned int)atoi(optarg);
			if (o->burst < 1 || o->burst > BURST_MAX)
				usage(argv[0]);
			break;
		case 'k':
			o->link_wait = atof(optarg);
			break;
		case 'x':
			if (o->n_pids == MAX_PIDS)
				usage(argv[0]);
			o->pids[o->n_pids++] = atoi(optarg);
			break;
		case 'H':
			o->hold = true;
			break;
		case 'D':
			o->len_delta = atoi(optarg);
			break;
		case 'q':
			o->rxqs = (uint16_t)atoi(optarg);
			if (o->rxqs < 1 || o->rxqs > 8)
				usage(argv[0]);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (o->pcap == NULL || o->dur <= 0 || o->warm < 0)
		usage(argv[0]);
}

/* The pcap's frames; each must end in STAMP_LEN zero bytes (payload
 * padding), so the stamp never overwrites a header. */
static int
load_pcap(const char *path, struct frames *f)
{
	uint32_t gh[6], rh[4], cap = 0;
	FILE *in = fopen(path, "rb");
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (in == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(gh, 4, 6, in) != 6 || gh[0] != 0xa1b2c3d4u) {
		fprintf(stderr, "%s: not a little-endian pcap\n", path);
		goto out;
	}
	while (fread(rh, 4, 4, in) == 4) {
		uint8_t *d;
		uint32_t k;

		if (rh[2] < 60 || rh[2] > UINT16_MAX || rh[2] != rh[3]) {
			fprintf(stderr, "%s: frame %u: %u bytes (%u on the "
				"wire)\n", path, f->n, rh[2], rh[3]);
			goto out;
		}
		if (f->n == cap) {
			cap = cap ? 2 * cap : 1024;
			f->data = realloc(f->data, cap * sizeof(*f->data));
			f->len = realloc(f->len, cap * sizeof(*f->len));
			if (f->data == NULL || f->len == NULL)
				goto out;
		}
		d = malloc(rh[2]);
		if (d == NULL || fread(d, 1, rh[2], in) != rh[2]) {
			free(d);
			fprintf(stderr, "%s: truncated\n", path);
			goto out;
		}
		for (k = rh[2] - STAMP_LEN; k < rh[2]; k++)
			if (d[k] != 0)
				break;
		if (k != rh[2]) {
			free(d);
			fprintf(stderr, "%s: frame %u has no %d zero bytes at "
				"its end for the stamp\n", path, f->n,
				STAMP_LEN);
			goto out;
		}
		f->data[f->n] = d;
		f->len[f->n++] = (uint16_t)rh[2];
		if (rh[2] > f->max_len)
			f->max_len = rh[2];
	}
	rc = f->n > 0 ? 0 : -1;
	if (rc)
		fprintf(stderr, "%s: no frames\n", path);
out:
	fclose(in);
	return rc;
}

static int
port_setup(uint16_t port, struct rte_mempool *mp, uint16_t rxqs)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc)
		return rc;
	/* frames bigger than one mbuf (jumbo) go out as chains */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	rc = rte_eth_dev_configure(port, rxqs, 1, &conf);
	for (q = 0; rc == 0 && q < rxqs; q++)
		rc = rte_eth_rx_queue_setup(port, q, 1024,
					    rte_eth_dev_socket_id(port), NULL,
					    mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 1024,
					    rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

static int
wait_links(double secs)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(secs * (double)hz);
	struct rte_eth_link l0, l1;

	do {
		if (rte_eth_link_get_nowait(TX_PORT, &l0) == 0 &&
		    rte_eth_link_get_nowait(RX_PORT, &l1) == 0 &&
		    l0.link_status && l1.link_status)
			return 0;
		rte_delay_ms(10);
	} while (rte_rdtsc() < end);
	return -1;
}

/* Jiffies of the machine (busy, all) and of the excluded processes. */
static void
cpu_snap(const struct opts *o, uint64_t v[3])
{
	unsigned long long s[8] = {0}, ut, st;
	char path[64], buf[1024], *p;
	unsigned int i;
	FILE *f = fopen("/proc/stat", "r");

	v[0] = v[1] = v[2] = 0;
	if (f != NULL) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
			   &s[7]) == 8) {
			v[0] = s[0] + s[1] + s[2] + s[5] + s[6] + s[7];
			v[1] = v[0] + s[3] + s[4];
		}
		fclose(f);
	}
	for (i = 0; i <= o->n_pids; i++) {
		if (i == o->n_pids)
			snprintf(path, sizeof(path), "/proc/self/stat");
		else
			snprintf(path, sizeof(path), "/proc/%d/stat",
				 o->pids[i]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			   "%*u %llu %llu", &ut, &st) == 2)
			v[2] += ut + st;
		fclose(f);
	}
}

static inline void
stamp_put(struct rte_mbuf *m, uint16_t tag, uint32_t seq, uint64_t tsc)
{
	struct stamp s = { .magic = MAGIC, .tag = tag, .seq = seq, .tsc = tsc };
	struct rte_mbuf *seg = rte_pktmbuf_lastseg(m);

	/* the generator's chains end in a segment of >= STAMP_LEN bytes */
	memcpy(rte_pktmbuf_mtod_offset(seg, uint8_t *,
				       seg->data_len - STAMP_LEN),
	       &s, sizeof(s));
}

static inline const struct stamp *
stamp_get(const struct rte_mbuf *m, struct stamp *buf)
{
	if (m->pkt_len < STAMP_LEN)
		return NULL;
	return rte_pktmbuf_read(m, m->pkt_len - STAMP_LEN, STAMP_LEN, buf);
}

/* Copy frame f into a (possibly chained) mbuf from mp. */
static struct rte_mbuf *
frame_mbuf(struct rte_mempool *mp, const uint8_t *d, uint16_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(mp), *m = head;
	uint16_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint16_t off = 0;

	while (m != NULL) {
		uint16_t n = len - off;

		/* keep the last segment >= STAMP_LEN bytes */
		if (n > room)
			n = len - off - room < STAMP_LEN ? room - STAMP_LEN :
				room;
		memcpy(rte_pktmbuf_append(m, n), d + off, n);
		off += n;
		if (off == len)
			return head;
		m = rte_pktmbuf_alloc(mp);
		if (m != NULL && rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			m = NULL;
		}
	}
	rte_pktmbuf_free(head);
	return NULL;
}

/* Send one frame every millisecond until one comes back. */
static int
first_echo(const struct frames *fr, struct rte_mempool *mp, double secs,
	   uint16_t rxqs)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(secs * (double)hz);
	struct rte_mbuf *m, *rx[BURST_MAX];
	uint16_t n, i, q;

	do {
		m = frame_mbuf(mp, fr->data[0], fr->len[0]);
		if (m != NULL) {
			stamp_put(m, 0, 0, rte_rdtsc());
			if (rte_eth_tx_burst(TX_PORT, 0, &m, 1) == 0)
				rte_pktmbuf_free(m);
		}
		rte_delay_ms(1);
		for (q = 0; q < rxqs; q++) {
			n = rte_eth_rx_burst(RX_PORT, q, rx, BURST_MAX);
			for (i = 0; i < n; i++) {
				struct stamp buf;
				const struct stamp *s = stamp_get(rx[i], &buf);

				if (s != NULL && s->magic == MAGIC)
					break;
			}
			rte_pktmbuf_free_bulk(rx, n);
			if (i < n)
				return 0;
		}
	} while (rte_rdtsc() < end);
	return -1;
}

static void
hist_pct(const struct result *r, double q, uint64_t *ns)
{
	uint64_t want = (uint64_t)((double)r->recv * q), acc = 0;
	uint32_t i;

	for (i = 0; i < HIST_N; i++) {
		acc += r->hist[i];
		if (acc > want) {
			*ns = (uint64_t)i * HIST_NS;
			return;
		}
	}
	*ns = (uint64_t)HIST_N * HIST_NS;
}

/* Count frame m, stamped s, received at TSC t, if it is the first copy
 * of a frame of the recorded window of this load, whole. */
static inline void
sink(const struct opts *o, const struct frames *fr, struct result *r,
     const struct rte_mbuf *m, const struct stamp *s, uint16_t tag,
     uint64_t t)
{
	uint64_t ns, bit = 1ull << (s->seq % 64);

	if (s->magic != MAGIC || s->tag != (tag | 1))
		return;
	if (m->pkt_len != (uint32_t)(fr->len[s->seq % fr->n] + o->len_delta)) {
		r->bad_len++;
		return;
	}
	if (s->seq < SEEN_BITS) {
		if (r->seen[s->seq / 64] & bit) {
			r->dup++;
			return;
		}
		r->seen[s->seq / 64] |= bit;
	}
	ns = (t - s->tsc) * 1000000000ull / hz;
	r->recv++;
	r->sum_ns += ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	if (ns < r->min_ns)
		r->min_ns = ns;
	r->hist[ns / HIST_NS < HIST_N ? ns / HIST_NS : HIST_N - 1]++;
}

static void
run_load(const struct opts *o, const struct frames *fr,
	 struct rte_mempool *mp, uint16_t tag, double rate, struct result *r)
{
	struct rte_mbuf *tx[BURST_MAX], *rx[BURST_MAX];
	uint64_t t0 = rte_rdtsc();
	uint64_t t_meas = t0 + (uint64_t)(o->warm * (double)hz);
	uint64_t t_end = t_meas + (uint64_t)(o->dur * (double)hz);
	uint64_t t_drain = t_end + hz / 10;
	uint64_t paced = 0, c0[3], c1[3];
	double per_tick = rate / (double)hz;
	bool measuring = false;
	uint32_t k = 0, seq = 0, seqs[BURST_MAX];
	uint16_t q = 0;

	memset(r->hist, 0, HIST_N * sizeof(*r->hist));
	memset(r->seen, 0, SEEN_BITS / 8);
	r->sent = r->recv = r->tx_full = r->sum_ns = r->max_ns = 0;
	r->dup = r->bad_len = 0;
	r->min_ns = UINT64_MAX;
	for (;;) {
		uint64_t now = rte_rdtsc();
		uint16_t n, i, ok;

		if (now >= t_drain)
			break;
		if (!measuring && now >= t_meas) {
			measuring = true;
			cpu_snap(o, c0);
		}
		n = rte_eth_rx_burst(RX_PORT, q, rx, BURST_MAX);
		q = q + 1 == o->rxqs ? 0 : q + 1;
		if (n > 0) {
			uint64_t t = rte_rdtsc();

			for (i = 0; i < n; i++) {
				struct stamp buf;
				const struct stamp *s = stamp_get(rx[i], &buf);

				if (s != NULL)
					sink(o, fr, r, rx[i], s, tag, t);
			}
			rte_pktmbuf_free_bulk(rx, n);
		}
		if (now >= t_end)
			continue;
		n = (uint16_t)o->burst;
		if (rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) *
						  per_tick);

			if (due <= paced)
				continue;
			if (due - paced < n)
				n = (uint16_t)(due - paced);
		}
		/* seq % fr->n is the frame's index: the sink checks the
		 * length against it */
		for (i = 0; i < n; i++) {
			tx[i] = frame_mbuf(mp, fr->data[k], fr->len[k]);
			if (tx[i] == NULL)
				break;
			seqs[i] = seq++;
			k = k + 1 == fr->n ? 0 : k + 1;
		}
		n = i;
		now = rte_rdtsc();
		for (i = 0; i < n; i++)
			stamp_put(tx[i], tag | (now >= t_meas), seqs[i], now);
		ok = rte_eth_tx_burst(TX_PORT, 0, tx, n);
		if (ok < n)
			rte_pktmbuf_free_bulk(tx + ok, n - ok);
		/* refused frames are not retried: pacing stays on time */
		paced += n;
		if (now >= t_meas) {
			r->sent += n;
			r->tx_full += n - ok;
		}
	}
	cpu_snap(o, c1);
	r->rate = (double)r->recv / o->dur;
	r->others = 0;
	if (c1[1] - c0[1] >= 20) {
		double busy = (double)(c1[0] - c0[0]) - (double)(c1[2] - c0[2]);

		r->others = busy > 0 ? busy / (double)(c1[1] - c0[1]) *
			(double)sysconf(_SC_NPROCESSORS_ONLN) : 0;
	}
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct frames fr;
	struct result r;
	struct opts o;
	double max_rate = 0;
	unsigned int i, seg_room, nsegs;
	int n = rte_eal_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	argv[n] = argv[0];
	parse_args(&o, argc - n, argv + n);
	hz = rte_get_tsc_hz();
	if (load_pcap(o.pcap, &fr) < 0)
		return 1;
	if (rte_eth_dev_count_avail() != 2) {
		fprintf(stderr, "need exactly two ports (tx, rx), have %u\n",
			rte_eth_dev_count_avail());
		return 1;
	}
	/* 2 KB buffers, chained for jumbo frames, as a NIC's rx ring would
	 * deliver them; the pool covers both rings and a burst in flight */
	seg_room = RTE_MBUF_DEFAULT_DATAROOM;
	nsegs = (fr.max_len + seg_room - 1) / seg_room + 1;
	mp = rte_pktmbuf_pool_create("lat", 8191 * nsegs, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	r.hist = calloc(HIST_N, sizeof(*r.hist));
	r.seen = calloc(SEEN_BITS / 64, sizeof(*r.seen));
	if (mp == NULL || r.hist == NULL || r.seen == NULL) {
		fprintf(stderr, "no memory for the pool (-m)\n");
		return 1;
	}
	if (port_setup(TX_PORT, mp, 1) || port_setup(RX_PORT, mp, o.rxqs)) {
		fprintf(stderr, "port setup failed\n");
		return 1;
	}
	if (wait_links(o.link_wait) < 0) {
		fprintf(stderr, "links not up after %.0f s (is the DUT "
			"running?)\n", o.link_wait);
		return 1;
	}
	if (first_echo(&fr, mp, o.link_wait, o.rxqs) < 0) {
		fprintf(stderr, "no frame came back in %.0f s: the DUT does "
			"not forward\n", o.link_wait);
		return 1;
	}
	printf("# %u frames from %s, up to %u B; tsc %.3f GHz\n", fr.n,
	       o.pcap, fr.max_len, (double)hz / 1e9);
	fflush(stdout);
	for (i = 0; i < o.n_loads; i++) {
		double rate = o.loads[i] == 0 ? 0 : o.loads[i] * max_rate;
		uint64_t p50, p99;

		run_load(&o, &fr, mp, (uint16_t)((i + 1) << 1), rate, &r);
		if (o.loads[i] == 0)
			max_rate = r.rate;
		hist_pct(&r, 0.5, &p50);
		hist_pct(&r, 0.99, &p99);
		if (o.loads[i] == 0)
			printf("lat load=max");
		else
			printf("lat load=%.2f", o.loads[i]);
		printf(" rate_mpps=%.4f sent=%" PRIu64 " recv=%" PRIu64
		       " lost=%" PRId64 " tx_full=%" PRIu64 " mean_ns=%.0f"
		       " p50_ns=%" PRIu64 " p99_ns=%" PRIu64 " max_ns=%"
		       PRIu64 " min_ns=%" PRIu64 " dup=%" PRIu64 " bad_len=%"
		       PRIu64 " others=%.2f\n",
		       r.rate / 1e6, r.sent, r.recv,
		       (int64_t)(r.sent - r.recv), r.tx_full,
		       r.recv ? (double)r.sum_ns / (double)r.recv : 0.0,
		       p50, p99, r.max_ns, r.recv ? r.min_ns : 0, r.dup,
		       r.bad_len, r.others);
		fflush(stdout);
		if (r.recv == 0) {
			fprintf(stderr, "nothing came back\n");
			return 1;
		}
	}
	if (o.hold) {
		printf("# hold\n");
		fflush(stdout);
		while (getchar() != EOF)
			;
	}
	rte_eth_dev_stop(TX_PORT);
	rte_eth_dev_stop(RX_PORT);
	rte_eal_cleanup();
	return 0;
}
