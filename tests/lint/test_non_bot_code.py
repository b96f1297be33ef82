"""Code that is not a Bybit bot (the standard library, other libraries) must neither hang the
linter nor draw findings meant for bots."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from lint_rules.config import resolve_rules
from lint_rules.engine import lint_source
from lint_rules.rules import all_rules

RULES = resolve_rules(all_rules(), None, [])


def _codes(code: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_source(textwrap.dedent(code), "lib.py", RULES).findings]


def test_parameter_defaults_naming_themselves_do_not_hang(tmp_path: Path) -> None:
    # importlib/_bootstrap.py and cffi's backend_ctypes.py have this shape
    (tmp_path / "selfref.py").write_text(
        textwrap.dedent(
            """
            import requests
            url = "https://example.org"

            def fetch(url=url):
                return requests.get(url)

            def pair(a=b, b=a):
                return requests.post(a, json=b)

            def retry(place_order=place_order):
                return place_order()

            class Loader:
                def load(self, path=path, _retry=retry):
                    return _retry(requests.get(path))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from lint_rules.cli import main; sys.exit(main(sys.argv[1:]))", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stderr


def test_verify_false_outside_http_clients_is_not_byb303() -> None:
    assert _codes(
        """
        import pandas as pd
        import numpy as np

        def sample(df: pd.DataFrame):
            idx = np.arange(3)
            part = df.take(idx, verify=False)
            checked = validate(part, verify=False)
            return part.to_csv(verify=False)
        """
    ) == []


def test_verify_false_on_http_clients_stays_byb303() -> None:
    found = _codes(
        """
        import requests, httpx

        def get(url):
            requests.get(url, verify=False)
            session = requests.Session()
            session.post(url, json={}, verify=False)
            client = httpx.Client(verify=False)
            return client
        """
    )
    assert [code for _, code in found] == ["BYB303"] * 3


def test_crypto_test_vectors_are_not_credentials() -> None:
    assert _codes(
        '''
        """HMAC self-test (RFC 4231)."""
        import hmac, hashlib

        TEST_VECTORS = [
            {"key": "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "data": "4869205468657265"},
        ]

        def self_test():
            key = bytes.fromhex("0102030405060708090a0b0c0d0e0f10111213141516171819")
            secret = "4a656665"
            api_key = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
            private_key = "0x27c9c557bd398e354b57ba58046b055035c47788926eb53fcdb394769ef80e1b"
            assert hmac.new(key, b"data", hashlib.sha256).hexdigest()

        rsa_key = b"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAsvI34FgiTK8+txBvmooNGpNwk23YTU51dwNZi5yha3W4lA/Q\\nvcZrDalkmD7ekWQwnduxVKa6pRSI13KBgeU7Ee1BWi5w1m0HnqVlcDRTdSF5YwQbrS9Iu3BQjWmZL2Hy3uZqzGaq-----END RSA PRIVATE KEY-----"
        '''
    ) == []


def test_real_looking_bybit_keys_stay_byb302() -> None:
    found = _codes(
        """
        from pybit.unified_trading import HTTP

        session = HTTP(api_key="Qx7pLm2RtY9wKd4NbZ", api_secret="h8Gk2LpQ9wXz4RtY7mNb3VcD6fJs1AeU5oIq")
        """
    )
    assert [code for _, code in found].count("BYB302") == 2
