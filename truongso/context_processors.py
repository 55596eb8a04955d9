from functools import cache, partial

from school import access


def navigation(request) -> dict:
    # A callable, so the query runs only on pages whose template asks; cached, so it runs once
    # per request however many times the templates ask (the menu, a page's own buttons). A
    # view that already knows the answer may still put its own `can_manage` in the context,
    # which wins over this one (the parent portal's home reads it in its one query).
    return {"can_manage": cache(partial(access.manages_any_school, request.user))}
