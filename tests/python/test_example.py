"""The getting-started example is test code: it pays against a real sandbox here, and
docs/python.md shows it exactly as it is."""

import os
import re
import subprocess
import sys
from pathlib import Path

from examples import getting_started
from harness import CONFIRM_ROUTE, ROOT

EXAMPLE = Path(getting_started.__file__).resolve()
DOC = ROOT / "docs" / "python.md"
DOC_MARKER = "<!-- the whole of tests/python/examples/getting_started.py -->"
OUTCOME = "Paiement accepté. Reste à payer : 29,50\u00a0€ par carte bancaire."


def join(monkeypatch, sandbox) -> None:
    monkeypatch.setenv("CVCONNECT_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("CVCONNECT_ADMIN_TOKEN", sandbox.admin_token)
    monkeypatch.delenv("CVCONNECT_SANDBOX_BIN", raising=False)


def script_env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CVCONNECT_SANDBOX_URL", "CVCONNECT_ADMIN_TOKEN")}
    env.update(changes)
    return env


def test_the_example_pays_against_a_sandbox_it_starts(monkeypatch, capsys):
    monkeypatch.delenv("CVCONNECT_SANDBOX_URL", raising=False)
    assert getting_started.main() == 0
    printed = capsys.readouterr().out
    assert "Boutique Démo asks for 150,00\u00a0€" in printed
    assert OUTCOME in printed


def test_the_example_joins_a_running_sandbox(sandbox, monkeypatch, capsys):
    join(monkeypatch, sandbox)
    assert getting_started.main() == 0
    assert OUTCOME in capsys.readouterr().out
    assert sandbox.admin("GET", "/admin/ledger")["entries"], "the joined sandbox is left running"


def test_the_example_fails_when_the_payment_fails(own_sandbox, monkeypatch, capsys):
    own_sandbox.arm_fault(CONFIRM_ROUTE, "error", count=20)
    join(monkeypatch, own_sandbox)
    assert getting_started.main() == 1
    printed = capsys.readouterr()
    assert "Payment failed" in printed.err
    assert OUTCOME not in printed.out


def test_the_script_exits_zero_after_a_payment():
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=script_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert OUTCOME in result.stdout


def test_the_script_exits_non_zero_without_a_sandbox(tmp_path):
    missing = str(tmp_path / "no-sandbox-here")
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=script_env(CVCONNECT_SANDBOX_BIN=missing),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "no-sandbox-here" in result.stderr


def test_the_docs_show_the_example_as_it_is():
    doc = DOC.read_text(encoding="utf-8")
    found = re.search(re.escape(DOC_MARKER) + r"\n```python\n(.*?)^```$", doc, re.S | re.M)
    assert found, f"{DOC} has no ```python block after {DOC_MARKER}"
    assert found.group(1) == EXAMPLE.read_text(encoding="utf-8")


def test_the_example_uses_only_what_the_shipped_wheel_exports():
    source = EXAMPLE.read_text(encoding="utf-8")
    test_only = ["canonical_confirmation_bytes", "verify_device_signature", "ConfirmationFields",
                 "cvconnect_selftest_panic", "software_device_signer", "Keypad("]
    assert [name for name in test_only if name in source] == []
    imported = re.findall(r"^(?:from|import) (\w+)", source, re.M)
    assert set(imported) <= {"__future__", "asyncio", "json", "os", "secrets", "subprocess", "sys", "tempfile",
                             "threading", "time", "urllib", "decimal", "cryptography", "cvconnect"}, imported
