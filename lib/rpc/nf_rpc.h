/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_RPC_H
#define NF_RPC_H

/**
 * @file
 * nf_rpc: the JSON-RPC 2.0 server shared by the NIC's management agent
 * (net_snic, snic_agent.c, N-19) and nicflowd's control socket (V-*).
 *
 * A server is one control thread (rte_ctrl_thread_create, so EAL must be
 * initialised) that poll()s an eventfd (stop), a listening unix stream
 * socket and up to NF_RPC_MAX_CLIENTS connections. Methods run on that
 * thread one at a time; a method must lock whatever it shares with other
 * threads, and must never stop its own server (stopping joins the thread).
 *
 * Wire format: one JSON-RPC 2.0 request object per line ("\n"-terminated,
 * a trailing "\r" is ignored), one response object per line; a client may
 * send several requests on one connection. A request without "id" is a
 * notification and gets no answer. A line longer than NF_RPC_MAX_REQ bytes
 * is answered -32600 and its connection closed. Batches are refused.
 *
 * Error mapping (SPDK style): a method returning -EINVAL, -ENODEV, -ENOENT,
 * -EEXIST, -ENOTSUP answers code -32602 with the method's own one-line
 * message in error.message ("Invalid params" class); any other negative
 * errno answers -32000 with the message (strerror when the method wrote
 * none); an unknown method -32601; bad JSON -32700; a request that is not
 * a JSON-RPC 2.0 object -32600.
 *
 * Methods come from NULL-name-terminated tables, passed as a NULL-terminated
 * array of tables and searched in order: a user composes its own built-ins
 * with the tables of its modules (net_snic: built-ins + bonding; nicflowd:
 * networks, ports, flows).
 *
 * Socket: the server creates missing directories (0755), replaces a stale
 * socket file left by a dead process, but never a live server's socket
 * (-EADDRINUSE) nor a file that is not a socket (-EEXIST). The socket file
 * is removed when the server stops.
 */

#include <stddef.h>

#include <jansson.h>

#define NF_RPC_MAX_CLIENTS 8
#define NF_RPC_MAX_REQ 65536 /**< bytes of one request line */

/** JSON-RPC 2.0 error codes (SPDK uses the same). */
#define NF_RPC_PARSE_ERROR -32700
#define NF_RPC_INVALID_REQUEST -32600
#define NF_RPC_METHOD_NOT_FOUND -32601
#define NF_RPC_INVALID_PARAMS -32602
#define NF_RPC_INTERNAL -32000

/**
 * One method. params is the request's "params" (an object, never NULL: an
 * absent or null params is passed as an empty object). On success return 0
 * and set *result to a new reference (json_null() if there is nothing to
 * return; NULL is sent as null). On failure return a negative errno and
 * write a one-line message naming the wrong field or object into err, e.g.
 * "unknown bond device 'bond9'".
 */
typedef int (*nf_rpc_fn)(void *ctx, json_t *params, json_t **result,
			 char *err, size_t errlen);

/** A method table entry; a table ends with {NULL, NULL}. */
struct nf_rpc_method {
	const char *name;
	nf_rpc_fn fn;
};

struct nf_rpc_server;

/**
 * Start a server listening on path.
 *
 * @param path    socket path (at most 107 bytes)
 * @param tables  NULL-terminated array of method tables; must outlive the
 *                server
 * @param ctx     passed to every method
 * @param thread  control thread name (at most 15 characters)
 * @param[out] srv the server
 * @return 0, or -ENAMETOOLONG (path), -EADDRINUSE (a live server owns
 *         path), -EEXIST (path exists and is not a socket), -ENOMEM, or
 *         another negative errno of mkdir/socket/bind/listen/thread
 *         creation.
 */
int nf_rpc_server_start(const char *path,
			const struct nf_rpc_method *const *tables, void *ctx,
			const char *thread, struct nf_rpc_server **srv);

/** Stop the thread, close every connection, remove the socket file and
 * free srv. NULL is a no-op. */
void nf_rpc_server_stop(struct nf_rpc_server *srv);

/** Create the directories a unix socket path needs (mkdir -p of its
 * directory, mode 0755), as the server does for its own socket; also for
 * other sockets a daemon serves (vhost-user). Paths are cut at 107 bytes
 * (sun_path). @return 0 or -errno of the failing mkdir. */
int nf_rpc_mkdirs(const char *path);

/** The socket path srv listens on. */
const char *nf_rpc_server_path(const struct nf_rpc_server *srv);

/** A new JSON array of every method name of tables, in lookup order (for
 * an "…_methods" built-in), or NULL on -ENOMEM. */
json_t *nf_rpc_method_names(const struct nf_rpc_method *const *tables);

/**
 * Handle one request line outside any server (what the server thread does
 * for each line; exposed for unit tests and in-process callers).
 * @return the response (new reference), or NULL for a notification.
 */
json_t *nf_rpc_handle(const struct nf_rpc_method *const *tables, void *ctx,
		      const char *line, size_t len);

#endif /* NF_RPC_H */
