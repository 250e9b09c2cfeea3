#!/usr/bin/python3
"""Records the fuzzers' seed corpus from real traffic.

Starts `roster serve --demo` on a loopback port, puts a recording proxy in front of it, and drives
it with OpenLDAP's tools, python-ldap and ldap3: every PDU either side sends (requests from the
clients, responses and notices from Roster) becomes a file in Fuzz/corpus/pdu/, a few whole client
streams too. The DN and filter seeds (Fuzz/corpus/dn/, Fuzz/corpus/filter/) are the RFC 4514 and
RFC 4515 examples, the names and filters used here, and the names Roster returned.

Usage: Fuzz/capture-corpus.py [ROSTER_BINARY]      (default: .build/debug/roster)
Run from the repository root; it replaces the three corpus folders.
"""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")
ADMIN = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]
BASE = "dc=example,dc=com"
CHINESE = "ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"
LOGISTICS = "ou=管理层,ou=顺达物流,dc=example,dc=com"

OPS = {0: "bindRequest", 1: "bindResponse", 2: "unbindRequest", 3: "searchRequest", 4: "searchResEntry",
       5: "searchResDone", 6: "modifyRequest", 7: "modifyResponse", 8: "addRequest", 9: "addResponse",
       10: "delRequest", 11: "delResponse", 12: "modDNRequest", 13: "modDNResponse", 14: "compareRequest",
       15: "compareResponse", 16: "abandonRequest", 19: "searchResRef", 23: "extendedReq", 24: "extendedResp",
       25: "intermediateResponse"}
# At most this many distinct PDUs of one kind from one side (search entries would be hundreds).
PER_KIND = {"client": 24, "server": 6}

# MARK: - BER, just enough to frame PDUs


def header(buf, i=0):
    """(tag byte, content start, content length) of the element at buf[i], or None if incomplete."""
    if len(buf) < i + 2:
        return None
    tag = buf[i]
    j = i + 1
    if tag & 0x1F == 0x1F:
        while j < len(buf) and buf[j] & 0x80:
            j += 1
        j += 1
    if j >= len(buf):
        return None
    first = buf[j]
    j += 1
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if len(buf) < j + n:
            return None
        length = int.from_bytes(buf[j:j + n], "big")
        j += n
    return tag, j, length


def split_pdus(buf):
    """Whole PDUs at the front of buf, and the rest."""
    pdus = []
    while True:
        h = header(buf)
        if h is None or len(buf) < h[1] + h[2]:
            return pdus, buf
        end = h[1] + h[2]
        pdus.append(bytes(buf[:end]))
        buf = buf[end:]


def op_of(pdu):
    _, start, _ = header(pdu)
    _, id_start, id_length = header(pdu, start)
    tag = pdu[id_start + id_length]
    return tag & 0x1F, id_start + id_length


def first_string(pdu, at):
    """The first OCTET STRING inside the constructed element at pdu[at] (an entry's objectName)."""
    _, start, _ = header(pdu, at)
    _, s, n = header(pdu, start)
    return pdu[s:s + n].decode("utf-8", "replace")


# MARK: - The recording proxy


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.pdus = {"client": {}, "server": {}}
        self.streams = []
        self.names = set()

    def add(self, side, pdu):
        try:
            number, at = op_of(pdu)
        except (TypeError, IndexError):
            number, at = -1, 0
        kind = OPS.get(number, "malformed")
        with self.lock:
            bucket = self.pdus[side].setdefault(kind, {})
            if len(bucket) < PER_KIND[side]:
                bucket[hashlib.sha1(pdu).hexdigest()[:12]] = pdu
            if kind == "searchResEntry" and len(self.names) < 40:
                try:
                    self.names.add(first_string(pdu, at))
                except (TypeError, IndexError):
                    pass


def pump(src, dst, side, recorder, stream):
    buf = b""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if side == "client":
                stream.extend(data)
            buf += data
            pdus, buf = split_pdus(buf)
            for p in pdus:
                recorder.add(side, p)
            dst.sendall(data)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def proxy(listener, upstream_port, recorder):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        server = socket.create_connection(("127.0.0.1", upstream_port))
        stream = bytearray()
        with recorder.lock:
            recorder.streams.append(stream)
        threading.Thread(target=pump, args=(client, server, "client", recorder, stream), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, "server", recorder, None), daemon=True).start()


# MARK: - The clients


def tool(url, name, args, stdin=None):
    subprocess.run([name, "-x", "-H", url] + args, input=stdin, capture_output=True, text=True, timeout=60)


def openldap_clients(url):
    search = ["-b", BASE] + ADMIN
    tool(url, "ldapsearch", ["-b", "", "-s", "base", "+"])
    tool(url, "ldapsearch", ["-b", "cn=Subschema", "-s", "base", "(objectClass=subschema)", "attributeTypes"])
    for f in FILTERS_USED:
        tool(url, "ldapsearch", search + [f, "cn", "mail"])
    tool(url, "ldapsearch", search + ["-s", "one", "-z", "3", "-l", "5", "-A", "(objectClass=*)"])
    tool(url, "ldapsearch", search + ["-a", "always", "-E", "pr=5/noprompt", "(objectClass=inetOrgPerson)", "1.1"])
    tool(url, "ldapsearch", search + ["-E", "!sss=cn/-sn:2.5.13.3", "(cn=*)", "cn"])
    tool(url, "ldapsearch", search + ["-e", "!manageDSAit", "-e", "assert=(objectClass=*)", "(uid=t2001)"])
    tool(url, "ldapsearch", search + ["-e", "ppolicy", "-e", "postread=cn", "-E", "subentries", "(uid=w0001)"])
    tool(url, "ldapsearch", ["-b", BASE, "-D", "uid=nobody,dc=example,dc=com", "-w", "wrong", "(uid=x)"])
    tool(url, "ldapsearch", ["-Z", "-b", "", "-s", "base"])
    subprocess.run(["ldapsearch", "-H", url, "-Y", "EXTERNAL", "-b", "", "-s", "base"], capture_output=True, timeout=60)
    tool(url, "ldapwhoami", ["-D", "t2001", "-w", "Pw-t2001"])
    tool(url, "ldapwhoami", ADMIN)
    tool(url, "ldapcompare", ADMIN + ["uid=t2001," + CHINESE, "mail:t2001@school.example.com"])
    tool(url, "ldapcompare", ADMIN + ["uid=t2001," + CHINESE, "cn:张三"])
    tool(url, "ldapexop", ADMIN + ["whoami"])
    tool(url, "ldapexop", ADMIN + ["1.3.6.1.4.1.99999.1::dmFsdWU="])
    ldif = """dn: uid=fuzz001,{c}
changetype: add
objectClass: inetOrgPerson
cn: 模糊测试
sn: 模
mail: fuzz001@school.example.com
mobile: 13800001111
telephoneNumber: 010-11111111
userPassword: Fuzz-Pass-1

dn: uid=fuzz001,{c}
changetype: modify
replace: title
title: 实习教师
-
add: rosterNickname
rosterNickname: 小模
-
delete: telephoneNumber
telephoneNumber: 010-11111111
-
increment: rosterSortOrder
rosterSortOrder: 1

dn: ou=测试部,ou=顺达物流,dc=example,dc=com
changetype: add
objectClass: organizationalUnit
ou: 测试部
rosterVisibility: department

dn: cn=模糊组,cn=groups,dc=example,dc=com
changetype: add
objectClass: groupOfNames
cn: 模糊组
member: uid=fuzz001,{c}

dn: uid=fuzz001,{c}
changetype: modrdn
newrdn: uid=fuzz001
deleteoldrdn: 1
newsuperior: ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com

dn: cn=模糊组,cn=groups,dc=example,dc=com
changetype: delete
""".format(c=CHINESE)
    tool(url, "ldapmodify", ADMIN + ["-c"], ldif)
    tool(url, "ldappasswd", ["-D", "uid=t2002," + CHINESE, "-w", "Pw-t2002", "-a", "Pw-t2002", "-s", "New-Pass-2026"])
    tool(url, "ldappasswd", ADMIN + ["uid=t2003," + CHINESE])
    tool(url, "ldapdelete", ADMIN + ["uid=fuzz001,ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com"])
    tool(url, "ldapdelete", ADMIN + ["uid=nobody,dc=example,dc=com"])


def python_ldap_clients(url):
    import ldap
    import ldap.controls
    import ldap.modlist

    c = ldap.initialize(url)
    c.simple_bind_s("cn=admin,dc=example,dc=com", "secret")
    page = ldap.controls.SimplePagedResultsControl(True, size=3, cookie="")
    msgid = c.search_ext(BASE, ldap.SCOPE_SUBTREE, "(objectClass=inetOrgPerson)", ["cn", "mobile"], serverctrls=[page])
    _, _, _, controls = c.result3(msgid)
    for control in controls:
        if control.controlType == ldap.controls.SimplePagedResultsControl.controlType:
            page.cookie = control.cookie
            c.result3(c.search_ext(BASE, ldap.SCOPE_SUBTREE, "(objectClass=inetOrgPerson)", ["cn", "mobile"], serverctrls=[page]))
    msgid = c.search(BASE, ldap.SCOPE_SUBTREE, "(objectClass=*)")
    c.abandon(msgid)
    c.compare_s("uid=t2001," + CHINESE, "sn", b"\xe5\xbc\xa0")
    try:
        c.modify_s("uid=t2001," + CHINESE, [(ldap.MOD_REPLACE, "title", [b"\xe6\x95\x99\xe5\xb8\x88"]),
                                            (ldap.MOD_ADD, "rosterNickname", [b"x"]), (ldap.MOD_DELETE, "rosterNickname", None)])
    except ldap.LDAPError:
        pass
    try:
        c.rename_s("uid=nobody," + CHINESE, "uid=nobody2", None, 1)
    except ldap.LDAPError:
        pass
    c.whoami_s()
    try:
        c.passwd_s("uid=t2004," + CHINESE, None, "Another-Pass-1")
    except ldap.LDAPError:
        pass
    c.unbind_s()
    v2 = ldap.initialize(url)
    v2.protocol_version = 2
    try:
        v2.simple_bind_s("", "")
        v2.search_s("", ldap.SCOPE_BASE, "(objectClass=*)")
    except ldap.LDAPError:
        pass


def ldap3_clients(url):
    import ldap3

    server = ldap3.Server(url.replace("ldap://", ""), get_info=ldap3.NONE)
    c = ldap3.Connection(server, "cn=admin,dc=example,dc=com", "secret", auto_bind=True)
    c.search(BASE, "(&(objectClass=inetOrgPerson)(cn=李*))", attributes=["cn", "mail"], paged_size=2)
    c.search(BASE, "(|(uid=t2001)(mobile=138*))", search_scope=ldap3.LEVEL, size_limit=5, types_only=True)
    c.extend.standard.who_am_i()
    c.compare("uid=t2001," + CHINESE, "uid", "t2001")
    c.modify("uid=t2001," + CHINESE, {"rosterSortOrder": [(ldap3.MODIFY_INCREMENT, [2])]})
    c.add("uid=fuzz002," + LOGISTICS, ["inetOrgPerson"], {"cn": "测试", "sn": "测", "mail": "fuzz002@example.com"})
    c.modify_dn("uid=fuzz002," + LOGISTICS, "uid=fuzz002", new_superior=CHINESE)
    c.delete("uid=fuzz002," + CHINESE)
    c.unbind()
    for mechanism, credentials in ((ldap3.PLAIN, (None, "t2001", "Pw-t2001")), (ldap3.EXTERNAL, None)):
        sasl = ldap3.Connection(server, authentication=ldap3.SASL, sasl_mechanism=mechanism, sasl_credentials=credentials)
        try:
            sasl.open()
            sasl.bind()
        finally:
            sasl.unbind()
    anonymous = ldap3.Connection(server, auto_bind=True)
    anonymous.search("", "(objectClass=*)", search_scope=ldap3.BASE, attributes=["+"])
    anonymous.unbind()


def raw_clients(port):
    """What no library sends: a malformed PDU, so Roster's Notice of Disconnection is recorded."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(bytes([0x30, 0x05, 0x02, 0x01, 0x01, 0x7F, 0x00]))
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass


# MARK: - The seeds that are strings

FILTERS_USED = [
    "(cn=zhang*)", "(uid=t2001)", "(&(objectClass=inetOrgPerson)(|(uid=t2001)(mail=*@school.example.com))(!(title=x)))",
    "(sn~=张)", "(createTimestamp>=20260101000000Z)", "(rosterSortOrder<=5)", "(cn=*三*)", "(mobile=138*1111)",
    "(memberOf:1.2.840.113556.1.4.1941:=cn=教研组,cn=groups,dc=example,dc=com)", "(ou:dn:=语文组)",
    "(objectClass=*)", "(&)", "(|)", "(!(objectClass=groupOfNames))", "(cn=\\2a\\28\\29\\5c)",
]

RFC4515_FILTERS = [
    "(cn=Babs Jensen)", "(!(cn=Tim Howes))", "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))", "(o=univ*of*mich*)",
    "(seeAlso=)", "(cn:caseExactMatch:=Fred Flintstone)", "(cn:=Betty Rubble)", "(sn:dn:2.4.6.8.10:=Barney Rubble)",
    "(o:dn:=Ace Industry)", "(:1.2.3:=Wilma Flintstone)", "(:DN:2.4.6.8.10:=Dino)",
    "(o=Parens R Us \\28for all your parenthetical needs\\29)", "(cn=*\\2A*)", "(filename=C:\\5cMyFile)",
    "(bin=\\00\\00\\00\\04)", "(sn=Lu\\c4\\8di\\c4\\87)", "(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)",
    "uid=t2001", "(cn;lang-zh=张*)", "(!(!(!(cn=a))))",
]

RFC4514_DNS = [
    "UID=jsmith,DC=example,DC=net", "OU=Sales+CN=J.  Smith,DC=example,DC=net",
    "CN=James \\\"Jim\\\" Smith\\, III,DC=example,DC=net", "CN=Before\\0dAfter,DC=example,DC=net",
    "1.3.6.1.4.1.1466.0=#04024869,DC=example,DC=com", "CN=Lu\\C4\\8Di\\C4\\87", "",
    "cn=a\\,b,dc=x", "cn=\\ lead,dc=x", "cn=trail\\ ,dc=x", "cn=\\#hash,dc=x", "cn=a\\\\b,dc=x", "cn=a\\3Db,dc=x",
    "cn=\\E5\\BC\\A0\\E4\\B8\\89,dc=x", "cn=a\\;b\\<c\\>,dc=x", "UID=ZS+CN=zhang  san, DC=X", "cn=a;dc=b",
    "2.5.4.3=x,0.9.2342.19200300.100.1.25=example", "cn=admin,dc=example,dc=com", "cn=Subschema",
    "uid=t2001," + CHINESE, "cn=departed,dc=example,dc=com", "ou=研发部,ou=顺达物流,dc=example,dc=com",
    "cn=ＡＢＣ　ｘ,dc=example,dc=com",
]


def write(folder, items):
    path = os.path.join(CORPUS, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in items:
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    print("%-7s %4d files" % (folder, len(items)))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "roster")
    server = subprocess.Popen([binary, "serve", "--demo", "--listen", "127.0.0.1:0", "--log-level", "info"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        upstream = None
        deadline = time.time() + 60
        while upstream is None and time.time() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            m = re.search(r"address=127\.0\.0\.1:(\d+)", line)
            if m:
                upstream = int(m.group(1))
        if upstream is None:
            sys.exit("roster serve did not report its address")
        threading.Thread(target=lambda: server.stdout.read(), daemon=True).start()

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        recorder = Recorder()
        threading.Thread(target=proxy, args=(listener, upstream, recorder), daemon=True).start()
        url = "ldap://127.0.0.1:%d" % port
        for clients in (openldap_clients, python_ldap_clients, ldap3_clients):
            try:
                clients(url)
            except Exception as e:  # a refused request is still recorded; go on with the next client
                print("%s: %s" % (clients.__name__, e), file=sys.stderr)
        raw_clients(port)
        time.sleep(1)
        listener.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    pdus = []
    for side, kinds in sorted(recorder.pdus.items()):
        for kind, found in sorted(kinds.items()):
            pdus += [("%s-%s-%s" % (side, kind, digest), pdu) for digest, pdu in sorted(found.items())]
    # Whole client streams (several PDUs back to back, as one read may carry them), a few KiB each.
    streams = [bytes(s) for s in recorder.streams if 0 < len(s) <= 4096]
    for s in streams[:12]:
        pdus.append(("stream-%s" % hashlib.sha1(s).hexdigest()[:12], s))
    write("pdu", pdus)

    dns = RFC4514_DNS + sorted(recorder.names)[:30]
    write("dn", [("dn-%s" % hashlib.sha1(d.encode()).hexdigest()[:12], d.encode()) for d in dict.fromkeys(dns)])
    filters = RFC4515_FILTERS + FILTERS_USED
    write("filter", [("filter-%s" % hashlib.sha1(f.encode()).hexdigest()[:12], f.encode()) for f in dict.fromkeys(filters)])


if __name__ == "__main__":
    main()
