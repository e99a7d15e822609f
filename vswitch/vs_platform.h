/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef VS_PLATFORM_H
#define VS_PLATFORM_H

/**
 * @file
 * Platform files of the vSwitch (N-20, spec §8.4).
 *
 * What: the cloud platform tells the vSwitch which logical bond port to put
 * on its bridge through config.json (default /usr/bin/config.json, as the
 * spec says; env NICFLOW_PLATFORM_CFG overrides it):
 *
 *   {"bond_info": {"name": "bond0", "pci": "", "busname": "vdev",
 *                  "prefix": "net_snic_"},
 *    "global_cfg": {"nic_driver_path": "/usr/lib/.../librte_net_snic.so"}}
 *
 * and the vSwitch hot-plugs that port into DPDK and gets its port id: for
 * busname "vdev", rte_eal_hotplug_add("vdev", prefix + name, "") — the NIC
 * driver then reads its own init config (docs/platform.md) — and the port
 * is looked up by the same name; for "pci", rte_eal_hotplug_add("pci", pci,
 * "bond_name=<name>") and the port is looked up by the bond name.
 *
 * Design: the file is parsed strictly (jansson) into a plain struct, every
 * error naming the file and the field ("bond_info.busname: must be "vdev"
 * or "pci", not "usb""), so a platform typo is a clear message at start
 * rather than a missing uplink later. nic_driver_path becomes the EAL
 * arguments "-d <path>" (empty: the driver is linked in).
 *
 * Thread safety: vs_platform_load() and vs_platform_eal_args() are pure;
 * vs_platform_attach_uplink() and vs_platform_detach_uplink() hot-plug and
 * must be called from the thread that owns the EAL (not a datapath lcore),
 * one at a time.
 *
 * Usage:
 *   struct vs_platform_cfg cfg;
 *   char err[256], *eal[8];
 *   if (vs_platform_load(NULL, &cfg, err, sizeof(err)) < 0) die(err);
 *   n = vs_platform_eal_args(&cfg, eal, 8);   // then rte_eal_init
 *   if (vs_platform_attach_uplink(&cfg, &port, err, sizeof(err)) < 0) ...
 */

#include <stddef.h>
#include <stdint.h>

/** Environment variable naming config.json (tests, packaging). */
#define VS_PLATFORM_ENV "NICFLOW_PLATFORM_CFG"
/** Where the spec puts config.json. */
#define VS_PLATFORM_DEFAULT "/usr/bin/config.json"

/** config.json, validated. Strings are NUL-terminated. */
struct vs_platform_cfg {
	char name[64];            /**< bond_info.name, e.g. "bond0" */
	char pci[64];             /**< bond_info.pci ("" for vdev) */
	char busname[8];          /**< "vdev" or "pci" */
	char prefix[64];          /**< bond_info.prefix, e.g. "net_snic_" */
	char nic_driver_path[4096]; /**< global_cfg.nic_driver_path or "" */
};

/**
 * The config.json path: $NICFLOW_PLATFORM_CFG if set and not empty, else
 * VS_PLATFORM_DEFAULT.
 */
const char *vs_platform_path(void);

/**
 * Read and validate config.json.
 *
 * @param path  the file; NULL for vs_platform_path().
 * @param cfg   filled on success.
 * @param err   on failure, one line naming the file and the field.
 * @return 0; -ENOENT/-EACCES/... (errno) if the file cannot be read,
 *   -EINVAL if it is not JSON or a field is missing, of the wrong type or
 *   has a wrong value, -ENAMETOOLONG if a string does not fit.
 */
int vs_platform_load(const char *path, struct vs_platform_cfg *cfg,
		     char *err, size_t errlen);

/**
 * EAL arguments that load the NIC driver: "-d", nic_driver_path (none when
 * the path is empty). The strings point into cfg.
 *
 * @return the number of arguments written to argv (0 or 2), or -ENOSPC if
 *   max is too small.
 */
int vs_platform_eal_args(const struct vs_platform_cfg *cfg, char **argv,
			 int max);

/**
 * Hot-plug the logical bond port (spec §8.4 steps 2-4) and return its
 * ethdev port id.
 *
 * @return 0; a negative errno from rte_eal_hotplug_add() (-ENODEV: no
 *   driver or device, -EEXIST: already plugged, ...) or -ENODEV when no
 *   port has the expected name after the hot-plug; err names the bus, the
 *   device and what failed.
 */
int vs_platform_attach_uplink(const struct vs_platform_cfg *cfg,
			      uint16_t *port_id, char *err, size_t errlen);

/**
 * Undo vs_platform_attach_uplink(): rte_eal_hotplug_remove() of the same
 * device (its ports are closed by the driver).
 *
 * @return 0 or the negative errno of rte_eal_hotplug_remove().
 */
int vs_platform_detach_uplink(const struct vs_platform_cfg *cfg);

#endif /* VS_PLATFORM_H */
