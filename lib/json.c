#include "json.h"

#include "utf8.h"

void
ma_json_str(struct ma_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char one[8];
	size_t n;

	ma_buf_add(b, "\"");
	while (p < end) {
		if (*p == '"' || *p == '\\') {
			ma_buf_addf(b, "\\%c", *p++);
		} else if (*p == '\n') {
			ma_buf_add(b, "\\n");
			p++;
		} else if (*p == '\t') {
			ma_buf_add(b, "\\t");
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			ma_buf_addf(b, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			one[0] = (char)*p++;
			one[1] = '\0';
			ma_buf_add(b, one);
		} else if ((n = ma_utf8_seq(p)) > 0 && p + n <= end) {
			ma_buf_addf(b, "%.*s", (int)n, (const char *)p);
			p += n;
		} else {
			ma_buf_addf(b, "\\u%04x", *p++);
		}
	}
	ma_buf_add(b, "\"");
}
