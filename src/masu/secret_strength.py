"""A conservative estimate of a secret's entropy: character classes, minus repetition, sequences and words."""

from __future__ import annotations

import math
import string
from collections import Counter

MIN_SECRET_BITS = 128
# Values seen in example files and tutorials; refused whatever their estimate.
KNOWN_PLACEHOLDERS = frozenset(
    {
        "development-only-secret-never-use-in-production",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "your-secret-key",
        "your_secret_key",
        "supersecret",
        "please-change-me",
        "replace-me",
    }
)
# Words people put into hand-made secrets; each counts as one pick from a small vocabulary, not as letters.
WEAK_WORDS = (
    "development",
    "production",
    "placeholder",
    "changeme",
    "password",
    "insecure",
    "default",
    "example",
    "secret",
    "signing",
    "replace",
    "change",
    "sample",
    "django",
    "qwerty",
    "letmein",
    "welcome",
    "admin",
    "dummy",
    "super",
    "never",
    "token",
    "local",
    "masu",
    "test",
    "only",
    "your",
    "asdf",
    "key",
    "use",
    "jwt",
    "app",
    "in",
    "my",
)
WORD_BITS = 11.0  # one word out of ~2,000
MIN_REPEAT = 3


def estimated_entropy_bits(secret: str) -> float:
    """Bits of entropy `secret` has at most, judged by its characters, repeats, runs and common words."""
    if not secret:
        return 0.0
    return min(_pattern_bits(secret), _shannon_bits(secret))


def secret_weakness(secret: str) -> str | None:
    """Why `secret` is unfit to sign tokens in production, or None when it is strong enough."""
    if secret.strip().lower() in KNOWN_PLACEHOLDERS:
        return "it is a known placeholder"
    bits = estimated_entropy_bits(secret)
    if bits < MIN_SECRET_BITS:
        return f"its estimated entropy is {bits:.0f} bits, under {MIN_SECRET_BITS}"
    return None


def _pool_bits(secret: str) -> float:
    pool = 0
    for alphabet in (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation + " "):
        if any(char in alphabet for char in secret):
            pool += len(alphabet)
    if any(ord(char) > 127 for char in secret):
        pool += 100
    return math.log2(max(pool, 2))


def _shannon_bits(secret: str) -> float:
    # The characters' own distribution: a secret of one repeated character has none.
    length = len(secret)
    counts = Counter(secret).values()
    return max(0.0, -length * sum(count / length * math.log2(count / length) for count in counts))


def _pattern_bits(secret: str) -> float:
    # Left to right, each piece costs what an attacker must guess for it: a word, a pointer back to an
    # earlier repeat, the start of an ascending or descending run, or else one character of the pool.
    per_char = _pool_bits(secret)
    bits, position = 0.0, 0
    while position < len(secret):
        word = _word_at(secret, position)
        repeat = _repeat_at(secret, position)
        run = _run_at(secret, position)
        if word:
            bits += min(WORD_BITS, len(word) * per_char)
            position += len(word)
        elif repeat >= MIN_REPEAT:
            bits += math.log2(position + 1) + math.log2(repeat + 1)
            position += repeat
        elif run >= MIN_REPEAT:
            bits += per_char + 2
            position += run
        else:
            bits += per_char
            position += 1
    return bits


def _word_at(secret: str, position: int) -> str:
    lowered = secret[position:].lower()
    return next((word for word in WEAK_WORDS if lowered.startswith(word)), "")


def _repeat_at(secret: str, position: int) -> int:
    """The longest text starting at `position` that also starts at an earlier position."""
    best = 0
    for earlier in range(position):
        length = 0
        while position + length < len(secret) and secret[earlier + length] == secret[position + length]:
            length += 1
        best = max(best, length)
    return best


def _run_at(secret: str, position: int) -> int:
    """Characters from `position` whose code points go up or down by one each step ('abcd', '4321')."""
    if position + 1 >= len(secret):
        return 1
    step = ord(secret[position + 1]) - ord(secret[position])
    if step not in (1, -1):
        return 1
    length = 2
    while (
        position + length < len(secret)
        and ord(secret[position + length]) - ord(secret[position + length - 1]) == step
    ):
        length += 1
    return length
