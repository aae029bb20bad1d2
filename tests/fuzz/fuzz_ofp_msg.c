/* Fuzz target: the OpenFlow message decoder, with a round-trip oracle.
 *
 * The input's header is fixed up (version 1.3, length = input size) so the fuzzer spends
 * its time on bodies. A message that decodes must encode; its encoding must decode again
 * and encode to the same bytes and the same text (encode(decode(encode(x))) ==
 * encode(x)). pfswitch's trace experimenter bodies (ofp_trace.h) go through their own
 * decoders and printers too (the reply with the same round trip; the request's frame
 * through frame_format()), and so do ONF bundle bodies (ofp_bundle.h: BUNDLE_CONTROL and
 * BUNDLE_ADD_MESSAGE re-encoded to the same bytes; the embedded message printed). Any
 * disagreement, crash, sanitizer report or leak is a
 * finding. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "frame.h"
#include "ofp_bundle.h"
#include "ofp_message.h"
#include "ofp_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const struct buf *b1, const struct buf *b2)
{
	fprintf(stderr, "round-trip oracle: %s (%zu vs %zu bytes)\n", what, b1->size, b2->size);
	abort();
}

/* The trace request and reply codecs on an experimenter body. */
static void
trace_bodies(const struct ofp_experimenter *e)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf enc = BUF_INITIALIZER, t1 = BUF_INITIALIZER, t2 = BUF_INITIALIZER;
	struct ofp_trace_request rq;
	struct ofp_trace_reply rp, rp2;
	struct ofp_message m;
	struct ofp_err err;

	if (e->experimenter != PFS_EXPERIMENTER_ID)
		return;
	if (ofp_trace_request_decode(e, &rq, &err) == 0)
		frame_format(rq.packet, rq.len, &t1);
	buf_clear(&t1);
	if (ofp_trace_reply_decode(e, &a, &rp, &err) == 0) {
		ofp_trace_reply_format(&rp, &t1);
		if (ofp_trace_reply_encode(&rp, 1, &enc) ||
		    ofp_message_decode(enc.data, enc.size, &a, &m, &err) ||
		    ofp_trace_reply_decode(&m.experimenter, &a, &rp2, &err))
			fail("trace reply does not round-trip", &enc, &t2);
		ofp_trace_reply_format(&rp2, &t2);
		if (strcmp(buf_cstr(&t1), buf_cstr(&t2)))
			fail("trace reply text differs after a round trip", &t1, &t2);
	}
	buf_uninit(&enc);
	buf_uninit(&t1);
	buf_uninit(&t2);
	arena_free(&a);
}

/* The bundle codecs on an experimenter body: what decodes re-encodes to the same body. */
static void
bundle_bodies(const struct ofp_experimenter *e)
{
	struct buf enc = BUF_INITIALIZER, t = BUF_INITIALIZER;
	struct ofp_bundle_ctrl bc = { 0 };
	struct ofp_bundle_add ba = { 0 };
	struct ofp_header_info h;
	struct ofp_err err;
	int rc = 1;

	if (!ofp_bundle_is_bundle(e))
		return;
	ofp_bundle_format(e, &t);
	if (e->exp_type == ONF_ET_BUNDLE_CONTROL && ofp_bundle_ctrl_decode(e, &bc, &err) == 0)
		rc = ofp_bundle_ctrl_encode(&bc, 1, &enc);
	else if (e->exp_type == ONF_ET_BUNDLE_ADD_MESSAGE &&
		 ofp_bundle_add_decode(e, &ba, &err) == 0)
		rc = ofp_bundle_add_encode(&ba, &enc);
	if (rc == 0) {
		/* Pad fields and the padding before properties are written as zeros: the
		 * add is compared on its bundle id, flags and message. */
		const uint8_t *x = (const uint8_t *)enc.data + 16, *y = e->data.data;
		size_t n = e->data.len;
		bool same = enc.size == 16 + n;

		if (same && e->exp_type == ONF_ET_BUNDLE_CONTROL)
			same = !memcmp(x, y, n);
		else if (same)
			same = !memcmp(x, y, 4) && !memcmp(x + 6, y + 6, 2 + ba.msg_len);
		if (!ofp_header_peek(enc.data, enc.size, &h) || !same)
			fail("bundle body does not re-encode to itself", &enc, &t);
	}
	buf_uninit(&enc);
	buf_uninit(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a1 = ARENA_INITIALIZER, a2 = ARENA_INITIALIZER;
	struct buf enc1 = BUF_INITIALIZER, enc2 = BUF_INITIALIZER;
	struct buf txt1 = BUF_INITIALIZER, txt2 = BUF_INITIALIZER;
	struct ofp_message m1, m2;
	struct ofp_header_info h;
	struct ofp_err err;
	uint8_t *msg;
	int rc;

	if (size < OFP_HEADER_LEN || size > OFP_MAX_MSG_LEN)
		return 0;
	msg = malloc(size);
	if (!msg)
		return 0;
	memcpy(msg, data, size);
	msg[0] = OFP13_VERSION;
	put_be16(msg + 2, (uint16_t)size);

	/* Every path must also survive the printer, whatever the verdict. */
	ofp_message_print(msg, size, &txt1);
	buf_clear(&txt1);

	if (ofp_message_decode(msg, size, &a1, &m1, &err))
		goto out;
	if (m1.h.type == OFPT_EXPERIMENTER) {
		trace_bodies(&m1.experimenter);
		bundle_bodies(&m1.experimenter);
	}
	rc = ofp_message_encode(&m1, &enc1);
	if (rc == -EINVAL)
		goto out; /* a decoded value the encoder refuses on purpose (documented) */
	if (rc)
		fail("decoded message does not encode", &enc1, &enc2);
	/* A multipart reply may legitimately become several messages; compare the first. */
	if (!ofp_header_peek(enc1.data, enc1.size, &h) || h.length > enc1.size)
		fail("encoder wrote a bad header", &enc1, &enc2);
	if (ofp_message_decode(enc1.data, h.length, &a2, &m2, &err))
		fail("our own encoding does not decode", &enc1, &enc2);
	if (ofp_message_encode(&m2, &enc2))
		fail("second encode failed", &enc1, &enc2);
	if (enc1.size != enc2.size || memcmp(enc1.data, enc2.data, enc1.size))
		fail("encode(decode(encode(x))) != encode(x)", &enc1, &enc2);
	ofp_message_format(&m1, &txt1);
	ofp_message_format(&m2, &txt2);
	if (strcmp(buf_cstr(&txt1), buf_cstr(&txt2)))
		fail("text differs after a round trip", &txt1, &txt2);
out:
	buf_uninit(&enc1);
	buf_uninit(&enc2);
	buf_uninit(&txt1);
	buf_uninit(&txt2);
	arena_free(&a1);
	arena_free(&a2);
	free(msg);
	return 0;
}
