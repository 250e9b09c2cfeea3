#!/usr/bin/env python3
"""Visibility lag between two Roster nodes on one PostgreSQL (python-ldap, persistent connections).

  lag.py --writer ldap://A --reader ldap://B --binddn DN --password PW --users users.tsv --writes 1000

For each write, one at a time: replace the telephoneNumber of a random member on node A with a
value never used before; the clock starts when A's modify response has arrived (the write is
acknowledged, hence committed). Then node B is searched in a tight loop over its own persistent
connection (base-object search of that member's DN with the filter (telephoneNumber=<value>),
no attributes) until it returns the entry; the clock stops when that search's response arrives.
The lag includes the round trip of the last poll (about 0.1-0.3 ms on loopback). A write not seen
within --timeout seconds counts as a miss. Prints p50/p90/p99/max in ms and the writes/s of A.
"""
import argparse, random, sys, time
import ldap

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--writer", required=True)
ap.add_argument("--reader", required=True)
ap.add_argument("--binddn", required=True)
ap.add_argument("--password", required=True)
ap.add_argument("--users", required=True)
ap.add_argument("--writes", type=int, default=1000)
ap.add_argument("--timeout", type=float, default=5)
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()

with open(a.users, encoding="utf-8") as f:
    dns = [line.split("\t")[0] for line in f if line.strip()]
rng = random.Random(a.seed)


def connect(uri):
    c = ldap.initialize(uri)
    c.protocol_version = 3
    c.set_option(ldap.OPT_REFERRALS, 0)
    c.simple_bind_s(a.binddn, a.password)
    return c


w, r = connect(a.writer), connect(a.reader)
lags, misses, polls = [], 0, 0
t_start = time.monotonic()
for i in range(a.writes):
    dn = rng.choice(dns)
    value = "010-9%07d" % i  # unique per write: 010-90000000, 010-90000001, ...
    w.modify_ext_s(dn, [(ldap.MOD_REPLACE, "telephoneNumber", value.encode())])
    acked = time.monotonic()
    while True:
        polls += 1
        found = r.search_ext_s(dn, ldap.SCOPE_BASE, "(telephoneNumber=%s)" % value, ["1.1"])
        now = time.monotonic()
        if found:
            lags.append(now - acked)
            break
        if now - acked > a.timeout:
            misses += 1
            break
elapsed = time.monotonic() - t_start
lags.sort()
pct = lambda q: 1000 * lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")
print("lag writes=%d seen=%d misses=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms polls/write=%.1f writes/s=%.0f"
      % (a.writes, len(lags), misses, pct(.5), pct(.9), pct(.99), 1000 * lags[-1] if lags else float("nan"),
         polls / max(1, a.writes), a.writes / elapsed))
sys.exit(1 if misses else 0)
