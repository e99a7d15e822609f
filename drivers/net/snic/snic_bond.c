/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * Bonding in the NIC (N-18): placeholder method table; the bond mechanics
 * land with issue 3.
 */
#include <stddef.h>

#include "snic_agent.h"

const struct snic_agent_method snic_bond_methods[] = {
	{NULL, NULL},
};
