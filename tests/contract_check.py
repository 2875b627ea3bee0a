"""Every JSON answer the tests receive from ``/api/v1/`` is checked against the
OpenAPI document the server itself serves (as Zulip's ``validate_against_openapi_schema``
does): the operation is found by method and path template, and the body is validated
(JSON Schema draft 2020-12) against the schema documented for its status code, or the
operation's ``default`` (the error shape). A presenter that adds, drops or retypes a
field fails the test that received it."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

API = "/api/v1/"


class AnswerChecker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        # Literal paths before templated ones, so /rooms/{room} never shadows a literal.
        self.templates = sorted(
            ((re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", path) + "$"), path) for path in document["paths"]),
            key=lambda pair: pair[1].count("{"),
        )
        self.validators: dict[tuple[str, str, str], Draft202012Validator] = {}
        self.seen: set[tuple[str, str, int]] = set()  # (method, path template, status) checked

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template in self.templates:
            if pattern.match(path):
                op = self.document["paths"][template].get(method.lower())
                return (template, op) if op is not None else None
        return None

    def _validator(self, template: str, method: str, status: str, schema: dict[str, Any]) -> Draft202012Validator:
        key = (template, method, status)
        if key not in self.validators:
            # $refs point into #/components: validate with the components beside the schema.
            root = {**schema, "components": self.document["components"]}
            self.validators[key] = Draft202012Validator(root, format_checker=FormatChecker())
        return self.validators[key]

    def check(self, method: str, path: str, status: int, data: Any) -> None:
        """Raise AssertionError unless ``data`` matches what the document promises."""
        if not path.startswith(API):
            return
        found = self.operation(method, path)
        if found is None:  # no such endpoint or method: the answer is the error shape
            template, schema, status_key = "(none)", {"$ref": "#/components/schemas/Error"}, "error"
        else:
            template, op = found
            status_key = str(status) if str(status) in op["responses"] else "default"
            response = op["responses"][status_key]
            if "content" not in response:
                raise AssertionError(f"{method} {template} answered {status} with a JSON body; the document promises none")
            schema = response["content"]["application/json"]["schema"]
            self.seen.add((method.lower(), template, status))
        errors = sorted(self._validator(template, method, status_key, schema).iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            details = "; ".join(f"at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:5])
            raise AssertionError(f"{method} {path} answered {status} off the OpenAPI document ({template}): {details}")
