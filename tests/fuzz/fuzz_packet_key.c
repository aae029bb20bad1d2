/* Fuzz target: the packet parser (flow key extraction) and the header edits that act on
 * what it parsed, with oracles. A peer controls every byte of a frame it sends, so this
 * is the datapath's attack surface.
 *
 * Input: byte 0 selects header edits (bit i: edit i below), byte 1 is their argument,
 * the rest is the frame. The frame sits in a heap block with exactly EDGE bytes of
 * headroom and tailroom, so the sanitizer reports any read or write outside what
 * struct dp_pkt allows.
 *
 * 1. dp_key_extract() never reads past len, and every offset it records lies inside the
 *    frame (a header that starts at an offset fits before l3_end and len).
 * 2. dp_key_fast(), where it accepts the frame, gives exactly the key and offsets of
 *    dp_key_extract() (the microflow cache relies on this).
 * 3. Each edit either fails and leaves the frame as it was, or succeeds and keeps the
 *    frame inside its buffer; the edited frame parses again under the same checks.
 * 4. push_vlan then pop_vlan of a frame of at least the Ethernet minimum gives back the
 *    same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_key.h"
#include "dp_pkt.h"

#define EDGE 64	       /* headroom and tailroom, as a small mbuf's */
#define MAX_FRAME 9216 /* the largest jumbo frame a port takes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const struct dp_pkt *pkt)
{
	fprintf(stderr, "packet oracle: %s (len %u)\n", what, pkt->len);
	abort();
}

static void
check_offsets(const struct dp_pkt *pkt)
{
	const uint16_t offs[] = { pkt->vlan, pkt->eth_type, pkt->mpls,	 pkt->pbb,
				  pkt->l3,   pkt->proto,    pkt->nd_lla, pkt->l4 };

	for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
		if (offs[i] != DP_PKT_NONE && offs[i] >= pkt->len)
			fail("an offset points past the frame", pkt);
	if (pkt->l3_end != DP_PKT_NONE && pkt->l3_end > pkt->len)
		fail("l3_end past the frame", pkt);
	if (pkt->l4 != DP_PKT_NONE && pkt->l3_end != DP_PKT_NONE &&
	    (uint32_t)pkt->l4 + pkt->l4_len > pkt->l3_end)
		fail("l4 header runs past the datagram", pkt);
}

/* Parses pkt with both parsers and checks that they agree. */
static void
parse(struct dp_pkt *pkt, uint32_t in_port, struct dp_key *key)
{
	struct dp_pkt fast_pkt = *pkt;
	struct dp_fkey fk;
	struct dp_key fast_key;

	dp_key_extract(pkt, in_port, key);
	check_offsets(pkt);
	if (!dp_key_fast(&fast_pkt, in_port, &fk))
		return;
	dp_fkey_expand(&fk, &fast_key);
	if (memcmp(&fast_key, key, sizeof *key))
		fail("dp_key_fast and dp_key_extract disagree on the key", pkt);
	if (fast_pkt.vlan != pkt->vlan || fast_pkt.eth_type != pkt->eth_type ||
	    fast_pkt.l3 != pkt->l3 || fast_pkt.proto != pkt->proto || fast_pkt.l4 != pkt->l4 ||
	    fast_pkt.l4_len != pkt->l4_len || fast_pkt.l3_end != pkt->l3_end ||
	    fast_pkt.n_vlans != pkt->n_vlans || fast_pkt.l3_type != pkt->l3_type ||
	    fast_pkt.l4_type != pkt->l4_type || fast_pkt.flags != pkt->flags)
		fail("dp_key_fast and dp_key_extract disagree on the offsets", pkt);
}

/* Runs one edit; an edit that fails must leave the frame untouched. */
static void
edit(struct dp_pkt *pkt, unsigned which, uint8_t arg, uint8_t *scratch)
{
	uint8_t *before = pkt->data - pkt->headroom;
	uint32_t span = pkt->headroom + pkt->len + pkt->tailroom;
	uint8_t value[16];
	int r;

	memcpy(scratch, before, span);
	switch (which) {
	case 0:
		r = dp_pkt_push_vlan(pkt, arg & 1 ? 0x88a8 : 0x8100);
		break;
	case 1:
		r = dp_pkt_pop_vlan(pkt);
		break;
	case 2:
		r = dp_pkt_push_mpls(pkt, arg & 1 ? 0x8848 : 0x8847);
		break;
	case 3:
		r = dp_pkt_pop_mpls(pkt, arg & 1 ? 0x86dd : 0x0800);
		break;
	case 4:
		r = arg & 1 ? dp_pkt_push_pbb(pkt, 0x88e7) : dp_pkt_pop_pbb(pkt);
		break;
	case 5:
		memset(value, arg, sizeof value);
		value[0] &= 0x0f; /* a plausible value for the short fields */
		r = dp_pkt_set_field(pkt, (uint8_t)(3 + arg % 35), value); /* eth_dst..pbb_isid */
		break;
	case 6:
		switch (arg % 4) {
		case 0:
			r = dp_pkt_set_nw_ttl(pkt, arg);
			break;
		case 1:
			r = dp_pkt_dec_nw_ttl(pkt);
			break;
		case 2:
			r = dp_pkt_set_mpls_ttl(pkt, arg);
			break;
		default:
			r = dp_pkt_dec_mpls_ttl(pkt);
			break;
		}
		break;
	default:
		r = arg & 1 ? dp_pkt_copy_ttl_in(pkt) : dp_pkt_copy_ttl_out(pkt);
		break;
	}
	if (r && memcmp(scratch, before, span))
		fail("a failed edit changed the frame", pkt);
	if (pkt->data - pkt->headroom != before ||
	    pkt->data + pkt->len + pkt->tailroom != before + span || pkt->len > pkt->frame_len)
		fail("an edit left the buffer", pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_pkt pkt;
	struct dp_key key;
	uint8_t *block, *scratch, ops, arg;
	size_t len, span;

	if (size < 2 || size - 2 > MAX_FRAME)
		return 0;
	ops = data[0];
	arg = data[1];
	len = size - 2;
	span = EDGE + len + EDGE;
	block = malloc(span);
	scratch = malloc(span);
	if (!block || !scratch)
		goto out;
	memset(block, 0xa5, span);
	memcpy(block + EDGE, data + 2, len);
	dp_pkt_init(&pkt, block + EDGE, (uint32_t)len, EDGE, EDGE);
	parse(&pkt, 1, &key);

	/* 4: a tag pushed and popped again leaves the frame as it was. */
	if (len >= DP_PKT_MIN_FRAME && (ops & 0x80)) {
		memcpy(scratch, pkt.data, len);
		if (!dp_pkt_push_vlan(&pkt, 0x8100)) {
			parse(&pkt, 1, &key);
			if (dp_pkt_pop_vlan(&pkt))
				fail("pop_vlan refused a frame push_vlan just tagged", &pkt);
			if (pkt.len != len || memcmp(scratch, pkt.data, len))
				fail("push_vlan then pop_vlan changed the frame", &pkt);
			parse(&pkt, 1, &key);
		}
	}
	for (unsigned i = 0; i < 8; i++) {
		if (!(ops & (1u << i)))
			continue;
		edit(&pkt, i, (uint8_t)(arg + i), scratch);
		parse(&pkt, 1, &key);
	}
out:
	free(block);
	free(scratch);
	return 0;
}
