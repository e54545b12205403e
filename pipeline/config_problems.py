"""Pydantic's validation errors as lines a site owner can act on: the key's dotted path, the value given, and
for an unknown key a pointer to the documented ones (config.py raises them as one ConfigError)."""

from __future__ import annotations

from pydantic import ValidationError


class ConfigError(Exception):
    """Configuration could not be loaded; `problems` lists every one, each as 'key.path: message'."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + ("validate" if part == "validate_" else str(part))
    return out or "(root)"


def problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = _format_loc(tuple(err["loc"]))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; docs/configuration.md lists every key)"
        elif "input" in err and err["type"] not in ("missing",) and not isinstance(err["input"], dict | list):
            msg = f"{msg} (got {err['input']!r})"
        problems.append(f"{loc}: {msg}")
    return problems
