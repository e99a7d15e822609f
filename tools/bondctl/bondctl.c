/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * bondctl: the smart NIC's bond management tool (N-19, spec §8.4).
 *
 * A thin client of the NIC's management agent (drivers/net/snic/
 * snic_agent.h): each command becomes one JSON-RPC 2.0 request on the
 * agent's unix socket, and the answer is printed the way `ip link show type
 * bond` prints kernel bonds. Commands are parsed from tables (commands, set
 * keywords, options), like ip, never by nested ifs. docs/bondctl.md is the
 * reference.
 *
 * Exit codes: 0 success, 1 the agent is unreachable or refused the request,
 * 2 bad usage (checked before the agent is asked, modes and policies too).
 */

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "nf_rpc_client.h"

#define BONDCTL_SOCK_ENV "BONDCTL_SOCK"
#define BONDCTL_RUN_DIR "/run/nicflow"
#define BONDCTL_SOCK_DEFAULT BONDCTL_RUN_DIR "/snic.sock"
#define BONDCTL_NAME_MAX 31       /* the NIC's port and bond names */

#define EXIT_USAGE 2

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

static const char usage_text[] =
	"Usage: bondctl add BOND_DEV [mode BONDMODE]\n"
	"       bondctl delete BOND_DEV\n"
	"       bondctl set BOND_DEV mode BONDMODE\n"
	"       bondctl set SLAVE_DEV master BOND_DEV\n"
	"       bondctl set SLAVE_DEV nomaster\n"
	"       bondctl set BOND_DEV primary SLAVE_DEV\n"
	"       bondctl set BOND_DEV xmit_hash_policy XMIT_HASH_POLICY\n"
	"       bondctl [OPTIONS] show [dev BOND_DEV]\n"
	"       bondctl [OPTIONS] show bond_slave [dev SLAVE_DEV]\n"
	"       bondctl xstats [dev BOND_DEV]\n"
	"       bondctl xstats bond_slave [dev SLAVE_DEV]\n"
	"       bondctl help\n"
	"where  BONDMODE := active-backup | balance-xor | 802.3ad\n"
	"       XMIT_HASH_POLICY := layer2 | layer2+3 | layer3+4\n"
	"       OPTIONS := { -d[etails] | -s[tatistics] | -h[uman-readable] }\n"
	"The NIC agent's socket is $" BONDCTL_SOCK_ENV ", else "
	BONDCTL_SOCK_DEFAULT ",\nelse the only socket in " BONDCTL_RUN_DIR
	"/.\n";

/* What the options asked for. */
struct opts {
	bool details;
	int stats;
	bool human;
};

/* One parsed command: the agent method, its params and how to print. */
struct request {
	const char *method;
	json_t *params;
	void (*print)(json_t *result, const struct opts *o);
};

/* "bondctl: <message>" on stderr, for die_usage (exit 2) and die
 * (exit 1). */
static void
vmsg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void
vmsg(const char *fmt, va_list ap)
{
	fputs("bondctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2),
					      noreturn));

static void
die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/* ------------------------------------------------------ words */

static const char *const modes[] = {"active-backup", "balance-xor",
				    "802.3ad"};
static const char *const policies[] = {"layer2", "layer2+3", "layer3+4"};

static const char *
one_of(const char *word, const char *what, const char *const *set, size_t n)
{
	char list[128] = "";

	for (size_t i = 0; i < n; i++) {
		if (strcmp(word, set[i]) == 0)
			return word;
		if (i > 0)
			strcat(list, ", ");
		strcat(list, set[i]);
	}
	die_usage("unknown %s '%s' (expected %s)", what, word, list);
}

static const char *
check_mode(const char *w)
{
	return one_of(w, "mode", modes, DIM(modes));
}

static const char *
check_policy(const char *w)
{
	return one_of(w, "xmit_hash_policy", policies, DIM(policies));
}

/* Device names as the NIC knows them (bond0, eth0). */
static const char *
check_dev(const char *w)
{
	size_t n = strlen(w);

	if (n == 0 || n > BONDCTL_NAME_MAX || w[0] == '-')
		die_usage("invalid device name '%s' (1 to %d characters, not "
			  "starting with '-')", w, BONDCTL_NAME_MAX);
	for (const char *p = w; *p != '\0'; p++)
		if (*p <= ' ' || *p == '/' || *p == 0x7f)
			die_usage("invalid device name '%s' (no spaces, "
				  "control characters or '/')", w);
	return w;
}

/* ------------------------------------------------------ output */

/* A counter as ip -h prints it: 1000-based K, M, G, ... */
static const char *
fmt_num(char *buf, size_t size, unsigned long long v, bool human)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (!human || v < 1000) {
		snprintf(buf, size, "%llu", v);
		return buf;
	}
	while (d >= 1000 && u < (int)sizeof(units) - 2) {
		d /= 1000;
		u++;
	}
	snprintf(buf, size, "%.*f%c", d < 10 ? 2 : d < 100 ? 1 : 0, d,
		 units[u]);
	return buf;
}

static unsigned long long
get_u64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (unsigned long long)json_integer_value(v) :
	       0;
}

/* A scalar as text: strings as they are, null as "-". */
static const char *
text(json_t *v)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf[k], sizeof(buf[k]), "%lld",
			 (long long)json_integer_value(v));
		return buf[k];
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "-";
}

static void
print_names(json_t *arr)
{
	size_t i;
	json_t *v;

	if (json_array_size(arr) == 0) {
		printf(" -");
		return;
	}
	json_array_foreach(arr, i, v)
		printf(" %s", text(v));
}

/* "    RX:  bytes packets errors missed" blocks, like ip -s. */
static void
print_stats(json_t *st, const struct opts *o)
{
	static const struct {
		const char *label;
		const char *cols[4];
		const char *keys[4];
	} rows[] = {
		{"RX:", {"bytes", "packets", "errors", "missed"},
		 {"rx_bytes", "rx_packets", "rx_errors", "rx_missed"}},
		{"TX:", {"bytes", "packets", "errors", NULL},
		 {"tx_bytes", "tx_packets", "tx_errors", NULL}},
	};

	if (!json_is_object(st)) {
		printf("    statistics unavailable (no port)\n");
		return;
	}
	for (size_t r = 0; r < DIM(rows); r++) {
		printf("    %-4s", rows[r].label);
		for (int c = 0; c < 4 && rows[r].cols[c] != NULL; c++)
			printf(" %10s", rows[r].cols[c]);
		printf("\n        ");
		for (int c = 0; c < 4 && rows[r].keys[c] != NULL; c++) {
			char buf[32];

			printf(" %10s", fmt_num(buf, sizeof(buf),
				get_u64(st, rows[r].keys[c]), o->human));
		}
		printf("\n");
	}
}

static const char *
link_word(json_t *dev)
{
	const char *l = json_string_value(json_object_get(dev, "link"));

	return l != NULL && strcmp(l, "up") == 0 ? "UP" : "DOWN";
}

/* "<port_id>: <name>: <FLAGS> mtu N ..." and "    link/ether MAC". */
static void
print_head(json_t *dev, const char *role)
{
	json_t *pid = json_object_get(dev, "port_id");
	bool up = strcmp(link_word(dev), "UP") == 0;

	printf("%s: %s: <%s%s%s> mtu %s", text(pid),
	       text(json_object_get(dev, "name")), role,
	       role[0] != '\0' && up ? "," : "", up ? "UP,LOWER_UP" : "",
	       text(json_object_get(dev, "mtu")));
}

static void
print_bond_show(json_t *result, const struct opts *o)
{
	size_t i;
	json_t *b;

	json_array_foreach(result, i, b) {
		json_t *uplink = json_object_get(b, "uplink_of");

		print_head(b, "MASTER");
		printf(" state %s", link_word(b));
		if (json_is_string(uplink))
			printf(" uplink_of %s", json_string_value(uplink));
		printf("\n    link/ether %s\n",
		       text(json_object_get(b, "mac")));
		if (o->details) {
			printf("    bond mode %s xmit_hash_policy %s",
			       text(json_object_get(b, "mode")),
			       text(json_object_get(b, "xmit_hash_policy")));
			if (json_is_string(json_object_get(b, "primary")))
				printf(" primary %s", text(json_object_get(b,
							"primary")));
			if (json_is_string(json_object_get(b, "active_slave")))
				printf(" active_slave %s",
				       text(json_object_get(b,
							    "active_slave")));
			printf("\n    slaves");
			print_names(json_object_get(b, "slaves"));
			printf("\n    active_slaves");
			print_names(json_object_get(b, "active_slaves"));
			printf("\n");
		}
		if (o->stats)
			print_stats(json_object_get(b, "stats"), o);
	}
}

static void
print_slave_show(json_t *result, const struct opts *o)
{
	size_t i;
	json_t *s;

	json_array_foreach(result, i, s) {
		json_t *master = json_object_get(s, "master");
		const char *state = text(json_object_get(s, "state"));
		char st[16];
		size_t k;

		for (k = 0; k < sizeof(st) - 1 && state[k] != '\0'; k++)
			st[k] = (char)(state[k] >= 'a' && state[k] <= 'z' ?
				       state[k] - 'a' + 'A' : state[k]);
		st[k] = '\0';
		print_head(s, json_is_string(master) ? "SLAVE" : "");
		if (json_is_string(master))
			printf(" master %s", json_string_value(master));
		printf(" state %s\n    link/ether %s\n", link_word(s),
		       text(json_object_get(s, "mac")));
		if (o->details)
			printf("    bond_slave state %s devargs %s\n", st,
			       text(json_object_get(s, "devargs")));
		if (o->stats)
			print_stats(json_object_get(s, "stats"), o);
	}
}

static void
print_lacp_side(const char *label, json_t *p)
{
	size_t i;
	json_t *f;

	printf("    %-8s system %s system_priority %s key %s port_priority "
	       "%s port_number %s\n", label,
	       text(json_object_get(p, "system")),
	       text(json_object_get(p, "system_priority")),
	       text(json_object_get(p, "key")),
	       text(json_object_get(p, "port_priority")),
	       text(json_object_get(p, "port_number")));
	printf("             state <");
	json_array_foreach(json_object_get(p, "state"), i, f) {
		const char *s = text(f);

		printf("%s", i > 0 ? "," : "");
		for (; *s != '\0'; s++)
			putchar(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
	}
	printf(">\n");
}

/* One member's LACP state, indented under its bond or alone. */
static void
print_lacp(json_t *l, const char *indent)
{
	json_t *actor = json_object_get(l, "actor");
	json_t *xs = json_object_get(l, "xstats");
	const char *k;
	json_t *v;

	printf("%s%s: master %s", indent, text(json_object_get(l, "name")),
	       text(json_object_get(l, "master")));
	if (!json_is_object(actor)) {
		printf(" lacp off\n");
	} else {
		printf(" selected %s aggregator_port %s\n",
		       text(json_object_get(l, "selected")),
		       text(json_object_get(l, "aggregator_port")));
		print_lacp_side("actor", actor);
		print_lacp_side("partner", json_object_get(l, "partner"));
	}
	if (json_object_size(xs) == 0)
		return;
	printf("    counters\n");
	json_object_foreach(xs, k, v)
		printf("      %-32s %s\n", k, text(v));
}

static void
print_bond_xstats(json_t *result, const struct opts *o)
{
	size_t i, j;
	json_t *b, *s;

	(void)o;
	json_array_foreach(result, i, b) {
		printf("%s: mode %s\n", text(json_object_get(b, "name")),
		       text(json_object_get(b, "mode")));
		json_array_foreach(json_object_get(b, "slaves"), j, s)
			print_lacp(s, "  ");
	}
}

static void
print_slave_xstats(json_t *result, const struct opts *o)
{
	size_t i;
	json_t *s;

	(void)o;
	json_array_foreach(result, i, s)
		print_lacp(s, "");
}

/* ------------------------------------------------------ commands */

/* argv after the command word; argc may be 0. Fills rq or exits 2. */
typedef void (*cmd_parse_fn)(int argc, char **argv, struct request *rq);

static void
parse_add(int argc, char **argv, struct request *rq)
{
	if (argc < 1)
		die_usage("add: missing BOND_DEV");
	rq->method = "bond_add";
	rq->params = json_pack("{s:s}", "bond", check_dev(argv[0]));
	if (argc == 1)
		return;
	if (strcmp(argv[1], "mode") != 0)
		die_usage("add: unexpected '%s' (expected 'mode')", argv[1]);
	if (argc < 3)
		die_usage("add: 'mode' needs a BONDMODE");
	json_object_set_new(rq->params, "mode",
			    json_string(check_mode(argv[2])));
	if (argc > 3)
		die_usage("add: unexpected '%s'", argv[3]);
}

static void
parse_delete(int argc, char **argv, struct request *rq)
{
	if (argc < 1)
		die_usage("delete: missing BOND_DEV");
	if (argc > 1)
		die_usage("delete: unexpected '%s'", argv[1]);
	rq->method = "bond_delete";
	rq->params = json_pack("{s:s}", "bond", check_dev(argv[0]));
}

/* set DEV <keyword> [VALUE]: which method, and what DEV and VALUE are. */
static const struct set_keyword {
	const char *word;
	const char *method;
	const char *dev_key;      /* params key of DEV */
	const char *val_key;      /* params key of VALUE; NULL: no value */
	const char *val_name;     /* for "needs a ..." */
	const char *(*check)(const char *val);
} set_keywords[] = {
	{"mode", "bond_set_mode", "bond", "mode", "BONDMODE", check_mode},
	{"master", "bond_set_master", "slave", "bond", "BOND_DEV", check_dev},
	{"nomaster", "bond_set_nomaster", "slave", NULL, NULL, NULL},
	{"primary", "bond_set_primary", "bond", "slave", "SLAVE_DEV",
	 check_dev},
	{"xmit_hash_policy", "bond_set_xmit_hash_policy", "bond", "policy",
	 "XMIT_HASH_POLICY", check_policy},
};

static const char set_expected[] =
	"expected mode, master, nomaster, primary or xmit_hash_policy";

static void
parse_set(int argc, char **argv, struct request *rq)
{
	const struct set_keyword *kw = NULL;
	int used;

	if (argc < 1)
		die_usage("set: missing device");
	check_dev(argv[0]);
	if (argc < 2)
		die_usage("set: missing keyword after '%s' (%s)", argv[0],
			  set_expected);
	for (size_t i = 0; i < DIM(set_keywords); i++)
		if (strcmp(argv[1], set_keywords[i].word) == 0)
			kw = &set_keywords[i];
	if (kw == NULL)
		die_usage("set: unknown keyword '%s' (%s)", argv[1],
			  set_expected);
	rq->method = kw->method;
	rq->params = json_pack("{s:s}", kw->dev_key, argv[0]);
	used = 2;
	if (kw->val_key != NULL) {
		if (argc < 3)
			die_usage("set: '%s' needs a %s", kw->word,
				  kw->val_name);
		json_object_set_new(rq->params, kw->val_key,
				    json_string(kw->check(argv[2])));
		used = 3;
	}
	if (argc > used)
		die_usage("set: unexpected '%s'", argv[used]);
}

/* show and xstats differ only in their word, methods and printers:
 * [0] for a bond, [1] with bond_slave. */
static const struct query {
	const char *cmd;
	const char *methods[2];
	void (*printers[2])(json_t *, const struct opts *);
} query_show = {
	"show", {"bond_show", "bond_slave_show"},
	{print_bond_show, print_slave_show},
}, query_xstats = {
	"xstats", {"bond_xstats", "bond_slave_xstats"},
	{print_bond_xstats, print_slave_xstats},
};

/* [bond_slave] [dev DEV] for show and xstats. */
static void
parse_query(const struct query *q, int argc, char **argv,
	    struct request *rq)
{
	const char *cmd = q->cmd;
	int slave = 0, i = 0;

	if (argc > 0 && strcmp(argv[0], "bond_slave") == 0) {
		slave = 1;
		i++;
	}
	rq->method = q->methods[slave];
	rq->print = q->printers[slave];
	rq->params = json_object();
	if (i < argc) {
		if (strcmp(argv[i], "dev") != 0)
			die_usage("%s: unexpected '%s' (expected %s'dev %s')",
				  cmd, argv[i], slave ? "" : "'bond_slave' or ",
				  slave ? "SLAVE_DEV" : "BOND_DEV");
		if (i + 1 >= argc)
			die_usage("%s: 'dev' needs a %s", cmd,
				  slave ? "SLAVE_DEV" : "BOND_DEV");
		json_object_set_new(rq->params, slave ? "slave" : "bond",
				    json_string(check_dev(argv[i + 1])));
		i += 2;
	}
	if (i < argc)
		die_usage("%s: unexpected '%s'", cmd, argv[i]);
}

static void
parse_help(int argc, char **argv, struct request *rq)
{
	(void)argc;
	(void)argv;
	(void)rq;
	fputs(usage_text, stdout);
	exit(EXIT_SUCCESS);
}

/* A command is parsed by its parse function or, for the queries, by
 * parse_query with its query. */
static const struct command {
	const char *word;
	cmd_parse_fn parse;
	const struct query *query;
} commands[] = {
	{"add", parse_add, NULL},
	{"delete", parse_delete, NULL},
	{"set", parse_set, NULL},
	{"show", NULL, &query_show},
	{"xstats", NULL, &query_xstats},
	{"help", parse_help, NULL},
};

/* ------------------------------------------------------ options */

/* ip's rule: an option is any prefix (at least "-x") of its long form;
 * "--x" is read as "-x". -h is human-readable, not help, as in ip. */
static const struct option {
	const char *longs[2];
	int what;
} options[] = {
	{{"-details", NULL}, 'd'},
	{{"-statistics", "-stats"}, 's'},
	{{"-human-readable", "-human"}, 'h'},
};

static bool
opt_matches(const char *arg, const char *longform)
{
	size_t n = strlen(arg);

	return n >= 2 && n <= strlen(longform) &&
	       strncmp(arg, longform, n) == 0;
}

static int
parse_options(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		int what = 0;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0)
			parse_help(0, NULL, NULL);
		if (a[1] == '-')
			a++;
		for (size_t k = 0; k < DIM(options) && what == 0; k++)
			for (int l = 0; l < 2 && options[k].longs[l]; l++)
				if (opt_matches(a, options[k].longs[l]))
					what = options[k].what;
		switch (what) {
		case 'd':
			o->details = true;
			break;
		case 's':
			o->stats++;
			break;
		case 'h':
			o->human = true;
			break;
		default:
			die_usage("unknown option '%s' (expected "
				  "-d[etails], -s[tatistics], "
				  "-h[uman-readable])", argv[i]);
		}
	}
	return i;
}

/* ------------------------------------------------------ the agent */

/* $BONDCTL_SOCK, else the default path, else the only socket in the run
 * directory (a NIC whose socket was not named snic.sock). */
static const char *
sock_path(void)
{
	static char found[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *env = getenv(BONDCTL_SOCK_ENV);
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if (env != NULL && env[0] != '\0')
		return env;
	if (access(BONDCTL_SOCK_DEFAULT, F_OK) == 0)
		return BONDCTL_SOCK_DEFAULT;
	memcpy(found, BONDCTL_RUN_DIR "/", sizeof(BONDCTL_RUN_DIR));
	dir = opendir(BONDCTL_RUN_DIR);
	while (dir != NULL && (d = readdir(dir)) != NULL) {
		size_t l = strlen(d->d_name);

		if (d->d_type != DT_SOCK || l <= 5 ||
		    strcmp(d->d_name + l - 5, ".sock") != 0)
			continue;
		if (n++ == 0 && l < sizeof(found) - sizeof(BONDCTL_RUN_DIR))
			memcpy(found + sizeof(BONDCTL_RUN_DIR),
			       d->d_name, l + 1);
		else
			n++; /* too long for a socket: not a candidate */
	}
	if (dir != NULL)
		closedir(dir);
	return n == 1 ? found : BONDCTL_SOCK_DEFAULT;
}

/* Send the request; its "result" (a new reference), or exit 1 with why. */
static json_t *
agent_call(const char *path, const struct request *rq)
{
	json_t *result;
	char msg[512];

	if (nf_rpc_call(path, "the NIC agent", rq->method, rq->params, &result,
			msg, sizeof(msg)) != 0)
		die("%s", msg);
	return result;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct request rq = {0};
	const struct command *cmd = NULL;
	json_t *result;
	int i = parse_options(argc, argv, &o);

	if (i >= argc)
		die_usage("missing command (try 'bondctl help')");
	for (size_t k = 0; k < DIM(commands); k++)
		if (strcmp(argv[i], commands[k].word) == 0)
			cmd = &commands[k];
	if (cmd == NULL)
		die_usage("unknown command '%s' (try 'bondctl help')",
			  argv[i]);
	if (cmd->query != NULL)
		parse_query(cmd->query, argc - i - 1, argv + i + 1, &rq);
	else
		cmd->parse(argc - i - 1, argv + i + 1, &rq);
	result = agent_call(sock_path(), &rq);
	if (rq.print != NULL)
		rq.print(result, &o);
	json_decref(result);
	json_decref(rq.params);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
