/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_TEST_H
#define NF_TEST_H

/**
 * @file
 * Minimal test harness shared by nicflow's C tests.
 *
 * A test program defines cases with NF_TEST(name) and lists them in
 * NF_TEST_MAIN(...). Each failing NF_CHECK prints file:line and the
 * expression; a case fails when any check fails. The program exits 1 if
 * any case failed and ends with the line "N passed, N failed".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nf_test_failed_checks;

#define NF_CHECK(cond)                                                        \
	do {                                                                  \
		if (!(cond)) {                                                \
			nf_test_failed_checks++;                              \
			fprintf(stderr, "%s:%d: check failed: %s\n",          \
				__FILE__, __LINE__, #cond);                   \
		}                                                             \
	} while (0)

#define NF_CHECK_EQ(a, b)                                                     \
	do {                                                                  \
		long long nf_a_ = (long long)(a), nf_b_ = (long long)(b);     \
		if (nf_a_ != nf_b_) {                                         \
			nf_test_failed_checks++;                              \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
				__FILE__, __LINE__, #a, #b, nf_a_, nf_b_);    \
		}                                                             \
	} while (0)

#define NF_CHECK_MEM(a, b, n)                                                 \
	do {                                                                  \
		if (memcmp((a), (b), (n)) != 0) {                             \
			nf_test_failed_checks++;                              \
			fprintf(stderr, "%s:%d: bytes differ: %s vs %s\n",    \
				__FILE__, __LINE__, #a, #b);                  \
		}                                                             \
	} while (0)

struct nf_test_case {
	const char *name;
	void (*fn)(void);
};

#define NF_TEST(name) static void name(void)
#define NF_CASE(name) {#name, name}

static inline int
nf_test_run(const struct nf_test_case *cases, unsigned int n)
{
	unsigned int pass = 0, fail = 0;

	for (unsigned int i = 0; i < n; i++) {
		int before = nf_test_failed_checks;

		cases[i].fn();
		if (nf_test_failed_checks == before) {
			pass++;
			printf("ok   %s\n", cases[i].name);
		} else {
			fail++;
			printf("FAIL %s\n", cases[i].name);
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed\n", pass, fail);
	return fail ? 1 : 0;
}

#endif /* NF_TEST_H */
