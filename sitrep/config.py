"""config.yaml: one typed, validated description of a workspace.

Paths in the config are relative to the folder that holds it (the workspace), so a workspace
can be built from anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import Field, ValidationError

from . import vocabulary as vocab
from .errors import ConfigError, Problem, display_path
from .schema import Model, Text, explain_error, _literal
from .yamlsource import YamlLoadError, load_yaml_file

DEFAULT_CONFIG = "config.yaml"
FORMATS = ("html", "pdf")


class Organisation(Model):
    name: Text
    contact: Optional[Text] = None
    url: Optional[Annotated[str, Field(pattern=r"^https?://\S+$")]] = None


class ConfigModel(Model):
    title: Text
    crisis: Text
    organisation: Organisation
    store: Text = "facts"
    output: Text = "output"
    file_stem: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] = "sitrep"
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en"
    edition: Literal["public", "internal"] = "public"
    paper: Literal["A4", "Letter", "A5", "Legal"] = "A4"
    key_metrics: list[_literal(vocab.METRICS)] = ["civilians_trapped", "civilians_killed", "people_displaced", "arrivals"]
    disclaimer: Optional[Text] = None


class Config:
    """The validated config plus the absolute paths it implies."""

    def __init__(self, model: ConfigModel, path: Path, positions: dict | None = None):
        self.model = model
        self.positions = positions or {}
        self.path = path.resolve()
        self.workspace = self.path.parent
        self.store_dir = (self.workspace / model.store).resolve()
        self.output_dir = (self.workspace / model.output).resolve()

    def __getattr__(self, name: str):
        return getattr(self.model, name)

    @property
    def shown(self) -> str:
        return display_path(self.path)

    def problem(self, key: str, message: str, **kw) -> Problem:
        """A problem located at `key`'s line in config.yaml."""
        return Problem(self.shown, self.positions.get((key,), 0), message, **kw)


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise ConfigError(Problem(shown, 0, "config file not found",
                                  expected="a config.yaml in the workspace, or --config PATH",
                                  hint="run sitrep from the folder that holds config.yaml, or pass --config PATH"))
    try:
        doc = load_yaml_file(path, shown)
    except YamlLoadError as exc:
        raise ConfigError(exc.problem) from None
    if not isinstance(doc.data, dict):
        raise ConfigError(Problem(shown, doc.line_of(()), "the config must be a mapping of settings",
                                  expected="key: value lines such as 'title: ...'"))
    try:
        model = ConfigModel.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message, expected, hint, loc = explain_error(error, ConfigModel)
            problems.append(Problem(shown, doc.line_of(loc), message, expected=expected, hint=hint))
        raise ConfigError(problems) from None
    return Config(model, path, doc.positions)
