/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * QoS: rte_mtr on every snic port (spec §8(二), N-16), on DPDK's rte_meter.
 *
 * Objects, all per port (the rte_mtr namespace is the port):
 *   profiles  srTCM (RFC 2697), trTCM (RFC 2698, RFC 4115), byte mode;
 *   policies  per colour: pass or drop; policy 0 is built in (green and
 *             yellow pass, red dropped) and cannot be replaced;
 *   meters    mtr_id's top two bits give the direction (rte_pmd_snic.h):
 *             0 a flow meter for METER actions, 1 VM → NIC, 2 NIC → VM;
 *             at most one meter per port and direction 1 or 2.
 *
 * Control operations take sw->lock. A port meter is published in
 * port->meter[] and its configuration in meter->cfg with release stores;
 * whatever the datapath may still read (an old cfg, a destroyed meter) is
 * freed after an RCU grace period (snic_rcu.c), as rules and ACL snapshots
 * are. The token buckets are the datapath's alone (snic_mtr.h).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_mtr_driver.h>

#include "snic_mtr.h"

#define SNIC_MTR_MAX_METERS 1024   /* per port, all directions */
#define SNIC_MTR_MAX_PROFILES 256  /* per port */
#define SNIC_MTR_MAX_POLICIES 64   /* per port, the built-in one included */
#define SNIC_MTR_RATE_MAX (100ull * 1000 * 1000 * 1000 / 8) /* 100G, B/s */

#define SNIC_MTR_STATS_ALL (RTE_MTR_STATS_N_PKTS_GREEN | \
	RTE_MTR_STATS_N_PKTS_YELLOW | RTE_MTR_STATS_N_PKTS_RED | \
	RTE_MTR_STATS_N_PKTS_DROPPED | RTE_MTR_STATS_N_BYTES_GREEN | \
	RTE_MTR_STATS_N_BYTES_YELLOW | RTE_MTR_STATS_N_BYTES_RED | \
	RTE_MTR_STATS_N_BYTES_DROPPED)

/* Profiles and policies are both id-keyed, refcounted (by the meters using
 * them) per-port objects with the same add/find/delete rules and errors;
 * this header, first in each, lets one piece of code handle both. */
struct snic_mtr_obj {
	uint32_t id;
	uint32_t refcnt;          /* meters using it */
	struct snic_mtr_obj *next;
};

enum snic_mobj_kind {
	SNIC_MOBJ_PROFILE,
	SNIC_MOBJ_POLICY,
	SNIC_MOBJ_KINDS,
};

/* What differs between the kinds: the words of the messages, the
 * rte_mtr error type of their ids and their per-port limit. */
static const struct {
	const char *name;                 /* "meter <name> %u ..." */
	const char *plural;
	enum rte_mtr_error_type id_type;
	uint32_t max;                     /* per port, built-in ones included */
	uint32_t builtin;                 /* counted in max, not in the list */
} snic_mobj_kind[SNIC_MOBJ_KINDS] = {
	[SNIC_MOBJ_PROFILE] = {
		"profile", "profiles", RTE_MTR_ERROR_TYPE_METER_PROFILE_ID,
		SNIC_MTR_MAX_PROFILES, 0,
	},
	[SNIC_MOBJ_POLICY] = {
		"policy", "policies", RTE_MTR_ERROR_TYPE_METER_POLICY_ID,
		SNIC_MTR_MAX_POLICIES, 1,
	},
};

struct snic_mtr_profile {
	struct snic_mtr_obj obj;  /* first: the lists hold &obj */
	struct snic_mtr_cfg cfg;  /* alg and rte_meter profile (gen, drop 0) */
};

struct snic_mtr_policy {
	struct snic_mtr_obj obj;  /* first: the lists hold &obj */
	uint8_t drop;             /* bit per colour */
};

struct snic_mtr_ctx {
	/* Per kind; the built-in policy is not in its list. */
	struct snic_mtr_obj *objs[SNIC_MOBJ_KINDS];
	uint32_t n_objs[SNIC_MOBJ_KINDS];
	struct snic_mtr_policy def;       /* RTE_PMD_SNIC_MTR_POLICY_DEFAULT */
	struct snic_mtr *meters;
	uint32_t n_meters;
	uint64_t gen;                     /* last profile generation given */
};

static const char *const snic_mtr_dir_name[] = {
	"flow", "vm_to_nic", "nic_to_vm", "invalid",
};
static const char *const snic_color_name[RTE_COLORS] = {
	"green", "yellow", "red",
};

/* rte_mtr_error with a formatted message that names the bad field; the
 * buffer is per thread and lives until the thread's next refusal (as
 * snic_err() does for rte_flow). Returns -code. */
static int __rte_format_printf(5, 6)
snic_mtr_err(struct rte_mtr_error *err, int code, enum rte_mtr_error_type type,
	     const void *cause, const char *fmt, ...)
{
	static __thread char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return -rte_mtr_error_set(err, code, type, cause, msg);
}

static struct snic_port *
snic_mtr_port(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/* The port's context, created on first use (lock held). */
static struct snic_mtr_ctx *
snic_mtr_ctx(struct snic_port *port, struct rte_mtr_error *err)
{
	struct snic_mtr_ctx *c = port->mtr;

	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snic_mtr_err(err, ENOMEM, RTE_MTR_ERROR_TYPE_UNSPECIFIED, NULL,
			     "port %u: out of memory for meters",
			     port->port_id);
		return NULL;
	}
	c->def.obj.id = RTE_PMD_SNIC_MTR_POLICY_DEFAULT;
	c->def.drop = 1u << RTE_COLOR_RED;
	port->mtr = c;
	return c;
}

#define SNIC_PROFILE_OF(o) container_of(o, struct snic_mtr_profile, obj)
#define SNIC_POLICY_OF(o) container_of(o, struct snic_mtr_policy, obj)

/* Object id of kind k in c (which may be NULL), the built-in policy
 * included; NULL with ENOENT set if there is none (lock held). */
static struct snic_mtr_obj *
snic_mobj_get(struct snic_mtr_ctx *c, enum snic_mobj_kind k, uint32_t id,
	      struct rte_mtr_error *err)
{
	struct snic_mtr_obj *o = NULL;

	if (c != NULL && k == SNIC_MOBJ_POLICY &&
	    id == RTE_PMD_SNIC_MTR_POLICY_DEFAULT)
		return &c->def.obj;
	for (o = c ? c->objs[k] : NULL; o != NULL; o = o->next)
		if (o->id == id)
			return o;
	snic_mtr_err(err, ENOENT, snic_mobj_kind[k].id_type, NULL,
		     "meter %s %u not found", snic_mobj_kind[k].name, id);
	return NULL;
}

/* Add a zeroed object of kind k and size bytes, its header first, with id
 * id to the port's list, into *out; the caller fills in the rest (lock
 * held). */
static int
snic_mobj_add(struct snic_port *port, enum snic_mobj_kind k, uint32_t id,
	      size_t size, struct snic_mtr_obj **out,
	      struct rte_mtr_error *err)
{
	struct snic_mtr_ctx *c = snic_mtr_ctx(port, err);
	struct snic_mtr_obj *o;

	if (c == NULL)
		return -ENOMEM;
	for (o = c->objs[k]; o != NULL; o = o->next)
		if (o->id == id)
			return snic_mtr_err(err, EEXIST,
					    snic_mobj_kind[k].id_type, NULL,
					    "meter %s %u exists",
					    snic_mobj_kind[k].name, id);
	if (c->n_objs[k] + snic_mobj_kind[k].builtin >= snic_mobj_kind[k].max)
		return snic_mtr_err(err, ENOSPC, snic_mobj_kind[k].id_type,
				    NULL, "port %u has %u meter %s, the maximum",
				    port->port_id, snic_mobj_kind[k].max,
				    snic_mobj_kind[k].plural);
	o = calloc(1, size);
	if (o == NULL)
		return snic_mtr_err(err, ENOMEM, RTE_MTR_ERROR_TYPE_UNSPECIFIED,
				    NULL, "meter %s %u: out of memory",
				    snic_mobj_kind[k].name, id);
	o->id = id;
	o->next = c->objs[k];
	c->objs[k] = o;
	c->n_objs[k]++;
	*out = o;
	return 0;
}

/* Delete object id of kind k unless a meter uses it. Meters copy what
 * they need into their cfg: the datapath never reads the object, it can
 * go now. */
static int
snic_mobj_delete(struct snic_port *port, enum snic_mobj_kind k, uint32_t id,
		 struct rte_mtr_error *err)
{
	struct snic_mtr_obj **pp, *o = NULL;
	int rc = 0;

	pthread_mutex_lock(&port->sw->lock);
	pp = port->mtr ? &port->mtr->objs[k] : NULL;
	while (pp != NULL && *pp != NULL && (*pp)->id != id)
		pp = &(*pp)->next;
	if (pp != NULL)
		o = *pp;
	if (o == NULL) {
		rc = snic_mtr_err(err, ENOENT, snic_mobj_kind[k].id_type, NULL,
				  "meter %s %u not found",
				  snic_mobj_kind[k].name, id);
	} else if (o->refcnt > 0) {
		rc = snic_mtr_err(err, EBUSY, snic_mobj_kind[k].id_type, NULL,
				  "meter %s %u in use by %u meters",
				  snic_mobj_kind[k].name, id, o->refcnt);
	} else {
		*pp = o->next;
		port->mtr->n_objs[k]--;
		free(o);
	}
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

static struct snic_mtr *
snic_meter_find(const struct snic_mtr_ctx *c, uint32_t id)
{
	for (struct snic_mtr *m = c->meters; m != NULL; m = m->next)
		if (m->id == id)
			return m;
	return NULL;
}

/* The meter mtr_id of the port, or NULL with ENOENT set (lock held). */
static struct snic_mtr *
snic_meter_get(struct snic_port *port, uint32_t id, struct rte_mtr_error *err)
{
	struct snic_mtr *m = port->mtr ? snic_meter_find(port->mtr, id) : NULL;

	if (m == NULL)
		snic_mtr_err(err, ENOENT, RTE_MTR_ERROR_TYPE_MTR_ID, NULL,
			     "meter %u (0x%x) not found on port %u", id, id,
			     port->port_id);
	return m;
}

/* ------------------------------------------------------- capabilities */

static int
snic_mtr_capabilities_get(struct rte_eth_dev *dev,
			  struct rte_mtr_capabilities *cap,
			  struct rte_mtr_error *err)
{
	RTE_SET_USED(dev);
	if (cap == NULL)
		return snic_mtr_err(err, EINVAL, RTE_MTR_ERROR_TYPE_UNSPECIFIED,
				    NULL, "capabilities: NULL argument");
	memset(cap, 0, sizeof(*cap));
	cap->n_max = SNIC_MTR_MAX_METERS;
	cap->n_shared_max = SNIC_MTR_MAX_METERS;
	cap->identical = 1;
	cap->shared_identical = 1;
	cap->shared_n_flows_per_mtr_max = UINT32_MAX;
	cap->chaining_n_mtrs_per_flow_max = 1;
	cap->meter_srtcm_rfc2697_n_max = SNIC_MTR_MAX_METERS;
	cap->meter_trtcm_rfc2698_n_max = SNIC_MTR_MAX_METERS;
	cap->meter_trtcm_rfc4115_n_max = SNIC_MTR_MAX_METERS;
	cap->meter_rate_max = SNIC_MTR_RATE_MAX;
	cap->meter_policy_n_max = SNIC_MTR_MAX_POLICIES;
	cap->srtcm_rfc2697_byte_mode_supported = 1;
	cap->trtcm_rfc2698_byte_mode_supported = 1;
	cap->trtcm_rfc4115_byte_mode_supported = 1;
	cap->stats_mask = SNIC_MTR_STATS_ALL;
	return 0;
}

/* ------------------------------------------------------- profiles */

static int
snic_rate_check(uint64_t rate, const char *name, struct rte_mtr_error *err,
		const void *cause)
{
	if (rate > SNIC_MTR_RATE_MAX)
		return snic_mtr_err(err, EINVAL,
				    RTE_MTR_ERROR_TYPE_METER_PROFILE, cause,
				    "%s %" PRIu64 " exceeds the maximum rate "
				    "%llu bytes/s", name, rate,
				    SNIC_MTR_RATE_MAX);
	return 0;
}

#define SNIC_PROF_REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			return snic_mtr_err(err, EINVAL, \
				RTE_MTR_ERROR_TYPE_METER_PROFILE, p, \
				__VA_ARGS__); \
	} while (0)

/* Check a profile and compute its rte_meter form into cfg. */
static int
snic_profile_parse(const struct rte_mtr_meter_profile *p,
		   struct snic_mtr_cfg *cfg, struct rte_mtr_error *err)
{
	int rc = 0;

	if (p == NULL)
		return snic_mtr_err(err, EINVAL,
				    RTE_MTR_ERROR_TYPE_METER_PROFILE, NULL,
				    "meter profile: NULL profile");
	if (p->packet_mode)
		return snic_mtr_err(err, ENOTSUP,
			RTE_MTR_ERROR_TYPE_METER_PROFILE_PACKET_MODE, p,
			"packet_mode is not supported: rates and bursts are in "
			"bytes");
	memset(cfg, 0, sizeof(*cfg));
	cfg->alg = p->alg;
	switch (p->alg) {
	case RTE_MTR_SRTCM_RFC2697: {
		struct rte_meter_srtcm_params sp = {
			.cir = p->srtcm_rfc2697.cir,
			.cbs = p->srtcm_rfc2697.cbs,
			.ebs = p->srtcm_rfc2697.ebs,
		};

		SNIC_PROF_REQUIRE(sp.cir > 0, "srtcm_rfc2697: cir must be > 0");
		SNIC_PROF_REQUIRE(sp.cbs > 0 || sp.ebs > 0,
			"srtcm_rfc2697: cbs and ebs cannot both be 0");
		rc = snic_rate_check(sp.cir, "cir", err, p);
		if (rc == 0)
			SNIC_PROF_REQUIRE(rte_meter_srtcm_profile_config(
				&cfg->prof.sr, &sp) == 0,
				"srtcm_rfc2697: refused by rte_meter");
		break;
	}
	case RTE_MTR_TRTCM_RFC2698: {
		struct rte_meter_trtcm_params tp = {
			.cir = p->trtcm_rfc2698.cir,
			.pir = p->trtcm_rfc2698.pir,
			.cbs = p->trtcm_rfc2698.cbs,
			.pbs = p->trtcm_rfc2698.pbs,
		};

		SNIC_PROF_REQUIRE(tp.cir > 0, "trtcm_rfc2698: cir must be > 0");
		SNIC_PROF_REQUIRE(tp.pir >= tp.cir,
			"trtcm_rfc2698: pir %" PRIu64 " must be >= cir %"
			PRIu64, tp.pir, tp.cir);
		SNIC_PROF_REQUIRE(tp.cbs > 0, "trtcm_rfc2698: cbs must be > 0");
		SNIC_PROF_REQUIRE(tp.pbs > 0, "trtcm_rfc2698: pbs must be > 0");
		rc = snic_rate_check(tp.pir, "pir", err, p);
		if (rc == 0)
			SNIC_PROF_REQUIRE(rte_meter_trtcm_profile_config(
				&cfg->prof.tr, &tp) == 0,
				"trtcm_rfc2698: refused by rte_meter");
		break;
	}
	case RTE_MTR_TRTCM_RFC4115: {
		struct rte_meter_trtcm_rfc4115_params tp = {
			.cir = p->trtcm_rfc4115.cir,
			.eir = p->trtcm_rfc4115.eir,
			.cbs = p->trtcm_rfc4115.cbs,
			.ebs = p->trtcm_rfc4115.ebs,
		};

		SNIC_PROF_REQUIRE(tp.cir > 0 || tp.eir > 0,
			"trtcm_rfc4115: cir and eir cannot both be 0");
		SNIC_PROF_REQUIRE(tp.cir == 0 || tp.cbs > 0,
			"trtcm_rfc4115: cbs must be > 0 when cir > 0");
		SNIC_PROF_REQUIRE(tp.eir == 0 || tp.ebs > 0,
			"trtcm_rfc4115: ebs must be > 0 when eir > 0");
		rc = snic_rate_check(tp.cir, "cir", err, p);
		if (rc == 0)
			rc = snic_rate_check(tp.eir, "eir", err, p);
		if (rc == 0)
			SNIC_PROF_REQUIRE(
				rte_meter_trtcm_rfc4115_profile_config(
					&cfg->prof.t4, &tp) == 0,
				"trtcm_rfc4115: refused by rte_meter");
		break;
	}
	default:
		return snic_mtr_err(err, ENOTSUP,
			RTE_MTR_ERROR_TYPE_METER_PROFILE, p,
			"meter algorithm %d is not supported (srtcm_rfc2697, "
			"trtcm_rfc2698, trtcm_rfc4115)", (int)p->alg);
	}
	return rc;
}

static int
snic_mtr_profile_add(struct rte_eth_dev *dev, uint32_t id,
		     struct rte_mtr_meter_profile *profile,
		     struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	struct snic_mtr_obj *o;
	struct snic_mtr_cfg cfg;
	int rc;

	rc = snic_profile_parse(profile, &cfg, err);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&port->sw->lock);
	rc = snic_mobj_add(port, SNIC_MOBJ_PROFILE, id,
			   sizeof(struct snic_mtr_profile), &o, err);
	if (rc == 0)
		SNIC_PROFILE_OF(o)->cfg = cfg;
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

static int
snic_mtr_profile_delete(struct rte_eth_dev *dev, uint32_t id,
			struct rte_mtr_error *err)
{
	return snic_mobj_delete(snic_mtr_port(dev), SNIC_MOBJ_PROFILE, id, err);
}

/* ------------------------------------------------------- policies */

/* Which colours a policy drops. Per colour: no actions, END, VOID: pass;
 * DROP: drop. Anything else (recolouring, marking, fates) is refused. */
static int
snic_policy_parse(const struct rte_mtr_meter_policy_params *pol,
		  uint8_t *drop, struct rte_mtr_error *err)
{
	*drop = 0;
	if (pol == NULL)
		return snic_mtr_err(err, EINVAL,
				    RTE_MTR_ERROR_TYPE_METER_POLICY, NULL,
				    "meter policy: NULL policy");
	for (int col = 0; col < RTE_COLORS; col++) {
		const struct rte_flow_action *a = pol->actions[col];

		for (; a != NULL && a->type != RTE_FLOW_ACTION_TYPE_END; a++) {
			if (a->type == RTE_FLOW_ACTION_TYPE_VOID)
				continue;
			if (a->type == RTE_FLOW_ACTION_TYPE_DROP) {
				*drop |= 1u << col;
				continue;
			}
			return snic_mtr_err(err, ENOTSUP,
				RTE_MTR_ERROR_TYPE_POLICER_ACTION_GREEN + col,
				a, "meter policy %s action type %d is not "
				"supported (DROP, VOID or none to pass)",
				snic_color_name[col], (int)a->type);
		}
	}
	return 0;
}

static int
snic_mtr_policy_validate(struct rte_eth_dev *dev,
			 struct rte_mtr_meter_policy_params *policy,
			 struct rte_mtr_error *err)
{
	uint8_t drop;

	RTE_SET_USED(dev);
	return snic_policy_parse(policy, &drop, err);
}

static int
snic_mtr_policy_add(struct rte_eth_dev *dev, uint32_t id,
		    struct rte_mtr_meter_policy_params *policy,
		    struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	struct snic_mtr_obj *o;
	uint8_t drop;
	int rc = snic_policy_parse(policy, &drop, err);

	if (rc != 0)
		return rc;
	if (id == RTE_PMD_SNIC_MTR_POLICY_DEFAULT)
		return snic_mtr_err(err, EEXIST,
			RTE_MTR_ERROR_TYPE_METER_POLICY_ID, NULL,
			"meter policy %u is the built-in default (red dropped)",
			id);
	pthread_mutex_lock(&port->sw->lock);
	rc = snic_mobj_add(port, SNIC_MOBJ_POLICY, id,
			   sizeof(struct snic_mtr_policy), &o, err);
	if (rc == 0)
		SNIC_POLICY_OF(o)->drop = drop;
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

static int
snic_mtr_policy_delete(struct rte_eth_dev *dev, uint32_t id,
		       struct rte_mtr_error *err)
{
	if (id == RTE_PMD_SNIC_MTR_POLICY_DEFAULT)
		return snic_mtr_err(err, EPERM,
			RTE_MTR_ERROR_TYPE_METER_POLICY_ID, NULL,
			"meter policy %u is built in and cannot be deleted",
			id);
	return snic_mobj_delete(snic_mtr_port(dev), SNIC_MOBJ_POLICY, id, err);
}

/* ------------------------------------------------------- meters */

/* A new cfg for m from profile prof and policy pol; a new profile
 * generation (new buckets) only when new_gen. NULL on ENOMEM. */
static struct snic_mtr_cfg *
snic_cfg_new(struct snic_mtr_ctx *c, const struct snic_mtr *m,
	     const struct snic_mtr_profile *prof,
	     const struct snic_mtr_policy *pol, bool new_gen)
{
	struct snic_mtr_cfg *cfg = malloc(sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	*cfg = prof->cfg;
	cfg->gen = new_gen ? ++c->gen : m->cfg->gen;
	cfg->drop = pol->drop;
	return cfg;
}

/* Replace m's cfg; the old one goes after a grace period (lock held). */
static void
snic_cfg_publish(struct snic_port *port, struct snic_mtr *m,
		 struct snic_mtr_cfg *cfg)
{
	struct snic_mtr_cfg *old = m->cfg;

	__atomic_store_n(&m->cfg, cfg, __ATOMIC_RELEASE);
	snic_defer_free(port->sw, old);
}

static int
snic_mtr_params_check(const struct snic_port *port, uint32_t id,
		      const struct rte_mtr_params *prm,
		      struct rte_mtr_error *err)
{
	uint32_t dir = RTE_PMD_SNIC_MTR_DIR(id);

	if (dir > RTE_PMD_SNIC_MTR_DIR_NIC_TO_VM)
		return snic_mtr_err(err, EINVAL, RTE_MTR_ERROR_TYPE_MTR_ID,
			NULL, "mtr_id 0x%x: direction bits %u are invalid "
			"(0 flow, 1 vm_to_nic, 2 nic_to_vm)", id, dir);
	if (prm == NULL)
		return snic_mtr_err(err, EINVAL, RTE_MTR_ERROR_TYPE_MTR_PARAMS,
				    NULL, "meter 0x%x: NULL params", id);
	if (prm->use_prev_mtr_color)
		return snic_mtr_err(err, ENOTSUP, RTE_MTR_ERROR_TYPE_MTR_PARAMS,
			prm, "use_prev_mtr_color: meter chaining (colour-aware "
			"metering) is not supported");
	if (prm->dscp_table != NULL || prm->vlan_table != NULL)
		return snic_mtr_err(err, ENOTSUP, RTE_MTR_ERROR_TYPE_MTR_PARAMS,
			prm, "%s: input colour tables are not supported "
			"(colour-blind metering)",
			prm->dscp_table ? "dscp_table" : "vlan_table");
	if (prm->stats_mask & ~(uint64_t)SNIC_MTR_STATS_ALL)
		return snic_mtr_err(err, EINVAL, RTE_MTR_ERROR_TYPE_STATS_MASK,
			NULL, "stats_mask 0x%" PRIx64 " has unknown bits "
			"(supported 0x%x)", prm->stats_mask,
			SNIC_MTR_STATS_ALL);
	RTE_SET_USED(port);
	return 0;
}

static int
snic_mtr_create_locked(struct snic_port *port, uint32_t id,
		       const struct rte_mtr_params *prm,
		       struct rte_mtr_error *err)
{
	uint32_t dir = RTE_PMD_SNIC_MTR_DIR(id);
	struct snic_mtr_obj *prof, *pol;
	struct snic_mtr_ctx *c;
	struct snic_mtr *m;

	c = snic_mtr_ctx(port, err);
	if (c == NULL)
		return -ENOMEM;
	if (snic_meter_find(c, id) != NULL)
		return snic_mtr_err(err, EEXIST, RTE_MTR_ERROR_TYPE_MTR_ID,
			NULL, "meter %u (0x%x) exists on port %u", id, id,
			port->port_id);
	if (dir != RTE_PMD_SNIC_MTR_DIR_FLOW && port->meter[dir - 1] != NULL)
		return snic_mtr_err(err, EEXIST, RTE_MTR_ERROR_TYPE_MTR_ID,
			NULL, "port %u already has a %s meter (mtr_id 0x%x): "
			"one per port and direction", port->port_id,
			snic_mtr_dir_name[dir], port->meter[dir - 1]->id);
	prof = snic_mobj_get(c, SNIC_MOBJ_PROFILE, prm->meter_profile_id, err);
	if (prof == NULL)
		return -ENOENT;
	pol = snic_mobj_get(c, SNIC_MOBJ_POLICY, prm->meter_policy_id, err);
	if (pol == NULL)
		return -ENOENT;
	if (c->n_meters >= SNIC_MTR_MAX_METERS)
		return snic_mtr_err(err, ENOSPC, RTE_MTR_ERROR_TYPE_MTR_ID,
			NULL, "port %u has %u meters, the maximum",
			port->port_id, SNIC_MTR_MAX_METERS);
	m = calloc(1, sizeof(*m));
	if (m != NULL)
		m->cfg = snic_cfg_new(c, m, SNIC_PROFILE_OF(prof),
				      SNIC_POLICY_OF(pol), true);
	if (m == NULL || m->cfg == NULL) {
		free(m);
		return snic_mtr_err(err, ENOMEM, RTE_MTR_ERROR_TYPE_UNSPECIFIED,
				    NULL, "meter 0x%x: out of memory", id);
	}
	m->id = id;
	m->enabled = prm->meter_enable != 0;
	m->stats_mask = prm->stats_mask;
	m->profile = SNIC_PROFILE_OF(prof);
	m->policy = SNIC_POLICY_OF(pol);
	prof->refcnt++;
	pol->refcnt++;
	m->next = c->meters;
	c->meters = m;
	c->n_meters++;
	/* The datapath sets the buckets up at the first packet (dp_gen 0 is
	 * never a generation). */
	if (dir != RTE_PMD_SNIC_MTR_DIR_FLOW)
		__atomic_store_n(&port->meter[dir - 1], m, __ATOMIC_RELEASE);
	return 0;
}

static int
snic_mtr_create(struct rte_eth_dev *dev, uint32_t id,
		struct rte_mtr_params *prm, int shared,
		struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	int rc;

	/* A flow meter may be used by any number of rules, shared or not:
	 * one datapath thread runs them all. */
	RTE_SET_USED(shared);
	rc = snic_mtr_params_check(port, id, prm, err);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&port->sw->lock);
	rc = snic_mtr_create_locked(port, id, prm, err);
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

static int
snic_mtr_destroy(struct rte_eth_dev *dev, uint32_t id,
		 struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	uint32_t dir = RTE_PMD_SNIC_MTR_DIR(id);
	struct snic_mtr **pp, *m;
	int rc = 0;

	pthread_mutex_lock(&port->sw->lock);
	m = snic_meter_get(port, id, err);
	if (m == NULL) {
		rc = -ENOENT;
	} else if (m->refcnt > 0) {
		rc = snic_mtr_err(err, EBUSY, RTE_MTR_ERROR_TYPE_MTR_ID, NULL,
				  "meter %u (0x%x) is used by %u flow rules",
				  id, id, m->refcnt);
	} else {
		for (pp = &port->mtr->meters; *pp != m; pp = &(*pp)->next)
			;
		*pp = m->next;
		port->mtr->n_meters--;
		if (dir != RTE_PMD_SNIC_MTR_DIR_FLOW)
			__atomic_store_n(&port->meter[dir - 1], NULL,
					 __ATOMIC_RELEASE);
		m->profile->obj.refcnt--;
		m->policy->obj.refcnt--;
		snic_defer_free(port->sw, m->cfg);
		snic_defer_free(port->sw, m);
	}
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

static int
snic_mtr_enable_set(struct rte_eth_dev *dev, uint32_t id, uint8_t on,
		    struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	struct snic_mtr *m;

	pthread_mutex_lock(&port->sw->lock);
	m = snic_meter_get(port, id, err);
	if (m != NULL)
		__atomic_store_n(&m->enabled, on, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&port->sw->lock);
	return m != NULL ? 0 : -ENOENT;
}

static int
snic_mtr_enable(struct rte_eth_dev *dev, uint32_t id, struct rte_mtr_error *err)
{
	return snic_mtr_enable_set(dev, id, 1, err);
}

static int
snic_mtr_disable(struct rte_eth_dev *dev, uint32_t id,
		 struct rte_mtr_error *err)
{
	return snic_mtr_enable_set(dev, id, 0, err);
}

/* Give meter id the object obj_id of kind k instead of its current one. A
 * new profile takes effect at the meter's next packet, with full buckets
 * (a new generation); a new policy keeps the buckets. The meter, the
 * other object and the counters stay. */
static int
snic_mtr_use_update(struct rte_eth_dev *dev, uint32_t id,
		    enum snic_mobj_kind k, uint32_t obj_id,
		    struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	struct snic_mtr_profile *prof;
	struct snic_mtr_policy *pol;
	struct snic_mtr_obj *o = NULL, *cur;
	struct snic_mtr_cfg *cfg;
	struct snic_mtr *m;
	int rc = 0;

	pthread_mutex_lock(&port->sw->lock);
	m = snic_meter_get(port, id, err);
	if (m != NULL)
		o = snic_mobj_get(port->mtr, k, obj_id, err);
	if (m == NULL || o == NULL)
		goto out_enoent;
	cur = k == SNIC_MOBJ_PROFILE ? &m->profile->obj : &m->policy->obj;
	if (o == cur)
		goto out;
	prof = k == SNIC_MOBJ_PROFILE ? SNIC_PROFILE_OF(o) : m->profile;
	pol = k == SNIC_MOBJ_POLICY ? SNIC_POLICY_OF(o) : m->policy;
	cfg = snic_cfg_new(port->mtr, m, prof, pol, k == SNIC_MOBJ_PROFILE);
	if (cfg == NULL) {
		rc = snic_mtr_err(err, ENOMEM, RTE_MTR_ERROR_TYPE_UNSPECIFIED,
				  NULL, "meter 0x%x: out of memory", id);
		goto out;
	}
	snic_cfg_publish(port, m, cfg);
	cur->refcnt--;
	o->refcnt++;
	m->profile = prof;
	m->policy = pol;
	goto out;
out_enoent:
	rc = -ENOENT;
out:
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

static int
snic_mtr_profile_update(struct rte_eth_dev *dev, uint32_t id,
			uint32_t profile_id, struct rte_mtr_error *err)
{
	return snic_mtr_use_update(dev, id, SNIC_MOBJ_PROFILE, profile_id,
				   err);
}

static int
snic_mtr_policy_update(struct rte_eth_dev *dev, uint32_t id,
		       uint32_t policy_id, struct rte_mtr_error *err)
{
	return snic_mtr_use_update(dev, id, SNIC_MOBJ_POLICY, policy_id, err);
}

/* ------------------------------------------------------- statistics */

static int
snic_mtr_stats_update(struct rte_eth_dev *dev, uint32_t id, uint64_t mask,
		      struct rte_mtr_error *err)
{
	struct snic_port *port = snic_mtr_port(dev);
	struct snic_mtr *m;
	int rc = 0;

	if (mask & ~(uint64_t)SNIC_MTR_STATS_ALL)
		return snic_mtr_err(err, EINVAL, RTE_MTR_ERROR_TYPE_STATS_MASK,
			NULL, "stats_mask 0x%" PRIx64 " has unknown bits "
			"(supported 0x%x)", mask, SNIC_MTR_STATS_ALL);
	pthread_mutex_lock(&port->sw->lock);
	m = snic_meter_get(port, id, err);
	if (m == NULL)
		rc = -ENOENT;
	else
		m->stats_mask = mask;
	pthread_mutex_unlock(&port->sw->lock);
	return rc;
}

/* The counters are counted whatever the mask (it only selects what is
 * reported), so enabling one later shows everything since the last clear. */
static int
snic_mtr_stats_read(struct rte_eth_dev *dev, uint32_t id,
		    struct rte_mtr_stats *stats, uint64_t *stats_mask,
		    int clear, struct rte_mtr_error *err)
{
	/* RTE_MTR_STATS_* bit of each field of struct snic_mtr_stats. */
	static const uint64_t bit[] = {
		RTE_MTR_STATS_N_PKTS_GREEN, RTE_MTR_STATS_N_PKTS_YELLOW,
		RTE_MTR_STATS_N_PKTS_RED, RTE_MTR_STATS_N_BYTES_GREEN,
		RTE_MTR_STATS_N_BYTES_YELLOW, RTE_MTR_STATS_N_BYTES_RED,
		RTE_MTR_STATS_N_PKTS_DROPPED, RTE_MTR_STATS_N_BYTES_DROPPED,
	};
	struct snic_port *port = snic_mtr_port(dev);
	struct snic_mtr_stats now;
	uint64_t *n = (uint64_t *)&now, *out = (uint64_t *)stats;
	const uint64_t *d, *b;
	struct snic_mtr *m;

	RTE_BUILD_BUG_ON(sizeof(struct snic_mtr_stats) !=
			 sizeof(struct rte_mtr_stats));
	RTE_BUILD_BUG_ON(RTE_DIM(bit) * sizeof(uint64_t) !=
			 sizeof(struct rte_mtr_stats));
	pthread_mutex_lock(&port->sw->lock);
	m = snic_meter_get(port, id, err);
	if (m == NULL) {
		pthread_mutex_unlock(&port->sw->lock);
		return -ENOENT;
	}
	d = (const uint64_t *)&m->stats;
	b = (uint64_t *)&m->base;
	for (unsigned int i = 0; i < RTE_DIM(bit); i++) {
		n[i] = __atomic_load_n(&d[i], __ATOMIC_RELAXED);
		if (stats != NULL)
			out[i] = (m->stats_mask & bit[i]) ? n[i] - b[i] : 0;
	}
	if (stats_mask != NULL)
		*stats_mask = m->stats_mask;
	if (clear)
		m->base = now;
	pthread_mutex_unlock(&port->sw->lock);
	return 0;
}

/* ------------------------------------------------------- glue */

static const struct rte_mtr_ops snic_mtr_ops = {
	.capabilities_get = snic_mtr_capabilities_get,
	.meter_profile_add = snic_mtr_profile_add,
	.meter_profile_delete = snic_mtr_profile_delete,
	.meter_policy_validate = snic_mtr_policy_validate,
	.meter_policy_add = snic_mtr_policy_add,
	.meter_policy_delete = snic_mtr_policy_delete,
	.create = snic_mtr_create,
	.destroy = snic_mtr_destroy,
	.meter_enable = snic_mtr_enable,
	.meter_disable = snic_mtr_disable,
	.meter_profile_update = snic_mtr_profile_update,
	.meter_policy_update = snic_mtr_policy_update,
	.stats_update = snic_mtr_stats_update,
	.stats_read = snic_mtr_stats_read,
};

struct snic_mtr *
snic_mtr_flow_ref(struct snic_port *port, uint32_t mtr_id, const void *cause,
		  struct rte_flow_error *err)
{
	uint32_t dir = RTE_PMD_SNIC_MTR_DIR(mtr_id);
	struct snic_mtr *m;

	if (dir != RTE_PMD_SNIC_MTR_DIR_FLOW) {
		snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF, cause,
			 "METER: mtr_id 0x%x is a %s port meter: rules use "
			 "flow meters (direction bits 0)", mtr_id,
			 snic_mtr_dir_name[dir]);
		return NULL;
	}
	m = port->mtr ? snic_meter_find(port->mtr, mtr_id) : NULL;
	if (m == NULL) {
		snic_err(err, ENOENT, RTE_FLOW_ERROR_TYPE_ACTION_CONF, cause,
			 "METER: meter %u not found on port %u "
			 "(rte_mtr_create it first)", mtr_id, port->port_id);
		return NULL;
	}
	m->refcnt++;
	return m;
}

void
snic_mtr_flow_unref(struct snic_mtr *m)
{
	if (m->refcnt > 0)
		m->refcnt--;
}

uint32_t
snic_mtr_id(const struct snic_mtr *m)
{
	return m->id;
}

int
snic_mtr_ops_get(struct rte_eth_dev *dev, void *ops)
{
	RTE_SET_USED(dev);
	*(const struct rte_mtr_ops **)ops = &snic_mtr_ops;
	return 0;
}

void
snic_mtr_port_free(struct snic_port *port)
{
	struct snic_mtr_ctx *c = port->mtr;

	port->meter[SNIC_MTR_VM_TO_NIC] = NULL;
	port->meter[SNIC_MTR_NIC_TO_VM] = NULL;
	if (c == NULL)
		return;
	while (c->meters != NULL) {
		struct snic_mtr *m = c->meters;

		c->meters = m->next;
		free(m->cfg);
		free(m);
	}
	for (int k = 0; k < SNIC_MOBJ_KINDS; k++)
		while (c->objs[k] != NULL) {
			struct snic_mtr_obj *o = c->objs[k];

			c->objs[k] = o->next;
			free(o);
		}
	free(c);
	port->mtr = NULL;
}
