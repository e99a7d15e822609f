/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * The NIC's management agent (N-19): the shared JSON-RPC server of lib/rpc
 * (nf_rpc.h: thread, wire format, error mapping) serving the agent's
 * built-ins and the bonding methods of one switch, on the socket named by
 * devarg ctl= (default /run/nicflow/<switch>.sock). snic_agent.h has the
 * contract.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "snic.h"
#include "snic_agent.h"

#define AGENT_DEFAULT_DIR "/run/nicflow"

static const struct nf_rpc_method agent_builtin_methods[];

/* Every table the agent serves, in lookup order. */
static const struct nf_rpc_method *const agent_tables[] = {
	agent_builtin_methods,
	snic_bond_methods,
	NULL,
};

static int
agent_methods(void *ctx, json_t *params, json_t **result, char *err,
	      size_t errlen)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(params);
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	*result = nf_rpc_method_names(agent_tables);
	return *result != NULL ? 0 : -ENOMEM;
}

static int
nic_info(void *ctx, json_t *params, json_t **result, char *err,
	 size_t errlen)
{
	struct snic_switch *sw = ctx;
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
			    sw->agent != NULL ? nf_rpc_server_path(sw->agent) :
			    "", "ports", ports);
	return *result != NULL ? 0 : -ENOMEM;
}

static const struct nf_rpc_method agent_builtin_methods[] = {
	{"agent_methods", agent_methods},
	{"nic_info", nic_info},
	{NULL, NULL},
};

int
snic_agent_start(struct snic_switch *sw, const char *path)
{
	char def[108];
	int rc, len;

	if (sw->agent != NULL)
		return -EALREADY;
	if (path != NULL && strcmp(path, "none") == 0)
		return 0;
	if (path == NULL) {
		len = snprintf(def, sizeof(def), "%s/%s.sock",
			       AGENT_DEFAULT_DIR, sw->name);
		path = def;
		rc = len < 0 || (size_t)len >= sizeof(def) ? -ENAMETOOLONG : 0;
	} else {
		rc = 0;
	}
	if (rc == 0)
		rc = nf_rpc_server_start(path, agent_tables, sw, "snic-agent",
					 &sw->agent);
	if (rc != 0) {
		rte_log(rc == -EADDRINUSE ? RTE_LOG_WARNING : RTE_LOG_ERR,
			snic_logtype,
			"net_snic: %s: agent: cannot listen on %s: %s%s\n",
			sw->name, path, strerror(-rc), rc == -EADDRINUSE ?
			" (another live agent owns it)" : rc == -EEXIST ?
			" (not a socket: not replaced)" : "");
		return rc;
	}
	SNIC_LOG(INFO, "%s: agent listening on %s", sw->name, path);
	return 0;
}

void
snic_agent_stop(struct snic_switch *sw)
{
	struct nf_rpc_server *srv = sw->agent;

	/* Methods use sw->agent (nic_info): clear it only once the thread
	 * is gone. */
	nf_rpc_server_stop(srv);
	sw->agent = NULL;
}
