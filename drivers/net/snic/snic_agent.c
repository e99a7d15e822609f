/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The NIC's management agent (N-19): JSON-RPC 2.0 over a unix stream
 * socket, served by one control thread per switch (snic_agent.h has the
 * contract: wire format, error mapping, method signature).
 *
 * One thread poll()s an eventfd (stop), the listening socket and up to
 * AGENT_MAX_CLIENTS connections. Requests are lines; a connection keeps a
 * buffer of at most AGENT_MAX_REQ bytes for the line being received, so a
 * client cannot make the agent grow without bound: a longer line is answered
 * -32600 and the connection closed (its end cannot be found reliably).
 * Methods run one at a time on this thread, so a slow method delays the
 * other clients; that is fine for a management plane used by bondctl.
 */

#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "snic.h"
#include "snic_agent.h"

#define AGENT_MAX_CLIENTS 8
#define AGENT_MAX_REQ 65536        /* bytes of one request line */
#define AGENT_WRITE_TIMEOUT_MS 2000 /* a client that does not read */
#define AGENT_DEFAULT_DIR "/run/nicflow"

/* JSON-RPC 2.0 error codes (SPDK uses the same). */
#define RPC_PARSE_ERROR -32700
#define RPC_INVALID_REQUEST -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS -32602
#define RPC_INTERNAL -32000

struct agent_client {
	int fd;        /* -1: free slot */
	size_t len;    /* bytes in buf */
	char *buf;     /* AGENT_MAX_REQ bytes */
};

struct snic_agent {
	struct snic_switch *sw;
	pthread_t tid;
	int lfd;       /* listening socket */
	int efd;       /* eventfd: stop request */
	struct agent_client cl[AGENT_MAX_CLIENTS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* ------------------------------------------------------ built-ins */

static const struct snic_agent_method agent_builtin_methods[];

/* Every table the agent serves, in lookup order. */
static const struct snic_agent_method *const agent_tables[] = {
	agent_builtin_methods,
	snic_bond_methods,
};

static int
agent_methods(struct snic_switch *sw, json_t *params, json_t **result,
	      char *err, size_t errlen)
{
	json_t *names = json_array();

	RTE_SET_USED(sw);
	RTE_SET_USED(params);
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	if (names == NULL)
		return -ENOMEM;
	for (size_t t = 0; t < RTE_DIM(agent_tables); t++)
		for (const struct snic_agent_method *m = agent_tables[t];
		     m->name != NULL; m++)
			json_array_append_new(names, json_string(m->name));
	*result = names;
	return 0;
}

static int
nic_info(struct snic_switch *sw, json_t *params, json_t **result, char *err,
	 size_t errlen)
{
	json_t *ports = json_array();

	RTE_SET_USED(params);
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	pthread_mutex_lock(&sw->lock);
	for (uint16_t i = 0; i < sw->nb_ports; i++) {
		const struct snic_port *p = sw->ports[i];

		if (p == NULL)
			continue;
		json_array_append_new(ports, json_pack("{s:s, s:i, s:b}",
			"name", p->name, "port_id", (int)p->port_id,
			"uplink", (int)p->is_uplink));
	}
	pthread_mutex_unlock(&sw->lock);
	*result = json_pack("{s:s, s:s, s:o}", "name", sw->name, "socket",
			    sw->agent != NULL ? sw->agent->path : "",
			    "ports", ports);
	return *result != NULL ? 0 : -ENOMEM;
}

static const struct snic_agent_method agent_builtin_methods[] = {
	{"agent_methods", agent_methods},
	{"nic_info", nic_info},
	{NULL, NULL},
};

/* ------------------------------------------------------ requests */

static const struct snic_agent_method *
agent_method_find(const char *name)
{
	for (size_t t = 0; t < RTE_DIM(agent_tables); t++)
		for (const struct snic_agent_method *m = agent_tables[t];
		     m->name != NULL; m++)
			if (strcmp(m->name, name) == 0)
				return m;
	return NULL;
}

static json_t *
agent_error(json_t *id, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0",
			 "id", id != NULL ? id : json_null(), "error",
			 "code", code, "message", msg);
}

/* The errno values that mean "the caller asked for something wrong". */
static int
agent_errno_code(int rc)
{
	switch (rc) {
	case -EINVAL:
	case -ENODEV:
	case -ENOENT:
	case -EEXIST:
	case -ENOTSUP:
		return RPC_INVALID_PARAMS;
	default:
		return RPC_INTERNAL;
	}
}

/* Answer one request line; NULL when there is nothing to send (a valid
 * notification, i.e. a request without "id"). */
static json_t *
agent_handle(struct snic_agent *ag, const char *line, size_t len)
{
	const struct snic_agent_method *m;
	json_t *req, *id, *ver, *meth, *params, *result = NULL, *resp;
	json_error_t jerr;
	char err[256] = "";
	bool own_params = false;
	int rc;

	req = json_loadb(line, len, 0, &jerr);
	if (req == NULL)
		return agent_error(NULL, RPC_PARSE_ERROR, "Parse error: %s",
				   jerr.text);
	if (!json_is_object(req)) {
		resp = agent_error(NULL, RPC_INVALID_REQUEST,
			json_is_array(req) ?
			"Invalid request: batch requests are not supported" :
			"Invalid request: not a JSON object");
		json_decref(req);
		return resp;
	}
	id = json_object_get(req, "id");
	ver = json_object_get(req, "jsonrpc");
	meth = json_object_get(req, "method");
	params = json_object_get(req, "params");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) &&
	    !json_is_null(id)) {
		resp = agent_error(NULL, RPC_INVALID_REQUEST, "Invalid request: "
				   "\"id\" must be a string, a number or null");
	} else if (!json_is_string(ver) ||
		   strcmp(json_string_value(ver), "2.0") != 0) {
		resp = agent_error(id, RPC_INVALID_REQUEST, "Invalid request: "
				   "\"jsonrpc\" must be \"2.0\"");
	} else if (!json_is_string(meth)) {
		resp = agent_error(id, RPC_INVALID_REQUEST, "Invalid request: "
				   "\"method\" must be a string");
	} else if (params != NULL && !json_is_object(params) &&
		   !json_is_null(params)) {
		resp = agent_error(id, RPC_INVALID_PARAMS, "Invalid params: "
				   "\"params\" must be an object");
	} else if ((m = agent_method_find(json_string_value(meth))) == NULL) {
		resp = agent_error(id, RPC_METHOD_NOT_FOUND,
				   "Method not found: %s",
				   json_string_value(meth));
	} else {
		if (params == NULL || json_is_null(params)) {
			params = json_object();
			own_params = true;
		}
		rc = m->fn(ag->sw, params, &result, err, sizeof(err));
		if (own_params)
			json_decref(params);
		if (rc < 0) {
			json_decref(result);
			resp = agent_error(id, agent_errno_code(rc), "%s",
					   err[0] != '\0' ? err : strerror(-rc));
		} else {
			resp = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0",
					 "id", id, "result",
					 result != NULL ? result : json_null());
		}
		/* A notification gets no answer, not even an error. */
		if (id == NULL) {
			json_decref(resp);
			resp = NULL;
		}
	}
	json_decref(req);
	return resp;
}

/* ------------------------------------------------------ connections */

static void
agent_client_close(struct agent_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
	c->len = 0;
}

/* Send all of buf; a client that does not read for
 * AGENT_WRITE_TIMEOUT_MS is dropped rather than stall the agent. */
static int
agent_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (poll(&p, 1, AGENT_WRITE_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int
agent_reply(struct agent_client *c, json_t *resp)
{
	char *s;
	size_t n;
	int rc;

	if (resp == NULL)
		return 0;
	s = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	if (s == NULL)
		return -ENOMEM;
	n = strlen(s);
	s[n] = '\n'; /* replaces the NUL: json_dumps allocated n + 1 */
	rc = agent_write(c->fd, s, n + 1);
	free(s);
	return rc;
}

/* Read what the client sent and answer each complete line. Returns < 0
 * when the connection must be closed. */
static int
agent_client_read(struct snic_agent *ag, struct agent_client *c)
{
	ssize_t n;
	size_t start = 0;
	char *nl;

	n = recv(c->fd, c->buf + c->len, AGENT_MAX_REQ - c->len, 0);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->len += (size_t)n;
	while ((nl = memchr(c->buf + start, '\n', c->len - start)) != NULL) {
		size_t end = (size_t)(nl - c->buf), l = end - start;

		if (l > 0 && c->buf[end - 1] == '\r')
			l--;
		if (l > 0 && agent_reply(c, agent_handle(ag, c->buf + start,
							 l)) != 0)
			return -EIO;
		start = end + 1;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
	if (c->len == AGENT_MAX_REQ) {
		agent_reply(c, agent_error(NULL, RPC_INVALID_REQUEST,
			"Invalid request: longer than %d bytes",
			AGENT_MAX_REQ));
		return -E2BIG;
	}
	return 0;
}

static void
agent_accept(struct snic_agent *ag)
{
	int fd = accept4(ag->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < AGENT_MAX_CLIENTS; i++) {
		struct agent_client *c = &ag->cl[i];

		if (c->fd >= 0)
			continue;
		c->buf = malloc(AGENT_MAX_REQ);
		if (c->buf == NULL)
			break;
		c->fd = fd;
		c->len = 0;
		return;
	}
	close(fd);
}

static void *
agent_main(void *arg)
{
	struct snic_agent *ag = arg;
	struct pollfd pfd[2 + AGENT_MAX_CLIENTS];
	int who[2 + AGENT_MAX_CLIENTS];

	for (;;) {
		int n = 0, nclients = 0;

		pfd[n++] = (struct pollfd){.fd = ag->efd, .events = POLLIN};
		for (int i = 0; i < AGENT_MAX_CLIENTS; i++) {
			if (ag->cl[i].fd < 0)
				continue;
			who[n] = i;
			pfd[n++] = (struct pollfd){.fd = ag->cl[i].fd,
						   .events = POLLIN};
			nclients++;
		}
		/* When every slot is taken, new clients wait in the backlog. */
		if (nclients < AGENT_MAX_CLIENTS) {
			who[n] = -1;
			pfd[n++] = (struct pollfd){.fd = ag->lfd,
						   .events = POLLIN};
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			SNIC_LOG(ERR, "%s: agent: poll: %s", ag->sw->name,
				 strerror(errno));
			break;
		}
		if (pfd[0].revents != 0)
			break;
		for (int k = 1; k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (who[k] < 0)
				agent_accept(ag);
			else if (agent_client_read(ag, &ag->cl[who[k]]) < 0)
				agent_client_close(&ag->cl[who[k]]);
		}
	}
	return 0;
}

/* ------------------------------------------------------ socket */

/* mkdir -p of path's directory. */
static int
agent_mkdirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a socket file left by a process that died, but never a live
 * agent's socket nor a file that is not a socket. */
static int
agent_unlink_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(sa->sun_path) == 0 || errno == ENOENT ? 0 : -errno;
}

static int
agent_listen(struct snic_agent *ag)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc;

	strlcpy(sa.sun_path, ag->path, sizeof(sa.sun_path));
	rc = agent_mkdirs(ag->path);
	if (rc == 0)
		rc = agent_unlink_stale(&sa);
	if (rc != 0)
		return rc;
	ag->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (ag->lfd < 0)
		return -errno;
	if (bind(ag->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -errno;
	if (listen(ag->lfd, AGENT_MAX_CLIENTS) != 0) {
		rc = -errno;
		unlink(ag->path);
		return rc;
	}
	return 0;
}

static void
agent_free(struct snic_agent *ag)
{
	for (int i = 0; i < AGENT_MAX_CLIENTS; i++)
		agent_client_close(&ag->cl[i]);
	if (ag->lfd >= 0)
		close(ag->lfd);
	if (ag->efd >= 0)
		close(ag->efd);
	free(ag);
}

int
snic_agent_start(struct snic_switch *sw, const char *path)
{
	struct snic_agent *ag;
	int rc, len;

	if (sw->agent != NULL)
		return -EALREADY;
	if (path != NULL && strcmp(path, "none") == 0)
		return 0;
	ag = calloc(1, sizeof(*ag));
	if (ag == NULL)
		return -ENOMEM;
	ag->sw = sw;
	ag->lfd = -1;
	for (int i = 0; i < AGENT_MAX_CLIENTS; i++)
		ag->cl[i].fd = -1;
	if (path != NULL)
		len = snprintf(ag->path, sizeof(ag->path), "%s", path);
	else
		len = snprintf(ag->path, sizeof(ag->path), "%s/%s.sock",
			       AGENT_DEFAULT_DIR, sw->name);
	ag->efd = eventfd(0, EFD_CLOEXEC);
	if (len < 0 || (size_t)len >= sizeof(ag->path))
		rc = -ENAMETOOLONG;
	else if (ag->efd < 0)
		rc = -errno;
	else
		rc = agent_listen(ag);
	if (rc == 0) {
		rc = rte_ctrl_thread_create(&ag->tid, "snic-agent", NULL,
					    agent_main, ag);
		if (rc != 0) {
			unlink(ag->path);
			rc = -rc;
		}
	}
	if (rc != 0) {
		rte_log(rc == -EADDRINUSE ? RTE_LOG_WARNING : RTE_LOG_ERR,
			snic_logtype,
			"net_snic: %s: agent: cannot listen on %s: %s%s\n",
			sw->name, ag->path, strerror(-rc), rc == -EADDRINUSE ?
			" (another live agent owns it)" : rc == -EEXIST ?
			" (not a socket: not replaced)" : "");
		agent_free(ag);
		return rc;
	}
	SNIC_LOG(INFO, "%s: agent listening on %s", sw->name, ag->path);
	sw->agent = ag;
	return 0;
}

void
snic_agent_stop(struct snic_switch *sw)
{
	struct snic_agent *ag = sw->agent;
	uint64_t one = 1;

	if (ag == NULL)
		return;
	if (write(ag->efd, &one, sizeof(one)) != sizeof(one))
		SNIC_LOG(ERR, "%s: agent: cannot wake the thread: %s",
			 sw->name, strerror(errno));
	pthread_join(ag->tid, NULL);
	sw->agent = NULL;
	unlink(ag->path);
	agent_free(ag);
}
