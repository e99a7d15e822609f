/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/* JSON-RPC 2.0 client over a unix stream socket (nf_rpc_client.h). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "nf_rpc_client.h"

struct call {
	const char *path;
	const char *peer;
	char *msg;
	size_t msglen;
};

static int
fail(const struct call *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, c->msglen, fmt, ap);
	va_end(ap);
	return rc;
}

static int
call_connect(const struct call *c, int *fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = NF_RPC_CALL_TIMEOUT_S};

	if (strlen(c->path) >= sizeof(sa.sun_path))
		return fail(c, -1, "cannot connect to %s at %s: %s", c->peer,
			    c->path, strerror(ENAMETOOLONG));
	strcpy(sa.sun_path, c->path);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || connect(*fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return fail(c, -1, "cannot connect to %s at %s: %s", c->peer,
			    c->path, strerror(errno));
	setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(*fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

/* The request line, "\n" included. */
static int
call_send(const struct call *c, int fd, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s, s:i, s:s}", "jsonrpc", "2.0", "id", 1,
				"method", method);
	char *line;
	size_t len;
	int rc = 0;

	if (params != NULL)
		json_object_set(req, "params", params);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL)
		return fail(c, -1, "cannot send to %s at %s: %s", c->peer,
			    c->path, strerror(ENOMEM));
	len = strlen(line);
	line[len] = '\n'; /* over the NUL: the line's terminator */
	for (size_t off = 0; off <= len && rc == 0;) {
		ssize_t n = send(fd, line + off, len + 1 - off, MSG_NOSIGNAL);

		if (n <= 0)
			rc = fail(c, -1, "cannot send to %s at %s: %s",
				  c->peer, c->path,
				  strerror(n < 0 ? errno : EPIPE));
		else
			off += (size_t)n;
	}
	free(line);
	return rc;
}

/* One reply line, parsed. */
static int
call_recv(const struct call *c, int fd, json_t **resp)
{
	size_t cap = 4096, got = 0;
	char *buf = malloc(cap), *nl = NULL;
	json_error_t jerr;
	int rc = 0;

	while (buf != NULL && nl == NULL && rc == 0) {
		ssize_t n;

		if (got + 1 >= cap) {
			char *nb = cap < NF_RPC_CALL_REPLY_MAX ?
				realloc(buf, cap * 2) : NULL;

			if (nb == NULL) {
				rc = fail(c, -1, "reply from %s at %s is too large",
					  c->peer, c->path);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + got, cap - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = fail(c, -1, "no reply from %s at %s: %s", c->peer,
				  c->path,
				  n < 0 && (errno == EAGAIN ||
					    errno == EWOULDBLOCK) ?
				  "timed out" : n < 0 ? strerror(errno) :
				  "connection closed");
			break;
		}
		nl = memchr(buf + got, '\n', (size_t)n);
		got += (size_t)n;
	}
	if (buf == NULL)
		return fail(c, -1, "no reply from %s at %s: %s", c->peer,
			    c->path, strerror(ENOMEM));
	if (rc == 0) {
		*resp = json_loadb(buf, (size_t)(nl - buf), 0, &jerr);
		if (!json_is_object(*resp)) {
			rc = fail(c, -1, "bad reply from %s at %s: %s", c->peer,
				  c->path, *resp == NULL ? jerr.text :
				  "not an object");
			json_decref(*resp);
		}
	}
	free(buf);
	return rc;
}

int
nf_rpc_call(const char *path, const char *peer, const char *method,
	    json_t *params, json_t **result, char *msg, size_t msglen)
{
	struct call c = { path, peer, msg, msglen };
	json_t *resp = NULL, *err;
	int fd = -1, rc;

	*result = NULL;
	rc = call_connect(&c, &fd);
	if (rc == 0)
		rc = call_send(&c, fd, method, params);
	if (rc == 0)
		rc = call_recv(&c, fd, &resp);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		return rc;
	err = json_object_get(resp, "error");
	if (err != NULL) {
		const char *m = json_string_value(json_object_get(err,
								  "message"));

		if (json_integer_value(json_object_get(err, "code")) == -32601)
			rc = fail(&c, 1, "%s at %s does not know '%s'", peer,
				  path, method);
		else
			rc = m != NULL && m[0] != '\0' ? fail(&c, 1, "%s", m) :
				fail(&c, 1, "%s refused (no message)", peer);
	} else {
		*result = json_incref(json_object_get(resp, "result"));
		if (*result == NULL)
			rc = fail(&c, -1, "bad reply from %s at %s: no result",
				  peer, path);
	}
	json_decref(resp);
	return rc;
}
