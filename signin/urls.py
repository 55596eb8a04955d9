from signin.views import codes, sessions, twofactor

app_name = "signin"

urlpatterns: list = [
    *codes.urlpatterns,  # one-time codes: /tai-khoan/ma/, /tai-khoan/ma/nhap/, /tai-khoan/mat-khau/dat/
    *sessions.urlpatterns,  # signed-in devices: /tai-khoan/phien/
    *twofactor.urlpatterns,  # second factor: /tai-khoan/xac-thuc/…, /ma-du-phong/, /dat-lai-xac-thuc/
]
