from functools import partial

from school import access


def navigation(request) -> dict:
    # A callable, so the query runs only on pages whose template asks. A view that already
    # knows the answer puts its own `can_manage` in the context, which wins over this one (the
    # parent portal's home reads it in its one query).
    return {"can_manage": partial(access.manages_any_school, request.user)}
