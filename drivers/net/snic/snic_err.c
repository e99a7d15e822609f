/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/* Formatted rte_flow errors: every refusal names the item, action or field
 * that is wrong, not just an errno. */

#include <stdarg.h>
#include <stdio.h>

#include "snic.h"

int
snic_err(struct rte_flow_error *err, int code, enum rte_flow_error_type type,
	 const void *cause, const char *fmt, ...)
{
	/* rte_flow_error keeps only the pointer: the buffer is per thread and
	 * lives until this thread's next refusal. */
	static __thread char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rte_flow_error_set(err, code, type, cause, msg);
}
