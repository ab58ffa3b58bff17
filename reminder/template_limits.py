"""Bounds on what a template may make and do: admin templates are code from outside.

Output: a subject over SUBJECT_MAX_BYTES or a body over `max_message_bytes` is a template
error (for every template, built-in or admin). Work, in the sandbox that renders admin
templates: `range` gives at most RANGE_MAX items per call and RANGE_BUDGET per render (nested
loops multiply), string and list multiplication may not build more than `max_message_bytes`,
`**` is limited to small exponents, and rendering stops as soon as the output passes the
limit, rather than after building it. Each breach is a TemplateError naming the template.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

SUBJECT_MAX_BYTES = 1024
RANGE_MAX = 10_000
RANGE_BUDGET = 100_000
POWER_MAX_EXPONENT = 64


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox with the work bounded (see the module docstring)."""

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, max_bytes: int, **options: Any) -> None:
        super().__init__(**options)
        self.max_bytes = max_bytes
        self.range_left = RANGE_BUDGET
        self.globals["range"] = self._range

    def start_render(self) -> None:
        self.range_left = RANGE_BUDGET

    def _range(self, *args: int) -> Iterator[int]:
        numbers = range(*args)
        if len(numbers) > RANGE_MAX:
            raise SecurityError(f"range of {len(numbers):,} items: the limit is {RANGE_MAX:,}")
        self.range_left -= len(numbers)
        if self.range_left < 0:
            raise SecurityError(f"more than {RANGE_BUDGET:,} range items in one rendering")
        return iter(numbers)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            for sequence, times in ((left, right), (right, left)):
                sized = isinstance(sequence, str | list | tuple) and isinstance(times, int)
                if sized and len(sequence) * times > self.max_bytes:
                    raise SecurityError(
                        f"multiplying makes {len(sequence) * times:,} items: "
                        f"over max_message_bytes ({self.max_bytes:,})"
                    )
            return operator.mul(left, right)
        if operator_name == "**":
            if isinstance(right, int) and abs(right) > POWER_MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is over {POWER_MAX_EXPONENT}")
            return operator.pow(left, right)
        return super().call_binop(context, operator_name, left, right)


def render_bounded(template: Template, context: dict[str, Any], max_bytes: int) -> str:
    """Render, failing when the output passes `max_bytes` characters (a character is at least
    a byte). Admin templates (the sandbox) render piece by piece and stop as soon as they pass
    it; the shipped ones render in one go (counting pieces costs a fifth of rendering)."""
    environment = template.environment
    if not isinstance(environment, BoundedSandbox):
        output = template.render(context)
        if len(output) > max_bytes:
            raise SecurityError(f"output over max_message_bytes ({max_bytes:,})")
        return output
    environment.start_render()
    pieces, size = [], 0
    for piece in template.generate(context):
        size += len(piece)
        if size > max_bytes:
            raise SecurityError(f"output over max_message_bytes ({max_bytes:,})")
        pieces.append(piece)
    return "".join(pieces)


def check_subject(subject: str) -> None:
    size = len(subject.encode("utf-8"))
    if size > SUBJECT_MAX_BYTES:
        raise SecurityError(f"subject of {size:,} bytes: the limit is {SUBJECT_MAX_BYTES:,}")
