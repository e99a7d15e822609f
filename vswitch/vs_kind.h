/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef VS_KIND_H
#define VS_KIND_H

/*
 * Private to vswitch/: the field tables that describe each kind of model
 * object (vs.h, "Model"), shared by vs_model.c (the table and the generic
 * parser) and the files that implement a kind (vs_acl.c).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <rte_ether.h>

#include "vs.h"

#define MAX_FIELDS 8

/* F_UADDR / F_UCIDR: an underlay address or prefix, IPv4 or IPv6
 * (fval.ip, fval.plen). */
enum ftype {
	F_NAME, F_STR, F_UINT, F_MAC, F_IPV4, F_CIDR, F_BOOL, F_UADDR, F_UCIDR
};

struct field {
	const char *key;
	enum ftype type;
	bool required;
	uint32_t max;    /* F_UINT: largest value */
};

/* One parsed parameter; v[i] matches fields[i]. */
struct fval {
	bool set;
	const char *s;   /* F_NAME, F_STR */
	uint32_t u;      /* F_UINT, F_IPV4 (network order), F_BOOL */
	uint8_t plen;    /* F_CIDR: u is the prefix; F_UCIDR: ip is */
	struct vs_ip ip; /* F_UADDR, F_UCIDR */
	struct rte_ether_addr mac;
};

struct kind {
	const char *name;
	const char *plural;   /* the config file's section */
	const char *key;      /* the field that names an object (del) */
	struct field fields[MAX_FIELDS];
	int (*add)(struct vs_switch *vs, const struct fval *v, char *err,
		   size_t errlen);
	int (*del)(struct vs_switch *vs, const struct fval *key, char *err,
		   size_t errlen);
	void (*list)(const struct vs_switch *vs, json_t *out);
	/* Objects that live in the NIC only (rte_flow calls): add/del/list
	 * run under flow_mtx, not vs->lock, and move no flow. */
	bool nic;
	/* Keys list() adds for information (counters, port ids): dropped
	 * when a saved config is restored. */
	const char *info[4];
	/* When set, a change revalidates only what this says (v: the add
	 * params, or the key for del) instead of every flow. */
	void (*changed)(struct vs_switch *vs, const struct fval *v);
};

/* Write a field-naming message, evaluate to -code. */
#define VS_ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

/* vs_acl.c: fields name port id ; name port direction group rule */
int vs_counter_add(struct vs_switch *vs, const struct fval *v, char *err,
		   size_t errlen);
int vs_counter_del(struct vs_switch *vs, const struct fval *key, char *err,
		   size_t errlen);
void vs_counter_list(const struct vs_switch *vs, json_t *out);
int vs_acl_add(struct vs_switch *vs, const struct fval *v, char *err,
	       size_t errlen);
int vs_acl_del(struct vs_switch *vs, const struct fval *key, char *err,
	       size_t errlen);
void vs_acl_list(const struct vs_switch *vs, json_t *out);

/* vs_underlay.c: fields prefix uplink via */
int vs_route_add(struct vs_switch *vs, const struct fval *v, char *err,
		 size_t errlen);
int vs_route_del(struct vs_switch *vs, const struct fval *key, char *err,
		 size_t errlen);
void vs_route_list(const struct vs_switch *vs, json_t *out);
/* Route changes revalidate the flows of the tunnel index under the prefix. */
void vs_route_changed(struct vs_switch *vs, const struct fval *v);

#endif /* VS_KIND_H */
