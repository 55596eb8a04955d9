def import_view(model_admin, request):
    raise NotImplementedError
