/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_RPC_CLIENT_H
#define NF_RPC_CLIENT_H

/**
 * @file
 * nf_rpc_client: the client half of nf_rpc.h, for the command-line tools
 * (bondctl talks to the NIC's agent, nicflowctl to nicflowd).
 *
 * One call = one connection: connect to the unix socket, send one
 * JSON-RPC 2.0 request line, read one response line, close. No DPDK: the
 * tools link only this and jansson.
 *
 * Messages name the server the way the caller does ("the NIC agent",
 * "nicflowd") and its socket path, so every tool reports failures alike:
 *   cannot connect to <peer> at <path>: <strerror>
 *   cannot send to <peer> at <path>: <strerror>
 *   no reply from <peer> at <path>: timed out | <strerror> | connection closed
 *   reply from <peer> at <path> is too large
 *   bad reply from <peer> at <path>: <JSON error> | not an object | no result
 *   <peer> at <path> does not know '<method>'        (error -32601)
 *   <the server's error.message>                      (any other error)
 *
 * Thread-safety: calls share nothing; any thread may call at any time.
 */

#include <stddef.h>

#include <jansson.h>

/** Seconds a call waits for the connection, the send and the reply. */
#define NF_RPC_CALL_TIMEOUT_S 10
/** Largest reply line accepted. */
#define NF_RPC_CALL_REPLY_MAX (16u << 20)

/**
 * Call method with params (not consumed; NULL: no params) on the server at
 * path.
 *
 * @param peer  the server's name in messages, e.g. "the NIC agent".
 * @param[out] result  on success, the response's "result" (new reference).
 * @param[out] msg  on failure, one line saying why (see the file comment).
 * @return 0 on success; -1 when the call failed on the way (connect, send,
 *   receive, malformed reply); 1 when the server answered an error.
 */
int nf_rpc_call(const char *path, const char *peer, const char *method,
		json_t *params, json_t **result, char *msg, size_t msglen);

#endif /* NF_RPC_CLIENT_H */
