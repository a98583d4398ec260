"""Program handlers run over many distinct messages at once (the hot ones of auth logs).

sshd's ``Accepted/Failed <method> for [invalid user ]U from IP port P`` lines are nearly all
distinct (the port changes), so dedupe does not help them: here one regex pass reads them all
and Arrow builds their fields, as ``syslog_auth._ssh_login`` builds them one by one. Messages
the batch pattern does not take are returned for the per-message handler.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Final

import pyarrow as pa

from ingest.parsers.arrays import Array, constant, map_distinct, pc
from ingest.parsers.batch_match import BatchPattern

#: syslog_auth._AUTH for a batch (no group takes a newline).
_LOGIN: Final = BatchPattern.compile(
    r"(Accepted|Failed) (\S+) for (invalid user )?([^\n]*?) from (\S+) port (\d+)(?: \S+)?"
    r"(?:: ([^\n]*))?$"
)
#: Text JSON writes as it is between quotes: no quote, backslash or control character.
_PLAIN: Final = r'^[^"\\\x00-\x1f]*$'
_STRING: Final = pa.string()
_NULL: Final = pa.scalar(None, _STRING)


def is_login(messages: Array) -> Array:
    """Which messages (of sshd) go to :func:`ssh_logins`."""
    mask: Array = pc.or_(pc.starts_with(messages, "Accepted "), pc.starts_with(messages, "Failed "))
    return mask


def ssh_logins(messages: Array) -> tuple[dict[str, Array], list[int]]:
    """(extract columns of the login messages the pattern takes, indices of the others)."""
    groups, others = _LOGIN.match_texts(messages)
    result, method, invalid, user, ip, port, extra = groups
    n = len(result)
    parts = [
        '{"auth_method":',
        map_distinct(method, encode_basestring, _STRING),
        pc.if_else(pc.equal(invalid, ""), "", ',"invalid_user":true'),
        pc.if_else(
            pc.equal(extra, ""), "", pc.binary_join_element_wise(',"key":', _quoted(extra), "")
        ),
        "}",
    ]
    ports = _ports(port)
    columns = {
        "event_type": constant("ssh_login", n),
        "action": constant("login", n),
        "outcome": pc.if_else(pc.equal(result, "Accepted"), "success", "failure"),
        "user": user,
        "src_ip": ip,
        "src_port": ports,
        "object": pa.nulls(n, _STRING),
        "attrs": pc.binary_join_element_wise(*parts, ""),
    }
    return columns, others


def _quoted(values: Array) -> Array:
    """encode_basestring of each value (by Arrow when nothing needs escaping)."""
    plain = pc.match_substring_regex(values, _PLAIN)
    quoted: Array = pc.binary_join_element_wise('"', values, '"', "")
    if pc.all(plain).as_py():
        return quoted
    out: Array = pc.if_else(plain, quoted, map_distinct(values, encode_basestring, _STRING))
    return out


def _port(text: str | None) -> int | None:
    """int() as the handler does (also other scripts' digits); None beyond int32."""
    if not text:
        return None
    value = int(text)
    return value if value < 2**31 else None


#: syslog_auth._RECEIVED for a batch.
_RECEIVED: Final = BatchPattern.compile(
    r"(?:error: )?Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): ([^\n]*?)"
    r"(?: \[preauth\])?$"
)


def is_received(messages: Array) -> Array:
    """Which messages (of sshd) go to :func:`ssh_received`."""
    mask: Array = pc.or_(
        pc.starts_with(messages, "Received disconnect "),
        pc.starts_with(messages, "error: Received disconnect "),
    )
    return mask


def ssh_received(messages: Array) -> tuple[dict[str, Array], list[int]]:
    """Extract columns of sshd ``Received disconnect`` messages (as _ssh_received builds them)."""
    groups, others = _RECEIVED.match_texts(messages)
    ip, port, code, reason = groups
    n = len(ip)
    canonical = pc.match_substring_regex(code, "^(?:0|[1-9][0-9]{0,17})$")  # what str(int) writes
    code_json = pc.if_else(canonical, code, map_distinct(code, lambda c: str(int(c)), _STRING))
    attrs = pc.binary_join_element_wise(
        '{"reason_code":', code_json, ',"reason":', _quoted(reason), "}", ""
    )
    columns = {
        "event_type": constant("ssh_disconnect", n),
        "action": constant("disconnect", n),
        "outcome": constant("unknown", n),
        "user": pa.nulls(n, _STRING),
        "src_ip": ip,
        "src_port": _ports(pc.if_else(pc.equal(port, ""), _NULL, port)),
        "object": pa.nulls(n, _STRING),
        "attrs": attrs,
    }
    return columns, others


def _ports(port: Array) -> Array:
    """Port texts (Python's \\d digits) as int32, null when empty or too large."""
    short = pc.match_substring_regex(port, "^[0-9]{1,9}$")
    out: Array = pc.if_else(short, port, _NULL).cast(pa.int32())
    odd = pc.and_(pc.invert(short), pc.is_valid(port))
    if pc.any(odd).as_py():
        out = pc.if_else(odd, map_distinct(port, _port, pa.int32()), out)
    return out
