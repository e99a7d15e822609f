/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The vSwitch's platform files (N-20, vs_platform.h): config.json errors
 * name the file and the field; a valid file gives the EAL -d arguments and
 * hot-plugs the NIC's port as spec §8.4 does — net_snic_<name> with no
 * devargs, so the NIC reads its init config from $NICFLOW_SNIC_INIT_CFG —
 * and the port id found by name is the snic uplink, over a plain port and
 * over a bond.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include "nf_test.h"
#include "snic.h"
#include "snic_agent.h"
#include "vs_platform.h"

static char dir[64];

#define CHECK_STR(got, want)                                                  \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		if (strcmp(g_, w_) != 0) {                                    \
			nf_test_failed_checks++;                              \
			fprintf(stderr, "%s:%d:\n  got  %s\n  want %s\n",     \
				__FILE__, __LINE__, g_, w_);                  \
		}                                                             \
	} while (0)

static const char *
fixture(const char *name, const char *text)
{
	static char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

#define GOOD_BOND "{\"name\": \"%s\", \"pci\": \"\", \"busname\": \"vdev\", " \
	"\"prefix\": \"net_snic_\"}"

/* config.json with bond_info built from fmt (a bond_info object). */
static const char *
config(const char *bond_info, const char *driver)
{
	char text[1024];

	snprintf(text, sizeof(text), "{\"bond_info\": %s, \"global_cfg\": "
		 "{\"nic_driver_path\": %s}}", bond_info, driver);
	return fixture("config.json", text);
}

static void
expect_error(const char *text, int rc, const char *msg)
{
	struct vs_platform_cfg cfg;
	char err[512] = "", want[512];
	const char *path = fixture("bad.json", text);

	snprintf(want, sizeof(want), "%s: %s", path, msg);
	NF_CHECK_EQ(vs_platform_load(path, &cfg, err, sizeof(err)), rc);
	CHECK_STR(err, want);
}

NF_TEST(test_config_errors)
{
	struct vs_platform_cfg cfg;
	char err[512], want[512], path[128];

	snprintf(want, sizeof(want), "%s/none.json: cannot read: No such file "
		 "or directory", dir);
	snprintf(path, sizeof(path), "%s/none.json", dir);
	NF_CHECK_EQ(vs_platform_load(path, &cfg, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, want);
	expect_error("{\"bond_info\": ", -EINVAL,
		     "line 1: unexpected token near end of file");
	expect_error("[]", -EINVAL, "must be a JSON object");
	expect_error("{}", -EINVAL, "bond_info: missing");
	expect_error("{\"bond_info\": 1}", -EINVAL,
		     "bond_info: must be an object");
	expect_error("{\"bond_info\": {\"pci\": \"\"}}", -EINVAL,
		     "bond_info.name: missing");
	expect_error("{\"bond_info\": {\"name\": 7}}", -EINVAL,
		     "bond_info.name: must be a string");
	expect_error("{\"bond_info\": {\"name\": \"\"}}", -EINVAL,
		     "bond_info.name: must not be empty");
	expect_error("{\"bond_info\": {\"name\": \"b\", \"pci\": \"\", "
		     "\"busname\": \"vdev\", \"prefix\": \"net_snic_\"}}",
		     -EINVAL, "global_cfg: missing");
	expect_error("{\"bond_info\": {\"name\": \"b\", \"pci\": \"\", "
		     "\"busname\": \"vdev\", \"prefix\": \"net_snic_\"}, "
		     "\"global_cfg\": {}}", -EINVAL,
		     "global_cfg.nic_driver_path: missing");
	expect_error("{\"bond_info\": {\"name\": \"b\", \"pci\": \"\", "
		     "\"busname\": \"usb\", \"prefix\": \"\"}, \"global_cfg\": "
		     "{\"nic_driver_path\": \"\"}}", -EINVAL,
		     "bond_info.busname: must be \"vdev\" or \"pci\", not "
		     "\"usb\"");
	expect_error("{\"bond_info\": {\"name\": \"b\", \"pci\": \"\", "
		     "\"busname\": \"pci\", \"prefix\": \"\"}, \"global_cfg\": "
		     "{\"nic_driver_path\": \"\"}}", -EINVAL,
		     "bond_info.pci: required when busname is \"pci\"");
	expect_error("{\"bond_info\": {\"name\": \"b\", \"pci\": \"\", "
		     "\"busname\": \"vdev\", \"prefix\": \"\"}, \"global_cfg\": "
		     "{\"nic_driver_path\": \"\"}}", -EINVAL,
		     "bond_info.prefix: required when busname is \"vdev\"");
}

NF_TEST(test_config_ok_and_eal_args)
{
	struct vs_platform_cfg cfg;
	char err[256] = "", *argv[4];
	const char *path = config("{\"name\": \"bond0\", \"pci\": \"\", "
		"\"busname\": \"vdev\", \"prefix\": \"net_snic_\"}",
		"\"/usr/lib/nicflow/librte_net_snic.so\"");

	/* The environment variable names the file when the caller does not. */
	setenv(VS_PLATFORM_ENV, path, 1);
	CHECK_STR(vs_platform_path(), path);
	NF_CHECK_EQ(vs_platform_load(NULL, &cfg, err, sizeof(err)), 0);
	unsetenv(VS_PLATFORM_ENV);
	CHECK_STR(vs_platform_path(), "/usr/bin/config.json");
	CHECK_STR(err, "");
	CHECK_STR(cfg.name, "bond0");
	CHECK_STR(cfg.busname, "vdev");
	CHECK_STR(cfg.prefix, "net_snic_");
	NF_CHECK_EQ(vs_platform_eal_args(&cfg, argv, 1), -ENOSPC);
	NF_CHECK_EQ(vs_platform_eal_args(&cfg, argv, 4), 2);
	CHECK_STR(argv[0], "-d");
	CHECK_STR(argv[1], "/usr/lib/nicflow/librte_net_snic.so");
	cfg.nic_driver_path[0] = '\0';
	NF_CHECK_EQ(vs_platform_eal_args(&cfg, argv, 4), 0);
}

/* §8.4 with busname vdev: the NIC's init config comes from the env. */
static void
attach_and_check(const char *name, const char *init)
{
	struct vs_platform_cfg cfg;
	struct rte_eth_dev_info info;
	char err[256] = "", text[512], want[64];
	uint16_t port = UINT16_MAX, other;
	struct snic_port *sp;

	snprintf(text, sizeof(text), GOOD_BOND, name);
	NF_CHECK_EQ(vs_platform_load(config(text, "\"\""), &cfg, err,
				     sizeof(err)), 0);
	setenv("NICFLOW_SNIC_INIT_CFG", fixture("init.cfg", init), 1);
	memset(&info, 0, sizeof(info));
	NF_CHECK_EQ(vs_platform_attach_uplink(&cfg, &port, err, sizeof(err)),
		    0);
	CHECK_STR(err, "");
	if (err[0] != '\0')
		return;
	snprintf(want, sizeof(want), "net_snic_%s", name);
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name(want, &other), 0);
	NF_CHECK_EQ(port, other);
	NF_CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK_STR(info.driver_name, "net_snic");
	CHECK_STR(info.switch_info.name ?: "", want);
	NF_CHECK_EQ(info.switch_info.port_id, 0); /* the uplink */
	sp = snic_port_by_ethdev(port);
	NF_CHECK(sp != NULL && sp->is_uplink);
	/* Attaching again finds the same port (EAL ignores a device that is
	 * already probed): a restarted vSwitch may call it blindly. */
	NF_CHECK_EQ(vs_platform_attach_uplink(&cfg, &other, err, sizeof(err)),
		    0);
	NF_CHECK_EQ(other, port);
	NF_CHECK_EQ(vs_platform_detach_uplink(&cfg), 0);
	NF_CHECK(rte_eth_dev_get_port_by_name(want, &other) != 0);
	unsetenv("NICFLOW_SNIC_INIT_CFG");
}

NF_TEST(test_attach_uplink_port)
{
	char init[512];

	snprintf(init, sizeof(init), "{\"ports\": {\"eth0\": \"net_null_vp0\","
		 " \"eth1\": \"net_null_vp1\"}, \"uplink\": \"eth0\", \"vfs\": "
		 "[\"net_null_vp2,size=64\"], \"mode\": \"inline\", \"ctl\": "
		 "\"%s/pf0.sock\", \"bond_cfg\": \"%s/bond_pf0.json\"}", dir,
		 dir);
	attach_and_check("pf0", init);
}

NF_TEST(test_attach_uplink_bond)
{
	char init[512];

	snprintf(init, sizeof(init), "{\"ports\": {\"eth0\": \"net_null_vb0\","
		 " \"eth1\": \"net_null_vb1\"}, \"uplink\": \"bond0\", "
		 "\"mode\": \"inline\", \"ctl\": \"%s/bond0.sock\", "
		 "\"bond_cfg\": \"%s/bond_b0.json\"}", dir, dir);
	attach_and_check("bond0", init);
}

NF_TEST(test_attach_errors)
{
	struct vs_platform_cfg cfg;
	char err[256] = "";
	const char *want = "hot-plug of pci device 0000:7d:00.2 (devargs "
			   "\"bond_name=trunk1\") failed: ";
	uint16_t port;

	NF_CHECK_EQ(vs_platform_load(config("{\"name\": \"trunk1\", \"pci\": "
		"\"0000:7d:00.2\", \"busname\": \"pci\", \"prefix\": \"\"}",
		"\"\""), &cfg, err, sizeof(err)), 0);
	NF_CHECK(vs_platform_attach_uplink(&cfg, &port, err, sizeof(err)) < 0);
	NF_CHECK(strncmp(err, want, strlen(want)) == 0);
	/* A vdev name no driver claims. */
	NF_CHECK_EQ(vs_platform_load(config("{\"name\": \"x0\", \"pci\": \"\", "
		"\"busname\": \"vdev\", \"prefix\": \"net_nosuch_\"}", "\"\""),
		&cfg, err, sizeof(err)), 0);
	NF_CHECK(vs_platform_attach_uplink(&cfg, &port, err, sizeof(err)) < 0);
	want = "hot-plug of vdev device net_nosuch_x0 (devargs \"\") failed: ";
	NF_CHECK(strncmp(err, want, strlen(want)) == 0);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_config_errors),
		NF_CASE(test_config_ok_and_eal_args),
		NF_CASE(test_attach_uplink_port),
		NF_CASE(test_attach_uplink_bond),
		NF_CASE(test_attach_errors),
	};
	char pfx[64], cmd[128];
	char *argv[] = {"test_vs_platform", "--no-huge", "-m", "256",
		"--no-pci", "-l", "0", "--file-prefix", pfx, "--log-level",
		"lib.eal:error", NULL};
	int rc;

	snprintf(pfx, sizeof(pfx), "vs_platform_%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/tmp/nf_platform_%d", (int)getpid());
	mkdir(dir, 0700);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) <
	    0) {
		printf("cannot init EAL\n0 passed, 1 failed\n");
		return 1;
	}
	rc = nf_test_run(cases, sizeof(cases) / sizeof(cases[0]));
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
