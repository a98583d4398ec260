"""`logchain shell`: statements over lines, dot-commands, bound values, audited queries."""

from __future__ import annotations

from click.testing import CliRunner

from logchain.cli import cli
from tests.queries.cli_helpers import system_events
from tests.queries.helpers import at, write_rows


def test_shell_session(store, tmp_path, monkeypatch):
    """A multi-line statement, .param binding, .schema, and one sealed record per query."""
    monkeypatch.setenv("LOGCHAIN_STATE_DIR", str(tmp_path / "state"))
    write_rows(store, [{"event_time": at(i), "user": "ann", "action": "sudo"} for i in range(3)])
    script = "\n".join(
        [
            ".tables",
            ".schema auth",
            ".format csv",
            ".param who=ann",
            "SELECT user, count(*) AS n",
            "FROM events WHERE user = $who GROUP BY user;",
            "SELECT * FROM nowhere;",
            ".quit",
        ]
    )
    result = CliRunner().invoke(cli, ["shell", "--store", str(store.root)], input=script + "\n")
    assert result.exit_code == 0, result.output
    assert "file_access" in result.output
    assert "ann,3" in result.output
    queries = system_events(store, "shell_query")
    assert [q["outcome"] for q in queries] == ["success", "failure"]
    assert queries[0]["params"] == {"who": "ann"}
    assert queries[0]["rows"] == 1
    assert system_events(store, "shell_closed")[0]["queries"] == 2
    assert not (store.root / "shell_history").exists()  # history never goes into the store
