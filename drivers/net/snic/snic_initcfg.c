/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * The NIC's init config (N-20, spec §8.4): what a hot-plugged net_snic is
 * made of when its probe gets no devargs (the spec's
 * rte_eal_hotplug_add("vdev", "net_snic_bond0", "")), or what devarg
 * init_cfg=<path> names:
 *
 *   {"ports": {"eth0": "net_af_packet_eth0,iface=a0", ...},
 *    "uplink": "bond0", "vfs": ["net_af_packet_vm1,iface=vm1"],
 *    "mode": "service", "bond_cfg": "/etc/nicflow/bond.json",
 *    "ctl": "/run/nicflow/snic.sock"}
 *
 * The file only fills what devargs left unset: devargs win. The parser is
 * strict (an unknown key or a wrong type fails the probe, naming the key)
 * because a silently ignored typo in a NIC's boot config is a lost uplink.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "snic.h"

/* One key of the file: how to check it and where it goes. */
struct snic_initcfg_key {
	const char *name;
	int (*load)(json_t *v, struct snic_initcfg *c, const char *path);
};

static int
snic_initcfg_str(json_t *v, char **dst, const char *key, const char *path)
{
	if (!json_is_string(v) || json_string_length(v) == 0) {
		SNIC_LOG(ERR, "%s: \"%s\" must be a non-empty string", path,
			 key);
		return -EINVAL;
	}
	if (*dst != NULL) /* set by a devarg: devargs override the file */
		return 0;
	*dst = strdup(json_string_value(v));
	return *dst == NULL ? -ENOMEM : 0;
}

static int
snic_initcfg_uplink(json_t *v, struct snic_initcfg *c, const char *path)
{
	return snic_initcfg_str(v, &c->uplink, "uplink", path);
}

static int
snic_initcfg_bond_cfg(json_t *v, struct snic_initcfg *c, const char *path)
{
	return snic_initcfg_str(v, &c->bond_cfg, "bond_cfg", path);
}

static int
snic_initcfg_ctl(json_t *v, struct snic_initcfg *c, const char *path)
{
	return snic_initcfg_str(v, &c->ctl, "ctl", path);
}

static int
snic_initcfg_mode(json_t *v, struct snic_initcfg *c, const char *path)
{
	const char *s = json_string_value(v);
	int mode;

	if (s != NULL && strcmp(s, "service") == 0)
		mode = 0;
	else if (s != NULL && strcmp(s, "inline") == 0)
		mode = 1;
	else {
		SNIC_LOG(ERR, "%s: \"mode\" must be \"service\" or \"inline\"",
			 path);
		return -EINVAL;
	}
	if (c->mode < 0)
		c->mode = mode;
	return 0;
}

static int
snic_initcfg_vfs(json_t *v, struct snic_initcfg *c, const char *path)
{
	size_t i;
	json_t *e;
	bool from_file = c->nb_vf == 0;

	if (!json_is_array(v) || json_array_size(v) >= SNIC_MAX_PORTS) {
		SNIC_LOG(ERR, "%s: \"vfs\" must be an array of at most %d "
			 "strings", path, SNIC_MAX_PORTS - 1);
		return -EINVAL;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			SNIC_LOG(ERR, "%s: \"vfs\"[%zu] must be a string", path,
				 i);
			return -EINVAL;
		}
		if (!from_file)
			continue;
		c->vf[c->nb_vf] = strdup(json_string_value(e));
		if (c->vf[c->nb_vf++] == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int
snic_initcfg_ports(json_t *v, struct snic_initcfg *c, const char *path)
{
	const char *k;
	json_t *e;

	if (!json_is_object(v) || json_object_size(v) > SNIC_MAX_PHYS) {
		SNIC_LOG(ERR, "%s: \"ports\" must be an object of at most %d "
			 "name: devargs strings", path, SNIC_MAX_PHYS);
		return -EINVAL;
	}
	json_object_foreach(v, k, e) {
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    strlen(k) == 0 || strlen(k) >= SNIC_NAME_LEN) {
			SNIC_LOG(ERR, "%s: \"ports\".\"%s\" must be a devargs "
				 "string under a name of at most %d characters",
				 path, k, SNIC_NAME_LEN - 1);
			return -EINVAL;
		}
		c->phys_name[c->nb_phys] = strdup(k);
		c->phys_args[c->nb_phys] = strdup(json_string_value(e));
		if (c->phys_name[c->nb_phys] == NULL ||
		    c->phys_args[c->nb_phys++] == NULL)
			return -ENOMEM;
	}
	return 0;
}

static const struct snic_initcfg_key snic_initcfg_keys[] = {
	{"ports", snic_initcfg_ports},
	{"uplink", snic_initcfg_uplink},
	{"vfs", snic_initcfg_vfs},
	{"mode", snic_initcfg_mode},
	{"bond_cfg", snic_initcfg_bond_cfg},
	{"ctl", snic_initcfg_ctl},
	{NULL, NULL},
};

const char *
snic_initcfg_path(void)
{
	const char *env = getenv(SNIC_INITCFG_ENV);

	return env != NULL && *env != '\0' ? env : SNIC_INITCFG_DEFAULT;
}

int
snic_initcfg_load(const char *path, struct snic_initcfg *c)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	const struct snic_initcfg_key *k;
	const char *key;
	json_t *v;
	int rc = 0;

	if (root == NULL) {
		SNIC_LOG(ERR, "init config %s: %s (line %d)", path, jerr.text,
			 jerr.line);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		SNIC_LOG(ERR, "init config %s: not a JSON object", path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, key, v) {
		for (k = snic_initcfg_keys; k->name != NULL; k++)
			if (strcmp(k->name, key) == 0)
				break;
		if (k->name == NULL) {
			SNIC_LOG(ERR, "init config %s: unknown key \"%s\" "
				 "(ports, uplink, vfs, mode, bond_cfg, ctl)",
				 path, key);
			rc = -EINVAL;
			break;
		}
		rc = k->load(v, c, path);
		if (rc != 0)
			break;
	}
	json_decref(root);
	return rc;
}

void
snic_initcfg_free(struct snic_initcfg *c)
{
	free(c->uplink);
	free(c->bond_cfg);
	free(c->ctl);
	for (uint16_t i = 0; i < c->nb_vf; i++)
		free(c->vf[i]);
	for (uint16_t i = 0; i < c->nb_phys; i++) {
		free(c->phys_name[i]);
		free(c->phys_args[i]);
	}
	memset(c, 0, sizeof(*c));
	c->mode = -1;
}
