/* Unit tests for the Prometheus / OpenMetrics text writer (lib/prom.c): HELP/TYPE lines
 * in both formats, label value escaping, cumulative histograms, name checks. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "prom.h"

START_TEST(test_counter_text)
{
	struct buf b = BUF_INITIALIZER;
	struct prom p;
	const struct prom_label l[] = { { "bridge", "br0" }, { "port", "p\"1\\\nx" } };

	prom_init(&p, &b, false);
	prom_family(&p, "pfswitch_port_rx_packets", PROM_COUNTER, "Packets\nreceived \\ ok");
	prom_sample(&p, l, 2, 42);
	prom_family(&p, "pfswitch_up", PROM_GAUGE, "Up");
	prom_sample(&p, NULL, 0, 1);
	prom_finish(&p);
	ck_assert_str_eq(
		buf_cstr(&b),
		"# HELP pfswitch_port_rx_packets_total Packets\\nreceived \\\\ ok\n"
		"# TYPE pfswitch_port_rx_packets_total counter\n"
		"pfswitch_port_rx_packets_total{bridge=\"br0\",port=\"p\\\"1\\\\\\nx\"} 42\n"
		"# HELP pfswitch_up Up\n"
		"# TYPE pfswitch_up gauge\n"
		"pfswitch_up 1\n");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_openmetrics)
{
	struct buf b = BUF_INITIALIZER;
	struct prom p;

	prom_init(&p, &b, true);
	prom_family(&p, "pfswitch_x", PROM_COUNTER, "X");
	prom_sample(&p, NULL, 0, 7);
	prom_family(&p, "pfswitch_ratio", PROM_GAUGE, "R");
	prom_sample_f(&p, NULL, 0, 0.5);
	prom_sample_f(&p, NULL, 0, INFINITY);
	prom_finish(&p);
	ck_assert_str_eq(buf_cstr(&b), "# HELP pfswitch_x X\n"
				       "# TYPE pfswitch_x counter\n"
				       "pfswitch_x_total 7\n"
				       "# HELP pfswitch_ratio R\n"
				       "# TYPE pfswitch_ratio gauge\n"
				       "pfswitch_ratio 0.5\n"
				       "pfswitch_ratio +Inf\n"
				       "# EOF\n");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_histogram)
{
	struct buf b = BUF_INITIALIZER;
	struct prom p;
	const double bounds[] = { 0.001, 0.01, 0.1 };
	const uint64_t counts[] = { 3, 0, 2, 1 };
	const struct prom_label l[] = { { "bridge", "br0" } };

	prom_init(&p, &b, false);
	prom_family(&p, "pfswitch_barrier_seconds", PROM_HISTOGRAM, "Latency");
	prom_histogram(&p, l, 1, bounds, counts, 3, 1.25);
	ck_assert_str_eq(buf_cstr(&b),
			 "# HELP pfswitch_barrier_seconds Latency\n"
			 "# TYPE pfswitch_barrier_seconds histogram\n"
			 "pfswitch_barrier_seconds_bucket{bridge=\"br0\",le=\"0.001\"} 3\n"
			 "pfswitch_barrier_seconds_bucket{bridge=\"br0\",le=\"0.01\"} 3\n"
			 "pfswitch_barrier_seconds_bucket{bridge=\"br0\",le=\"0.1\"} 5\n"
			 "pfswitch_barrier_seconds_bucket{bridge=\"br0\",le=\"+Inf\"} 6\n"
			 "pfswitch_barrier_seconds_sum{bridge=\"br0\"} 1.25\n"
			 "pfswitch_barrier_seconds_count{bridge=\"br0\"} 6\n");
	buf_uninit(&b);
	/* Without labels, le is the only one. */
	prom_init(&p, &b, false);
	prom_family(&p, "h", PROM_HISTOGRAM, "H");
	prom_histogram(&p, NULL, 0, bounds, counts, 0, 0);
	ck_assert_str_eq(buf_cstr(&b), "# HELP h H\n# TYPE h histogram\n"
				       "h_bucket{le=\"+Inf\"} 3\nh_sum 0\nh_count 3\n");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_names_and_accept)
{
	ck_assert(prom_name_valid("pfswitch_port_rx_packets_total"));
	ck_assert(prom_name_valid("a:b_C9"));
	ck_assert(!prom_name_valid(""));
	ck_assert(!prom_name_valid("9abc"));
	ck_assert(!prom_name_valid("a-b"));
	ck_assert(prom_accepts_openmetrics(
		"application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));
	ck_assert(!prom_accepts_openmetrics("text/plain"));
	ck_assert(!prom_accepts_openmetrics(NULL));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_counter_text);
	tcase_add_test(tc, test_openmetrics);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_names_and_accept);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
