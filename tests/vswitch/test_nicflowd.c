/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowd unit tests (V-1, V-2 §7.2, V-8): the RPC methods' parameter
 * validation with the exact JSON-RPC answers, the config file round trip,
 * and the §7.2 translator field by field (then validated by a real snic).
 * The snic runs over net_ring ports; nothing is sent.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>

#include "nf_test.h"
#include "nfd.h"

static struct nfd d;
static char dir[64];

/* The exact response to one request line. */
static int
rpc_is(const char *req, const char *want)
{
	json_t *r = nf_rpc_handle(nfd_rpc_tables, &d, req, strlen(req));
	char *got = r != NULL ? json_dumps(r, JSON_COMPACT) : NULL;
	int ok = got != NULL && strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "request  %s\n  got    %s\n  wanted %s\n", req,
			got != NULL ? got : "(none)", want);
	free(got);
	json_decref(r);
	return ok;
}

#define REQ(m, p) "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" m \
	"\",\"params\":" p "}"
#define OK "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}"
#define ERR(code, msg) "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":" \
	#code ",\"message\":\"" msg "\"}}"
#define PORT(name, rep, mac, ip, net) "{\"name\":\"" name "\",\"rep\":\"" \
	rep "\",\"mac\":\"" mac "\",\"ipv4\":\"" ip "\",\"network\":\"" net \
	"\"}"

NF_TEST(test_network_params)
{
	NF_CHECK(rpc_is(REQ("network_add", "{}"),
			ERR(-32602, "name: missing")));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":\"blue\"}"),
			ERR(-32602, "vni: missing")));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":\"blue\",\"vni\":\"x\"}"),
			ERR(-32602, "vni: must be a non-negative integer")));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":7,\"vni\":1}"),
			ERR(-32602, "name: must be a string")));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":\"b l\",\"vni\":1}"),
			ERR(-32602, "name: 'b l' is not a name (1-31 of A-Z "
			    "a-z 0-9 _ . -)")));
	NF_CHECK(rpc_is(REQ("network_add",
			    "{\"name\":\"blue\",\"vni\":16777216}"),
			ERR(-32602, "vni: 16777216 is out of range "
			    "0..16777215")));
	NF_CHECK(rpc_is(REQ("network_add",
			    "{\"name\":\"blue\",\"vni\":1,\"mtu\":1}"),
			ERR(-32602, "mtu: unknown parameter")));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":\"blue\",\"vni\":100}"),
			OK));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":\"blue\",\"vni\":101}"),
			ERR(-32602, "network 'blue' already exists")));
	NF_CHECK(rpc_is(REQ("network_add", "{\"name\":\"red\",\"vni\":100}"),
			ERR(-32602, "vni: 100 is already network 'blue'")));
	NF_CHECK(rpc_is(REQ("network_del", "{\"name\":\"red\"}"),
			ERR(-32602, "network 'red' does not exist")));
	NF_CHECK(rpc_is(REQ("network_list", "{\"all\":1}"),
			ERR(-32602, "all: unknown parameter")));
	NF_CHECK(rpc_is(REQ("network_list", "null"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"name\":"
			"\"blue\",\"vni\":100}]}"));
}

NF_TEST(test_port_params)
{
	NF_CHECK(rpc_is(REQ("port_add", "{\"name\":\"vm1\"}"),
			ERR(-32602, "rep: missing")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "0", "zz", "10.0.0.1",
					      "blue")),
			ERR(-32602, "mac: 'zz' is not a unicast MAC address")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "0", "01:00:5e:00:00:01",
					      "10.0.0.1", "blue")),
			ERR(-32602, "mac: '01:00:5e:00:00:01' is not a unicast "
			    "MAC address")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "0", "02:00:00:00:00:01",
					      "10.0.0", "blue")),
			ERR(-32602, "ipv4: '10.0.0' is not an IPv4 address")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "9", "02:00:00:00:00:01",
					      "10.0.0.1", "blue")),
			ERR(-32602, "rep: no representor '9' on net_snic0")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "net_ring1",
					      "02:00:00:00:00:01", "10.0.0.1",
					      "blue")),
			ERR(-32602, "rep: no representor 'net_ring1' on "
			    "net_snic0")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "0", "02:00:00:00:00:01",
					      "10.0.0.1", "red")),
			ERR(-32602, "network: unknown network 'red'")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm1", "0", "02:00:00:00:00:01",
					      "10.0.0.1", "blue")), OK));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm2", "net_snic0_representor_0",
					      "02:00:00:00:00:02", "10.0.0.2",
					      "blue")),
			ERR(-32602, "rep: net_snic0_representor_0 is already "
			    "port 'vm1'")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm2", "1", "02:00:00:00:00:01",
					      "10.0.0.2", "blue")),
			ERR(-32602, "mac: 02:00:00:00:00:01 is already port "
			    "'vm1'")));
	NF_CHECK(rpc_is(REQ("port_add", PORT("vm2", "net_snic0_representor_1",
					      "02:00:00:00:00:02", "10.0.0.2",
					      "blue")), OK));
	NF_CHECK(rpc_is(REQ("network_del", "{\"name\":\"blue\"}"),
			ERR(-32000, "network 'blue' still has port 'vm1'")));
	NF_CHECK(rpc_is(REQ("port_del", "{\"name\":\"vm9\"}"),
			ERR(-32602, "port 'vm9' does not exist")));
	NF_CHECK(rpc_is(REQ("flow_dump", "{}"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}"));
}

/* Saved, then loaded into a second switch: the same model and NIC. */
/* The underlay of both families (V-9): one VTEP per family, IPv4 and
 * IPv6 prefixes and next hops, the errors naming the field. The VTEPs and
 * the IPv6 route stay for the config round trip. */
NF_TEST(test_underlay_params)
{
	NF_CHECK(rpc_is(REQ("vtep_add", "{\"ip\":\"::ffff:10.0.0.1\"}"),
			ERR(-32602, "ip: '::ffff:10.0.0.1' is not an IPv4 or "
			    "IPv6 address")));
	NF_CHECK(rpc_is(REQ("vtep_add", "{\"ip\":\"ff02::1\"}"),
			ERR(-32602, "ip: ff02::1 is not a unicast VTEP "
			    "address")));
	NF_CHECK(rpc_is(REQ("vtep_add", "{\"ip\":\"192.168.9.1\"}"), OK));
	NF_CHECK(rpc_is(REQ("vtep_add", "{\"ip\":\"192.168.9.2\"}"),
			ERR(-32602, "ip: this node's IPv4 VTEP is already "
			    "192.168.9.1 (delete it first)")));
	NF_CHECK(rpc_is(REQ("vtep_add", "{\"ip\":\"FD00:50::1\"}"), OK));
	NF_CHECK(rpc_is(REQ("vtep_list", "null"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"ip\":"
			"\"192.168.9.1\"},{\"ip\":\"fd00:50::1\"}]}"));
	NF_CHECK(rpc_is(REQ("vtep_del", "{\"ip\":\"fd00:50::2\"}"),
			ERR(-32602, "vtep fd00:50::2 does not exist")));
	NF_CHECK(rpc_is(REQ("route_add", "{\"prefix\":\"fd00:50::1/64\","
			    "\"uplink\":\"net_snic0\"}"),
			ERR(-32602, "prefix: 'fd00:50::1/64' has host bits "
			    "set")));
	NF_CHECK(rpc_is(REQ("route_add", "{\"prefix\":\"fd00::/129\","
			    "\"uplink\":\"net_snic0\"}"),
			ERR(-32602, "prefix: 'fd00::/129' is not an IPv4 or "
			    "IPv6 prefix (address/len)")));
	NF_CHECK(rpc_is(REQ("route_add", "{\"prefix\":\"fd00:60::/64\","
			    "\"uplink\":\"net_snic0\",\"via\":\"10.0.0.9\"}"),
			ERR(-32602, "via: 10.0.0.9 is not of the prefix's "
			    "family (fd00:60::/64)")));
	NF_CHECK(rpc_is(REQ("route_add", "{\"prefix\":\"fd00:60::/64\","
			    "\"uplink\":\"net_snic0\",\"via\":\"fd00:50::fe\"}"),
			OK));
	NF_CHECK(rpc_is(REQ("route_add", "{\"prefix\":\"10.9.0.0/16\","
			    "\"uplink\":\"net_snic0\"}"), OK));
	NF_CHECK(rpc_is(REQ("route_list", "null"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"prefix\":"
			"\"fd00:60::/64\",\"uplink\":\"net_snic0\",\"via\":"
			"\"fd00:50::fe\"},{\"prefix\":\"10.9.0.0/16\",\"uplink\":"
			"\"net_snic0\"}]}"));
	NF_CHECK(rpc_is(REQ("route_del", "{\"prefix\":\"10.9.0.0/16\"}"),
			OK));
	NF_CHECK(rpc_is(REQ("route_del", "{\"prefix\":\"10.9.0.0/16\"}"),
			ERR(-32602, "route 10.9.0.0/16 does not exist")));
	/* A remote behind an IPv6 VTEP; this node's own VTEP is refused. */
	NF_CHECK(rpc_is(REQ("remote_add", "{\"name\":\"r6\",\"network\":"
			    "\"blue\",\"mac\":\"02:00:00:00:09:01\",\"ipv4\":"
			    "\"10.0.0.91\",\"vtep\":\"fd00:50::1\"}"),
			ERR(-32602, "vtep: fd00:50::1 is this node's VTEP")));
	NF_CHECK(rpc_is(REQ("remote_add", "{\"name\":\"r6\",\"network\":"
			    "\"blue\",\"mac\":\"02:00:00:00:09:01\",\"ipv4\":"
			    "\"10.0.0.91\",\"vtep\":\"fd00:60::3\"}"), OK));
	NF_CHECK(rpc_is(REQ("remote_list", "null"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"name\":"
			"\"r6\",\"network\":\"blue\",\"mac\":"
			"\"02:00:00:00:09:01\",\"ipv4\":\"10.0.0.91\",\"vtep\":"
			"\"fd00:60::3\"}]}"));
	/* Its next hop is the route's via, waiting for ND on the uplink. */
	NF_CHECK(rpc_is(REQ("neigh_list", "null"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"uplink\":"
			"\"net_snic0\",\"ip\":\"fd00:50::fe\",\"mac\":\"\","
			"\"state\":\"incomplete\"}]}"));
	NF_CHECK(rpc_is(REQ("remote_del", "{\"name\":\"r6\"}"), OK));
}

NF_TEST(test_config_round_trip)
{
	struct nfd_opts o2 = {0};
	struct vs_switch *vs2;
	char err[256] = "", tmp[300];
	json_t *a, *b;

	NF_CHECK_EQ(nfd_config_save(&d.opts, d.vs), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", d.opts.config);
	NF_CHECK(access(tmp, F_OK) != 0); /* renamed, not left behind */
	strcpy(o2.config, d.opts.config);
	NF_CHECK_EQ(nfd_config_load(&o2, err, sizeof(err)), 0);
	NF_CHECK(strcmp(o2.nic, "net_snic0") == 0);
	NF_CHECK(strcmp(o2.devargs, d.opts.devargs) == 0);
	NF_CHECK_EQ(o2.nb_underlay, 1);
	NF_CHECK(strcmp(o2.underlay[0], "net_ring9") == 0);
	NF_CHECK_EQ(o2.idle_timeout, 7);
	NF_CHECK_EQ(o2.nb_vports, 2);
	NF_CHECK(o2.vports[0].type == NFD_VPORT_VHOST &&
		 strcmp(o2.vports[0].path, "/run/nfdunit/vm1.sock") == 0 &&
		 o2.vports[0].client && o2.vports[0].max_queues == 1);
	NF_CHECK(o2.vports[1].type == NFD_VPORT_TAP &&
		 strcmp(o2.vports[1].path, "vmtap1") == 0);
	vs2 = vs_switch_create("net_snic0", NULL);
	NF_CHECK(vs2 != NULL);
	if (vs2 == NULL)
		return;
	NF_CHECK_EQ(vs_model_from_json(vs2, o2.model, err, sizeof(err)), 0);
	a = vs_model_to_json(d.vs);
	b = vs_model_to_json(vs2);
	NF_CHECK(json_equal(a, b));
	NF_CHECK_EQ(json_array_size(json_object_get(b, "ports")), 2);
	json_decref(a);
	json_decref(b);
	json_decref(o2.model);
	vs_switch_destroy(vs2);
}

NF_TEST(test_config_errors)
{
	struct nfd_opts o = {0};
	char err[256] = "", path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	f = fopen(path, "w");
	fputs("{\"idle_timeout\": \"x\"}", f);
	fclose(f);
	strcpy(o.config, path);
	NF_CHECK_EQ(nfd_config_load(&o, err, sizeof(err)), -EINVAL);
	NF_CHECK(strcmp(err, "idle_timeout: must be 1..86400 seconds") == 0);
	f = fopen(path, "w");
	fputs("{\"udp_timeout\": 0}", f);
	fclose(f);
	NF_CHECK_EQ(nfd_config_load(&o, err, sizeof(err)), -EINVAL);
	NF_CHECK(strcmp(err, "udp_timeout: must be 1..86400 seconds") == 0);
	f = fopen(path, "w");
	fputs("{\"nic\": {\"underlay\": [1]}}", f);
	fclose(f);
	NF_CHECK_EQ(nfd_config_load(&o, err, sizeof(err)), -EINVAL);
	NF_CHECK(strcmp(err, "nic.underlay[0]: must be a vdev string (at most "
			"16)") == 0);
	f = fopen(path, "w");
	fputs("{\"nic\": {\"vports\": [{\"type\": \"tap\", \"iface\": "
	      "\"t\"}, {\"type\": \"vhost\", \"path\": \"/a\", "
	      "\"vdpa-max-queues\": \"1\"}]}}", f);
	fclose(f);
	NF_CHECK_EQ(nfd_config_load(&o, err, sizeof(err)), -EINVAL);
	NF_CHECK(strcmp(err, "nic.vports[1].vdpa-max-queues: must be an "
			"integer 1..1") == 0);
	/* A missing file is a first start, not an error. */
	snprintf(o.config, sizeof(o.config), "%s/none.json", dir);
	NF_CHECK_EQ(nfd_config_load(&o, err, sizeof(err)), 0);
	NF_CHECK(o.model == NULL);
	{
		char *argv[] = {"nicflowd", "--idle-timeout", "0", NULL};

		NF_CHECK_EQ(nfd_opts_parse(3, argv, &o, err, sizeof(err)),
			    -EINVAL);
		NF_CHECK(strcmp(err, "--idle-timeout: '0' is not 1..86400 "
				"seconds") == 0);
	}
	{
		char *argv[] = {"nicflowd", "--bogus", NULL};

		NF_CHECK_EQ(nfd_opts_parse(2, argv, &o, err, sizeof(err)),
			    -EINVAL);
		NF_CHECK(strcmp(err, "unknown or incomplete option "
				"'--bogus'") == 0);
	}
}

/* One --vport spec's error message, exactly. */
static int
vport_err_is(const char *spec, const char *want)
{
	struct nfd_vport v;
	char err[512] = "";
	int rc = nfd_vport_parse(spec, &v, err, sizeof(err));

	if (rc != -EINVAL || strcmp(err, want) != 0)
		fprintf(stderr, "--vport %s\n  got    %d %s\n  wanted %s\n",
			spec, rc, err, want);
	return rc == -EINVAL && strcmp(err, want) == 0;
}

NF_TEST(test_vport_parse)
{
	struct nfd_vport v;
	char err[512] = "", buf[256];

	NF_CHECK_EQ(nfd_vport_parse("vhost,path=/run/vm1.sock,client=1,"
				    "vdpa-max-queues=1,vdpa-accelerator-"
				    "devargs=", &v, err, sizeof(err)), 0);
	NF_CHECK(v.type == NFD_VPORT_VHOST && v.client && v.max_queues == 1);
	NF_CHECK(strcmp(v.path, "/run/vm1.sock") == 0);
	NF_CHECK_EQ(nfd_vport_parse("tap,iface=vm-1.a", &v, err, sizeof(err)),
		    0);
	NF_CHECK(v.type == NFD_VPORT_TAP && strcmp(v.path, "vm-1.a") == 0);
	NF_CHECK(vport_err_is("virtio,path=/x", "--vport: type: 'virtio' is "
			      "not vhost or tap"));
	NF_CHECK(vport_err_is("vhost", "--vport: path: missing"));
	NF_CHECK(vport_err_is("vhost,path=x.sock", "--vport: path: must be an "
			      "absolute socket path of at most 107 bytes "
			      "without ','"));
	NF_CHECK(vport_err_is("vhost,path=/x,iface=y", "--vport: iface: "
			      "unknown key for a vhost vport"));
	NF_CHECK(vport_err_is("vhost,path=/x,queues", "--vport: 'queues' is "
			      "not key=value"));
	NF_CHECK(vport_err_is("vhost,path=/x,path=/y", "--vport: path: given "
			      "twice"));
	NF_CHECK(vport_err_is("vhost,path=/x,client=2", "--vport: client: must "
			      "be 0 (nicflowd serves the socket) or 1 (it "
			      "connects to the VMM's)"));
	NF_CHECK(vport_err_is("vhost,path=/x,vdpa-max-queues=x", "--vport: "
			      "vdpa-max-queues: 'x' is not an integer"));
	NF_CHECK(vport_err_is("vhost,path=/x,vdpa-max-queues=0", "--vport: "
			      "vdpa-max-queues: must be an integer 1..1"));
	NF_CHECK(vport_err_is("vhost,path=/x,vdpa-max-queues=8", "--vport: "
			      "vdpa-max-queues: 8: at most 1 (net_snic polls "
			      "one queue pair per VF; a guest's other queues "
			      "would never be served)"));
	/* The accelerator's devargs keep their commas. */
	NF_CHECK(vport_err_is("vhost,path=/x,vdpa-accelerator-devargs="
			      "0000:01:00.2,class=vdpa", "--vport: vdpa-"
			      "accelerator-devargs: '0000:01:00.2,class=vdpa': "
			      "no vDPA accelerator can serve a net_snic VF (a "
			      "software NIC; the vhost-user port is served in "
			      "software): leave it empty"));
	NF_CHECK(vport_err_is("tap,iface=much-too-long-name", "--vport: iface:"
			      " must be 1-15 of A-Z a-z 0-9 _ . -"));
	NF_CHECK(vport_err_is("tap,iface=a,b", "--vport: 'b' is not "
			      "key=value"));
	/* The vdev strings nicflowd hands EAL. */
	NF_CHECK_EQ(nfd_vport_parse("vhost,path=/run/a.sock", &v, err,
				    sizeof(err)), 0);
	strcpy(v.vdev, "net_vhost3");
	NF_CHECK_EQ(nfd_vport_vdev(&v, buf, sizeof(buf)), 0);
	NF_CHECK(strcmp(buf, "net_vhost3,iface=/run/a.sock,queues=1,client=0")
		 == 0);
	NF_CHECK_EQ(nfd_vport_vdev(&v, buf, 20), -ENAMETOOLONG);
}

/* Names skip the --underlay vdevs; representors follow devargs' vf=. */
NF_TEST(test_vports_resolve)
{
	struct nfd_opts o = {0};
	char err[512] = "";

	strcpy(o.devargs, "uplink=net_null0,vf=net_vhost0,ctl=none");
	strcpy(o.underlay[0], "net_null0,no-rx=1");
	strcpy(o.underlay[1], "net_vhost0,iface=/run/own.sock");
	o.nb_underlay = 2;
	NF_CHECK_EQ(nfd_vport_parse("vhost,path=/run/a.sock", &o.vports[0],
				    err, sizeof(err)), 0);
	NF_CHECK_EQ(nfd_vport_parse("tap,iface=t0", &o.vports[1], err,
				    sizeof(err)), 0);
	NF_CHECK_EQ(nfd_vport_parse("vhost,path=/run/b.sock", &o.vports[2],
				    err, sizeof(err)), 0);
	o.nb_vports = 3;
	NF_CHECK_EQ(nfd_vports_resolve(&o, err, sizeof(err)), 0);
	NF_CHECK(strcmp(o.vports[0].vdev, "net_vhost1") == 0);
	NF_CHECK(strcmp(o.vports[1].vdev, "net_tap0") == 0);
	NF_CHECK(strcmp(o.vports[2].vdev, "net_vhost2") == 0);
	NF_CHECK(o.vports[0].rep == 1 && o.vports[1].rep == 2 &&
		 o.vports[2].rep == 3);
	strcpy(o.vports[2].path, "/run/a.sock");
	NF_CHECK_EQ(nfd_vports_resolve(&o, err, sizeof(err)), -EINVAL);
	NF_CHECK(strcmp(err, "vport 2: path '/run/a.sock' is also vport 0's")
		 == 0);
	strcpy(o.devargs, "init_cfg=/etc/smart_nic_init.cfg");
	NF_CHECK_EQ(nfd_vports_resolve(&o, err, sizeof(err)), -EINVAL);
	NF_CHECK(strcmp(err, "vports need the NIC's ports in --devargs "
			"(uplink=..., any vf=...; not init_cfg=): their VFs "
			"come after those") == 0);
}

/* A dead process's socket is removed; a live server's or a file is
 * refused. */
NF_TEST(test_vport_prepare)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct nfd_vport v;
	char err[512] = "";
	FILE *f;
	int fd;

	snprintf(v.path, sizeof(v.path), "%s/sub/vm.sock", dir);
	v.type = NFD_VPORT_VHOST;
	v.client = false;
	NF_CHECK_EQ(nfd_vport_prepare(&v, err, sizeof(err)), 0);
	strcpy(sa.sun_path, v.path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	NF_CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	NF_CHECK_EQ(listen(fd, 1), 0);
	NF_CHECK_EQ(nfd_vport_prepare(&v, err, sizeof(err)), -EADDRINUSE);
	close(fd);
	NF_CHECK_EQ(nfd_vport_prepare(&v, err, sizeof(err)), 0);
	NF_CHECK(access(v.path, F_OK) != 0);
	f = fopen(v.path, "w");
	fclose(f);
	NF_CHECK_EQ(nfd_vport_prepare(&v, err, sizeof(err)), -EEXIST);
	NF_CHECK(strstr(err, "exists and is not a socket") != NULL);
	unlink(v.path);
}

static void
key_v4(struct vs_flow_key *k, uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	k->in_port = 0;
	k->eth_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	rte_ether_unformat_addr("02:00:00:00:00:01", &k->src);
	rte_ether_unformat_addr("02:00:00:00:00:02", &k->dst);
	k->ip_proto = proto;
	inet_pton(AF_INET, "10.0.0.2", k->dst_ip);
}

/* §7.2 field by field: attr ingress; ETH src/dst/type; VLAN all zero;
 * IPV4 dst_addr + next_proto_id; VXLAN vni 0; COUNT id; PORT_ID id. */
/* §7.2 actions toward port out. */
static const struct vs_acts *
l2(uint16_t out)
{
	static struct vs_acts a;

	memset(&a, 0, sizeof(a));
	a.tpl = VS_TPL_L2;
	a.out_port = out;
	return &a;
}

NF_TEST(test_rule_7_2)
{
	static const uint8_t ones6[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const struct rte_flow_item_vlan zero_vlan;
	struct rte_flow_error ferr;
	struct vs_flow_key k;
	struct vs_rule r;
	char err[128] = "";
	uint16_t rep0, rep1;
	uint32_t ip;

	key_v4(&k, IPPROTO_UDP);
	NF_CHECK_EQ(vs_rule_build(&k, l2(6), 42, &r, err, sizeof(err)), 0);
	NF_CHECK(r.attr.ingress == 1 && r.attr.egress == 0 &&
		 r.attr.transfer == 0 && r.attr.group == 0 &&
		 r.attr.priority == 0);
	NF_CHECK_EQ(r.items[0].type, RTE_FLOW_ITEM_TYPE_ETH);
	NF_CHECK_EQ(r.items[1].type, RTE_FLOW_ITEM_TYPE_VLAN);
	NF_CHECK_EQ(r.items[2].type, RTE_FLOW_ITEM_TYPE_IPV4);
	NF_CHECK_EQ(r.items[3].type, RTE_FLOW_ITEM_TYPE_VXLAN);
	NF_CHECK_EQ(r.items[4].type, RTE_FLOW_ITEM_TYPE_END);
	NF_CHECK(rte_is_same_ether_addr(&r.eth.hdr.src_addr, &k.src));
	NF_CHECK(rte_is_same_ether_addr(&r.eth.hdr.dst_addr, &k.dst));
	NF_CHECK_EQ(r.eth.hdr.ether_type, RTE_BE16(0x0800));
	NF_CHECK_MEM(&r.eth_mask.hdr.src_addr, ones6, 6);
	NF_CHECK_MEM(&r.eth_mask.hdr.dst_addr, ones6, 6);
	NF_CHECK_EQ(r.eth_mask.hdr.ether_type, 0xffff);
	NF_CHECK_MEM(r.items[1].spec, &zero_vlan, sizeof(zero_vlan));
	memcpy(&ip, k.dst_ip, 4);
	NF_CHECK_EQ(r.ip4.hdr.dst_addr, ip);
	NF_CHECK_EQ(r.ip4.hdr.next_proto_id, IPPROTO_UDP);
	NF_CHECK_EQ(r.ip4_mask.hdr.dst_addr, 0xffffffff);
	NF_CHECK_EQ(r.ip4_mask.hdr.next_proto_id, 0xff);
	NF_CHECK_EQ(r.ip4_mask.hdr.src_addr, 0); /* §7.2: dst only */
	NF_CHECK(r.vxlan.vni[0] == 0 && r.vxlan.vni[1] == 0 &&
		 r.vxlan.vni[2] == 0);
	NF_CHECK(r.vxlan_mask.vni[0] == 0xff && r.vxlan_mask.vni[2] == 0xff);
	NF_CHECK_EQ(r.actions[0].type, RTE_FLOW_ACTION_TYPE_COUNT);
	NF_CHECK_EQ(((const struct rte_flow_action_count *)
		     r.actions[0].conf)->id, 42);
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_PORT_ID);
	NF_CHECK_EQ(((const struct rte_flow_action_port_id *)
		     r.actions[1].conf)->id, 6);
	NF_CHECK_EQ(r.actions[2].type, RTE_FLOW_ACTION_TYPE_END);

	/* The NIC takes it as is. */
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_0",
						 &rep0), 0);
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_1",
						 &rep1), 0);
	k.in_port = rep0;
	NF_CHECK_EQ(vs_rule_build(&k, l2(rep1), 1, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);

	/* IPv6 TCP: the IPV6 item with dst + proto. */
	k.eth_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	k.is_v6 = 1;
	k.ip_proto = IPPROTO_TCP;
	inet_pton(AF_INET6, "2001:db8::2", k.dst_ip);
	NF_CHECK_EQ(vs_rule_build(&k, l2(rep1), 1, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.items[2].type, RTE_FLOW_ITEM_TYPE_IPV6);
	NF_CHECK_MEM(r.ip6.hdr.dst_addr, k.dst_ip, 16);
	NF_CHECK_EQ(r.ip6.hdr.proto, IPPROTO_TCP);
	NF_CHECK_EQ(r.ip6_mask.hdr.proto, 0xff);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
}

NF_TEST(test_rule_refused)
{
	struct vs_flow_key k;
	struct vs_rule r;
	char err[128] = "";

	key_v4(&k, IPPROTO_ICMP);
	NF_CHECK_EQ(vs_rule_build(&k, l2(1), 0, &r, err, sizeof(err)), -ENOTSUP);
	NF_CHECK(strcmp(err, "not offloadable (N-3): only IPv4/IPv6 TCP/UDP "
			"unicast") == 0);
	key_v4(&k, IPPROTO_UDP);
	k.eth_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	NF_CHECK_EQ(vs_rule_build(&k, l2(1), 0, &r, err, sizeof(err)), -ENOTSUP);
	/* Tagged ARP: the EtherType after the tag decides (N-3). */
	key_v4(&k, IPPROTO_UDP);
	k.eth_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	k.inner_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	NF_CHECK_EQ(vs_rule_build(&k, l2(1), 0, &r, err, sizeof(err)), -ENOTSUP);
}

/* §7.2 with trunk subports: the VLAN item carries the frame's tag; the
 * destination's VID gives SET_VLAN_VID/PCP (priority kept), POP_VLAN or
 * PUSH_VLAN + VID + PCP; each rule is accepted by a real snic. */
NF_TEST(test_rule_vlan)
{
	struct rte_flow_error ferr;
	struct vs_acts a = {.tpl = VS_TPL_L2};
	struct vs_flow_key k;
	struct vs_rule r;
	char err[128] = "";
	uint16_t rep0, rep1;

	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_0",
						 &rep0), 0);
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_1",
						 &rep1), 0);
	key_v4(&k, IPPROTO_UDP);
	k.in_port = rep0;
	k.eth_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	k.vlan_tci = RTE_BE16(5 << 13 | 20);
	k.inner_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a.out_port = rep1;
	a.out_vlan = 30;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 0, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.eth.hdr.ether_type, RTE_BE16(RTE_ETHER_TYPE_VLAN));
	NF_CHECK_EQ(r.vlan.hdr.vlan_tci, RTE_BE16(5 << 13 | 20));
	NF_CHECK_EQ(r.vlan.hdr.eth_proto, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID);
	NF_CHECK_EQ(r.vid.vlan_vid, RTE_BE16(30));
	NF_CHECK_EQ(r.actions[2].type, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP);
	NF_CHECK_EQ(r.pcp.vlan_pcp, 5);
	NF_CHECK_EQ(r.actions[3].type, RTE_FLOW_ACTION_TYPE_PORT_ID);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
	a.out_vlan = 0;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 0, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_OF_POP_VLAN);
	NF_CHECK_EQ(r.actions[2].type, RTE_FLOW_ACTION_TYPE_PORT_ID);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
	key_v4(&k, IPPROTO_UDP);
	k.in_port = rep0;
	a.out_vlan = 30;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 0, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN);
	NF_CHECK_EQ(r.push.ethertype, RTE_BE16(RTE_ETHER_TYPE_VLAN));
	NF_CHECK_EQ(r.actions[2].type, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID);
	NF_CHECK_EQ(r.actions[3].type, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP);
	NF_CHECK_EQ(r.pcp.vlan_pcp, 0);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
}

/* §7.3 egress over an IPv6 underlay (V-9): the VXLAN_ENCAP definition is
 * ETH (0x86dd) / IPV6 / UDP 4789 / VXLAN; the snic's N-15 check counts its
 * 70 bytes (refused at uplink MTU 1500, taken at 1570). */
NF_TEST(test_rule_encap6)
{
	struct rte_flow_error ferr;
	const struct rte_flow_action_vxlan_encap *enc;
	const struct rte_flow_item_ipv6 *ip6;
	struct vs_flow_key k;
	struct vs_acts a = {.tpl = VS_TPL_L2_ENCAP, .vni = 100};
	struct vs_rule r;
	char err[128] = "";
	uint16_t rep0, up, mtu;

	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_0",
						 &rep0), 0);
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0", &up), 0);
	NF_CHECK_EQ(vs_ip_parse("fd00:50::1", &a.o_sip), 0);
	NF_CHECK_EQ(vs_ip_parse("fd00:50::3", &a.o_dip), 0);
	rte_ether_unformat_addr("02:00:00:00:50:01", &a.o_src);
	rte_ether_unformat_addr("02:00:00:00:50:03", &a.o_dst);
	a.out_port = up;
	key_v4(&k, IPPROTO_UDP);
	k.in_port = rep0;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 0, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP);
	enc = r.actions[1].conf;
	NF_CHECK_EQ(enc->definition[0].type, RTE_FLOW_ITEM_TYPE_ETH);
	NF_CHECK_EQ(((const struct rte_flow_item_eth *)
		     enc->definition[0].spec)->hdr.ether_type,
		    RTE_BE16(RTE_ETHER_TYPE_IPV6));
	NF_CHECK_EQ(enc->definition[1].type, RTE_FLOW_ITEM_TYPE_IPV6);
	ip6 = enc->definition[1].spec;
	NF_CHECK_MEM(ip6->hdr.src_addr, a.o_sip.a, 16);
	NF_CHECK_MEM(ip6->hdr.dst_addr, a.o_dip.a, 16);
	NF_CHECK_EQ(ip6->hdr.proto, IPPROTO_UDP);
	NF_CHECK_EQ(enc->definition[2].type, RTE_FLOW_ITEM_TYPE_UDP);
	NF_CHECK_EQ(enc->definition[3].type, RTE_FLOW_ITEM_TYPE_VXLAN);
	NF_CHECK_EQ(enc->definition[4].type, RTE_FLOW_ITEM_TYPE_END);
	/* ethdev sets an MTU on configured ports only. */
	NF_CHECK_EQ(rte_eth_dev_configure(up, 1, 1,
					  &(struct rte_eth_conf){0}), 0);
	NF_CHECK_EQ(rte_eth_dev_get_mtu(up, &mtu), 0);
	NF_CHECK_EQ(rte_eth_dev_set_mtu(up, 1500), 0);
	NF_CHECK(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				   &ferr) != 0 && ferr.message != NULL &&
		 strstr(ferr.message, "1570-byte") != NULL);
	NF_CHECK_EQ(rte_eth_dev_set_mtu(up, 1570), 0);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
	NF_CHECK_EQ(rte_eth_dev_set_mtu(up, mtu), 0);
}

/* Security groups (V-5, §7.7): the kinds' validation, what vs_xlate makes
 * of flows of a port with a stateful group, and the rules: the TCP item
 * with tcp_flags spec 0 mask FIN|SYN|RST, the UDP item, the DROP template,
 * each validated by the snic. */
static void
key_sg(struct vs_flow_key *k, uint16_t in, const char *src, const char *dst,
       const char *smac, const char *dmac, uint8_t proto, uint16_t sport,
       uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->in_port = in;
	k->eth_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	rte_ether_unformat_addr(smac, &k->src);
	rte_ether_unformat_addr(dmac, &k->dst);
	k->ip_proto = proto;
	inet_pton(AF_INET, dst, k->dst_ip);
	k->sg = 1;
	inet_pton(AF_INET, src, &k->src_ip4);
	k->sport = rte_cpu_to_be_16(sport);
	k->dport = rte_cpu_to_be_16(dport);
}

NF_TEST(test_sg_params)
{
	NF_CHECK(rpc_is(REQ("sg_add", "{\"name\":\"web\",\"stateful\":2}"),
			ERR(-32602, "stateful: 2 is out of range 0..1")));
	NF_CHECK(rpc_is(REQ("sg_add", "{\"name\":\"web\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_rule_add", "{\"name\":\"r1\",\"sg\":\"x\","
			    "\"direction\":\"egress\"}"),
			ERR(-32602, "sg: unknown sg 'x'")));
	NF_CHECK(rpc_is(REQ("sg_rule_add", "{\"name\":\"r1\",\"sg\":\"web\","
			    "\"direction\":\"egress\",\"ethertype\":\"IPv6\"}"),
			ERR(-32602, "ethertype: 'IPv6' is not supported (IPv4 "
			    "only)")));
	NF_CHECK(rpc_is(REQ("sg_rule_add", "{\"name\":\"r1\",\"sg\":\"web\","
			    "\"direction\":\"egress\",\"protocol\":\"sctp\"}"),
			ERR(-32602, "protocol: 'sctp' is not tcp, udp, icmp or "
			    "any")));
	NF_CHECK(rpc_is(REQ("sg_rule_add", "{\"name\":\"r1\",\"sg\":\"web\","
			    "\"direction\":\"egress\",\"protocol\":\"tcp\","
			    "\"port_min\":90,\"port_max\":80}"),
			ERR(-32602, "port_max: 80 is below port_min 90")));
	NF_CHECK(rpc_is(REQ("sg_rule_add", "{\"name\":\"r1\",\"sg\":\"web\","
			    "\"direction\":\"egress\",\"protocol\":\"tcp\"}"),
			OK));
	NF_CHECK(rpc_is(REQ("sg_drop_add", "{\"name\":\"d1\",\"sg\":\"web\","
			    "\"direction\":\"egress\",\"protocol\":\"udp\","
			    "\"port_min\":53,\"remote\":\"10.0.0.0/24\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_drop_list", "{}"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"name\":"
			"\"d1\",\"sg\":\"web\",\"direction\":\"egress\","
			"\"ethertype\":\"IPv4\",\"protocol\":\"udp\","
			"\"port_min\":53,\"port_max\":53,\"remote\":"
			"\"10.0.0.0/24\"}]}"));
	NF_CHECK(rpc_is(REQ("sg_port_add", "{\"port\":\"vm9\",\"sg\":\"web\"}"),
			ERR(-32602, "port: unknown port 'vm9'")));
	NF_CHECK(rpc_is(REQ("sg_port_add", "{\"port\":\"vm1\",\"sg\":\"web\"}"),
			OK));
	NF_CHECK(rpc_is(REQ("port_del", "{\"name\":\"vm1\"}"),
			ERR(-32000, "port 'vm1' still has sg 'web'")));
}

NF_TEST(test_sg_xlate)
{
	struct vs_xlate_out x;
	struct vs_flow_key k;
	uint16_t rep0, rep1;

	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_0",
						 &rep0), 0);
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_1",
						 &rep1), 0);
	rte_spinlock_lock(&d.vs->lock);
	/* vm1 (group web: egress TCP) opens a connection: tracked. */
	key_sg(&k, rep0, "10.0.0.1", "10.0.0.2", "02:00:00:00:00:01",
	       "02:00:00:00:00:02", IPPROTO_TCP, 40000, 80);
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_FLOW);
	NF_CHECK_EQ(x.acts.tpl, VS_TPL_L2);
	NF_CHECK_EQ(x.acts.flags, VS_A_CT);
	/* vm2 → vm1: no ingress rule, no connection: dropped in software. */
	key_sg(&k, rep1, "10.0.0.2", "10.0.0.1", "02:00:00:00:00:02",
	       "02:00:00:00:00:01", IPPROTO_TCP, 80, 40000);
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_DROP);
	NF_CHECK_EQ(x.drop, VS_DROP_SG_DENY);
	/* The DROP rule: UDP 53 toward 10.0.0.0/24 is the DROP template. */
	key_sg(&k, rep0, "10.0.0.1", "10.0.0.2", "02:00:00:00:00:01",
	       "02:00:00:00:00:02", IPPROTO_UDP, 5353, 53);
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_FLOW);
	NF_CHECK_EQ(x.acts.tpl, VS_TPL_DROP);
	/* UDP elsewhere: no allow rule. */
	k.dport = RTE_BE16(54);
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_DROP);
	/* A key without the SG fields (from before the group): dropped, so
	 * revalidation removes such a flow. */
	key_sg(&k, rep0, "10.0.0.1", "10.0.0.2", "02:00:00:00:00:01",
	       "02:00:00:00:00:02", IPPROTO_TCP, 40000, 80);
	k.sg = 0;
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_DROP);
	rte_spinlock_unlock(&d.vs->lock);

	/* vm2 in a stateless group with one ingress rule (TCP 80): no CT;
	 * what it does not allow is the §7.7.2 DROP template, offloaded. */
	NF_CHECK(rpc_is(REQ("sg_add", "{\"name\":\"flat\",\"stateful\":0}"),
			OK));
	NF_CHECK(rpc_is(REQ("sg_rule_add", "{\"name\":\"in80\",\"sg\":"
			    "\"flat\",\"direction\":\"ingress\",\"protocol\":"
			    "\"tcp\",\"port_min\":80}"), OK));
	NF_CHECK(rpc_is(REQ("sg_port_add", "{\"port\":\"vm2\",\"sg\":"
			    "\"flat\"}"), OK));
	rte_spinlock_lock(&d.vs->lock);
	key_sg(&k, rep0, "10.0.0.1", "10.0.0.2", "02:00:00:00:00:01",
	       "02:00:00:00:00:02", IPPROTO_TCP, 40000, 80);
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_FLOW);
	NF_CHECK_EQ(x.acts.tpl, VS_TPL_L2);
	NF_CHECK_EQ(x.acts.flags, VS_A_CT); /* vm1's group is stateful */
	k.dport = RTE_BE16(81);
	NF_CHECK_EQ(vs_xlate(d.vs, &k, &x), VS_V_FLOW);
	NF_CHECK_EQ(x.acts.tpl, VS_TPL_DROP);
	rte_spinlock_unlock(&d.vs->lock);
	NF_CHECK(rpc_is(REQ("sg_port_del", "{\"port\":\"vm2\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_rule_del", "{\"name\":\"in80\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_del", "{\"name\":\"flat\"}"), OK));
}

NF_TEST(test_sg_rules)
{
	struct rte_flow_error ferr;
	struct vs_flow_key k;
	struct vs_acts a;
	struct vs_rule r;
	char err[128] = "";
	uint16_t rep0, rep1;

	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_0",
						 &rep0), 0);
	NF_CHECK_EQ(rte_eth_dev_get_port_by_name("net_snic0_representor_1",
						 &rep1), 0);
	/* Stateful TCP: IPV4 src + dst, then after VXLAN the TCP item with
	 * the ports and tcp_flags spec 0 mask FIN|SYN|RST (§7.7.1). */
	key_sg(&k, rep0, "10.0.0.1", "10.0.0.2", "02:00:00:00:00:01",
	       "02:00:00:00:00:02", IPPROTO_TCP, 40000, 80);
	memset(&a, 0, sizeof(a));
	a.tpl = VS_TPL_L2;
	a.flags = VS_A_CT;
	a.out_port = rep1;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 3, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.items[2].type, RTE_FLOW_ITEM_TYPE_IPV4);
	NF_CHECK_EQ(r.ip4.hdr.src_addr, k.src_ip4);
	NF_CHECK_EQ(r.ip4_mask.hdr.src_addr, 0xffffffff);
	NF_CHECK_EQ(r.items[3].type, RTE_FLOW_ITEM_TYPE_VXLAN);
	NF_CHECK_EQ(r.items[4].type, RTE_FLOW_ITEM_TYPE_TCP);
	NF_CHECK_EQ(r.items[5].type, RTE_FLOW_ITEM_TYPE_END);
	NF_CHECK_EQ(r.tcp.hdr.src_port, RTE_BE16(40000));
	NF_CHECK_EQ(r.tcp.hdr.dst_port, RTE_BE16(80));
	NF_CHECK_EQ(r.tcp_mask.hdr.src_port, 0xffff);
	NF_CHECK_EQ(r.tcp_mask.hdr.dst_port, 0xffff);
	NF_CHECK_EQ(((const struct rte_flow_item_tcp *)r.items[4].spec)->hdr
		    .tcp_flags, 0);
	NF_CHECK_EQ(((const struct rte_flow_item_tcp *)r.items[4].mask)->hdr
		    .tcp_flags, 0x07);
	NF_CHECK_EQ(r.actions[0].type, RTE_FLOW_ACTION_TYPE_COUNT);
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_PORT_ID);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
	/* Stateless (no CT): the ports only, no tcp_flags. */
	a.flags = 0;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 3, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.tcp_mask.hdr.tcp_flags, 0);
	/* UDP: the UDP item. */
	key_sg(&k, rep0, "10.0.0.1", "10.0.0.2", "02:00:00:00:00:01",
	       "02:00:00:00:00:02", IPPROTO_UDP, 5353, 53);
	a.flags = VS_A_CT;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 3, &r, err, sizeof(err)), 0);
	NF_CHECK_EQ(r.items[4].type, RTE_FLOW_ITEM_TYPE_UDP);
	NF_CHECK_EQ(r.udp.hdr.dst_port, RTE_BE16(53));
	NF_CHECK_EQ(r.udp_mask.hdr.src_port, 0xffff);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
	/* §7.7.2: the same pattern, action DROP (with its counter). */
	memset(&a, 0, sizeof(a));
	a.tpl = VS_TPL_DROP;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 4, &r, err, sizeof(err)), 0);
	NF_CHECK(strcmp(vs_tpl_name(VS_TPL_DROP), "drop") == 0);
	NF_CHECK_EQ(r.actions[0].type, RTE_FLOW_ACTION_TYPE_COUNT);
	NF_CHECK_EQ(r.actions[1].type, RTE_FLOW_ACTION_TYPE_DROP);
	NF_CHECK_EQ(r.actions[2].type, RTE_FLOW_ACTION_TYPE_END);
	NF_CHECK_EQ(rte_flow_validate(rep0, &r.attr, r.items, r.actions,
				      &ferr), 0);
	/* A closing connection stays in software. */
	a.tpl = VS_TPL_L2;
	a.flags = VS_A_CT | VS_A_SW;
	NF_CHECK_EQ(vs_rule_build(&k, &a, 4, &r, err, sizeof(err)), -ENOTSUP);
	NF_CHECK(strcmp(err, "connection closing (CT): its last packets "
			"stay in software") == 0);
}

NF_TEST(test_sg_del)
{
	NF_CHECK(rpc_is(REQ("sg_del", "{\"name\":\"web\"}"),
			ERR(-32000, "sg 'web' still has sg_rule 'r1'")));
	NF_CHECK(rpc_is(REQ("sg_port_del", "{\"port\":\"vm1\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_rule_del", "{\"name\":\"d1\"}"),
			ERR(-32602, "sg_rule 'd1' does not exist")));
	NF_CHECK(rpc_is(REQ("sg_drop_del", "{\"name\":\"d1\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_rule_del", "{\"name\":\"r1\"}"), OK));
	NF_CHECK(rpc_is(REQ("sg_del", "{\"name\":\"web\"}"), OK));
}

NF_TEST(test_port_del_last)
{
	NF_CHECK(rpc_is(REQ("port_del", "{\"name\":\"vm1\"}"), OK));
	NF_CHECK(rpc_is(REQ("port_del", "{\"name\":\"vm2\"}"), OK));
	NF_CHECK(rpc_is(REQ("network_del", "{\"name\":\"blue\"}"), OK));
	NF_CHECK(rpc_is(REQ("port_list", "{}"),
			"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}"));
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_network_params),
		NF_CASE(test_port_params),
		NF_CASE(test_underlay_params),
		NF_CASE(test_config_round_trip),
		NF_CASE(test_config_errors),
		NF_CASE(test_vport_parse),
		NF_CASE(test_vports_resolve),
		NF_CASE(test_vport_prepare),
		NF_CASE(test_rule_7_2),
		NF_CASE(test_rule_refused),
		NF_CASE(test_rule_vlan),
		NF_CASE(test_rule_encap6),
		NF_CASE(test_sg_params),
		NF_CASE(test_sg_xlate),
		NF_CASE(test_sg_rules),
		NF_CASE(test_sg_del),
		NF_CASE(test_port_del_last),
	};
	char prefix[64];
	char *argv[] = {"test_nicflowd", "--no-huge", "-m", "512", "--no-pci",
			"-l", "0", "--file-prefix", prefix, "--log-level", "3",
			"--vdev=net_ring0", "--vdev=net_ring1", "--vdev=net_ring2",
			"--vdev=net_snic0,uplink=net_ring0,vf=net_ring1,"
			"vf=net_ring2,ctl=none", NULL};
	char cmd[128];
	int rc;

	snprintf(prefix, sizeof(prefix), "nfdunit%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/tmp/nfdunit_%d", (int)getpid());
	if (mkdir(dir, 0700) != 0 ||
	    rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		printf("cannot set up\n0 passed, 1 failed\n");
		return 1;
	}
	snprintf(d.opts.config, sizeof(d.opts.config), "%s/nicflowd.json",
		 dir);
	strcpy(d.opts.nic, "net_snic0");
	strcpy(d.opts.devargs, "uplink=net_ring0,vf=net_ring1,vf=net_ring2");
	strcpy(d.opts.underlay[0], "net_ring9");
	d.opts.nb_underlay = 1;
	nfd_vport_parse("vhost,path=/run/nfdunit/vm1.sock,client=1",
			&d.opts.vports[0], cmd, sizeof(cmd));
	nfd_vport_parse("tap,iface=vmtap1", &d.opts.vports[1], cmd,
			sizeof(cmd));
	d.opts.nb_vports = 2;
	d.vs = vs_switch_create("net_snic0", NULL);
	if (d.vs == NULL) {
		printf("cannot create the switch\n0 passed, 1 failed\n");
		return 1;
	}
	d.vs->idle_timeout = 7;
	rc = nf_test_run(cases, RTE_DIM(cases));
	vs_switch_destroy(d.vs);
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
