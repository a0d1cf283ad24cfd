"""The one v0 signer: what it signs, slack_sdk's own verifier accepts, and nothing else."""

from __future__ import annotations

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.fakeslack.signing import FORM, sign, signed_headers

SECRET = "s3cret-0123456789"
NOW = 1_700_000_000
BODY = "command=%2Faipm&text=what+is+the+ikea+effect&user_id=U1"


class Clock:
    def now(self) -> float:
        return NOW + 10


def verifier(secret: str = SECRET) -> SignatureVerifier:
    return SignatureVerifier(secret, clock=Clock())


def test_signed_headers_pass_slack_sdks_verifier():
    headers = signed_headers(SECRET, BODY, timestamp=NOW, content_type=FORM)
    assert headers["Content-Type"] == FORM
    assert headers["X-Slack-Request-Timestamp"] == str(NOW)
    assert verifier().is_valid(
        BODY, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


@pytest.mark.parametrize(
    ("body", "timestamp", "secret"),
    [
        (BODY + "x", NOW, SECRET),  # tampered body
        (BODY.replace("U1", "U2"), NOW, SECRET),  # same length, other user
        (BODY, NOW + 1, SECRET),  # replayed under another timestamp
        (BODY, NOW, "another-secret"),  # signed with the wrong secret
    ],
    ids=["appended", "substituted", "timestamp", "secret"],
)
def test_anything_changed_after_signing_is_rejected(body, timestamp, secret):
    signature = sign(SECRET, BODY, NOW)
    assert not verifier(secret).is_valid(body, str(timestamp), signature)


def test_bytes_and_text_bodies_sign_alike_and_the_format_is_v0_hex():
    signature = sign(SECRET, BODY, NOW)
    assert signature == sign(SECRET, BODY.encode(), str(NOW))
    assert signature.startswith("v0=") and len(signature) == 3 + 64
    int(signature[3:], 16)


def test_headers_without_a_timestamp_use_now_and_still_verify():
    headers = signed_headers(SECRET, BODY)
    assert "Content-Type" not in headers
    assert SignatureVerifier(SECRET).is_valid(
        BODY, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
