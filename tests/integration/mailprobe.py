#!/usr/bin/python3
"""A small client for the integration tests: one SMTP, IMAP or POP3
exchange with a server on 127.0.0.1, printed as the server's reply codes
so that a test can compare them.  The password, when one is needed, is
the first line of standard input.

  mailprobe.py smtp-auth PORT PLAIN|LOGIN USER      -> AUTH reply code
  mailprobe.py send PORT FROM RCPT [USER]           -> "MAIL RCPT DATA" codes
                                                       (AUTH PLAIN first
                                                       when USER is given;
                                                       header X-Probe: $TAG;
                                                       $BODY: body bytes;
                                                       $SIZE: MAIL FROM
                                                       SIZE=)
  mailprobe.py rcpt PORT FROM RCPT                  -> the RCPT reply, code
                                                       and text ($SIZE as
                                                       for send)
  mailprobe.py imap PORT USER                       -> OK | NO | BAD
  mailprobe.py pop3 PORT USER                       -> +OK | -ERR
  mailprobe.py imap-uids PORT USER [FOLDER]         -> "UIDVALIDITY N", then
                                                       "UID MESSAGE-ID" lines
  mailprobe.py pop3-uidl PORT USER                  -> "UIDL MESSAGE-ID" lines
"""
import base64
import email.parser
import imaplib
import os
import poplib
import smtplib
import sys
import uuid

HOST = "127.0.0.1"
TIMEOUT = 30


def password():
    return sys.stdin.readline().rstrip("\n")


def smtp_auth(port, mech, user):
    pw = password()
    with smtplib.SMTP(HOST, int(port), timeout=TIMEOUT) as s:
        s.ehlo("probe.mailadm.test")
        if mech == "PLAIN":
            blob = base64.b64encode(f"\0{user}\0{pw}".encode()).decode()
            code, _ = s.docmd("AUTH", f"PLAIN {blob}")
        else:
            code, _ = s.docmd("AUTH", "LOGIN")
            if code == 334:
                code, _ = s.docmd(base64.b64encode(user.encode()).decode())
            if code == 334:
                code, _ = s.docmd(base64.b64encode(pw.encode()).decode())
        return str(code)


def mail_options():
    """MAIL FROM parameters: SIZE= when $SIZE is set."""
    size = os.environ.get("SIZE")
    return [f"SIZE={size}"] if size else []


def body():
    """The body: "probe", or lines of x making $BODY bytes."""
    n = int(os.environ.get("BODY", "0"))
    if n <= 0:
        return "probe\r\n"
    line = "x" * 76 + "\r\n"
    return (line * (n // len(line) + 1))[:n - 2] + "\r\n"


def send(port, sender, rcpt, user=None):
    codes = []
    with smtplib.SMTP(HOST, int(port), timeout=TIMEOUT) as s:
        s.ehlo("probe.mailadm.test")
        if user is not None:
            blob = base64.b64encode(f"\0{user}\0{password()}".encode())
            code, _ = s.docmd("AUTH", "PLAIN " + blob.decode())
            if code != 235:
                return f"AUTH={code}"
        code, _ = s.mail(sender, mail_options())
        codes.append(code)
        if code == 250:
            code, _ = s.rcpt(rcpt)
            codes.append(code)
        if codes[-1] in (250, 251):
            tag = os.environ.get("TAG", "none")
            msg = (f"From: <{sender}>\r\nTo: <{rcpt}>\r\n"
                   f"Subject: probe\r\nMessage-ID: <{uuid.uuid4()}@probe>"
                   f"\r\nX-Probe: {tag}\r\n\r\n{body()}")
            code, _ = s.data(msg.encode())
            codes.append(code)
    return " ".join(str(c) for c in codes)


def rcpt(port, sender, rcpt_to):
    with smtplib.SMTP(HOST, int(port), timeout=TIMEOUT) as s:
        s.ehlo("probe.mailadm.test")
        code, text = s.mail(sender, mail_options())
        if code == 250:
            code, text = s.rcpt(rcpt_to)
        s.rset()
    return f"{code} {text.decode()}"


def imap(port, user):
    pw = password()
    c = imaplib.IMAP4(HOST, int(port), timeout=TIMEOUT)
    try:
        typ, _ = c.login(user, pw)
    except imaplib.IMAP4.error as e:
        typ = "NO" if "NO" in str(e) or "fail" in str(e).lower() else "BAD"
    finally:
        try:
            c.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return typ


def pop3(port, user):
    pw = password()
    c = poplib.POP3(HOST, int(port), timeout=TIMEOUT)
    try:
        c.user(user)
        c.pass_(pw)
        return "+OK"
    except poplib.error_proto:
        return "-ERR"
    finally:
        try:
            c.quit()
        except (poplib.error_proto, OSError):
            pass


def message_id(header_bytes):
    """The Message-ID of a message's header, "-" when it has none."""
    h = email.parser.BytesHeaderParser().parsebytes(header_bytes)
    return (h.get("Message-ID") or "-").strip()


def imap_uids(port, user, folder="INBOX"):
    """UIDVALIDITY of folder, and each message's UID with its Message-ID."""
    pw = password()
    c = imaplib.IMAP4(HOST, int(port), timeout=TIMEOUT)
    try:
        c.login(user, pw)
        typ, _ = c.select('"%s"' % folder, readonly=True)
        if typ != "OK":
            return typ
        lines = ["UIDVALIDITY %s" % c.untagged_responses["UIDVALIDITY"][0]
                 .decode()]
        typ, data = c.uid("FETCH", "1:*",
                          "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for item in data:
            if isinstance(item, tuple):
                uid = item[0].split(b"UID ")[1].split()[0].decode()
                lines.append("%s %s" % (uid, message_id(item[1])))
        return "\n".join(lines)
    finally:
        try:
            c.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def pop3_uidl(port, user):
    """Each message's UIDL with its Message-ID (from TOP n 0)."""
    pw = password()
    c = poplib.POP3(HOST, int(port), timeout=TIMEOUT)
    try:
        c.user(user)
        c.pass_(pw)
        lines = []
        for entry in c.uidl()[1]:
            n, uidl = entry.decode().split(" ", 1)
            head = b"\r\n".join(c.top(int(n), 0)[1]) + b"\r\n"
            lines.append("%s %s" % (uidl, message_id(head)))
        return "\n".join(lines)
    finally:
        try:
            c.quit()
        except (poplib.error_proto, OSError):
            pass


def main(argv):
    cmds = {"smtp-auth": smtp_auth, "send": send, "rcpt": rcpt,
            "imap": imap, "pop3": pop3, "imap-uids": imap_uids,
            "pop3-uidl": pop3_uidl}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 64
    print(cmds[argv[1]](*argv[2:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
