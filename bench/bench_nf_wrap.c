/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Where a new flow's time goes, without touching vswitch/: the nicflowd
 * benchmarks are linked with -Wl,--wrap=<fn> for the functions below, so
 * the calls vs_datapath.c and vs_flow.c make land here first. With
 * nfb_prof.on each wrapper reads the TSC around the real function and adds
 * the cycles up under the context the benchmark set (nfb_step: datapath or
 * offload); otherwise it only calls the real function. Two TSC reads cost
 * ~20-40 ns, so the benchmarks report flow rates from runs without
 * profiling and the breakdown from a separate, profiled run.
 */

#include "bench_nf.h"

struct nfb_prof nfb_prof;

enum vs_verdict __real_vs_xlate(struct vs_switch *vs,
				const struct vs_flow_key *k,
				struct vs_xlate_out *out);
enum vs_verdict __wrap_vs_xlate(struct vs_switch *vs,
				const struct vs_flow_key *k,
				struct vs_xlate_out *out);
struct vs_flow *__real_vs_flow_account(struct vs_switch *vs,
				       const struct vs_flow_key *k,
				       const struct vs_acts *acts,
				       uint32_t len, uint64_t now);
struct vs_flow *__wrap_vs_flow_account(struct vs_switch *vs,
				       const struct vs_flow_key *k,
				       const struct vs_acts *acts,
				       uint32_t len, uint64_t now);
int __real_vs_rule_build(const struct vs_flow_key *k,
			 const struct vs_acts *acts, uint32_t count_id,
			 struct vs_rule *r, char *err, size_t errlen);
int __wrap_vs_rule_build(const struct vs_flow_key *k,
			 const struct vs_acts *acts, uint32_t count_id,
			 struct vs_rule *r, char *err, size_t errlen);
int __real_vs_exec_apply(const struct vs_acts *a, struct rte_mbuf *m,
			 const struct nf_flow_key *k,
			 const struct nf_pkt_layout *lay);
int __wrap_vs_exec_apply(const struct vs_acts *a, struct rte_mbuf *m,
			 const struct nf_flow_key *k,
			 const struct nf_pkt_layout *lay);
struct rte_flow *__real_rte_flow_create(uint16_t port_id,
					const struct rte_flow_attr *attr,
					const struct rte_flow_item pattern[],
					const struct rte_flow_action actions[],
					struct rte_flow_error *error);
struct rte_flow *__wrap_rte_flow_create(uint16_t port_id,
					const struct rte_flow_attr *attr,
					const struct rte_flow_item pattern[],
					const struct rte_flow_action actions[],
					struct rte_flow_error *error);

#define TIMED(slot, call) do {						\
	uint64_t t0_ = rte_rdtsc();					\
	call;								\
	nfb_prof.cyc[slot] += rte_rdtsc() - t0_;			\
	nfb_prof.calls[slot]++;						\
} while (0)

enum vs_verdict
__wrap_vs_xlate(struct vs_switch *vs, const struct vs_flow_key *k,
		struct vs_xlate_out *out)
{
	enum vs_verdict v;

	if (!nfb_prof.on || nfb_prof.ctx != NFB_CTX_DP)
		return __real_vs_xlate(vs, k, out);
	TIMED(NFB_P_XLATE, v = __real_vs_xlate(vs, k, out));
	return v;
}

struct vs_flow *
__wrap_vs_flow_account(struct vs_switch *vs, const struct vs_flow_key *k,
		       const struct vs_acts *acts, uint32_t len, uint64_t now)
{
	struct vs_flow *f;

	if (!nfb_prof.on || nfb_prof.ctx != NFB_CTX_DP)
		return __real_vs_flow_account(vs, k, acts, len, now);
	TIMED(NFB_P_ACCOUNT, f = __real_vs_flow_account(vs, k, acts, len,
							 now));
	return f;
}

int
__wrap_vs_rule_build(const struct vs_flow_key *k, const struct vs_acts *acts,
		     uint32_t count_id, struct vs_rule *r, char *err,
		     size_t errlen)
{
	int rc;

	if (!nfb_prof.on || nfb_prof.ctx == NFB_CTX_OTHER)
		return __real_vs_rule_build(k, acts, count_id, r, err, errlen);
	TIMED(nfb_prof.ctx == NFB_CTX_DP ? NFB_P_BUILD_DP : NFB_P_BUILD_OFF,
	      rc = __real_vs_rule_build(k, acts, count_id, r, err, errlen));
	return rc;
}

int
__wrap_vs_exec_apply(const struct vs_acts *a, struct rte_mbuf *m,
		     const struct nf_flow_key *k,
		     const struct nf_pkt_layout *lay)
{
	int rc;

	if (!nfb_prof.on || nfb_prof.ctx != NFB_CTX_DP)
		return __real_vs_exec_apply(a, m, k, lay);
	TIMED(NFB_P_EXEC, rc = __real_vs_exec_apply(a, m, k, lay));
	return rc;
}

struct rte_flow *
__wrap_rte_flow_create(uint16_t port_id, const struct rte_flow_attr *attr,
		       const struct rte_flow_item pattern[],
		       const struct rte_flow_action actions[],
		       struct rte_flow_error *error)
{
	struct rte_flow *f;

	if (!nfb_prof.on || nfb_prof.ctx != NFB_CTX_OFFLOAD)
		return __real_rte_flow_create(port_id, attr, pattern, actions,
					      error);
	TIMED(NFB_P_CREATE, f = __real_rte_flow_create(port_id, attr, pattern,
						       actions, error));
	return f;
}
