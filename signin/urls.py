from signin.views import codes

app_name = "signin"

urlpatterns: list = [
    *codes.urlpatterns,  # one-time codes: /tai-khoan/ma/, /tai-khoan/ma/nhap/, /tai-khoan/mat-khau/dat/
]
