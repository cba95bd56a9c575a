"""Base models and scalar types shared by the SpinApp and SpinAppExecutor models.

The scalar types carry their CRD schema with them (`WithJsonSchema`), so the CRD generator
never needs to know about them: int32 and int64 formats, and Kubernetes quantities as
int-or-string with the apimachinery pattern.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel

QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|"
    r"([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
"""The pattern kubebuilder puts on `resource.Quantity` fields."""

_QUANTITY_RE = re.compile(QUANTITY_PATTERN)

INT_OR_STRING_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "integer"}, {"type": "string"}],
    "x-kubernetes-int-or-string": True,
}


def _quantity(value: object) -> int | str:
    """One validator for both members, so errors name the field and not a union member."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _QUANTITY_RE.match(value):
        return value
    raise ValueError("must be a quantity such as 100m, 0.5, 128Mi or 1Gi (integer or string)")


Int32 = Annotated[
    StrictInt,
    Field(ge=-(2**31), le=2**31 - 1),
    WithJsonSchema({"type": "integer", "format": "int32"}),
]
Int64 = Annotated[
    StrictInt,
    Field(ge=-(2**63), le=2**63 - 1),
    WithJsonSchema({"type": "integer", "format": "int64"}),
]
Quantity = Annotated[
    int | str,
    PlainValidator(_quantity),
    WithJsonSchema({**INT_OR_STRING_SCHEMA, "pattern": QUANTITY_PATTERN}),
]
"""A Kubernetes resource quantity: an integer or a string such as `500m` or `128Mi`."""

StringMap = dict[str, str]


class ApiModel(BaseModel):
    """Base of our own CRD types: camelCase on the wire, strict types, unknown fields refused.

    Strict so that `replicas: "1"` is an error, as it is for the API server, instead of being
    coerced. Python names work too (`validate_by_name`), and dumps use the wire names.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        strict=True,
        extra="forbid",
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        """A field set to null counts as not set, as the API server prunes it before defaulting."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


K8S_TYPE_KEY = "x-spinkube-kubernetes-type"
"""Marks a model whose CRD schema is the Kubernetes definition of that name, inlined."""


class K8sModel(ApiModel):
    """Base of Kubernetes core types embedded in our CRDs.

    Only the fields this project reads are typed; the rest are kept as given (`extra="allow"`),
    so fields of newer Kubernetes versions pass through. The CRD schema of these types is the
    upstream Kubernetes definition named by `kubernetes_type()`, inlined by the generator.
    """

    model_config = ConfigDict(extra="allow")


def kubernetes_type(definition: str) -> ConfigDict:
    """Model config for a `K8sModel` whose CRD schema is the Kubernetes `definition`."""
    return ConfigDict(json_schema_extra={K8S_TYPE_KEY: definition})
