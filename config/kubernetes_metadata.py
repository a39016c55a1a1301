"""Kubernetes labels and annotations as environment files write them, checked as the API server checks them.

https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set
"""

from __future__ import annotations

from config.reader import sorted_map, text

KEY_RULE = (
    "a Kubernetes label or annotation key: a name of 1-63 letters, digits, '-', '_' and '.', starting and ending with "
    "a letter or digit, with an optional DNS prefix and '/' ('reloader.stakater.com/match')"
)
KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE_RULE = (
    "a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
)
LABEL_VALUE_PATTERN = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"


def _prefix_length(key: str) -> str | None:
    prefix = key.rpartition("/")[0]
    return f"must be {KEY_RULE}; the prefix is at most 253 characters" if len(prefix) > 253 else None


MetadataKey = text(KEY_RULE, KEY_PATTERN, check=_prefix_length)
LabelValue = text(LABEL_VALUE_RULE, LABEL_VALUE_PATTERN)
AnnotationValue = text("a string (an annotation value)", max_length=262_144)

Labels = sorted_map(MetadataKey, LabelValue)
Annotations = sorted_map(MetadataKey, AnnotationValue)
