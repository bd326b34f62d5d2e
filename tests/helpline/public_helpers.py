import time

from altcha import Challenge, Payload, solve_challenge
from altcha_django.verifiers import get_verifier
from django.core import signing

from bridgeway.helpline.abuse import _SALT


def old_token(slug: str, seconds: float = 10) -> str:
    return signing.dumps({"s": slug, "t": int((time.time() - seconds) * 1000)}, salt=_SALT,
                         compress=False)


def proof() -> str:
    challenge = Challenge.from_dict(get_verifier().get_challenge())
    solution = solve_challenge(challenge)
    assert solution is not None
    return Payload(challenge, solution).to_base64()
