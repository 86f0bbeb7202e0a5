/*
 * Postfix policy requests: what is kept from the attribute lines, what
 * makes a request malformed, and random bytes that must not crash.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tap.h"

/* Feed text (lines separated by '\n', the request's end not included). */
static struct ma_policy_req
feed(const char *text)
{
	struct ma_policy_req r;
	const char *p = text, *nl;

	ma_policy_req_init(&r);
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		ma_policy_req_line(&r, p, (size_t)(nl - p), 0);
		if (*nl == '\0')
			break;
	}
	return r;
}

static void
bad_is(const char *text, const char *why, const char *name)
{
	struct ma_policy_req r = feed(text);

	is_str(ma_policy_req_end(&r), why, name);
	ok(!ma_policy_req_checks(&r), "%s: not checked", name);
}

static void
test_requests(void)
{
	struct ma_policy_req r;
	char line[MA_POLICY_LINE_MAX + 10];

	test_begin("policy requests");
	r = feed("request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "protocol_name=ESMTP\nhelo_name=x\nrecipient=bob@example.com\n"
	    "size=12345\nunknown_attribute=whatever=really\nccert_subject=");
	ok(ma_policy_req_end(&r) == NULL, "a full RCPT request is good");
	is_str(r.state, "RCPT", "protocol_state");
	is_str(r.recipient, "bob@example.com", "recipient");
	is_int(r.size, 12345, "size");
	is_int(r.lines, 8, "every line counted");
	ok(ma_policy_req_checks(&r), "RCPT with a recipient is checked");
	r = feed("protocol_state=END-OF-MESSAGE\r\nrecipient=a@b.example\r\n"
	    "request=smtpd_access_policy\r");
	ok(ma_policy_req_end(&r) == NULL && ma_policy_req_checks(&r) &&
	    strcmp(r.recipient, "a@b.example") == 0, "any order, CR LF lines, "
	    "END-OF-MESSAGE is checked");
	r = feed("request=smtpd_access_policy\nprotocol_state=DATA\n"
	    "recipient=a@b.example");
	ok(ma_policy_req_end(&r) == NULL && !ma_policy_req_checks(&r),
	    "DATA is not checked");
	r = feed("request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "recipient=");
	ok(!ma_policy_req_checks(&r), "no recipient: not checked");
	r = feed("request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "recipient=a@b.example\nrecipient=c@d.example");
	is_str(r.recipient, "c@d.example", "the last recipient= counts");
	memset(line, 'a', sizeof(line));
	memcpy(line, "recipient=", 10);
	line[300] = '\0';
	r = feed("request=smtpd_access_policy\nprotocol_state=RCPT");
	ma_policy_req_line(&r, line, 300, 0);
	ok(ma_policy_req_end(&r) == NULL && !ma_policy_req_checks(&r),
	    "a recipient longer than an address: good, not checked");
	r = feed("request=smtpd_access_policy\nsize=");
	ok(ma_policy_req_end(&r) == NULL && r.size == 0, "an empty size is 0");

	bad_is("", "an empty request", "an empty request");
	bad_is("protocol_state=RCPT\nrecipient=a@b.example",
	    "no request=smtpd_access_policy", "no request=");
	bad_is("request=junk", "request= is not smtpd_access_policy",
	    "another request=");
	bad_is("request=smtpd_access_policy\ngarbage",
	    "a line that is not name=value", "a line without '='");
	bad_is("request=smtpd_access_policy\n=value",
	    "a line that is not name=value", "an empty name");
	bad_is("request=smtpd_access_policy\nsize=-1",
	    "size= is not a whole number of bytes", "a negative size");
	bad_is("request=smtpd_access_policy\nsize=99999999999999999999",
	    "size= is not a whole number of bytes", "a size beyond 64 bits");
	r = feed("request=smtpd_access_policy");
	ma_policy_req_line(&r, "recipient=a\0b", 13, 0);
	is_str(ma_policy_req_end(&r), "a NUL byte in a line", "a NUL byte");
	r = feed("request=smtpd_access_policy");
	ma_policy_req_line(&r, line, sizeof(line), 1);
	is_str(ma_policy_req_end(&r), "a line longer than 8192 bytes",
	    "a cut line");
}

static void
test_random(void)
{
	static const char alpha[] = "request=smtpd_access_policy"
	    "recipient=RCPTsize=0129\r\0@x";
	struct ma_policy_req r;
	char line[200];
	size_t n, k;
	int i, j, odd = 0;

	test_begin("random lines: no crash");
	srandom(77);
	for (i = 0; i < 5000; i++) {
		ma_policy_req_init(&r);
		for (j = random() % 12; j > 0; j--) {
			n = (size_t)random() % sizeof(line);
			for (k = 0; k < n; k++)
				line[k] = alpha[random() % (sizeof(alpha) - 1)];
			ma_policy_req_line(&r, line, n, random() % 50 == 0);
		}
		ma_policy_req_end(&r);
		if (r.recipient[sizeof(r.recipient) - 1] != '\0' ||
		    r.state[sizeof(r.state) - 1] != '\0' || r.size < 0)
			odd++;
	}
	is_int(odd, 0, "5000 random requests");
}

int
main(void)
{
	test_requests();
	test_random();
	return done_testing();
}
