"""What sshd, sudo, su, login and PAM say in auth.log / secure, as normalised fields.

Each handler takes the message (after ``program[pid]: ``) and returns an :data:`Extract` or None
when the message is not one it knows (the line then keeps host/app/pid/message only). Handlers
first look at a fixed prefix, then run one small regex: measured much faster than one large
regex over every line. The mapping is documented in docs/PARSERS.md (syslog section).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from types import MappingProxyType
from typing import Final

from ingest.parsers.columns import dumps as _dumps
from ingest.parsers.columns import is_ip, json_attrs

#: (event_type, action, outcome, user, src_ip, src_port, object, attrs JSON text)
Extract = tuple[str, str, str, str | None, str | None, int | None, str | None, str | None]
Handler = Callable[[str], Extract | None]

_AUTH: Final = re.compile(
    r"(Accepted|Failed) (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)(?: \S+)?(?:: (.*))?$"
)
_INVALID: Final = re.compile(r"Invalid user (.*?) from (\S+)(?: port (\d+))?")
_REVERSE: Final = re.compile(r"reverse mapping checking getaddrinfo for (\S+) \[(\S+)\]")
_MAPS: Final = re.compile(r"Address (\S+) maps to (\S+),")
_RECEIVED: Final = re.compile(
    r"(?:error: )?Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): (.*?)(?: \[preauth\])?$"
)
_DISCONNECTED: Final = re.compile(
    r"Disconnected from (?:(?:authenticating |invalid )?user (\S+) )?(\S+) port (\d+)"
)
_CLOSED: Final = re.compile(
    r"Connection (closed|reset) by (?:(?:authenticating |invalid )?user (\S+) )?"
    r"(\S+)(?: port (\d+))?"
)
_TOO_MANY: Final = re.compile(
    r"Disconnecting(?: \S+ user)?:? Too many authentication failures"
    r"(?: for (?:invalid user )?(\S+))?"
)
_NO_IDENT: Final = re.compile(r"Did not receive identification string from (\S+)(?: port (\d+))?")
_USERAUTH: Final = re.compile(r"input_userauth_request: invalid user (\S*)")

_PAM_FAIL: Final = re.compile(r"pam_unix\((\S+?):auth\): authentication failure;(.*)$")
_PAM_MORE: Final = re.compile(r"PAM (\d+) more authentication failures?;(.*)$")
_PAM_SESSION: Final = re.compile(
    r"pam_unix\((\S+?):session\): session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?"
    r"(?: by (\S*?)(?:\(uid=(\d+)\))?)?$"
)
_KV: Final = re.compile(r"(\w+)=(\S*)")

_SUDO: Final = re.compile(
    r"\s*(\S+) : (?:(.*?) ; )?TTY=(\S+) ; PWD=(.*?) ; USER=(\S+) ;(?: \w+=\S+ ;)* COMMAND=(.*)$"
)
_SU_OLD: Final = re.compile(r"(Successful|FAILED) su for (\S+) by (\S+)")
_SU_NEW: Final = re.compile(r"(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)")
_LOGIN_FAIL: Final = re.compile(
    r"FAILED LOGIN \(\d+\) on '?(\S+?)'? (?:FROM '?(\S+?)'? )?FOR '?(\S+?)'?, (.*)$"
)
_LOGIN_OK: Final = re.compile(r"ROOT LOGIN\s+on '?(\S+?)'?(?: FROM '?(\S+?)'?)?$")


_METHODS: Final = ("password", "publickey", "none", "keyboard-interactive", "hostbased")
#: attrs of the common login lines, built once (they are most of a brute-force log).
_METHOD_ATTRS: Final = MappingProxyType(
    {
        (method, invalid): _dumps(
            {"auth_method": method, "invalid_user": True} if invalid else {"auth_method": method}
        )
        for method in _METHODS
        for invalid in (False, True)
    }
)


def _method_attrs(method: str, invalid: bool, extra: str | None) -> str:
    text = _METHOD_ATTRS.get((method, invalid))
    if text is None:
        text = _dumps(
            {"auth_method": method, "invalid_user": True} if invalid else {"auth_method": method}
        )
    if extra:
        text = f'{text[:-1]},"key":{encode_basestring(extra)}}}'
    return text


def sshd(msg: str) -> Extract | None:
    """sshd: logins (Accepted/Failed), invalid users, break-in warnings, disconnects, PAM."""
    handler = _SSHD_BY_PREFIX.get(msg[:4])
    return handler(msg) if handler is not None else None


def _ssh_login(msg: str) -> Extract | None:
    m = _AUTH.match(msg)
    if m is None:
        return None
    result, method, invalid, user, ip, port, extra = m.groups()
    attrs = _method_attrs(method, invalid is not None, extra)
    outcome = "success" if result == "Accepted" else "failure"
    return ("ssh_login", "login", outcome, user, ip, int(port), None, attrs)


def _ssh_invalid_user(msg: str) -> Extract | None:
    m = _INVALID.match(msg)
    if m is None:
        return None
    return ("ssh_invalid_user", "invalid_user", "failure", m[1], m[2], _port(m[3]), None, None)


def _ssh_break_in(msg: str) -> Extract | None:
    if m := _REVERSE.match(msg):
        attrs = json_attrs({"hostname": m[1]})
        return ("ssh_break_in_attempt", "reverse_lookup", "failure", None, m[2], None, None, attrs)
    if (m := _MAPS.match(msg)) and "POSSIBLE BREAK-IN" in msg:
        attrs = json_attrs({"hostname": m[2]})
        return ("ssh_break_in_attempt", "reverse_lookup", "failure", None, m[1], None, None, attrs)
    return None


def _ssh_received(msg: str) -> Extract | None:
    m = _RECEIVED.match(msg)
    if m is None:
        return None
    attrs = json_attrs({"reason_code": int(m[3]), "reason": m[4]})
    return ("ssh_disconnect", "disconnect", "unknown", None, m[1], _port(m[2]), None, attrs)


def _ssh_disconnect(msg: str) -> Extract | None:
    if m := _DISCONNECTED.match(msg):
        return ("ssh_disconnect", "disconnect", "unknown", m[1], m[2], int(m[3]), None, None)
    if m := _TOO_MANY.match(msg):
        attrs = json_attrs({"reason": "too many authentication failures"})
        return ("ssh_disconnect", "disconnect", "failure", m[1], None, None, None, attrs)
    return None


def _ssh_closed(msg: str) -> Extract | None:
    m = _CLOSED.match(msg)
    if m is None:
        return None
    attrs = _CLOSED_ATTRS[m[1]]
    return ("ssh_disconnect", "disconnect", "unknown", m[2], m[3], _port(m[4]), None, attrs)


def _ssh_no_ident(msg: str) -> Extract | None:
    m = _NO_IDENT.match(msg)
    if m is None:
        return None
    return ("ssh_no_identification", "connect", "failure", None, m[1], _port(m[2]), None, None)


def _ssh_userauth(msg: str) -> Extract | None:
    m = _USERAUTH.match(msg)
    if m is None:
        return None
    return ("ssh_userauth_request", "invalid_user", "failure", m[1], None, None, None, None)


def _port(text: str | None) -> int | None:
    return int(text) if text else None


def pam(msg: str) -> Extract | None:
    """pam_unix authentication failures and sessions, for any PAM service."""
    if m := _PAM_FAIL.match(msg):
        return _pam_failure(m[1], m[2], None)
    if m := _PAM_MORE.match(msg):
        return _pam_failure(None, m[2], int(m[1]))
    if m := _PAM_SESSION.match(msg):
        service, state, user, by, by_uid = m.groups()
        attrs = json_attrs({"service": service, "by": by or None, "by_uid": _port(by_uid)})
        event = "session_open" if state == "opened" else "session_close"
        return (event, event, "success", user, None, None, None, attrs)
    if msg.startswith("pam_unix(") and msg.endswith("check pass; user unknown"):
        return ("pam_user_unknown", "authenticate", "failure", None, None, None, None, None)
    return None


def _pam_failure(service: str | None, fields: str, more: int | None) -> Extract:
    kv = dict(_KV.findall(fields))
    rhost = kv.get("rhost") or None
    ip = rhost if is_ip(rhost) else None
    attrs = json_attrs(
        {
            "service": service,
            "more_failures": more,
            "logname": kv.get("logname") or None,
            "uid": _port(kv.get("uid")),
            "euid": _port(kv.get("euid")),
            "tty": kv.get("tty") or None,
            "ruser": kv.get("ruser") or None,
            "rhost": rhost if ip is None else None,
        }
    )
    event = "pam_auth_failure" if more is None else "pam_auth_failures_more"
    return (event, "authenticate", "failure", kv.get("user") or None, ip, None, None, attrs)


def sudo(msg: str) -> Extract | None:
    """sudo: commands run (user, TTY, PWD, USER, COMMAND), refusals, failed passwords, PAM."""
    if msg.startswith(("pam_", "PAM ")):
        return pam(msg)
    m = _SUDO.match(msg)
    if m is None:
        return None
    user, problem, tty, pwd, run_as, command = m.groups()
    attrs: dict[str, object] = {"tty": tty, "pwd": pwd, "run_as": run_as}
    if problem is None:
        event, outcome = "sudo_command", "success"
    elif "incorrect password attempt" in problem:
        event, outcome = "sudo_auth_failure", "failure"
        attrs["attempts"] = int(problem.split()[0]) if problem[0].isdigit() else None
    else:
        event, outcome = "sudo_denied", "failure"
        attrs["reason"] = problem
    return (event, "sudo", outcome, user, None, None, command, json_attrs(attrs))


def su(msg: str) -> Extract | None:
    """su: switching user (user = who ran su, object = the account switched to), PAM."""
    if msg.startswith(("pam_", "PAM ")):
        return pam(msg)
    if m := _SU_OLD.match(msg):
        outcome = "success" if m[1] == "Successful" else "failure"
        return ("su", "su", outcome, m[3], None, None, m[2], json_attrs({"target_user": m[2]}))
    if m := _SU_NEW.match(msg):
        outcome = "failure" if m[1] else "success"
        attrs = json_attrs({"target_user": m[2], "tty": m[4]})
        return ("su", "su", outcome, m[3], None, None, m[2], attrs)
    return None


def login(msg: str) -> Extract | None:
    """login(1): failed and root console logins, PAM."""
    if msg.startswith(("pam_", "PAM ")):
        return pam(msg)
    if m := _LOGIN_FAIL.match(msg):
        tty, rhost, user, reason = m.groups()
        ip = rhost if is_ip(rhost) else None
        attrs = json_attrs({"tty": tty, "reason": reason, "rhost": None if ip else rhost})
        return ("console_login", "login", "failure", user, ip, None, None, attrs)
    if m := _LOGIN_OK.match(msg):
        ip = m[2] if is_ip(m[2]) else None
        attrs = json_attrs({"tty": m[1], "rhost": None if ip else m[2]})
        return ("console_login", "login", "success", "root", ip, None, None, attrs)
    return None


_CLOSED_ATTRS: Final = MappingProxyType(
    {"closed": '{"reason":"connection closed"}', "reset": '{"reason":"connection reset"}'}
)
#: sshd messages by their first four characters (one dict lookup, then one small regex).
_SSHD_BY_PREFIX: Final[Mapping[str, Handler]] = MappingProxyType(
    {
        "Fail": _ssh_login,
        "Acce": _ssh_login,
        "Inva": _ssh_invalid_user,
        "pam_": pam,
        "PAM ": pam,
        "reve": _ssh_break_in,
        "Addr": _ssh_break_in,
        "Rece": _ssh_received,
        "erro": _ssh_received,
        "Disc": _ssh_disconnect,
        "Conn": _ssh_closed,
        "Did ": _ssh_no_ident,
        "inpu": _ssh_userauth,
    }
)
