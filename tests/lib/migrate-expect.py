#!/usr/bin/env python3
"""Check a migration against a legacy fixture's expected.json.

usage: migrate-expect.py EXPECTED.json REPORT.json STORE_DIR [--no-store]

REPORT.json is what "mailadm migrate run --report" (or plan --json) wrote;
MAILADM_BIN names the binary that checks the hashes of cleartext passwords;
STORE_DIR holds the store's tables as tab-separated files (domain.tsv,
mailbox.tsv, alias.tsv, alias_domain.tsv; text that may hold anything is
hex-encoded), written by the test.  Prints one line per difference and
exits 1 if there is any.

What mailadm cannot know without the Maildirs (MAILDIR_MISSING,
ORPHAN_MAILDIR) is left out unless the report has them (--maildirs); then
each imported mailbox's Maildir must be there with its source, target,
messages and bytes.  PASSWORD_NOT_ASCII is left out on a row whose only
password is a hash: nothing in the row shows which bytes were hashed.
"""
import json
import os
import subprocess
import sys

MAILDIR_CODES = {"MAILDIR_MISSING", "ORPHAN_MAILDIR"}
SENTINEL = "2000-01-01 00:00:00"

problems = []


def bad(msg):
    problems.append(msg)


def same_value(want, got):
    """A source value as expected.json has it (typed) against ours (text)."""
    if want is None:
        return got is None or got.startswith("0000-00-00")
    if isinstance(want, bool):
        want = int(want)
    return str(want) == got


def same_key(want, got):
    return want.keys() == got.keys() and same_row(want, got)


def same_row(want, got):
    """Every value expected.json gives (ours may have more columns)."""
    return all(k in got and same_value(want[k], got[k]) for k in want)


def knowable(entry, clear_copies, maildirs):
    if entry["code"] in MAILDIR_CODES and not maildirs:
        return False
    if entry["code"] == "PASSWORD_NOT_ASCII" and not clear_copies:
        return False
    return entry["severity"] in ("reject", "warning")


def check_report(exp, rep, clear_copies):
    maildirs = rep.get("maildirs") is not None
    ours = [n for n in rep["report"] if n["severity"] in ("reject", "warning")]
    used = set()
    for want in exp["report"]:
        if not knowable(want, clear_copies, maildirs):
            continue
        hit = None
        for i, got in enumerate(ours):
            if (i not in used and got["severity"] == want["severity"] and
                    got["code"] == want["code"] and
                    got["table"] == want["table"] and
                    same_key(want["key"], got["key"])):
                hit = i
                break
        if hit is None:
            bad("report lacks %s %s %s %s" % (want["severity"], want["code"],
                                              want["table"], want["key"]))
            continue
        used.add(hit)
        if want["severity"] == "reject" and "row" in want:
            row = ours[hit].get("row")
            if row is None or not same_row(want["row"], row):
                bad("reject %s %s: source row %r, expected %r" % (
                    want["code"], want["key"], row, want["row"]))
    for i, got in enumerate(ours):
        if i not in used:
            bad("report has an unexpected %s %s %s %s: %s" % (
                got["severity"], got["code"], got["table"], got["key"],
                got["reason"]))


def read_tsv(store, name, key):
    rows = {}
    with open(os.path.join(store, name + ".tsv"), encoding="utf-8") as f:
        for line in f:
            v = line.rstrip("\n").split("\t")
            rows[v[key]] = v
    return rows


def unhex(s):
    return bytes.fromhex(s).decode("utf-8")


def check_domains(exp, store):
    domains = read_tsv(store, "domain", 0)
    for d in exp["domains"]:
        row = domains.get(d["domain"])
        if d["action"] == "reject":
            continue
        if row is None:
            bad("domain %s is not in the store" % d["domain"])
            continue
        # domain, description, aliases, mailboxes, maxquota, backupmx,
        # active, created
        if "description" in d and unhex(row[1]) != d["description"]:
            bad("domain %s: description %r" % (d["domain"], unhex(row[1])))
        for field, col in (("max_aliases", 2), ("max_mailboxes", 3),
                           ("maxquota_mb", 4)):
            if field in d and int(row[col]) != d[field]:
                bad("domain %s: %s %s, expected %s" % (d["domain"], field,
                                                      row[col], d[field]))
        if int(row[5]) != int(d["backupmx"]) or int(row[6]) != int(d["active"]):
            bad("domain %s: backupmx/active %s/%s" % (d["domain"], row[5],
                                                      row[6]))
        if "created" in d:
            want = (d["created"] or SENTINEL).replace("T", " ")
            if row[7] != want:
                bad("domain %s: created %s, expected %s" % (d["domain"],
                                                           row[7], want))
    if len([d for d in exp["domains"] if d["action"] != "reject"]) != len(domains):
        bad("the store has %d domains: %s" % (len(domains), sorted(domains)))


def password_ok(m, stored):
    pw = m["password"]
    if pw["scheme"] == "EMPTY" or not pw["verifies"]:
        return stored.startswith("!")
    if pw["scheme"] == "PLAIN":
        # hashed with the configured scheme: mailadm pw -t checks it
        return stored.startswith("$6$") and subprocess.run(
            [os.environ["MAILADM_BIN"], "pw", "-t", stored,
             "--password-stdin"], input=pw["plaintext"] + "\n",
            text=True, capture_output=True).returncode == 0
    return stored == pw["stored"]


def check_mailboxes(exp, store):
    boxes = read_tsv(store, "mailbox", 0)
    kept = {m["address"] for m in exp["mailboxes"] if m["action"] != "reject"}
    for m in exp["mailboxes"]:
        row = boxes.get(m["address"])
        if m["action"] == "reject":
            if m["address"] not in kept and row is not None:
                bad("rejected mailbox %s is in the store" % m["address"])
            continue
        if row is None:
            bad("mailbox %s is not in the store" % m["address"])
            continue
        # username, name, password, quota, active, created, maildir
        if unhex(row[1]) != m["name"]:
            bad("mailbox %s: name %r, expected %r" % (m["address"],
                                                     unhex(row[1]), m["name"]))
        if not password_ok(m, row[2]):
            bad("mailbox %s: password %r (%s)" % (m["address"], row[2],
                                                  m["password"]["scheme"]))
        if int(row[3]) != m["quota_bytes"]:
            bad("mailbox %s: quota %s, expected %s" % (m["address"], row[3],
                                                       m["quota_bytes"]))
        if int(row[4]) != int(m["active"]):
            bad("mailbox %s: active %s" % (m["address"], row[4]))
        if "created" in m:
            want = (m["created"] or SENTINEL).replace("T", " ")
            if row[5] != want:
                bad("mailbox %s: created %s, expected %s" % (m["address"],
                                                            row[5], want))
        if row[6] != m["maildir"]["target"]:
            bad("mailbox %s: maildir %s" % (m["address"], row[6]))
    if len(kept) != len(boxes):
        bad("the store has %d mailboxes, expected %d" % (len(boxes),
                                                         len(kept)))
    for r in exp["must_roundtrip"]:
        addr = list(r["key"].values())[0].lower()
        if addr in boxes and unhex(boxes[addr][1]) != r["value"]:
            bad("%s: %s is %r, not %r" % (addr, r["column"],
                                          unhex(boxes[addr][1]), r["value"]))


def check_aliases(exp, store):
    aliases = read_tsv(store, "alias", 0)
    alias_domains = read_tsv(store, "alias_domain", 0)
    boxes = read_tsv(store, "mailbox", 0)
    want_rows = set(boxes)
    for a in exp["aliases"]:
        addr = a["address"]
        if a["kind"] == "domain_alias":
            row = alias_domains.get(addr[1:])
            if (a["action"] != "reject") != (row is not None) or (
                    row and "@" + row[1] != a["targets"][0]):
                bad("alias domain %s: %r" % (addr, row))
            continue
        row = aliases.get(addr)
        if a["action"] == "reject":
            if row is not None and addr not in boxes:
                bad("rejected alias %s is in the store" % addr)
            continue
        want_rows.add(addr)
        if row is None:
            bad("alias %s is not in the store" % addr)
            continue
        if sorted(row[1].split(",")) != sorted(a["targets"]):
            bad("alias %s: goto %s, expected %s" % (addr, row[1],
                                                    ",".join(a["targets"])))
        if int(row[2]) != int(a["active"]):
            bad("alias %s: active %s" % (addr, row[2]))
    extra = set(aliases) - want_rows
    if extra:
        bad("the store has aliases nobody expects: %s" % sorted(extra))


def check_maildirs(exp, rep):
    """Each imported mailbox's Maildir: where from, where to, how much."""
    ours = {d["address"]: d for d in rep["maildirs"]["mailboxes"]}
    want = [m for m in exp["mailboxes"] if m["action"] != "reject"]
    for m in want:
        d, md = ours.get(m["address"]), m["maildir"]
        if d is None:
            bad("maildirs lack %s" % m["address"])
            continue
        if (d["source"], d["target"]) != (md["source"], md["target"]):
            bad("maildir %s: %s -> %s" % (m["address"], d["source"],
                                          d["target"]))
        if not md["exists"]:
            if d["state"] not in ("create", "created"):
                bad("maildir %s: %s, not created" % (m["address"], d["state"]))
        elif (d["messages"], d["bytes"]) != (md["messages"], md["bytes"]):
            bad("maildir %s: %d messages, %d bytes, expected %d, %d" % (
                m["address"], d["messages"], d["bytes"], md["messages"],
                md["bytes"]))
    if len(ours) != len(want):
        bad("maildirs: %d mailboxes, expected %d" % (len(ours), len(want)))


def main():
    exp = json.load(open(sys.argv[1], encoding="utf-8"))
    rep = json.load(open(sys.argv[2], encoding="utf-8"))
    # Only the flurdy schema keeps a clear copy beside the hash.
    check_report(exp, rep, exp["preset"] == "flurdy")
    if rep.get("maildirs") is not None:
        check_maildirs(exp, rep)
    if "--no-store" not in sys.argv:
        check_domains(exp, sys.argv[3])
        check_mailboxes(exp, sys.argv[3])
        check_aliases(exp, sys.argv[3])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
