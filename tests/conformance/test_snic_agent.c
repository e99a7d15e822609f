/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The NIC management agent (N-19, snic_agent.h): a switch built with
 * ctl=<path> serves JSON-RPC 2.0 on that unix socket. Checked here as a
 * client sees it: exact response lines for valid and invalid requests,
 * several requests per connection, several clients, the request size bound,
 * stale/live/foreign socket files, and a clean stop (no thread, fd or
 * socket file left).
 */

#include <dirent.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <jansson.h>

#include "snic_env.h"

static struct snic_env env;
static char dir[64];
static char sock[128];

/* ------------------------------------------------------ client side */

static int
cli_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int
cli_send(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One response line (without "\n") into out; -1 on timeout or EOF. */
static int
cli_line(int fd, char *out, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		char c;

		if (recv(fd, &c, 1, 0) != 1)
			return -1;
		if (c == '\n') {
			out[n] = '\0';
			return 0;
		}
		out[n++] = c;
	}
	return -1;
}

/* Send req (one line, "\n" added) on a new connection; the answer line. */
static const char *
rpc(const char *req)
{
	static char out[8192];
	int fd = cli_connect(sock);

	out[0] = '\0';
	if (fd < 0)
		return "<connect failed>";
	if (cli_send(fd, req, strlen(req)) != 0 || cli_send(fd, "\n", 1) != 0 ||
	    cli_line(fd, out, sizeof(out)) != 0)
		snprintf(out, sizeof(out), "<no answer>");
	close(fd);
	return out;
}

#define CHECK_STR(got, want)                                                  \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		if (strcmp(g_, w_) != 0) {                                    \
			nf_test_failed_checks++;                              \
			fprintf(stderr, "%s:%d: got  %s\n%*swant %s\n",       \
				__FILE__, __LINE__, g_,                       \
				(int)strlen(__FILE__) + 8, "", w_);           \
		}                                                             \
	} while (0)

static unsigned int
count_threads(const char *comm)
{
	char path[300], buf[64];
	unsigned int n = 0;
	struct dirent *d;
	DIR *dp = opendir("/proc/self/task");

	while (dp != NULL && (d = readdir(dp)) != NULL) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    strncmp(buf, comm, strlen(comm)) == 0)
			n++;
		fclose(f);
	}
	if (dp != NULL)
		closedir(dp);
	return n;
}

static unsigned int
count_fds(void)
{
	unsigned int n = 0;
	DIR *dp = opendir("/proc/self/fd");

	while (dp != NULL && readdir(dp) != NULL)
		n++;
	if (dp != NULL)
		closedir(dp);
	return n;
}

/* ------------------------------------------------------ cases */

NF_TEST(test_builtin_methods)
{
	const char *r = rpc("{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"agent_methods\"}");
	json_error_t je;
	json_t *j = json_loads(r, 0, &je), *res;

	NF_CHECK(j != NULL);
	res = json_object_get(j, "result");
	NF_CHECK(json_is_array(res));
	NF_CHECK(json_array_size(res) >= 2);
	CHECK_STR(json_string_value(json_array_get(res, 0)) ?: "",
		  "agent_methods");
	CHECK_STR(json_string_value(json_array_get(res, 1)) ?: "",
		  "nic_info");
	NF_CHECK_EQ(json_integer_value(json_object_get(j, "id")), 1);
	json_decref(j);
}

NF_TEST(test_nic_info)
{
	char want[1024];

	snprintf(want, sizeof(want),
		 "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{\"name\":"
		 "\"net_snic_agent\",\"socket\":\"%s\",\"ports\":[{\"name\":"
		 "\"net_snic_agent\",\"port_id\":%u,\"uplink\":true},{\"name\":"
		 "\"net_snic_agent_representor_0\",\"port_id\":%u,\"uplink\":"
		 "false}]}}", sock, env.port[0], env.port[1]);
	CHECK_STR(rpc("{\"jsonrpc\":\"2.0\",\"id\":\"a\","
		      "\"method\":\"nic_info\",\"params\":{}}"), want);
	/* params null is as good as absent. */
	snprintf(want, sizeof(want), "{\"jsonrpc\":\"2.0\",\"id\":null,");
	NF_CHECK(strncmp(rpc("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":"
			     "\"nic_info\",\"params\":null}"),
			 want, strlen(want)) == 0);
}

NF_TEST(test_invalid_requests)
{
	CHECK_STR(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,"),
		  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
		  "\"message\":\"Parse error: string or '}' expected near "
		  "end of file\"}}");
	CHECK_STR(rpc("hello"),
		  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
		  "\"message\":\"Parse error: '[' or '{' expected near "
		  "'hello'\"}}");
	CHECK_STR(rpc("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}]"),
		  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
		  "\"message\":\"Invalid request: batch requests are not "
		  "supported\"}}");
	CHECK_STR(rpc("{\"id\":2,\"method\":\"nic_info\"}"),
		  "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32600,"
		  "\"message\":\"Invalid request: \\\"jsonrpc\\\" must be "
		  "\\\"2.0\\\"\"}}");
	CHECK_STR(rpc("{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"nic_info\"}"),
		  "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32600,"
		  "\"message\":\"Invalid request: \\\"jsonrpc\\\" must be "
		  "\\\"2.0\\\"\"}}");
	CHECK_STR(rpc("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":7}"),
		  "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32600,"
		  "\"message\":\"Invalid request: \\\"method\\\" must be a "
		  "string\"}}");
	CHECK_STR(rpc("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"x\"}"),
		  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
		  "\"message\":\"Invalid request: \\\"id\\\" must be a string, "
		  "a number or null\"}}");
}

NF_TEST(test_unknown_method_and_bad_params)
{
	CHECK_STR(rpc("{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"method\":"
		      "\"bond_frobnicate\",\"params\":{}}"),
		  "{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"error\":{\"code\":"
		  "-32601,\"message\":\"Method not found: bond_frobnicate\"}}");
	CHECK_STR(rpc("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"nic_info\","
		      "\"params\":[1,2]}"),
		  "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32602,"
		  "\"message\":\"Invalid params: \\\"params\\\" must be an "
		  "object\"}}");
}

/* Two requests in one write, a notification (no answer) and a request
 * split over two writes, all on one connection, answered in order. */
NF_TEST(test_several_requests_per_connection)
{
	static const char req[] =
		"{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"nope\"}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"nope2\"}\r\n"
		"\n"
		"{\"jsonrpc\":\"2.0\",\"method\":\"nic_info\"}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":12,";
	char line[4096];
	int fd = cli_connect(sock);

	NF_CHECK(fd >= 0);
	NF_CHECK_EQ(cli_send(fd, req, sizeof(req) - 1), 0);
	NF_CHECK_EQ(cli_line(fd, line, sizeof(line)), 0);
	CHECK_STR(line, "{\"jsonrpc\":\"2.0\",\"id\":10,\"error\":{\"code\":"
		  "-32601,\"message\":\"Method not found: nope\"}}");
	NF_CHECK_EQ(cli_line(fd, line, sizeof(line)), 0);
	CHECK_STR(line, "{\"jsonrpc\":\"2.0\",\"id\":11,\"error\":{\"code\":"
		  "-32601,\"message\":\"Method not found: nope2\"}}");
	usleep(50000);
	NF_CHECK_EQ(cli_send(fd, "\"method\":\"x\"}\n", 14), 0);
	NF_CHECK_EQ(cli_line(fd, line, sizeof(line)), 0);
	CHECK_STR(line, "{\"jsonrpc\":\"2.0\",\"id\":12,\"error\":{\"code\":"
		  "-32601,\"message\":\"Method not found: x\"}}");
	close(fd);
}

/* More clients one after another than the agent has slots, then a few
 * at once, interleaved. */
NF_TEST(test_several_clients)
{
	char line[4096];
	int fds[4];

	for (int i = 0; i < 40; i++)
		NF_CHECK(strstr(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
				    "\"nic_info\"}"), "\"result\"") != NULL);
	for (int i = 0; i < 4; i++) {
		fds[i] = cli_connect(sock);
		NF_CHECK(fds[i] >= 0);
	}
	for (int i = 3; i >= 0; i--) {
		char req[128];

		snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%d,"
			 "\"method\":\"m%d\"}\n", i, i);
		NF_CHECK_EQ(cli_send(fds[i], req, strlen(req)), 0);
	}
	for (int i = 0; i < 4; i++) {
		char want[128];

		snprintf(want, sizeof(want), "{\"jsonrpc\":\"2.0\",\"id\":%d,"
			 "\"error\":{\"code\":-32601,\"message\":\"Method not "
			 "found: m%d\"}}", i, i);
		NF_CHECK_EQ(cli_line(fds[i], line, sizeof(line)), 0);
		CHECK_STR(line, want);
		close(fds[i]);
	}
}

/* A line longer than 64 KiB is refused and the connection closed; the
 * agent serves the next client. */
NF_TEST(test_request_too_large)
{
	static char big[70000];
	char line[4096];
	int fd = cli_connect(sock);

	memset(big, ' ', sizeof(big));
	NF_CHECK(fd >= 0);
	cli_send(fd, big, sizeof(big));
	NF_CHECK_EQ(cli_line(fd, line, sizeof(line)), 0);
	CHECK_STR(line, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
		  "-32600,\"message\":\"Invalid request: longer than 65536 "
		  "bytes\"}}");
	NF_CHECK_EQ(cli_line(fd, line, sizeof(line)), -1); /* closed */
	close(fd);
	NF_CHECK(strstr(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			    "\"nic_info\"}"), "\"result\"") != NULL);
}

/* A stale socket file is replaced; a live agent's socket and a file that
 * is not a socket are not (the probe asking for them fails). */
NF_TEST(test_socket_files)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct snic_env e2;
	char path[100], args[200];
	struct stat st;
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	NF_CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* the file stays: a dead agent's socket */
	snprintf(args, sizeof(args), "ctl=%s", path);
	NF_CHECK_EQ(snic_env_create(&e2, "net_snic_agent2", 0, args), 0);
	fd = cli_connect(path);
	NF_CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	snic_env_destroy(&e2);
	NF_CHECK(stat(path, &st) != 0 && errno == ENOENT);

	snprintf(args, sizeof(args), "ctl=%s", sock); /* live: env's */
	NF_CHECK(snic_env_create(&e2, "net_snic_agent3", 0, args) != 0);
	snic_env_destroy(&e2);
	NF_CHECK(strstr(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			    "\"nic_info\"}"), "net_snic_agent\"") != NULL);

	snprintf(path, sizeof(path), "%s/plain", dir);
	f = fopen(path, "w");
	NF_CHECK(f != NULL);
	if (f != NULL)
		fclose(f);
	snprintf(args, sizeof(args), "ctl=%s", path);
	NF_CHECK(snic_env_create(&e2, "net_snic_agent4", 0, args) != 0);
	snic_env_destroy(&e2);
	NF_CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(path);
}

/* The default path is /run/nicflow/<switch name>.sock; ctl=none has no
 * agent. */
NF_TEST(test_default_and_none)
{
	struct snic_env e2;
	char name[32], path[128];
	struct stat st;

	snprintf(name, sizeof(name), "net_snic_ag%d", (int)getpid());
	snprintf(path, sizeof(path), "/run/nicflow/%s.sock", name);
	NF_CHECK_EQ(snic_env_create(&e2, name, 0, NULL), 0);
	NF_CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	NF_CHECK_EQ(count_threads("snic-agent"), 2);
	snic_env_destroy(&e2);
	NF_CHECK(stat(path, &st) != 0);

	/* A new name: the ring ports of the last one stay as vdevs. */
	snprintf(name, sizeof(name), "net_snic_an%d", (int)getpid());
	snprintf(path, sizeof(path), "/run/nicflow/%s.sock", name);
	NF_CHECK_EQ(snic_env_create(&e2, name, 0, "ctl=none"), 0);
	NF_CHECK(stat(path, &st) != 0);
	NF_CHECK_EQ(count_threads("snic-agent"), 1);
	snic_env_destroy(&e2);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_builtin_methods),
		NF_CASE(test_nic_info),
		NF_CASE(test_invalid_requests),
		NF_CASE(test_unknown_method_and_bad_params),
		NF_CASE(test_several_requests_per_connection),
		NF_CASE(test_several_clients),
		NF_CASE(test_request_too_large),
		NF_CASE(test_socket_files),
		NF_CASE(test_default_and_none),
	};
	char args[200];
	unsigned int fds;
	struct stat st;
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/nf_agent_%d", (int)getpid());
	/* The agent creates missing directories itself. */
	snprintf(sock, sizeof(sock), "%s/sub/agent.sock", dir);
	snprintf(args, sizeof(args), "ctl=%s", sock);
	mkdir(dir, 0700);
	if (snic_env_eal_init("snic_agent") != 0) {
		printf("cannot init EAL\n0 passed, 1 failed\n");
		return 1;
	}
	fds = count_fds();
	if (snic_env_create(&env, "net_snic_agent", 1, args) != 0) {
		printf("cannot set up the test switch\n0 passed, 1 failed\n");
		return 1;
	}
	rc = nf_test_run(cases, RTE_DIM(cases));
	NF_CHECK_EQ(count_threads("snic-agent"), 1);
	snic_env_destroy(&env);
	/* Clean stop: thread joined, socket and every fd closed, file gone. */
	if (count_threads("snic-agent") != 0 || count_fds() != fds ||
	    stat(sock, &st) == 0 || nf_test_failed_checks != 0) {
		printf("FAIL agent left a thread, an fd or its socket behind "
		       "(threads %u, fds %u -> %u)\n",
		       count_threads("snic-agent"), fds, count_fds());
		rc = 1;
	}
	*strrchr(sock, '/') = '\0';
	rmdir(sock);
	rmdir(dir);
	rte_eal_cleanup();
	return rc;
}
