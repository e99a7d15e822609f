/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef BOND_TEST_H
#define BOND_TEST_H

/*
 * What the bond end-to-end tests put on the wire (N-18): IPv4/UDP frames
 * whose payload starts with this header, so the LACP peer counts only the
 * test's packets (not LACPDUs or the kernel's IPv6 chatter on the veths).
 */
#include <stdint.h>

#define BT_MAGIC 0x4e464254u /* "NFBT" */
#define BT_PORTS 2           /* members: eth0/eth1 on the NIC, b0/b1 peer */

struct bt_payload {
	uint32_t magic;
	uint32_t seq;
	uint32_t flow;
} __attribute__((packed));

#endif /* BOND_TEST_H */
