"""Reading operator-written YAML with positions, so every error names file, line and column.

Data comes from ``yaml.safe_load``; positions come from composing the same text with the safe
loader (no objects are constructed). Validation errors from pydantic are mapped back to the node
they concern.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class ConfigError(Exception):
    """One human-readable line: ``file:line:col: key: problem``."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None,
                 column: int | None = None, key: str | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.column = column
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.problem}"


@dataclass(frozen=True, slots=True)
class YamlDoc:
    path: Path
    data: Any
    root: yaml.Node | None

    def locate(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``loc`` (or of its key with ``key=True``).

        Falls back to the nearest existing parent when the path does not exist (a missing key).
        """
        mark = self._find(loc, key=key)[1]
        if mark is None:
            return None, None
        return mark.line + 1, mark.column + 1

    def source_text(self, loc: Sequence[str | int]) -> str | None:
        """The value at ``loc`` as written in the file (``yes``, ``0123``), when it is a plain scalar."""
        node, _ = self._find(loc)
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def _find(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[yaml.Node | None, Any]:
        """The node at ``loc`` (or its nearest existing parent) and the mark of it, or of its key."""
        node = self.root
        mark = node.start_mark if node is not None else None
        for i, part in enumerate(loc):
            if isinstance(node, yaml.MappingNode):
                found = None
                for k, v in node.value:
                    if k.value == str(part) or (isinstance(part, int) and k.value == part):
                        found = (k, v)
                        break
                if found is None:
                    return None, mark
                last = i == len(loc) - 1
                node = found[1]
                mark = found[0].start_mark if (key and last) else found[1].start_mark
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                return None, mark
        return node, mark

    def error(self, loc: Sequence[str | int], problem: str, *, key: bool = False) -> ConfigError:
        line, col = self.locate(loc, key=key)
        return ConfigError(self.path, problem, line, col, dotted(loc) or None)


def dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_yaml(path: str | Path, what: str = "file") -> YamlDoc:
    """Load a YAML file safely; a missing file, a syntax error or a duplicate key is a ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, f"{what} not found") from None
    except IsADirectoryError:
        raise ConfigError(path, f"{what} is a folder, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = f"YAML syntax error: {exc.problem or exc.context}"
        if mark is not None:
            raise ConfigError(path, problem, mark.line + 1, mark.column + 1) from None
        raise ConfigError(path, problem) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"YAML error: {exc}") from None
    doc = YamlDoc(path, data, root)
    _check_duplicate_keys(doc, root, ())
    return doc


def _check_duplicate_keys(doc: YamlDoc, node: yaml.Node | None, loc: tuple[str | int, ...]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            name = str(k.value)
            if name in seen:
                raise ConfigError(doc.path, f"duplicate key (first at line {seen[name]})",
                                  k.start_mark.line + 1, k.start_mark.column + 1, dotted((*loc, name)))
            seen[name] = k.start_mark.line + 1
            _check_duplicate_keys(doc, v, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(doc, item, (*loc, i))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


_TYPE_WORDS = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value lines)",
    "model_type": "expected a mapping (key: value lines)",
    "tuple_type": "expected a list",
    "date_type": "expected a date like 2026-10-01",
    "date_from_datetime_parsing": "expected a date like 2026-10-01",
}


def validate(doc: YamlDoc, model: type[BaseModel], data: Any | None = None,
             context: dict[str, Any] | None = None) -> Any:
    """Validate ``data`` (default: the whole document) against ``model``; errors become ConfigError."""
    try:
        return model.model_validate(doc.data if data is None else data, context=context)
    except ValidationError as exc:
        raise first_error(doc, model, exc) from None


def first_error(doc: YamlDoc, model: type[BaseModel], exc: ValidationError) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    etype = err["type"]
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    if etype == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        problem = f"unknown key{did_you_mean(str(loc[-1]), known)}"
        return doc.error(loc, problem + suffix, key=True)
    if etype == "missing":
        return doc.error(loc, "missing required key" + suffix)
    if etype in _TYPE_WORDS:
        value = err.get("input")
        got = type(value).__name__
        got = {"NoneType": "nothing", "dict": "a mapping", "list": "a list"}.get(got, got)
        if isinstance(value, str):
            got = f'"{value}"' if len(value) <= 40 else "text"
        elif etype == "string_type" and isinstance(value, bool | int | float):
            # YAML reads 12123 and yes as a number and a boolean: an operator meant the text
            shown = doc.source_text(loc) or str(value)
            got = f'{shown}, which YAML reads as {"true or false" if isinstance(value, bool) else "a number"}: ' \
                  f'put it in quotes ("{shown}")'
        return doc.error(loc, f"{_TYPE_WORDS[etype]}, got {got}" + suffix)
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return doc.error(loc, msg + suffix)


def _known_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names (and aliases) of the model at ``loc``, for "did you mean"."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            for f in getattr(current, "model_fields", {}).values():
                if f.alias == part:
                    field = f
        if field is None:
            return []
        current = _model_in(field.annotation)
    if current is None or not hasattr(current, "model_fields"):
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
