/* ofp_interop: pfswitch's side of the cross-implementation tests (tests/interop/).
 *
 *   ofp_interop decode FILE
 *       FILE is a stream of OpenFlow messages (e.g. written by os-ken, osken_gen.py).
 *       For each message prints one line, tab-separated:
 *           INDEX  STATUS  TEXT
 *       STATUS is "same" (decoded, and ofp_message_encode gave back identical bytes),
 *       "diff@OFS" (decoded, re-encoding differs first at byte OFS; both hex dumps go to
 *       stderr), "error:OFPET_X/OFPxx_Y" (ofp_message_decode refused it; TEXT is then
 *       the hex of the message) or "encode-error:ERRNO". TEXT is ofp_message_format's
 *       text with '\\', newline and tab escaped as \\, \n and \t.
 *       Exit status: 0 if every message is "same", 1 if any is not, 2 for a stream
 *       that cannot be split into messages or a usage error.
 *
 *   ofp_interop encode OUTFILE [JSONFILE]
 *       Writes every message of samples.c to OUTFILE (one after another) and, to
 *       JSONFILE (default OUTFILE.json), a JSON list with one object per message:
 *       {"name": "pfs-flow_mod-01", "type": "FLOW_MOD", "offset": N, "length": N,
 *        "checks": {"priority": "100", ...}, "text": "..."}. Each message is decoded
 *       back and must re-encode to the same bytes (pfswitch's own round trip), else
 *       exit 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ofp_message.h"
#include "samples.h"

static void
escape_into(const char *s, FILE *f, int json)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			fputs("\\\\", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (json && c == '"')
			fputs("\\\"", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, json ? "\\u%04x" : "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void
hex_dump(const char *label, const uint8_t *p, size_t n)
{
	fprintf(stderr, "  %s (%zu bytes):", label, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n    ", p[i]);
	fputc('\n', stderr);
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t alloc = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == alloc) {
			uint8_t *p = realloc(data, alloc = alloc ? 2 * alloc : 65536);
			if (!p) {
				free(data);
				data = NULL;
				break;
			}
			data = p;
		}
		size_t n = fread(data + *len, 1, alloc - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return data;
}

/* Decodes, re-encodes and prints one message; returns 1 if it is not "same". */
static int
decode_one(size_t index, const uint8_t *msg, size_t len)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf enc = BUF_INITIALIZER;
	struct buf text = BUF_INITIALIZER;
	struct ofp_message m;
	struct ofp_err err;
	int bad = 1;
	int rc = ofp_message_decode(msg, len, &a, &m, &err);

	printf("%zu\t", index);
	if (rc) {
		buf_printf(&text, "%s", "");
		if (rc == -EPROTO) {
			ofp_error_format(&err, &text);
			printf("error:%s\t", buf_cstr(&text));
		} else {
			printf("error:%s\t", strerror(-rc));
		}
		for (size_t i = 0; i < len; i++)
			printf("%02x", msg[i]);
		printf("\n");
		goto out;
	}
	rc = ofp_message_encode(&m, &enc);
	ofp_message_format(&m, &text);
	if (rc) {
		printf("encode-error:%s\t", strerror(-rc));
	} else if (enc.size == len && !memcmp(enc.data, msg, len)) {
		printf("same\t");
		bad = 0;
	} else {
		size_t ofs = 0;

		while (ofs < len && ofs < enc.size && enc.data[ofs] == msg[ofs])
			ofs++;
		printf("diff@%zu\t", ofs);
		fprintf(stderr, "message %zu re-encodes differently from byte %zu:\n", index, ofs);
		hex_dump("input", msg, len);
		hex_dump("pfswitch", enc.data, enc.size);
	}
	escape_into(buf_cstr(&text), stdout, 0);
	printf("\n");
out:
	buf_uninit(&enc);
	buf_uninit(&text);
	arena_free(&a);
	return bad;
}

static int
cmd_decode(const char *path)
{
	size_t len, ofs = 0, index = 0;
	uint8_t *data = read_file(path, &len);
	int bad = 0;

	if (!data) {
		fprintf(stderr, "ofp_interop: cannot read %s\n", path);
		return 2;
	}
	while (ofs < len) {
		struct ofp_header_info h;

		if (!ofp_header_peek(data + ofs, len - ofs, &h) || h.length < OFP_HEADER_LEN ||
		    h.length > len - ofs) {
			fprintf(stderr, "ofp_interop: bad framing at offset %zu\n", ofs);
			free(data);
			return 2;
		}
		bad |= decode_one(index++, data + ofs, h.length);
		ofs += h.length;
	}
	free(data);
	fprintf(stderr, "ofp_interop: %zu messages decoded\n", index);
	return bad;
}

/* Writes the checks string "a=1 b=2" as a JSON object. */
static void
checks_json(const char *checks, FILE *f)
{
	const char *p = checks;
	int first = 1;

	fputc('{', f);
	while (*p) {
		const char *end = strchr(p, ' '), *eq;
		size_t n;

		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		eq = memchr(p, '=', n);
		if (n && eq) {
			fprintf(f, "%s\"%.*s\": \"", first ? "" : ", ", (int)(eq - p), p);
			for (const char *c = eq + 1; c < end; c++)
				fprintf(f, "%s%c", *c == '\\' || *c == '"' ? "\\" : "", *c);
			fputc('"', f);
			first = 0;
		}
		p = *end ? end + 1 : end;
	}
	fputc('}', f);
}

/* Builds, encodes and self-checks sample i into out; 0 or 1. */
static int
encode_one(size_t i, struct buf *out, FILE *json)
{
	const struct interop_sample *s = &interop_samples[i];
	struct arena a = ARENA_INITIALIZER, a2 = ARENA_INITIALIZER;
	struct buf text = BUF_INITIALIZER, again = BUF_INITIALIZER;
	struct ofp_message m, back;
	struct ofp_err err;
	size_t start = out->size;
	int bad = 1, rc;

	memset(&m, 0, sizeof m);
	rc = s->build(&a, &m);
	m.h.version = OFP13_VERSION;
	m.h.xid = interop_sample_xid(s->name);
	if (!rc)
		rc = ofp_message_encode(&m, out);
	if (rc) {
		fprintf(stderr, "ofp_interop: sample %s: encode: %s\n", s->name, strerror(-rc));
		goto out;
	}
	rc = ofp_message_decode(out->data + start, out->size - start, &a2, &back, &err);
	if (rc) {
		buf_clear(&text);
		if (rc == -EPROTO)
			ofp_error_format(&err, &text);
		fprintf(stderr,
			"ofp_interop: sample %s: pfswitch cannot decode its own bytes: %s\n",
			s->name, rc == -EPROTO ? buf_cstr(&text) : strerror(-rc));
		hex_dump("bytes", out->data + start, out->size - start);
		goto out;
	}
	ofp_message_format(&back, &text);
	if (ofp_message_encode(&back, &again) || again.size != out->size - start ||
	    memcmp(again.data, out->data + start, again.size)) {
		fprintf(stderr, "ofp_interop: sample %s: decode+encode is not the identity\n",
			s->name);
		hex_dump("first", out->data + start, out->size - start);
		hex_dump("second", again.data, again.size);
		goto out;
	}
	fprintf(json,
		"%s\n {\"name\": \"pfs-%s\", \"type\": \"%s\", \"offset\": %zu, \"length\": %zu,\n "
		" \"checks\": ",
		i ? "," : "", s->name, ofp_msg_type_name(m.h.type), start, out->size - start);
	checks_json(s->checks, json);
	fprintf(json, ",\n  \"text\": \"");
	escape_into(buf_cstr(&text), json, 1);
	fprintf(json, "\"}");
	bad = 0;
out:
	buf_uninit(&text);
	buf_uninit(&again);
	arena_free(&a);
	arena_free(&a2);
	return bad;
}

static int
cmd_encode(const char *path, const char *json_path)
{
	struct buf out = BUF_INITIALIZER;
	char *jp = NULL;
	FILE *f = NULL, *json = NULL;
	int bad = 0;

	if (!json_path) {
		jp = malloc(strlen(path) + 6);
		if (!jp)
			return 2;
		sprintf(jp, "%s.json", path);
		json_path = jp;
	}
	json = fopen(json_path, "w");
	if (!json) {
		fprintf(stderr, "ofp_interop: cannot write %s\n", json_path);
		bad = 2;
		goto out;
	}
	fprintf(json, "[");
	for (size_t i = 0; i < interop_n_samples; i++)
		bad |= encode_one(i, &out, json);
	fprintf(json, "\n]\n");
	f = fopen(path, "wb");
	if (!f || buf_error(&out) || fwrite(out.data, 1, out.size, f) != out.size) {
		fprintf(stderr, "ofp_interop: cannot write %s\n", path);
		bad = 2;
	}
	if (!bad)
		fprintf(stderr, "ofp_interop: %zu messages, %zu bytes written\n", interop_n_samples,
			out.size);
out:
	if (f && fclose(f))
		bad = 2;
	if (json && fclose(json))
		bad = 2;
	buf_uninit(&out);
	free(jp);
	return bad;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "decode"))
		return cmd_decode(argv[2]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "encode"))
		return cmd_encode(argv[2], argc == 4 ? argv[3] : NULL);
	fprintf(stderr, "usage: ofp_interop decode FILE\n"
			"       ofp_interop encode OUTFILE [JSONFILE]\n");
	return 2;
}
