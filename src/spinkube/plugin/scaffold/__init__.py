"""`spin kube scaffold`: options in, SpinApp manifest text out. Pure (reads no files itself)."""

from spinkube.plugin.scaffold.options import Autoscaler, ScaffoldOptions
from spinkube.plugin.scaffold.render import render
from spinkube.plugin.scaffold.rules import ScaffoldError, validate

__all__ = ["Autoscaler", "ScaffoldError", "ScaffoldOptions", "render", "validate"]
