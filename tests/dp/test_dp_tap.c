/* Rx interrupts (datapath.h, rx_interrupts): one worker polling one net_tap port only.
 * Idle, it arms the queue's interrupt and blocks in epoll (no sleeps, no busy polls), and a
 * frame written to the kernel side of the tap after an idle period is forwarded at once
 * (flow: back out of IN_PORT, read on a packet socket). With rx_interrupts off the same
 * worker sleeps instead. Skipped (77) without /dev/net/tun or root.
 *
 * EAL: --no-huge --no-shconf, lcores 0 (control) and 1 (the worker). CK_FORK=no. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "datapath.h"
#include "dp_testlib.h"
#include "ofp_instruction.h"
#include "oxm.h"

static struct dp_bridge *br;
static char iface[IFNAMSIZ];
static int sock = -1;

/* A packet socket on the tap's kernel side: frames sent there arrive on the port, and
 * what the port sends arrives here. */
static int
tap_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits up to timeout_us for our frame carrying seq to come back from the switch. */
static bool
recv_seq(uint32_t seq, uint64_t timeout_us)
{
	uint64_t t0 = dp_test_now_us();

	while (dp_test_now_us() - t0 < timeout_us) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		uint8_t b[2048];
		uint32_t s;

		if (poll(&pfd, 1, 10) <= 0)
			continue;
		ssize_t n = recvfrom(sock, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

		if (n < 46 || from.sll_pkttype == PACKET_OUTGOING)
			continue; /* what we sent ourselves */
		if (b[12] != 0x08 || b[13] != 0x00 || b[23] != 17 || b[29] != 9)
			continue; /* the kernel's own frames (IPv6 solicitations...) */
		memcpy(&s, b + 42, 4);
		if (s == seq)
			return true;
	}
	return false;
}

static void
send_seq(uint32_t seq)
{
	uint8_t p[60] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0 };

	p[14] = 0x45, p[17] = 46, p[22] = 64, p[23] = 17;
	p[26] = 10, p[29] = 9, p[30] = 10, p[33] = 2, p[39] = 26;
	memcpy(p + 42, &seq, 4);
	ck_assert_int_eq(send(sock, p, sizeof(p), 0), (int)sizeof(p));
}

START_TEST(test_blocks_and_wakes)
{
	struct dp_worker_stats a, b;
	unsigned got = 0;
	uint64_t worst = 0;

	dp_worker_get_stats(0, &a);
	ck_assert_uint_eq(a.n_queues, 1);
	ck_assert_msg(a.n_intr_queues == 1, "net_tap queue without rx interrupt");
	usleep(200000);
	dp_worker_get_stats(0, &a);
	usleep(300000);
	dp_worker_get_stats(0, &b);
	fprintf(stderr, "tap: in 300 ms idle: %lu polls, %lu interrupt waits, %lu sleeps\n",
		(unsigned long)(b.polls - a.polls), (unsigned long)(b.intr_waits - a.intr_waits),
		(unsigned long)(b.idle_sleeps - a.idle_sleeps));
	/* It blocks (never sleeps), and wakes at most every 10 ms (the safety timeout; on a
	 * loaded machine less often), where a sleeping worker polls every 34 us or so. */
	ck_assert_uint_gt(b.intr_waits, 0);
	ck_assert_uint_eq(b.idle_sleeps, 0);
	ck_assert_msg(b.polls - a.polls < 3000, "%lu polls in 300 ms",
		      (unsigned long)(b.polls - a.polls));
	for (uint32_t s = 1; s <= 10; s++) {
		usleep(30000); /* idle again: blocked */
		uint64_t t0 = dp_test_now_us();

		send_seq(s);
		if (recv_seq(s, 2000000)) {
			uint64_t dt = dp_test_now_us() - t0;

			got++;
			worst = dt > worst ? dt : worst;
		}
	}
	fprintf(stderr, "tap: 10 frames after 30 ms idle, %u back, worst round trip %lu us\n", got,
		(unsigned long)worst);
	ck_assert_uint_eq(got, 10);
}
END_TEST

int
main(void)
{
	char *eal[] = { "test_dp_tap",
			"--no-pci",
			"--no-huge",
			"--no-shconf",
			"-l",
			"0-1",
			"-m",
			"256",
			"--log-level=lib.eal:error",
			"--log-level=pmd.net.tap:error",
			NULL };
	char devargs[64];
	struct dp_params p;
	struct dp_port *port;
	int nfail;

	if (access("/dev/net/tun", R_OK | W_OK) != 0 || geteuid() != 0) {
		fprintf(stderr, "test_dp_tap: needs root and /dev/net/tun: skipped\n");
		return 77;
	}
	snprintf(iface, sizeof(iface), "pfst%u", (unsigned)getpid() % 100000);
	snprintf(devargs, sizeof(devargs), "net_tap_pwr,iface=%s", iface);
	dp_params_default(&p);
	p.n_mbufs = 4095;
	p.idle_polls_before_sleep = 100;
	if (dp_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal, &p) < 0 ||
	    dp_bridge_create("br0", &br) < 0)
		return 1;
	if (dp_port_add(br, "tap", devargs, 1, &port) < 0) {
		fprintf(stderr, "test_dp_tap: cannot create net_tap: skipped\n");
		dp_fini();
		return 77;
	}
	sock = tap_socket();
	if (sock < 0) {
		fprintf(stderr, "test_dp_tap: packet socket on %s: %s\n", iface, strerror(errno));
		return 1;
	}

	struct ofp_match m;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list il;
	struct ofp_err err;
	struct dp_flow *f;
	char eb[256];

	oxm_match_init(&m);
	if (oxm_parse("in_port=1,udp", &m, eb, sizeof(eb)) ||
	    ofp_instructions_parse("apply_actions(output:IN_PORT)", &a, &il, eb, sizeof(eb)))
		return 1;
	struct dp_flow_spec spec = { .table_id = 0, .priority = 10, .match = &m, .insts = &il };

	if (dp_flow_add(br, &spec, &f, &err) < 0 || dp_commit(br) < 0 || dp_start() < 0)
		return 1;
	arena_free(&a);

	Suite *s = suite_create("dp_tap");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_blocks_and_wakes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	close(sock);
	dp_stop();
	dp_fini();
	return nfail == 0 ? 0 : 1;
}
