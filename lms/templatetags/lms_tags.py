from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def material_version(context, document):
    """The earlier file of `document` that an old revision of the lesson was written with,
    or None (the current file)."""
    versions = context.get("material_versions") or {}
    return versions.get(getattr(document, "pk", None))
