/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd's options and its configuration file (nfd.h): table-driven
 * option parsing, the JSON file read at start and written atomically after
 * every change.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_string_fns.h>

#include "nfd.h"

typedef int (*opt_fn)(struct nfd_opts *o, const char *arg, char *err,
		      size_t errlen);

static int
opt_str(char *dst, size_t size, const char *name, const char *arg, char *err,
	size_t errlen)
{
	if (strlcpy(dst, arg, size) >= size) {
		snprintf(err, errlen, "--%s: longer than %zu bytes", name,
			 size - 1);
		return -EINVAL;
	}
	return 0;
}

static int
opt_config(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_str(o->config, sizeof(o->config), "config", a, err, errlen);
}

static int
opt_socket(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_str(o->sock, sizeof(o->sock), "socket", a, err, errlen);
}

static int
opt_nic(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_str(o->nic, sizeof(o->nic), "nic", a, err, errlen);
}

static int
opt_devargs(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_str(o->devargs, sizeof(o->devargs), "devargs", a, err,
		       errlen);
}

static int
opt_underlay(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	if (o->nb_underlay == NFD_MAX_UNDERLAY) {
		snprintf(err, errlen, "--underlay: at most %d",
			 NFD_MAX_UNDERLAY);
		return -EINVAL;
	}
	return opt_str(o->underlay[o->nb_underlay++], sizeof(o->underlay[0]),
		       "underlay", a, err, errlen);
}

static int
opt_extra_nic(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	if (o->nb_extra_nics == NFD_MAX_EXTRA_NICS) {
		snprintf(err, errlen, "--extra-nic: at most %d",
			 NFD_MAX_EXTRA_NICS);
		return -EINVAL;
	}
	if (strncmp(a, "net_snic", 8) != 0 || strchr(a, ',') == NULL) {
		snprintf(err, errlen, "--extra-nic: '%s' is not "
			 "net_snic<N>,<devargs>", a);
		return -EINVAL;
	}
	return opt_str(o->extra_nics[o->nb_extra_nics++],
		       sizeof(o->extra_nics[0]), "extra-nic", a, err, errlen);
}

static int
opt_vport(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	if (o->nb_vports == NFD_MAX_VPORTS) {
		snprintf(err, errlen, "--vport: at most %d", NFD_MAX_VPORTS);
		return -EINVAL;
	}
	return nfd_vport_parse(a, &o->vports[o->nb_vports++], err, errlen);
}

static int
timeout_parse(const char *opt, const char *a, unsigned int *out, char *err,
	      size_t errlen)
{
	char *end;
	unsigned long v = strtoul(a, &end, 10);

	if (a[0] < '0' || a[0] > '9' || *end != '\0' || v < 1 || v > 86400) {
		snprintf(err, errlen, "--%s: '%s' is not 1..86400 seconds",
			 opt, a);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

static int
opt_idle(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return timeout_parse("idle-timeout", a, &o->idle_timeout, err, errlen);
}

static int
opt_tcp(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return timeout_parse("tcp-timeout", a, &o->tcp_timeout, err, errlen);
}

static int
opt_udp(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return timeout_parse("udp-timeout", a, &o->udp_timeout, err, errlen);
}

static int
opt_neigh(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return timeout_parse("neigh-refresh", a, &o->neigh_refresh, err,
			     errlen);
}

static int
opt_no_offload(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	RTE_SET_USED(a);
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	o->no_offload = true;
	return 0;
}

/* --ct-tcp-timeout, --ct-fin-timeout, --ct-udp-timeout: ct_timeout[i]. */
static int
opt_ct(struct nfd_opts *o, int i, const char *name, const char *a, char *err,
       size_t errlen)
{
	char *end;
	unsigned long v = strtoul(a, &end, 10);

	if (a[0] < '0' || a[0] > '9' || *end != '\0' || v < 1 || v > 65535) {
		snprintf(err, errlen, "--%s: '%s' is not 1..65535 seconds",
			 name, a);
		return -EINVAL;
	}
	o->ct_timeout[i] = (unsigned int)v;
	return 0;
}

static int
opt_ct_tcp(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_ct(o, 0, "ct-tcp-timeout", a, err, errlen);
}

static int
opt_ct_fin(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_ct(o, 1, "ct-fin-timeout", a, err, errlen);
}

static int
opt_ct_udp(struct nfd_opts *o, const char *a, char *err, size_t errlen)
{
	return opt_ct(o, 2, "ct-udp-timeout", a, err, errlen);
}

static const struct {
	struct option opt;
	opt_fn fn;
} opt_table[] = {
	{{"config", required_argument, NULL, 0}, opt_config},
	{{"socket", required_argument, NULL, 0}, opt_socket},
	{{"nic", required_argument, NULL, 0}, opt_nic},
	{{"devargs", required_argument, NULL, 0}, opt_devargs},
	{{"underlay", required_argument, NULL, 0}, opt_underlay},
	{{"extra-nic", required_argument, NULL, 0}, opt_extra_nic},
	{{"idle-timeout", required_argument, NULL, 0}, opt_idle},
	{{"tcp-timeout", required_argument, NULL, 0}, opt_tcp},
	{{"udp-timeout", required_argument, NULL, 0}, opt_udp},
	{{"no-offload", no_argument, NULL, 0}, opt_no_offload},
	{{"neigh-refresh", required_argument, NULL, 0}, opt_neigh},
	{{"vport", required_argument, NULL, 0}, opt_vport},
	{{"ct-tcp-timeout", required_argument, NULL, 0}, opt_ct_tcp},
	{{"ct-fin-timeout", required_argument, NULL, 0}, opt_ct_fin},
	{{"ct-udp-timeout", required_argument, NULL, 0}, opt_ct_udp},
};

static const char *const ct_keys[3] = {
	"tcp_timeout_s", "tcp_fin_timeout_s", "udp_timeout_s",
};

int
nfd_opts_parse(int argc, char **argv, struct nfd_opts *o, char *err,
	       size_t errlen)
{
	struct option longopts[RTE_DIM(opt_table) + 1];
	int idx, c, rc;

	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < RTE_DIM(opt_table); i++)
		longopts[i] = opt_table[i].opt;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		if (c != 0) {
			snprintf(err, errlen, "unknown or incomplete option "
				 "'%s'", argv[optind - 1]);
			return -EINVAL;
		}
		rc = opt_table[idx].fn(o, optarg, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'",
			 argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* The "nic" section into o; fields the command line set are kept. */
static int
config_nic(struct nfd_opts *o, json_t *nic, char *err, size_t errlen)
{
	json_t *v;
	size_t i;

	if (nic == NULL)
		return 0;
	if (!json_is_object(nic)) {
		snprintf(err, errlen, "nic: must be an object");
		return -EINVAL;
	}
	if (json_is_string(v = json_object_get(nic, "name")))
		strlcpy(o->nic, json_string_value(v), sizeof(o->nic));
	if (json_is_string(v = json_object_get(nic, "devargs")))
		strlcpy(o->devargs, json_string_value(v), sizeof(o->devargs));
	json_array_foreach(json_object_get(nic, "extra"), i, v) {
		if (!json_is_string(v) || i >= NFD_MAX_EXTRA_NICS) {
			snprintf(err, errlen, "nic.extra[%zu]: must be a "
				 "\"net_snic<N>,<devargs>\" string (at most %d)",
				 i, NFD_MAX_EXTRA_NICS);
			return -EINVAL;
		}
		strlcpy(o->extra_nics[i], json_string_value(v),
			sizeof(o->extra_nics[0]));
		o->nb_extra_nics = (int)i + 1;
	}
	json_array_foreach(json_object_get(nic, "underlay"), i, v) {
		if (!json_is_string(v) || i >= NFD_MAX_UNDERLAY) {
			snprintf(err, errlen, "nic.underlay[%zu]: must be a "
				 "vdev string (at most %d)", i,
				 NFD_MAX_UNDERLAY);
			return -EINVAL;
		}
		strlcpy(o->underlay[i], json_string_value(v),
			sizeof(o->underlay[0]));
		o->nb_underlay = (int)i + 1;
	}
	v = json_object_get(nic, "vports");
	if (v != NULL && (!json_is_array(v) ||
	    json_array_size(v) > NFD_MAX_VPORTS)) {
		snprintf(err, errlen, "nic.vports: must be an array of at most "
			 "%d vports", NFD_MAX_VPORTS);
		return -EINVAL;
	}
	for (i = 0; i < json_array_size(v); i++) {
		char where[48];
		int rc;

		snprintf(where, sizeof(where), "nic.vports[%zu].", i);
		rc = nfd_vport_from_json(json_array_get(v, i), where,
					 &o->vports[i], err, errlen);
		if (rc != 0)
			return rc;
		o->nb_vports = (int)i + 1;
	}
	return 0;
}

/* V-7 aging timeouts in the config file (seconds; tcp/udp 0 = idle). */
static const struct {
	const char *key;
	size_t off;
} timeout_keys[] = {
	{"idle_timeout", offsetof(struct nfd_opts, idle_timeout)},
	{"tcp_timeout", offsetof(struct nfd_opts, tcp_timeout)},
	{"udp_timeout", offsetof(struct nfd_opts, udp_timeout)},
	{"neigh_refresh", offsetof(struct nfd_opts, neigh_refresh)},
};

int
nfd_config_load(struct nfd_opts *o, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v;
	int rc;

	if (o->config[0] == '\0' || access(o->config, F_OK) != 0)
		return 0;
	root = json_load_file(o->config, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		snprintf(err, errlen, "%s: line %d: %s", o->config, jerr.line,
			 root == NULL ? jerr.text : "not a JSON object");
		json_decref(root);
		return -EINVAL;
	}
	rc = config_nic(o, json_object_get(root, "nic"), err, errlen);
	for (size_t i = 0; rc == 0 && i < RTE_DIM(timeout_keys); i++) {
		unsigned int *t = (unsigned int *)((char *)o +
						   timeout_keys[i].off);

		v = json_object_get(root, timeout_keys[i].key);
		if (v == NULL)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 86400) {
			snprintf(err, errlen, "%s: must be 1..86400 seconds",
				 timeout_keys[i].key);
			rc = -EINVAL;
		} else {
			*t = (unsigned int)json_integer_value(v);
		}
	}
	for (int i = 0; rc == 0 && i < 3; i++) {
		v = json_object_get(json_object_get(root, "ct"), ct_keys[i]);
		if (v == NULL)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65535) {
			snprintf(err, errlen, "ct.%s: must be 1..65535",
				 ct_keys[i]);
			rc = -EINVAL;
		} else {
			o->ct_timeout[i] = (unsigned int)json_integer_value(v);
		}
	}
	if (rc == 0) {
		/* The model is everything else; vs_model_from_json() takes
		 * the sections it knows, in dependency order. */
		o->model = json_deep_copy(root);
		json_object_del(o->model, "nic");
		for (size_t i = 0; i < RTE_DIM(timeout_keys); i++)
			json_object_del(o->model, timeout_keys[i].key);
		json_object_del(o->model, "ct");
	}
	json_decref(root);
	return rc;
}

int
nfd_config_save(const struct nfd_opts *o, struct vs_switch *vs)
{
	char tmp[sizeof(o->config) + 8];
	json_t *root, *ul, *vp, *ex;
	int fd, rc = 0;

	if (o->config[0] == '\0')
		return 0;
	ex = json_array();
	for (int i = 0; i < o->nb_extra_nics; i++)
		json_array_append_new(ex, json_string(o->extra_nics[i]));
	ul = json_array();
	for (int i = 0; i < o->nb_underlay; i++)
		json_array_append_new(ul, json_string(o->underlay[i]));
	vp = json_array();
	for (int i = 0; i < o->nb_vports; i++)
		json_array_append_new(vp, nfd_vport_to_json(&o->vports[i]));
	root = vs_model_to_json(vs);
	json_object_set_new(root, "nic", json_pack("{s:s, s:s, s:o, s:o, s:o}",
		"name", o->nic, "devargs", o->devargs, "underlay", ul,
		"vports", vp, "extra", ex));
	json_object_set_new(root, "idle_timeout",
			    json_integer(vs->idle_timeout));
	if (vs->tcp_timeout != 0)
		json_object_set_new(root, "tcp_timeout",
				    json_integer(vs->tcp_timeout));
	if (vs->udp_timeout != 0)
		json_object_set_new(root, "udp_timeout",
				    json_integer(vs->udp_timeout));
	json_object_set_new(root, "neigh_refresh",
			    json_integer(vs->neigh_refresh_s));
	json_object_set_new(root, "ct", json_pack("{s:i, s:i, s:i}",
		ct_keys[0], vs->sg->tcp_timeout_s, ct_keys[1],
		vs->sg->fin_timeout_s, ct_keys[2], vs->sg->udp_timeout_s));
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->config);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		rc = -errno;
	else if (json_dumpfd(root, fd, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
		rc = -EIO;
	else if (fsync(fd) != 0)
		rc = -errno;
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, o->config) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	json_decref(root);
	return rc;
}
