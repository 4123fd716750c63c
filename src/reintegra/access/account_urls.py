"""Account pages (namespace "account"): `/cuenta/…` for the signed-in user and the forgotten-password pages,
`/usuarios/` for user managers. Mounted at the site's root by reintegra.urls; paths in Spanish."""

from django.urls import path

from reintegra.access import account_views as views

app_name = "account"

urlpatterns = [
    path("cuenta/", views.account, name="overview"),
    path("cuenta/contrasena/", views.password_change, name="password_change"),
    path("cuenta/tokens/", views.tokens, name="tokens"),
    path("cuenta/tokens/<int:token_id>/revocar/", views.token_revoke, name="token_revoke"),
    path("cuenta/tokens/revocar-todos/", views.tokens_revoke_all, name="tokens_revoke_all"),
    path("cuenta/recuperar/", views.password_reset, name="password_reset"),
    path("cuenta/recuperar/enviado/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "cuenta/restablecer/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("cuenta/restablecida/", views.password_reset_complete, name="password_reset_complete"),
    path("usuarios/", views.users, name="users"),
    path("usuarios/<int:user_id>/enviar-enlace/", views.user_password_reset, name="user_password_reset"),
]
