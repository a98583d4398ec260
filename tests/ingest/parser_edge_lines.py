# ruff: noqa: E501  (log lines are data: they stay whole, one per line)
"""Hand-written lines for the parser equivalence test: the cases the batch paths treat apart.

Each list mixes lines a fast (batch) path takes with lines it must hand to the per-line path,
so that both paths and their merge are compared with the reference parsers. No line here makes
the reference parsers crash or hang (those inputs have their own tests).
"""

from __future__ import annotations

import json
import random


def json_lines() -> list[bytes]:
    """JSON records with every shape and type the Arrow path must read as json.loads does."""
    docs: list[str] = [
        '{"@timestamp":"2026-03-02T10:00:00.250Z","host":{"name":"a","ip":"10.0.0.1"},"user":{"name":"u"}}',
        '{"@timestamp":"2026-03-02T10:00:00Z","tags":["x","y"],"n":[1,2],"mixed":[1,"a"]}',
        '{"time":"2026-03-02 10:00:00","ts":"2026-03-02","file":{},"process":{"pid":null}}',
        '{"timestamp":1772409606,"bytes":5,"bytes_in":5.5,"pid":"123","src_port":"80a"}',
        '{"timestamp":1772409606123,"bytes":-0,"dst_port":65536,"event":{"outcome":true}}',
        '{"timestamp":1772409606123456,"outcome":"OK","status":404,"level":"WARN"}',
        '{"ts":1.7724096061234567e18,"outcome":"Denied","http":{"response":{"status_code":"503"}}}',
        '{"a.b":1,"a":{"b":2},"msg":"collision"}',
        '{"dup":1,"dup":2,"message":"duplicate key"}',
        '\ufeff{"message":"byte order mark"}',
        "[1,2,3]",
        '"just a string"',
        '{"message":"esc \\" \\\\ \\n \\u00e9 \\/ \\u2028","k\\"ey":"v"}',
        '{"":"empty key","x":{"":"nested empty"}}',
        '{"source":{"ip":"not-an-ip"},"src_ip":"10.1.1.1","client":{"ip":"::1"}}',
        '{"destination":{"ip":"2001:db8::1","port":"443"},"dst_port":99}',
        '{"user":"","username":"fallback","user_name":null}',
        '{"pid":"\u0661\u0662","src_port":12.0,"bytes_out":1e3}',
        '{"big":123456789012345678901234567890,"neg":-9223372036854775809}',
        '{"nan":NaN,"inf":Infinity,"ninf":-Infinity}',
        '{"status":"","status_code":200}',
        '{"result":"failed","event":{"outcome":"unknown-value"}}',
        '{"event":{"created":"2026-03-02T10:00:00+05:30"},"eventTime":"bad"}',
        '{"@timestamp":"2026-02-30T00:00:00Z","date":"2026-03-02T24:00:00"}',
        '{"@timestamp":"2026-03-02T10:00:00.1234567Z","datetime":"2026-03-02T10:00:00.5-01:00"}',
        '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"1.2.3.4"}',
        '{"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":1,"ts":1.5}',
        '{"uid":"C2","id_orig_h":"10.0.0.2","@stream":"http","method":"GET"}',
        '{"all":null,"none":null}',
        "{}",
        '{"level":1,"severity":true,"type":["a"],"id":12.5}',
        '{"x":{"y":{"z":{"w":"deep"}}},"x.y":{"q":1}}',
        '{"obj":{"a":null,"b":null}}',
        '{"msg": "spaces" , "host" : "h1" }',
        '{"bad json":',
        "",
        "   ",
    ]
    rng = random.Random(7)
    out = [d.encode() for d in docs]
    for i in range(300):  # a run of ordinary records around the odd ones
        doc = {"@timestamp": f"2026-03-02T10:{i % 60:02d}:{i % 59:02d}.{i:03d}Z",
               "host": {"name": f"h{i % 5}"}, "user": {"name": rng.choice(["a", "b", ""])},
               "event": {"action": "x", "outcome": rng.choice(["success", "failure", None])},
               "source": {"ip": f"10.0.0.{i % 250}", "bytes": rng.choice([i, i + 0.5, None])}}  # fmt: skip
        out.append(json.dumps(doc, separators=(",", ":")).encode())
        if i % 37 == 0:
            out.append(docs[i % len(docs)].encode())
    return out


def access_lines() -> list[bytes]:
    """Access lines whose attrs are empty, partial or escaped, and ones the batch path refuses."""
    return [
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "-" - -',
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5',
        b'host.example - bob [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.0" 404 - "-" "-"',
        b'1.2.3.4 id - [1/Oct/2000:13:55:36 -0700] "POST /x?a=\\"b\\" HTTP/1.1" 500 7 "r\\"f" "ua" extra f',
        b'1.2.3.4 - - [10/OCT/2000:13:55:36 -0700] "GET /\xc3\xa9 HTTP/1.1" 200 1',
        b'1.2.3.4 - - [31/Feb/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1',
        b'1.2.3.4 - - [10/Oct/2000:25:55:36 -0700] "GET / HTTP/1.1" 200 1',
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 +2500] "GET / HTTP/1.1" 200 1',
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /"x" HTTP/1.1" 200 1',
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "\x16\x03\x01" 400 0',
        b'::1 - - [10/Oct/2000:13:55:36 -0700] "OPTIONS * HTTP/2.0" 301 007 "a" "b"',
        b"not an access line",
    ]


def zeek_lines() -> list[bytes]:
    """Zeek TSV with odd values, duplicate and _path fields, and header changes mid-batch."""
    sep = b"\t"
    head = [b"#separator \\x09", b"#set_separator\t,", b"#empty_field\t(empty)", b"#unset_field\t-",
            b"#path\tconn"]  # fmt: skip
    fields = [b"ts", b"uid", b"id.orig_h", b"id.orig_p", b"id.resp_h", b"id.resp_p", b"proto",
              b"service", b"duration", b"orig_bytes", b"resp_bytes", b"conn_state", b"flag",
              b"names", b"counts"]  # fmt: skip
    types = [b"time", b"string", b"addr", b"port", b"addr", b"port", b"enum", b"string",
             b"interval", b"count", b"count", b"string", b"bool", b"set[string]",
             b"vector[count]"]  # fmt: skip
    rows = [
        [b"1.5", b"C1", b"10.0.0.1", b"1", b"10.0.0.2", b"2", b"tcp", b"-", b"0.000010", b"007",
         b"-0", b"S0", b"T", b"a,b\\x2cc", b"1,2"],
        [b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-", b"-"],
        [b"1772409605.1234567", b"(empty)", b"::1", b"x", b"host", b"70000", b"udp",
         b"dns\\x09x", b"1e5", b"12", b"34", b"RSTO", b"F", b"(empty)", b"(empty)"],
        [b"3000000000.5", b"C\xc3\xa9", b"10.0.0.1", b"-5", b"10.0.0.2", b"0", b"icmp", b'q"t',
         b"-0.0", b"1", b"2", b"OTH", b"X", b"x", b"3"],
        [b"1.5", b"C3", b"10.0.0.1", b"1"],
    ]  # fmt: skip
    out = [*head, sep.join([b"#fields", *fields]), sep.join([b"#types", *types])]
    out += [sep.join(r) for r in rows]
    out += [b"#fields\tts\tuid\t_path\tid.orig_h\tmethod\tstatus_code\turi",
            b"#types\ttime\tstring\tstring\taddr\tstring\tcount\tstring",
            b"2.5\tC4\thttp\t10.0.0.9\tGET\t404\t/a", b"2.5\tC5\tdns\t10.0.0.9\tA\t-\tq",
            b"2.5\tC6\t-\t10.0.0.9\tGET\t200\t/b",
            b"#fields\tts\tts\tuid", b"1.0\t2.0\tC7",
            b'{"ts":1.5,"uid":"C8","id.orig_h":"10.0.0.1","_path":"conn","proto":"tcp"}',
            b"#separator ,", b"#fields,ts,uid,id.orig_h", b"1.0,C9,10.0.0.1"]  # fmt: skip
    return out


def syslog_lines() -> list[bytes]:
    """BSD syslog the Arrow path takes, mixed with lines it hands to the per-line path."""
    return [
        b"<38>Mar  2 10:17:01 web01 sshd[9]: Server listening",
        b"<13>Mar  2 10:17:02 web01 sshd[9]: Accepted password for bob from 1.2.3.4 port 22 ssh2",
        b"2026-03-02T10:17:01.123456+01:00 web01 sudo[9]: hello",
        b"Mar  2 10:17:03 web01 CRON[12]: pam_unix(cron:session): session opened for user root by (uid=0)",
        b"Mar  2 10:17:03 web01 myapp[12]: pam_unix(myapp:auth): authentication failure; rhost=1.2.3.4 user=x",
        b"Mar  2 10:17:04 web01 sshd[\xd9\xa1]: unicode digit pid",
        b"Mar \xd9\xa2 10:17:04 web01 sshd[1]: unicode digit day",
        b"Mar  2 10:17:05 web01 sshd[1234567890123456789]: nineteen-digit pid",
        b"Mar  2 10:17:06 web\xc2\xa0x sshd[1]: no-break space in host",
        b"Mar  2 10:17:07 web01 kernel: usb 1-1: new high-speed USB device number 5 using xhci_hcd",
        b"Mar  2 10:17:08 web01 sshd[1]: message repeated 3 times: [ Failed password for root from 1.2.3.4 port 5 ssh2]",
        b"Mar  2 10:17:09 web01 Some Program[1]: spaces in the tag",
        b"Mar  2 10:17:10 web01 sandboxd[1] ([2]): context after the pid",
        b"Mar  2 10:17:11 web01 notag message",
        b"Mar  2 10:17:12 web01 a\tb[1]: tab in the program",
        b"Mar  2 10:17:13 web01 app[1]:",
        b"Mar  2 10:17:13 web01 app[1]: ",
        b"2026-03-02T10:17:14Z web01 sshd[2]: Invalid user x from 1.2.3.4",
        b"Mar  2 10:17:15 web01 sshd[3]: Connection closed by 1.2.3.4 port 22 [preauth]\r",
        b"garbage",
    ]


def audit_lines() -> list[bytes]:
    """auditd records: nested messages, collisions, enriched fields, hex, EXECVE, SOCKADDR."""
    return [
        b"type=USER_ACCT msg=audit(1642999086.239:2230): pid=1 uid=0 auid=4294967295 ses=4 "
        b'msg=\'op=PAM:accounting acct="root" exe="/usr/sbin/cron" hostname=? addr=? res=success\'',
        b'type=USER_CMD msg=audit(1642999086.239:2231): pid=2 uid=1002 msg=\'pid=9 cwd="/" '
        b"cmd=636174202F6574632F736861646F77 terminal=pts/1 res=success'",
        b"type=USER_AUTH msg=audit(1642999086.239:2232): pid=3 uid=33 msg='op=PAM:authentication "
        b'acct="jhall" exe="/bin/su" res=failed\' uid=5',
        b"node=h1 type=SYSCALL msg=audit(1642999086.2:2233): arch=c000003e syscall=59 success=yes "
        b'exit=0 pid=4 auid=1000 uid=0 comm="cat" exe="/usr/bin/cat" key=(null)\x1dARCH=x86_64 '
        b'SYSCALL=execve AUID="alice" UID="root"',
        b'type=EXECVE msg=audit(1642999086.2:2233): argc=3 a0="cat" a1=2F6574632F706173737764 a2="-n"',
        b"type=SOCKADDR msg=audit(1642999086.2:2234): saddr=02000050C0A80004" + b"00" * 8,
        b"type=PROCTITLE msg=audit(1642999086.2:2234): proctitle=6C73002D6C",
        b"type=USER_LOGIN msg=audit(1642999086.2:2235): pid=5 uid=0 msg='op=login id=1002 "
        b'exe="/usr/sbin/sshd" hostname=? addr=172.19.131.174 terminal=/dev/pts/1 res=success\'',
        b"type=X msg=audit(1642999086.2:2236): msg='a=1 a=2' b=\"two words\" c='x y'",
        b"type=X msg=audit(1642999086.1234567:2237): key=value",
        b"type=X msg=audit(\xd9\xa1.5:2238): unicode digit time",
        b"type=X msg=audit(99999999999.5:2239): far future",
        b"type=X msg=audit(1642999086.239:2240):",
        b"type=X msg=audit(1642999086.239:2241): msg='unterminated",
        b"type=DAEMON_START msg=audit(1642999086.239:2242): op=start ver=3.0 res=success\r",
        b"not an audit record",
    ]


def rfc5424_lines() -> list[bytes]:
    """RFC 5424 lines: structured data of every shape, handlers, nil fields, and malformed SD."""
    rng = random.Random(5424)
    out = [
        b"<86>1 2026-03-02T10:00:00.123456Z h1 sshd 4242 - - Accepted publickey for bob from 10.0.0.1 port 22 ssh2: ED25519 SHA256:x",
        b'<86>1 2026-03-02T10:00:00Z h1 sshd 1 ID47 [origin ip="10.0.0.1" software="OpenSSH"] Failed password for invalid user x from 10.0.0.2 port 5 ssh2',
        b'<13>1 2026-03-02T10:00:00+01:00 h1 sudo - - [a@1 k="v \\"q\\" \\] \\\\"][b@2 x="1"] alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls',
        b"<13>1 - - - - - -",
        b"<13>1 - - - - - - \xef\xbb\xbfwith a byte order mark",
        b"<191>1 2026-03-02T10:00:00Z host app proc-id msgid - msg",
        b'<0>1 2026-03-02T10:00:00Z host app 12 - [x@1 a="1"][bad',
        b'<0>1 2026-03-02T10:00:00Z host app 12 - [x@1 a="1"] [not sd] rest',
        b'<0>1 2026-03-02T10:00:00Z host app 12 - [x@1 a="1"]no space',
        b'<0>1 2026-03-02T10:00:00Z host app 12 - [x@1 a="unterminated]',
        b"<0>1 2026-03-02T10:00:00Z host app 12 - -no space after nil",
        b"<0>1 2026-03-02T10:00:00Z host app 12 -",
        b'<0>1 2026-03-02T10:00:00Z host app 12 - [x@1\ta="tab"]',
        b'<0>1 2026-03-02T10:00:00Z host app 12 - [x@1 a="\xc3\xa9"] non-ASCII value',
        b"<0>1 2026-03-02T24:00:00Z host app 12 - - invalid time",
        b"<0>1 2026-03-02 host app 12 - - date only",
        b"<999>12 2026-03-02T10:00:00Z host CRON 1 - - pam_unix(cron:session): session opened for user root by (uid=0)",
        b"<34>1 2026-03-02T10:00:00.5-05:00 web01 kernel - - usb 1-1: new high-speed USB device number 5 using xhci_hcd",
        b"<34>1 2026-03-02T10:00:00Z web01 sshd \xd9\xa1 - - unicode digit procid",
        b"not RFC 5424",
        b"<34>1 2026-03-02T10:00:00Z web01 sshd 7 - - message repeated 2 times: [ Failed password for root from 1.2.3.4 port 5 ssh2]",
    ]
    for i in range(300):
        user = rng.choice(["alice", "bob", "root"])
        ip = f"10.{i % 7}.0.{i % 250}"
        msg = rng.choice([
            f"Accepted publickey for {user} from {ip} port {40000 + i} ssh2: ECDSA SHA256:{i:040x}",
            f"Failed password for {user} from {ip} port {40000 + i} ssh2",
            f"pam_unix(sshd:session): session opened for user {user} by (uid=0)",
            "Server listening on 0.0.0.0 port 22.",
        ])  # fmt: skip
        sd = rng.choice(["-", f'[origin ip="{ip}" software="OpenSSH" swVersion="9.2p1"]',
                         f'[meta seq="{i}"][origin ip="{ip}"]'])  # fmt: skip
        out.append(
            f"<86>1 2026-03-02T10:{i % 60:02d}:{i % 59:02d}.{i:06d}Z db-{i % 9} sshd {i} - {sd} {msg}".encode()
        )
        if i % 41 == 0:
            out.append(out[i % 21])
    return out
