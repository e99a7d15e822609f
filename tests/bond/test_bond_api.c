/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * Bond operations of the NIC in C (N-18) and its init config (N-20): a
 * snic made from an init config whose "ports" are net_null vdevs, uplink
 * bond0. Errors name the wrong object and change nothing (the bond config
 * file is compared byte for byte); successes are persisted and restored by
 * a new probe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "nf_test.h"
#include "snic.h"
#include "snic_agent.h"

#define NAME "net_snic_bapi"

static char dir[128], cfg_path[256], bond_path[256];
static struct snic_switch *sw;
static struct rte_mempool *mp;
static uint16_t up_port;

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static int
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
nic_up(void)
{
	char args[300];
	struct rte_eth_conf conf = {0};

	snprintf(args, sizeof(args), "init_cfg=%s", cfg_path);
	if (rte_vdev_init(NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(NAME, &up_port) != 0)
		return -1;
	sw = snic_port_by_ethdev(up_port)->sw;
	if (rte_eth_dev_configure(up_port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(up_port, 0, 256, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(up_port, 0, 256, 0, NULL) != 0)
		return -1;
	return rte_eth_dev_start(up_port);
}

static void
nic_down(void)
{
	rte_eth_dev_stop(up_port);
	rte_vdev_uninit(NAME);
	sw = NULL;
}

static int
call(const char *method, json_t *params, json_t **res, char *err)
{
	int rc = -ENOSYS;

	*res = NULL;
	for (const struct nf_rpc_method *m = snic_bond_methods;
	     m->name != NULL; m++)
		if (strcmp(m->name, method) == 0)
			rc = m->fn(sw, params, res, err, 256);
	json_decref(params);
	return rc;
}

static json_t *
bond0(void)
{
	json_t *res;
	char err[256];

	if (call("bond_show", json_pack("{s:s}", "bond", "bond0"), &res,
		 err) != 0)
		return NULL;
	json_incref(json_array_get(res, 0));
	json_t *b = json_array_get(res, 0);
	json_decref(res);
	return b;
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "(null)";
}

/* An operation that must fail with rc and message msg, leaving the bond
 * config file as it was. */
#define CHECK_ERR(op, rc, msg) do { \
	char err_[256] = ""; \
	char *before_ = slurp(bond_path); \
	NF_CHECK_EQ(op, rc); \
	if (strcmp(err_, msg) != 0) { \
		nf_test_failed_checks++; \
		fprintf(stderr, "%d: message \"%s\", want \"%s\"\n", \
			__LINE__, err_, msg); \
	} \
	char *after_ = slurp(bond_path); \
	NF_CHECK(strcmp(before_, after_) == 0); \
	free(before_); \
	free(after_); \
} while (0)
#define E err_, sizeof(err_)

NF_TEST(test_uplink_bond_created_and_persisted)
{
	char *text = slurp(bond_path);
	json_t *b = bond0();

	printf("     bond config at probe: %s", text);
	NF_CHECK(strstr(text, "\"name\": \"bond0\"") != NULL);
	NF_CHECK(strstr(text, "\"mode\": \"802.3ad\"") != NULL);
	NF_CHECK(strstr(text, "\"xmit_hash_policy\": \"layer2\"") != NULL);
	NF_CHECK(b != NULL && json_array_size(json_object_get(b, "slaves"))
		 == 0);
	NF_CHECK(strcmp(str(b, "link"), "down") == 0);
	NF_CHECK(strcmp(str(b, "uplink_of"), NAME) == 0);
	json_decref(b);
	free(text);
}

NF_TEST(test_errors_change_nothing)
{
	json_t *res;

	CHECK_ERR(snic_bond_set_master(sw, "eth7", "bond0", E), -ENODEV,
		  "unknown slave device 'eth7'");
	CHECK_ERR(snic_bond_set_master(sw, "eth0", "bond9", E), -ENODEV,
		  "unknown bond device 'bond9'");
	CHECK_ERR(snic_bond_set_mode(sw, "bond0", "foo", E), -EINVAL,
		  "unknown mode 'foo' (active-backup, balance-xor, 802.3ad)");
	CHECK_ERR(snic_bond_set_policy(sw, "bond0", "layer7", E), -EINVAL,
		  "unknown xmit_hash_policy 'layer7' (layer2, layer2+3, "
		  "layer3+4)");
	CHECK_ERR(snic_bond_delete(sw, "bond0", E), -EBUSY,
		  "bond0 is the uplink of " NAME);
	CHECK_ERR(snic_bond_add(sw, "bond0", NULL, E), -EEXIST,
		  "bond device 'bond0' already exists");
	CHECK_ERR(snic_bond_add(sw, "bond1", "roundrobin", E), -EINVAL,
		  "unknown mode 'roundrobin' (active-backup, balance-xor, "
		  "802.3ad)");
	CHECK_ERR(snic_bond_set_nomaster(sw, "eth0", E), -ENOENT,
		  "eth0 is not a slave of any bond");
	CHECK_ERR(snic_bond_delete(sw, "bond9", E), -ENODEV,
		  "unknown bond device 'bond9'");
	CHECK_ERR(call("bond_set_mode", json_pack("{s:s}", "bond", "bond0"),
		       &res, err_), -EINVAL, "missing parameter 'mode'");
	CHECK_ERR(call("bond_add", json_pack("{s:s, s:s}", "bond", "bond2",
		       "speed", "10G"), &res, err_), -EINVAL,
		  "unknown parameter 'speed'");
	CHECK_ERR(call("bond_show", json_pack("{s:i}", "bond", 3), &res,
		       err_), -EINVAL, "parameter 'bond' must be a string");
	CHECK_ERR(call("bond_slave_show", json_pack("{s:s}", "slave", "x"),
		       &res, err_), -ENODEV, "unknown slave device 'x'");
}

NF_TEST(test_members_mode_primary_persisted)
{
	char err[256];
	json_t *b;
	char *text;

	NF_CHECK_EQ(snic_bond_add(sw, "bond1", "balance-xor", err,
				  sizeof(err)), 0);
	NF_CHECK_EQ(snic_bond_set_master(sw, "eth0", "bond0", err,
					 sizeof(err)), 0);
	CHECK_ERR(snic_bond_set_master(sw, "eth0", "bond1", E), -EEXIST,
		  "eth0 is already a slave of bond0");
	NF_CHECK_EQ(snic_bond_set_master(sw, "eth1", "bond0", err,
					 sizeof(err)), 0);
	CHECK_ERR(snic_bond_set_primary(sw, "bond0", "eth2", E), -EINVAL,
		  "eth2 is not a slave of bond0");
	NF_CHECK_EQ(snic_bond_set_mode(sw, "bond0", "active-backup", err,
				       sizeof(err)), 0);
	NF_CHECK_EQ(snic_bond_set_primary(sw, "bond0", "eth1", err,
					  sizeof(err)), 0);
	NF_CHECK_EQ(snic_bond_set_policy(sw, "bond0", "layer2+3", err,
					 sizeof(err)), 0);
	usleep(200 * 1000); /* net_bonding polls member links every 10 ms */
	b = bond0();
	printf("     bond0: mode %s, policy %s, primary %s, active %s, "
	       "link %s\n", str(b, "mode"), str(b, "xmit_hash_policy"),
	       str(b, "primary"), str(b, "active_slave"), str(b, "link"));
	NF_CHECK(strcmp(str(b, "mode"), "active-backup") == 0);
	NF_CHECK(strcmp(str(b, "primary"), "eth1") == 0);
	NF_CHECK(strcmp(str(b, "active_slave"), "eth1") == 0);
	NF_CHECK(strcmp(str(b, "link"), "up") == 0);
	NF_CHECK_EQ(json_array_size(json_object_get(b, "slaves")), 2);
	json_decref(b);
	NF_CHECK_EQ(snic_bond_delete(sw, "bond1", err, sizeof(err)), 0);
	text = slurp(bond_path);
	NF_CHECK(strstr(text, "bond1") == NULL);
	NF_CHECK(strstr(text, "\"primary\": \"eth1\"") != NULL);
	NF_CHECK(strstr(text, "\"xmit_hash_policy\": \"layer2+3\"") != NULL);
	free(text);
}

NF_TEST(test_restored_by_a_new_probe)
{
	json_t *b, *res;
	char err[256];

	nic_down();
	NF_CHECK_EQ(nic_up(), 0);
	b = bond0();
	printf("     after re-probe: bond0 mode %s, policy %s, primary %s, "
	       "slaves %zu\n", str(b, "mode"), str(b, "xmit_hash_policy"),
	       str(b, "primary"),
	       json_array_size(json_object_get(b, "slaves")));
	NF_CHECK(strcmp(str(b, "mode"), "active-backup") == 0);
	NF_CHECK(strcmp(str(b, "xmit_hash_policy"), "layer2+3") == 0);
	NF_CHECK(strcmp(str(b, "primary"), "eth1") == 0);
	NF_CHECK_EQ(json_array_size(json_object_get(b, "slaves")), 2);
	json_decref(b);
	usleep(200 * 1000); /* member links polled */
	NF_CHECK_EQ(call("bond_slave_show", json_pack("{s:s}", "slave",
			 "eth0"), &res, err), 0);
	NF_CHECK(strcmp(str(json_array_get(res, 0), "master"), "bond0") == 0);
	NF_CHECK(strcmp(str(json_array_get(res, 0), "state"), "backup") == 0);
	json_decref(res);
	NF_CHECK_EQ(call("bond_slave_xstats", json_pack("{}"), &res, err), 0);
	NF_CHECK_EQ(json_array_size(res), 3); /* eth0..eth2 */
	NF_CHECK(json_is_null(json_object_get(json_array_get(res, 0),
					      "actor"))); /* not 802.3ad */
	json_decref(res);
}

NF_TEST(test_init_config_strict)
{
	static const char *const bad[] = {
		"{\"uplnk\": \"bond0\"}",
		"{\"uplink\": \"bond0\", \"vfs\": \"net_null9\"}",
		"{\"uplink\": \"bond0\", \"ports\": {\"eth0\": 5}}",
		"{\"uplink\": \"bond0\", \"mode\": \"fast\"}",
		"{\"uplink\": \"eth9\"}",
	};
	char path[300], args[700];

	snprintf(path, sizeof(path), "%s/bad.cfg", dir);
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		NF_CHECK_EQ(write_text(path, bad[i]), 0);
		snprintf(args, sizeof(args), "init_cfg=%s,ctl=none,bond_cfg=%s"
			 "/b2.json", path, dir);
		NF_CHECK(rte_vdev_init("net_snic_bad", args) != 0);
		rte_vdev_uninit("net_snic_bad");
	}
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_uplink_bond_created_and_persisted),
		NF_CASE(test_errors_change_nothing),
		NF_CASE(test_members_mode_primary_persisted),
		NF_CASE(test_restored_by_a_new_probe),
		NF_CASE(test_init_config_strict),
	};
	char pfx[64], cfg[600];
	char *eal[] = {"test_bond_api", "--no-huge", "-m", "256", "--no-pci",
		       "-l", "0", "--file-prefix", pfx, "--log-level",
		       "lib.eal:error", "--log-level", "pmd.net.bond:crit",
		       "--log-level", "pmd.net.snic:crit", NULL};
	int rc;

	snprintf(pfx, sizeof(pfx), "bond_api_%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/tmp/nf_bond_api_%d", (int)getpid());
	snprintf(cfg_path, sizeof(cfg_path), "%s/init.cfg", dir);
	snprintf(bond_path, sizeof(bond_path), "%s/nicflow/bond.json", dir);
	mkdir(dir, 0700);
	snprintf(cfg, sizeof(cfg), "{\"ports\": {\"eth0\": \"net_null_ba0\", "
		 "\"eth1\": \"net_null_ba1\", \"eth2\": \"net_null_ba2\"}, "
		 "\"uplink\": \"bond0\", \"mode\": \"inline\", \"bond_cfg\": "
		 "\"%s\", \"ctl\": \"none\"}\n", bond_path);
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0 ||
	    write_text(cfg_path, cfg) != 0 ||
	    (mp = rte_pktmbuf_pool_create("bapi", 2047, 64, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, 0)) == NULL || nic_up() != 0) {
		printf("cannot set up the test switch\n0 passed, 1 failed\n");
		return 1;
	}
	rc = nf_test_run(cases, RTE_DIM(cases));
	nic_down();
	snprintf(cfg, sizeof(cfg), "rm -rf %s", dir);
	if (system(cfg) != 0)
		rc = 1;
	return rc;
}
