/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The JSON-RPC 2.0 server (nf_rpc.h has the contract). Factored out of the
 * NIC's management agent so that net_snic and nicflowd share one server.
 *
 * Requests are lines; a connection keeps a buffer of at most NF_RPC_MAX_REQ
 * bytes for the line being received, so a client cannot make the server
 * grow without bound: a longer line is answered -32600 and the connection
 * closed (its end cannot be found reliably). Methods run one at a time on
 * the server thread, so a slow method delays the other clients; that is
 * fine for a management plane.
 */

#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_string_fns.h>

#include "nf_rpc.h"

#define RPC_WRITE_TIMEOUT_MS 2000 /* a client that does not read */

RTE_LOG_REGISTER_DEFAULT(nf_rpc_logtype, INFO);

struct rpc_client {
	int fd;        /* -1: free slot */
	size_t len;    /* bytes in buf */
	char *buf;     /* NF_RPC_MAX_REQ bytes */
};

struct nf_rpc_server {
	const struct nf_rpc_method *const *tables;
	void *ctx;
	pthread_t tid;
	int lfd;       /* listening socket */
	int efd;       /* eventfd: stop request */
	struct rpc_client cl[NF_RPC_MAX_CLIENTS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

json_t *
nf_rpc_method_names(const struct nf_rpc_method *const *tables)
{
	json_t *names = json_array();

	if (names == NULL)
		return NULL;
	for (size_t t = 0; tables[t] != NULL; t++)
		for (const struct nf_rpc_method *m = tables[t];
		     m->name != NULL; m++)
			json_array_append_new(names, json_string(m->name));
	return names;
}

/* ---------------------------------------------------- requests */

static const struct nf_rpc_method *
rpc_method_find(const struct nf_rpc_method *const *tables, const char *name)
{
	for (size_t t = 0; tables[t] != NULL; t++)
		for (const struct nf_rpc_method *m = tables[t];
		     m->name != NULL; m++)
			if (strcmp(m->name, name) == 0)
				return m;
	return NULL;
}

static json_t *
rpc_error(json_t *id, int code, const char *fmt, ...)
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
rpc_errno_code(int rc)
{
	switch (rc) {
	case -EINVAL:
	case -ENODEV:
	case -ENOENT:
	case -EEXIST:
	case -ENOTSUP:
		return NF_RPC_INVALID_PARAMS;
	default:
		return NF_RPC_INTERNAL;
	}
}

/* Answer one request line; NULL when there is nothing to send (a valid
 * notification, i.e. a request without "id"). */
json_t *
nf_rpc_handle(const struct nf_rpc_method *const *tables, void *ctx,
	      const char *line, size_t len)
{
	const struct nf_rpc_method *m;
	json_t *req, *id, *ver, *meth, *params, *result = NULL, *resp;
	json_error_t jerr;
	char err[256] = "";
	bool own_params = false;
	int rc;

	req = json_loadb(line, len, 0, &jerr);
	if (req == NULL)
		return rpc_error(NULL, NF_RPC_PARSE_ERROR, "Parse error: %s",
				   jerr.text);
	if (!json_is_object(req)) {
		resp = rpc_error(NULL, NF_RPC_INVALID_REQUEST,
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
		resp = rpc_error(NULL, NF_RPC_INVALID_REQUEST, "Invalid request: "
				   "\"id\" must be a string, a number or null");
	} else if (!json_is_string(ver) ||
		   strcmp(json_string_value(ver), "2.0") != 0) {
		resp = rpc_error(id, NF_RPC_INVALID_REQUEST, "Invalid request: "
				   "\"jsonrpc\" must be \"2.0\"");
	} else if (!json_is_string(meth)) {
		resp = rpc_error(id, NF_RPC_INVALID_REQUEST, "Invalid request: "
				   "\"method\" must be a string");
	} else if (params != NULL && !json_is_object(params) &&
		   !json_is_null(params)) {
		resp = rpc_error(id, NF_RPC_INVALID_PARAMS, "Invalid params: "
				   "\"params\" must be an object");
	} else if ((m = rpc_method_find(tables,
					   json_string_value(meth))) == NULL) {
		resp = rpc_error(id, NF_RPC_METHOD_NOT_FOUND,
				   "Method not found: %s",
				   json_string_value(meth));
	} else {
		if (params == NULL || json_is_null(params)) {
			params = json_object();
			own_params = true;
		}
		rc = m->fn(ctx, params, &result, err, sizeof(err));
		if (own_params)
			json_decref(params);
		if (rc < 0) {
			json_decref(result);
			resp = rpc_error(id, rpc_errno_code(rc), "%s",
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

/* ---------------------------------------------------- connections */

static void
rpc_client_close(struct rpc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
	c->len = 0;
}

/* Send all of buf; a client that does not read for
 * RPC_WRITE_TIMEOUT_MS is dropped rather than stall the server. */
static int
rpc_write(int fd, const char *buf, size_t len)
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
		if (poll(&p, 1, RPC_WRITE_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int
rpc_reply(struct rpc_client *c, json_t *resp)
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
	rc = rpc_write(c->fd, s, n + 1);
	free(s);
	return rc;
}

/* Read what the client sent and answer each complete line. Returns < 0
 * when the connection must be closed. */
static int
rpc_client_read(struct nf_rpc_server *srv, struct rpc_client *c)
{
	ssize_t n;
	size_t start = 0;
	char *nl;

	n = recv(c->fd, c->buf + c->len, NF_RPC_MAX_REQ - c->len, 0);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->len += (size_t)n;
	while ((nl = memchr(c->buf + start, '\n', c->len - start)) != NULL) {
		size_t end = (size_t)(nl - c->buf), l = end - start;

		if (l > 0 && c->buf[end - 1] == '\r')
			l--;
		if (l > 0 && rpc_reply(c, nf_rpc_handle(srv->tables, srv->ctx, c->buf + start,
							 l)) != 0)
			return -EIO;
		start = end + 1;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
	if (c->len == NF_RPC_MAX_REQ) {
		rpc_reply(c, rpc_error(NULL, NF_RPC_INVALID_REQUEST,
			"Invalid request: longer than %d bytes",
			NF_RPC_MAX_REQ));
		return -E2BIG;
	}
	return 0;
}

static void
rpc_accept(struct nf_rpc_server *srv)
{
	int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < NF_RPC_MAX_CLIENTS; i++) {
		struct rpc_client *c = &srv->cl[i];

		if (c->fd >= 0)
			continue;
		c->buf = malloc(NF_RPC_MAX_REQ);
		if (c->buf == NULL)
			break;
		c->fd = fd;
		c->len = 0;
		return;
	}
	close(fd);
}

static void *
rpc_main(void *arg)
{
	struct nf_rpc_server *srv = arg;
	struct pollfd pfd[2 + NF_RPC_MAX_CLIENTS];
	int who[2 + NF_RPC_MAX_CLIENTS];

	for (;;) {
		int n = 0, nclients = 0;

		pfd[n++] = (struct pollfd){.fd = srv->efd, .events = POLLIN};
		for (int i = 0; i < NF_RPC_MAX_CLIENTS; i++) {
			if (srv->cl[i].fd < 0)
				continue;
			who[n] = i;
			pfd[n++] = (struct pollfd){.fd = srv->cl[i].fd,
						   .events = POLLIN};
			nclients++;
		}
		/* When every slot is taken, new clients wait in the backlog. */
		if (nclients < NF_RPC_MAX_CLIENTS) {
			who[n] = -1;
			pfd[n++] = (struct pollfd){.fd = srv->lfd,
						   .events = POLLIN};
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			rte_log(RTE_LOG_ERR, nf_rpc_logtype, "nf_rpc: %s: poll: %s\n",
				srv->path, strerror(errno));
			break;
		}
		if (pfd[0].revents != 0)
			break;
		for (int k = 1; k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (who[k] < 0)
				rpc_accept(srv);
			else if (rpc_client_read(srv, &srv->cl[who[k]]) < 0)
				rpc_client_close(&srv->cl[who[k]]);
		}
	}
	return 0;
}

/* ---------------------------------------------------- socket */

int
nf_rpc_mkdirs(const char *path)
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
 * server's socket nor a file that is not a socket. */
static int
rpc_unlink_stale(const struct sockaddr_un *sa)
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
rpc_listen(struct nf_rpc_server *srv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc;

	strlcpy(sa.sun_path, srv->path, sizeof(sa.sun_path));
	rc = nf_rpc_mkdirs(srv->path);
	if (rc == 0)
		rc = rpc_unlink_stale(&sa);
	if (rc != 0)
		return rc;
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (srv->lfd < 0)
		return -errno;
	if (bind(srv->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -errno;
	if (listen(srv->lfd, NF_RPC_MAX_CLIENTS) != 0) {
		rc = -errno;
		unlink(srv->path);
		return rc;
	}
	return 0;
}

static void
rpc_free(struct nf_rpc_server *srv)
{
	for (int i = 0; i < NF_RPC_MAX_CLIENTS; i++)
		rpc_client_close(&srv->cl[i]);
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->efd >= 0)
		close(srv->efd);
	free(srv);
}

int
nf_rpc_server_start(const char *path,
		    const struct nf_rpc_method *const *tables, void *ctx,
		    const char *thread, struct nf_rpc_server **out)
{
	struct nf_rpc_server *srv;
	int rc;

	*out = NULL;
	if (strlen(path) >= sizeof(srv->path))
		return -ENAMETOOLONG;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return -ENOMEM;
	srv->tables = tables;
	srv->ctx = ctx;
	srv->lfd = -1;
	for (int i = 0; i < NF_RPC_MAX_CLIENTS; i++)
		srv->cl[i].fd = -1;
	strlcpy(srv->path, path, sizeof(srv->path));
	srv->efd = eventfd(0, EFD_CLOEXEC);
	rc = srv->efd < 0 ? -errno : rpc_listen(srv);
	if (rc == 0) {
		rc = rte_ctrl_thread_create(&srv->tid, thread, NULL, rpc_main,
					    srv);
		if (rc != 0) {
			unlink(srv->path);
			rc = -rc;
		}
	}
	if (rc != 0) {
		rpc_free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}

void
nf_rpc_server_stop(struct nf_rpc_server *srv)
{
	uint64_t one = 1;

	if (srv == NULL)
		return;
	if (write(srv->efd, &one, sizeof(one)) != sizeof(one))
		rte_log(RTE_LOG_ERR, nf_rpc_logtype,
			"nf_rpc: %s: cannot wake the thread: %s\n", srv->path,
			strerror(errno));
	pthread_join(srv->tid, NULL);
	unlink(srv->path);
	rpc_free(srv);
}

const char *
nf_rpc_server_path(const struct nf_rpc_server *srv)
{
	return srv->path;
}
