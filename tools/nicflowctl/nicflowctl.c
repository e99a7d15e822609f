/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * nicflowctl: the command-line client of nicflowd (docs/vswitch.md, "CLI").
 *
 * A thin client like bondctl: each command is one JSON-RPC 2.0 request on
 * nicflowd's unix socket. Commands come from one table (words, method,
 * positional name, keyword arguments and their types, printer); nothing is
 * parsed by nested ifs. Values are checked by the daemon, which names the
 * bad field; the client checks only the shape (unknown keyword, missing
 * argument, integer).
 *
 * Exit codes: 0 success, 1 nicflowd unreachable or refused the request,
 * 2 bad usage.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "nf_rpc_client.h"

#define SOCK_ENV "NICFLOWCTL_SOCK"
#define SOCK_DEFAULT "/run/nicflow/nicflowd.sock"
#define EXIT_USAGE 2
#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_KW 8

static const char usage_text[] =
	"Usage: nicflowctl [-s SOCKET] [-j] COMMAND\n"
	"  router add NAME mac MAC [vni L3VNI]\n"
	"  network add NAME vni VNI [router ROUTER cidr PREFIX/LEN gateway ADDR"
	" [external 0|1]]\n"
	"  port add NAME rep REPRESENTOR mac MAC ipv4 ADDR network NETWORK"
	" [mtu MTU] [vlan VID]\n"
	"  remote add NAME network NETWORK mac MAC ipv4 ADDR vtep ADDR\n"
	"  fip add ADDR port PORT\n"
	"  vtep add ADDR\n"
	"  mirror add NAME port PORT [direction in|out|both]"
	" (to_port PORT | collector ADDR vni VNI)\n"
	"  route add PREFIX/LEN uplink NIC [via ADDR]   (replaces the same"
	" prefix)\n"
	"  route del PREFIX/LEN        route list        neigh list\n"
	"  counter add NAME [port PORT|uplink] [id ID]\n"
	"  acl add NAME port PORT|uplink direction ingress|egress [group 0|1]"
	" rule 'pattern ... / end actions ... / end'\n"
	"  router|network|port|remote|mirror|counter|acl del NAME,"
	" fip|vtep del ADDR\n"
	"  router|network|port|remote|fip|vtep|mirror|counter|acl|vport list\n"
	"  sg add NAME [stateful 0|1]\n"
	"  sg-rule|sg-drop add NAME sg SG direction ingress|egress"
	" [ethertype IPv4]\n"
	"      [protocol tcp|udp|icmp|any] [port_min PORT] [port_max PORT]"
	" [remote PREFIX/LEN]\n"
	"  sg-port add PORT sg SG\n"
	"  sg|sg-rule|sg-drop del NAME, sg-port del PORT\n"
	"  sg|sg-rule|sg-drop|sg-port list\n"
	"  dump-flows\n"
	"  dump-nic\n"
	"  stats\n"
	"  help\n"
	"Options: -s, --socket PATH  nicflowd's socket ($" SOCK_ENV ", else "
	SOCK_DEFAULT ")\n"
	"         -j, --json         print the daemon's JSON answer as is\n"
	"Exit codes: 0 success, 1 nicflowd unreachable or refused, 2 usage.\n";

static void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void
die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("nicflowctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'nicflowctl help')\n", stderr);
	exit(EXIT_USAGE);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("nicflowctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

/* ------------------------------------------------------ printers */

typedef void (*print_fn)(json_t *result);

static long long
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *
str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static void
print_networks(json_t *r)
{
	size_t i;
	json_t *n;

	printf("%-16s %s\n", "NETWORK", "VNI");
	json_array_foreach(r, i, n)
		printf("%-16s %lld\n", str(n, "name"), num(n, "vni"));
}

static void
print_ports(json_t *r)
{
	size_t i;
	json_t *p;

	printf("%-12s %-28s %-5s %-17s %-15s %s\n", "PORT", "REPRESENTOR",
	       "ID", "MAC", "IPV4", "NETWORK");
	json_array_foreach(r, i, p)
		printf("%-12s %-28s %-5lld %-17s %-15s %s\n", str(p, "name"),
		       str(p, "rep"), num(p, "port_id"), str(p, "mac"),
		       str(p, "ipv4"), str(p, "network"));
}

/* Any other list: one object per line, key=value in the daemon's order. */
static void
print_objs(json_t *r)
{
	const char *k;
	size_t i;
	json_t *o, *v;

	json_array_foreach(r, i, o) {
		const char *sep = "";

		json_object_foreach(o, k, v) {
			if (json_is_string(v))
				printf("%s%s=%s", sep, k, json_string_value(v));
			else
				printf("%s%s=%lld", sep, k,
				       json_integer_value(v));
			sep = " ";
		}
		putchar('\n');
	}
}

/* The actions of a flow in the rule's order (docs/vswitch.md, V-8). */
static void
print_acts(json_t *a)
{
	static const char *const order[] = {
		"vxlan_decap", "count", "set_mac_src", "set_mac_dst",
		"set_ipv4_src", "set_ipv4_dst", "vxlan_encap", "dec_ttl",
		"port_id", "sample", "drop", "ct",
	};
	const char *sep = "";

	for (size_t i = 0; i < DIM(order); i++) {
		json_t *v = json_object_get(a, order[i]);

		if (v == NULL)
			continue;
		printf("%s%s", sep, order[i]);
		if (json_is_string(v))
			printf(":%s", json_string_value(v));
		else if (json_is_integer(v))
			printf(":%lld", json_integer_value(v));
		else if (json_is_object(v) && json_object_get(v, "ratio"))
			printf("(port_id=%lld%s%s)", num(v, "port_id"),
			       str(v, "ip_dst")[0] ? ",vxlan_encap:" : "",
			       str(v, "ip_dst"));
		else if (json_is_object(v))
			printf("(vni=%lld,ip_dst=%s,eth_dst=%s)",
			       num(v, "vni"), str(v, "ip_dst"),
			       str(v, "eth_dst"));
		sep = ",";
	}
}

/* The ports nicflowd created (--vport): which representor each became. */
static void
print_vports(json_t *r)
{
	size_t i;
	json_t *v;

	printf("%-12s %-12s %-28s %-5s %s\n", "VDEV", "TYPE", "REPRESENTOR",
	       "LINK", "SOCKET/IFACE");
	json_array_foreach(r, i, v) {
		bool tap = strcmp(str(v, "type"), "tap") == 0;

		printf("%-12s %-12s %-28s %-5s %s\n", str(v, "vdev"),
		       tap ? "tap" : num(v, "client") ? "vhost-client" :
		       "vhost", str(v, "representor"), str(v, "link"),
		       tap ? str(v, "iface") : str(v, "path"));
	}
}

/* One line per flow, ovs-ofctl style. */
static void
print_flows(json_t *r)
{
	size_t i;
	json_t *f;

	json_array_foreach(r, i, f) {
		json_t *m = json_object_get(f, "match");
		json_t *c = json_object_get(f, "counters");

		printf("id=%lld in_port=%lld eth_src=%s eth_dst=%s eth_type=%s",
		       num(f, "id"), num(m, "in_port"), str(m, "eth_src"),
		       str(m, "eth_dst"), str(m, "eth_type"));
		if (str(m, "ip_src")[0] != '\0')
			printf(" ip_src=%s", str(m, "ip_src"));
		if (str(m, "ip_dst")[0] != '\0')
			printf(" ip_dst=%s ip_proto=%lld", str(m, "ip_dst"),
			       num(m, "ip_proto"));
		if (json_object_get(m, "tp_dst") != NULL)
			printf(" tp_src=%lld tp_dst=%lld", num(m, "tp_src"),
			       num(m, "tp_dst"));
		if (str(m, "tcp_flags")[0] != '\0')
			printf(" tcp_flags=%s", str(m, "tcp_flags"));
		if (num(m, "vni") != 0)
			printf(" vni=%lld", num(m, "vni"));
		printf(" actions=");
		print_acts(json_object_get(f, "actions"));
		printf(" where=%s sw_packets=%lld "
		       "sw_bytes=%lld nic_packets=%lld nic_bytes=%lld",
		       str(f, "where"), num(c, "sw_packets"),
		       num(c, "sw_bytes"), num(c, "nic_packets"),
		       num(c, "nic_bytes"));
		if (str(f, "reason")[0] != '\0')
			printf(" reason=\"%s\"", str(f, "reason"));
		putchar('\n');
	}
}

/* Each port's rules as the NIC shows them (rte_flow_dev_dump). */
static void
print_nic(json_t *r)
{
	const char *port;
	json_t *text;

	json_object_foreach(r, port, text)
		printf("== %s\n%s", port, json_string_value(text));
}

static void
print_json(json_t *r)
{
	if (!json_is_null(r))
		json_dumpf(r, stdout, JSON_INDENT(2) | JSON_SORT_KEYS),
		putchar('\n');
}

/* ------------------------------------------------------ commands */

struct kw {
	const char *word; /* keyword on the command line = param key */
	bool integer;
	bool optional;
};

/* sg-rule and sg-drop take the same words (an OpenStack rule's fields). */
#define SG_RULE_KWS {{"sg", false, false}, {"direction", false, false},    \
	{"ethertype", false, true}, {"protocol", false, true},             \
	{"port_min", true, true}, {"port_max", true, true},                \
	{"remote", false, true}}

static const struct command {
	const char *obj, *verb;  /* verb NULL: one-word command */
	const char *method;
	const char *named;       /* the key of the word after the verb */
	struct kw kws[MAX_KW];
	print_fn print;
} commands[] = {
	{"router", "add", "router_add", "name", {{"mac", false, false},
	 {"vni", true, true}}, NULL},
	{"router", "del", "router_del", "name", {{NULL, 0, 0}}, NULL},
	{"router", "list", "router_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"network", "add", "network_add", "name", {{"vni", true, false},
	 {"router", false, true}, {"cidr", false, true},
	 {"gateway", false, true}, {"external", true, true}}, NULL},
	{"network", "del", "network_del", "name", {{NULL, 0, 0}}, NULL},
	{"network", "list", "network_list", NULL, {{NULL, 0, 0}},
	 print_networks},
	{"port", "add", "port_add", "name", {{"rep", false, false},
	 {"mac", false, false}, {"ipv4", false, false},
	 {"network", false, false}, {"mtu", true, true},
	 {"vlan", true, true}}, NULL},
	{"port", "del", "port_del", "name", {{NULL, 0, 0}}, NULL},
	{"port", "list", "port_list", NULL, {{NULL, 0, 0}}, print_ports},
	{"remote", "add", "remote_add", "name", {{"network", false, false},
	 {"mac", false, false}, {"ipv4", false, false},
	 {"vtep", false, false}}, NULL},
	{"remote", "del", "remote_del", "name", {{NULL, 0, 0}}, NULL},
	{"remote", "list", "remote_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"fip", "add", "fip_add", "ip", {{"port", false, false}}, NULL},
	{"fip", "del", "fip_del", "ip", {{NULL, 0, 0}}, NULL},
	{"fip", "list", "fip_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"vtep", "add", "vtep_add", "ip", {{NULL, 0, 0}}, NULL},
	{"vtep", "del", "vtep_del", "ip", {{NULL, 0, 0}}, NULL},
	{"vtep", "list", "vtep_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"mirror", "add", "mirror_add", "name", {{"port", false, false},
	 {"direction", false, true}, {"to_port", false, true},
	 {"collector", false, true}, {"vni", true, true}}, NULL},
	{"mirror", "del", "mirror_del", "name", {{NULL, 0, 0}}, NULL},
	{"mirror", "list", "mirror_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"counter", "add", "counter_add", "name", {{"port", false, true},
	 {"id", true, true}}, NULL},
	{"counter", "del", "counter_del", "name", {{NULL, 0, 0}}, NULL},
	{"counter", "list", "counter_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"acl", "add", "acl_add", "name", {{"port", false, false},
	 {"direction", false, false}, {"group", true, true},
	 {"rule", false, false}}, NULL},
	{"acl", "del", "acl_del", "name", {{NULL, 0, 0}}, NULL},
	{"acl", "list", "acl_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"vport", "list", "vport_list", NULL, {{NULL, 0, 0}}, print_vports},
	{"route", "add", "route_add", "prefix", {{"uplink", false, false},
	 {"via", false, true}}, NULL},
	{"route", "del", "route_del", "prefix", {{NULL, 0, 0}}, NULL},
	{"route", "list", "route_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"neigh", "list", "neigh_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"dump-flows", NULL, "flow_dump", NULL, {{NULL, 0, 0}}, print_flows},
	{"dump-nic", NULL, "nic_dump", NULL, {{NULL, 0, 0}}, print_nic},
	{"stats", NULL, "stats_get", NULL, {{NULL, 0, 0}}, print_json},
	{"sg", "add", "sg_add", "name", {{"stateful", true, true}}, NULL},
	{"sg", "del", "sg_del", "name", {{NULL, 0, 0}}, NULL},
	{"sg", "list", "sg_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"sg-rule", "add", "sg_rule_add", "name", SG_RULE_KWS, NULL},
	{"sg-rule", "del", "sg_rule_del", "name", {{NULL, 0, 0}}, NULL},
	{"sg-rule", "list", "sg_rule_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"sg-drop", "add", "sg_drop_add", "name", SG_RULE_KWS, NULL},
	{"sg-drop", "del", "sg_drop_del", "name", {{NULL, 0, 0}}, NULL},
	{"sg-drop", "list", "sg_drop_list", NULL, {{NULL, 0, 0}}, print_objs},
	{"sg-port", "add", "sg_port_add", "port", {{"sg", false, false}},
	 NULL},
	{"sg-port", "del", "sg_port_del", "port", {{NULL, 0, 0}}, NULL},
	{"sg-port", "list", "sg_port_list", NULL, {{NULL, 0, 0}}, print_objs},
};

static const struct command *
cmd_find(int argc, char **argv, int *used)
{
	bool obj_known = false;

	for (size_t k = 0; k < DIM(commands); k++) {
		const struct command *c = &commands[k];

		if (strcmp(argv[0], c->obj) != 0)
			continue;
		obj_known = true;
		if (c->verb == NULL) {
			*used = 1;
			return c;
		}
		if (argc > 1 && strcmp(argv[1], c->verb) == 0) {
			*used = 2;
			return c;
		}
	}
	if (!obj_known)
		die_usage("unknown command '%s'", argv[0]);
	die_usage(argc > 1 ? "unknown '%s' command '%s'" :
		  "'%s' needs a command (add, del, list)", argv[0],
		  argc > 1 ? argv[1] : "");
}

/* The request's params from the words after the command. */
static json_t *
cmd_params(const struct command *c, int argc, char **argv)
{
	json_t *p = json_object();
	int i = 0;

	if (c->named != NULL) {
		if (argc < 1)
			die_usage("%s %s: missing %s", c->obj, c->verb,
				  strcmp(c->named, "ip") == 0 ? "ADDR" :
				  strcmp(c->named, "prefix") == 0 ?
				  "PREFIX/LEN" : "NAME");
		json_object_set_new(p, c->named, json_string(argv[i++]));
	}
	for (; i < argc; i += 2) {
		const struct kw *kw = NULL;

		for (int k = 0; k < MAX_KW && c->kws[k].word != NULL; k++)
			if (strcmp(argv[i], c->kws[k].word) == 0)
				kw = &c->kws[k];
		if (kw == NULL)
			die_usage("%s%s%s: unexpected '%s'", c->obj,
				  c->verb ? " " : "", c->verb ? c->verb : "",
				  argv[i]);
		if (i + 1 >= argc)
			die_usage("%s: missing value", kw->word);
		if (kw->integer) {
			char *end;
			long long v = strtoll(argv[i + 1], &end, 0);

			if (argv[i + 1][0] == '\0' || *end != '\0')
				die_usage("%s: '%s' is not an integer",
					  kw->word, argv[i + 1]);
			json_object_set_new(p, kw->word, json_integer(v));
		} else {
			json_object_set_new(p, kw->word,
					    json_string(argv[i + 1]));
		}
	}
	for (int k = 0; k < MAX_KW && c->kws[k].word != NULL; k++)
		if (!c->kws[k].optional &&
		    json_object_get(p, c->kws[k].word) == NULL)
			die_usage("%s %s: missing '%s'", c->obj, c->verb,
				  c->kws[k].word);
	return p;
}

/* ------------------------------------------------------ the daemon */

/* One request (params consumed); its "result", or exit 1 with why. */
static json_t *
daemon_call(const char *path, const char *method, json_t *params)
{
	json_t *result;
	char msg[512];
	int rc = nf_rpc_call(path, "nicflowd", method, params, &result, msg,
			     sizeof(msg));

	json_decref(params);
	if (rc != 0)
		die("%s", msg);
	return result;
}

int
main(int argc, char **argv)
{
	const char *sock = getenv(SOCK_ENV);
	const struct command *c;
	bool raw = false;
	json_t *result;
	int i = 1, used;

	if (sock == NULL || sock[0] == '\0')
		sock = SOCK_DEFAULT;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-j") == 0 ||
		    strcmp(argv[i], "--json") == 0) {
			raw = true;
		} else if (strcmp(argv[i], "-s") == 0 ||
			   strcmp(argv[i], "--socket") == 0) {
			if (++i >= argc)
				die_usage("%s: missing PATH", argv[i - 1]);
			sock = argv[i];
		} else if (strcmp(argv[i], "-h") == 0 ||
			   strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else {
			die_usage("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		die_usage("missing command");
	if (strcmp(argv[i], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	c = cmd_find(argc - i, argv + i, &used);
	result = daemon_call(sock, c->method,
			     cmd_params(c, argc - i - used, argv + i + used));
	if (raw)
		print_json(result);
	else if (c->print != NULL)
		c->print(result);
	json_decref(result);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
