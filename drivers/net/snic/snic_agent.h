/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef SNIC_AGENT_H
#define SNIC_AGENT_H

/*
 * The NIC's management agent: a JSON-RPC 2.0 server on a unix stream
 * socket, run by a control thread of the process that loaded net_snic (the
 * "NIC firmware" side of the spec's user-space management tools, §8.4).
 * bondctl is its client. Not installed.
 *
 * Wire format: one JSON-RPC 2.0 request object per line ("\n"-terminated),
 * one response object per line; a client may send several requests on one
 * connection. Socket path: devarg ctl=<path>, default
 * /run/nicflow/<switch name>.sock (directory created 0755).
 *
 * Error mapping (SPDK style): a method returning -EINVAL, -ENODEV, -ENOENT,
 * -EEXIST, -ENOTSUP answers code -32602 "Invalid params" with the method's
 * own one-line message in error.message; any other negative errno answers
 * -32000 with the message; an unknown method -32601; bad JSON -32700; a
 * request that is not a JSON-RPC 2.0 object -32600.
 *
 * Threading: methods run on the agent thread, one at a time, and take
 * sw->lock themselves where they touch switch state. A method must never
 * close or free its own switch: closing joins the agent thread, which
 * would then wait for itself.
 *
 * Methods come from NULL-name-terminated tables; the agent serves every
 * table listed in snic_agent.c (today: snic_bond_methods, snic_bond.c).
 * The server itself is lib/rpc (nf_rpc.h); this file only adds the
 * agent's built-ins, its default path and its thread name.
 */

#include "nf_rpc.h"

struct snic_switch;

/* snic_bond.c: bond_add, bond_delete, bond_set_mode, ... (docs/snic.md).
 * Methods get the struct snic_switch * as their ctx. */
extern const struct nf_rpc_method snic_bond_methods[];

/* Start the agent of sw listening on path (NULL: the default path).
 * Returns 0 or a negative errno. */
int snic_agent_start(struct snic_switch *sw, const char *path);

/* Stop the agent thread and remove its socket. */
void snic_agent_stop(struct snic_switch *sw);

#endif /* SNIC_AGENT_H */
