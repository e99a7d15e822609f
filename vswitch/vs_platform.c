/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * config.json and the §8.4 hot-plug of the NIC's bond port (N-20); the
 * contract is in vs_platform.h.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "vs_platform.h"

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
vs_platform_path(void)
{
	const char *p = getenv(VS_PLATFORM_ENV);

	return p != NULL && p[0] != '\0' ? p : VS_PLATFORM_DEFAULT;
}

/* One string field of config.json: where it is and what it may be. */
static const struct field {
	const char *section;
	const char *key;
	size_t off;
	size_t size;
	bool may_be_empty;
} fields[] = {
	{"bond_info", "name", offsetof(struct vs_platform_cfg, name),
	 sizeof(((struct vs_platform_cfg *)0)->name), false},
	{"bond_info", "pci", offsetof(struct vs_platform_cfg, pci),
	 sizeof(((struct vs_platform_cfg *)0)->pci), true},
	{"bond_info", "busname", offsetof(struct vs_platform_cfg, busname),
	 sizeof(((struct vs_platform_cfg *)0)->busname), false},
	{"bond_info", "prefix", offsetof(struct vs_platform_cfg, prefix),
	 sizeof(((struct vs_platform_cfg *)0)->prefix), true},
	{"global_cfg", "nic_driver_path",
	 offsetof(struct vs_platform_cfg, nic_driver_path),
	 sizeof(((struct vs_platform_cfg *)0)->nic_driver_path), true},
};

static int
load_fields(json_t *root, const char *path, struct vs_platform_cfg *cfg,
	    char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		json_t *sec = json_object_get(root, f->section);
		json_t *v = json_object_get(sec, f->key);

		if (!json_is_object(sec))
			return fail(err, errlen, -EINVAL, "%s: %s: %s", path,
				    f->section, sec == NULL ? "missing" :
				    "must be an object");
		if (v == NULL)
			return fail(err, errlen, -EINVAL, "%s: %s.%s: missing",
				    path, f->section, f->key);
		if (!json_is_string(v))
			return fail(err, errlen, -EINVAL, "%s: %s.%s: must be "
				    "a string", path, f->section, f->key);
		if (!f->may_be_empty && json_string_length(v) == 0)
			return fail(err, errlen, -EINVAL, "%s: %s.%s: must not "
				    "be empty", path, f->section, f->key);
		if (json_string_length(v) >= f->size)
			return fail(err, errlen, -ENAMETOOLONG, "%s: %s.%s: "
				    "longer than %zu characters", path,
				    f->section, f->key, f->size - 1);
		memcpy((char *)cfg + f->off, json_string_value(v),
		       json_string_length(v) + 1);
	}
	return 0;
}

int
vs_platform_load(const char *path, struct vs_platform_cfg *cfg, char *err,
		 size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	FILE *fp;
	int rc;

	if (path == NULL)
		path = vs_platform_path();
	memset(cfg, 0, sizeof(*cfg));
	fp = fopen(path, "r");
	if (fp == NULL)
		return fail(err, errlen, -errno, "%s: cannot read: %s", path,
			    strerror(errno));
	root = json_loadf(fp, 0, &jerr);
	fclose(fp);
	if (root == NULL)
		return fail(err, errlen, -EINVAL, "%s: line %d: %s", path,
			    jerr.line, jerr.text);
	rc = json_is_object(root) ? load_fields(root, path, cfg, err, errlen) :
	     fail(err, errlen, -EINVAL, "%s: must be a JSON object", path);
	json_decref(root);
	if (rc != 0)
		return rc;
	if (strcmp(cfg->busname, "vdev") != 0 &&
	    strcmp(cfg->busname, "pci") != 0)
		return fail(err, errlen, -EINVAL, "%s: bond_info.busname: must "
			    "be \"vdev\" or \"pci\", not \"%s\"", path,
			    cfg->busname);
	if (strcmp(cfg->busname, "pci") == 0 && cfg->pci[0] == '\0')
		return fail(err, errlen, -EINVAL, "%s: bond_info.pci: required "
			    "when busname is \"pci\"", path);
	/* The vdev name selects the driver by its prefix (net_snic...). */
	if (strcmp(cfg->busname, "vdev") == 0 && cfg->prefix[0] == '\0')
		return fail(err, errlen, -EINVAL, "%s: bond_info.prefix: "
			    "required when busname is \"vdev\"", path);
	if (strlen(cfg->prefix) + strlen(cfg->name) >= RTE_ETH_NAME_MAX_LEN)
		return fail(err, errlen, -ENAMETOOLONG, "%s: bond_info.prefix "
			    "+ bond_info.name: longer than %d characters",
			    path, RTE_ETH_NAME_MAX_LEN - 1);
	return 0;
}

int
vs_platform_eal_args(const struct vs_platform_cfg *cfg, char **argv, int max)
{
	if (cfg->nic_driver_path[0] == '\0')
		return 0;
	if (max < 2)
		return -ENOSPC;
	argv[0] = (char *)(uintptr_t)"-d";
	argv[1] = (char *)(uintptr_t)cfg->nic_driver_path;
	return 2;
}

/* Room for prefix + name, or pci; vs_platform_load() already refused
 * names longer than DPDK's. */
#define VS_NAME_BUF 128

/* The device to hot-plug, its devargs and the port's name (spec §8.4). */
static void
plug_names(const struct vs_platform_cfg *cfg, char *dev, char *args,
	   char *port)
{
	bool vdev = strcmp(cfg->busname, "vdev") == 0;

	snprintf(dev, VS_NAME_BUF, "%s%s", vdev ? cfg->prefix :
		 cfg->pci, vdev ? cfg->name : "");
	snprintf(args, VS_NAME_BUF, vdev ? "" : "bond_name=%s", cfg->name);
	snprintf(port, VS_NAME_BUF, "%s%s", vdev ? cfg->prefix : "",
		 cfg->name);
}

int
vs_platform_attach_uplink(const struct vs_platform_cfg *cfg,
			  uint16_t *port_id, char *err, size_t errlen)
{
	char dev[VS_NAME_BUF], args[VS_NAME_BUF], port[VS_NAME_BUF];
	int rc;

	plug_names(cfg, dev, args, port);
	rc = rte_eal_hotplug_add(cfg->busname, dev, args);
	if (rc != 0)
		return fail(err, errlen, rc < 0 ? rc : -EIO, "hot-plug of %s "
			    "device %s (devargs \"%s\") failed: %s",
			    cfg->busname, dev, args, rte_strerror(-rc));
	if (rte_eth_dev_get_port_by_name(port, port_id) != 0) {
		rte_eal_hotplug_remove(cfg->busname, dev);
		return fail(err, errlen, -ENODEV, "hot-plug of %s device %s "
			    "made no ethdev port named %s", cfg->busname, dev,
			    port);
	}
	return 0;
}

int
vs_platform_detach_uplink(const struct vs_platform_cfg *cfg)
{
	char dev[VS_NAME_BUF], args[VS_NAME_BUF], port[VS_NAME_BUF];

	plug_names(cfg, dev, args, port);
	return rte_eal_hotplug_remove(cfg->busname, dev);
}
