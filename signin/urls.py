from signin.views import codes, twofactor

app_name = "signin"

urlpatterns: list = [
    *codes.urlpatterns,  # one-time codes: /tai-khoan/ma/, /tai-khoan/ma/nhap/, /tai-khoan/mat-khau/dat/
    *twofactor.urlpatterns,  # second factor: /tai-khoan/xac-thuc/…, /ma-du-phong/, /dat-lai-xac-thuc/
]
